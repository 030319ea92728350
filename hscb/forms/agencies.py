"""Choosing agencies without listing every one (used by casereview and cdop). A form offers the
agencies of the case (to tick or to choose) and finds any other agency taking part by the name
typed: a list of every agency would grow the page with the number of agencies. A name is found
when it is an agency's name or short name (case and spacing aside), or when its words are in the
name of one agency only.

The fields that offer the case's agencies take any agency they `accept` (every agency taking
part, and those already chosen), as the full list did: an agency sent back with the form, or by
a script that searches for agencies, is taken and shown again."""

from __future__ import annotations

from collections.abc import Sequence

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from hscb.forms.board import ChoiceOfRecord, OfferedRecords, is_record_number, offer_records
from hscb.models import Agency

NAME_MAX = 200
# The agencies one box takes, one to a line: each is a query or two.
NAMES_MAX_LINES = 20
# The agencies named when what was typed could be several.
SUGGESTIONS = 5


def agency_words(value: str, *, prefix: str = "") -> Q:
    """An agency (reached through `prefix`, like "lead_agency__") whose name or short name holds
    every word of `value`, whatever its case."""
    condition = Q()
    for word in value.split():
        condition &= Q(**{f"{prefix}name__icontains": word}) | Q(
            **{f"{prefix}short_name__icontains": word}
        )
    return condition


def agency_named(typed: str) -> Agency | None:
    """The active agency whose name or short name is `typed` (case and spacing aside), or None
    when none is, or more than one."""
    name = " ".join(typed.split())
    if not name:
        return None
    found = list(
        Agency.objects.filter(
            Q(name__iexact=name) | Q(short_name__iexact=name), is_active=True
        ).order_by("name")[:2]
    )
    return found[0] if len(found) == 1 else None


def taking_part(*, keep: Sequence[int] = ()) -> QuerySet[Agency]:
    """Every agency taking part, and those of `keep` (already chosen, perhaps since closed)."""
    return Agency.objects.filter(Q(is_active=True) | Q(pk__in=list(keep)))


class OfferedAgency(ChoiceOfRecord):
    """An agency chosen from those offered (`queryset`), or any other that `accepted` holds."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.accepted = taking_part()

    def to_python(self, value) -> Agency | None:
        if value in self.empty_values:
            return None
        if isinstance(value, Agency):
            value = value.pk
        found = self.accepted.filter(pk=int(value)) if is_record_number(value) else None
        agency = found.first() if found is not None else None
        if agency is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return agency


class OfferedAgencies(OfferedRecords):
    """Agencies ticked among those offered (`queryset`), or any others `accepted` holds."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.accepted = taking_part()

    def _check_values(self, value) -> QuerySet[Agency]:
        return super()._check_values(value).order_by("name")


def offer_agencies(
    form: forms.Form, name: str, *, offered: QuerySet[Agency], accepted: QuerySet[Agency]
) -> None:
    """Offer `offered` in the field `name` and take any agency of `accepted`; agencies sent back
    with the form (that it takes) are offered too, so that they stay chosen."""
    offer_records(form, name, offered=offered, accepted=accepted)


def find_named(records: QuerySet, typed: str, *, exact: Q, words: Q, what: str, kind: str, label):
    """The one record of `records` that `typed` names: `exact` matches its name in full, else
    `words` its words; ValidationError saying why when none or several could be meant. `what`
    is the records in a message ("agency taking part"), `kind` one of them ("agency"), and
    `label(record)` how a record is named."""
    exact_found = list(records.filter(exact)[:2])
    if len(exact_found) == 1:
        return exact_found[0]
    found = exact_found or list(records.filter(words)[: SUGGESTIONS + 1])
    if len(found) == 1:
        return found[0]
    if not found:
        raise ValidationError(
            f"No {what} is called “{typed}”: check the name, or type part of it",
            code="not_found",
        )
    names = "; ".join(label(r) for r in found[:SUGGESTIONS])
    more = " and others" if len(found) > SUGGESTIONS else ""
    raise ValidationError(
        f"“{typed}” could be more than one {kind} ({names}{more}): type more of its name",
        code="several",
    )


def find_agency(typed: str) -> Agency:
    """The agency taking part that `typed` names; ValidationError saying why when none or
    several could be meant."""
    name = " ".join(typed.split())
    return find_named(
        taking_part().order_by("name"),
        name,
        exact=Q(name__iexact=name) | Q(short_name__iexact=name),
        words=agency_words(name),
        what="agency taking part",
        kind="agency",
        label=lambda agency: agency.name,
    )


class AgencyNameField(forms.CharField):
    """One agency, typed by name; cleans to the Agency, or None when left empty."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", NAME_MAX)
        messages = {"max_length": f"The agency's name must be {NAME_MAX} characters or fewer"}
        messages.update(kwargs.pop("error_messages", {}))
        super().__init__(error_messages=messages, **kwargs)

    def clean(self, value) -> Agency | None:
        text = super().clean(value)
        return find_agency(text) if text else None


class RecordNamesField(forms.CharField):
    """Records typed by name, one to a line; cleans to a list of them (each once). `find` turns
    a line into its record, or raises ValidationError saying why it cannot; `what` names the
    records in the messages ("agencies")."""

    what = "records"

    @staticmethod
    def find(typed: str):
        raise NotImplementedError

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 3}))
        kwargs.setdefault("max_length", NAME_MAX * NAMES_MAX_LINES)
        kwargs.setdefault(
            "error_messages",
            {"max_length": f"Type fewer {self.what} here, or shorter names"},
        )
        super().__init__(**kwargs)

    def clean(self, value) -> list:
        text = super().clean(value)
        lines = [line for line in text.splitlines() if line.strip()]
        if len(lines) > NAMES_MAX_LINES:
            raise ValidationError(
                f"Type at most {NAMES_MAX_LINES} {self.what} here, one to a line", code="too_many"
            )
        records: list = []
        problems: list[ValidationError] = []
        for line in lines:
            try:
                record = self.find(line)
            except ValidationError as problem:
                problems.append(problem)
            else:
                if record not in records:
                    records.append(record)
        if problems:
            raise ValidationError(problems)
        return records


class AgencyNamesField(RecordNamesField):
    """Agencies typed by name, one to a line; cleans to a list of Agency (each once)."""

    what = "agencies"
    find = staticmethod(find_agency)


def chosen_or_typed(
    form: forms.Form, chosen: str, typed: str, *, required: str, both: str
) -> Agency | None:
    """Merge an agency chosen from the list (`chosen`) and one typed by name (`typed`) into
    `chosen`'s cleaned value, and drop `typed` from the cleaned data: exactly one is needed."""
    cleaned = form.cleaned_data
    picked, named = cleaned.get(chosen), cleaned.pop(typed, None)
    if chosen in form.errors or typed in form.errors:
        return picked
    if picked is not None and named is not None and picked != named:
        form.add_error(typed, both)
    elif picked is None and named is None:
        form.add_error(chosen, required)
    else:
        cleaned[chosen] = picked or named
    return cleaned.get(chosen)


def ticked_and_typed(form: forms.Form, ticked: str, typed: str) -> list:
    """Add the agencies (or other records) typed by name (`typed`) to those ticked (`ticked`),
    in its cleaned value, and drop `typed` from the cleaned data."""
    cleaned = form.cleaned_data
    named = cleaned.pop(typed, None) or []
    if ticked in form.errors:
        return []
    agencies = list(cleaned.get(ticked) or [])
    agencies += [a for a in named if a not in agencies]
    cleaned[ticked] = agencies
    return agencies
