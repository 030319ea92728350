"""Forms for escalating an issue to the Strategic Board and recording the Board's decision.

They check what was typed; the services check the subgroup's and the Board's rules."""

from __future__ import annotations

from crispy_forms_gds.layout import HTML, Field, Fieldset, Layout, Size
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone

from hscb.forms.actions import OwnerField
from hscb.forms.agencies import (
    AgencyNamesField,
    OfferedAgencies,
    offer_agencies,
    taking_part,
    ticked_and_typed,
)
from hscb.forms.board import GovukDateField, GovukForm
from hscb.models import Agency
from hscb.services.actions import check_due_date
from subgroups.models import ESCALATION_CRITERIA, EscalationDecision, Issue
from subgroups.services.register import BoardAction, escalation_check

TEXT_MAX = 8000
# How many Board actions the decision form offers: blank rows are left out.
ACTION_ROWS = 3
DECISION_LABELS = {
    EscalationDecision.ACCEPT: "Accept: the Board takes action",
    EscalationDecision.RETURN: "Return it to the Improving Outcomes subgroup with advice",
    EscalationDecision.REFER_ON: "Refer it on, for example nationally",
}


def _text_field(*, label: str, what: str, required: bool = True, **kwargs) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": f"Enter {what}",
            "max_length": f"{what[:1].upper()}{what[1:]} must be 8,000 characters or fewer",
        },
        **kwargs,
    )


def _drop_maxlength(form: forms.Form, *names: str) -> None:
    """The character count tells the reader when they are over; a browser's maxlength would
    silently cut what they paste."""
    for name in names:
        form.fields[name].widget.attrs.pop("maxlength", None)


class EscalationForm(GovukForm, forms.Form):
    """The chair's proposal: the criteria met, the agencies not co-operating, the rationale and
    the recommendations for action."""

    submit_label = "Escalate to the Strategic Board"

    criteria = forms.MultipleChoiceField(
        label="Why must the Strategic Board consider it?",
        help_text="Select all that apply. At least one must be true.",
        choices=list(ESCALATION_CRITERIA.items()),
        widget=forms.CheckboxSelectMultiple,
        # The service says what is missing, with the subgroup's own words.
        required=False,
        error_messages={"invalid_choice": "Choose the reasons from the list"},
    )
    uncooperative_agencies = OfferedAgencies(
        label="Agencies not co-operating",
        help_text="Only if the issue results from a serious lack of co-operation: select every "
        "agency concerned. The list has the agencies the issue names and those on the "
        "Improving Outcomes subgroup.",
        queryset=Agency.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages={
            "invalid_choice": "Choose the agencies from the list",
            "invalid_pk_value": "Choose the agencies from the list",
            "invalid_list": "Choose the agencies from the list",
        },
    )
    other_uncooperative_agencies = AgencyNamesField(
        label="Other agencies not co-operating (optional)",
        help_text="If an agency is not in the list above, type its name or short name here: "
        "one agency on each line.",
    )
    rationale = _text_field(
        label="Rationale",
        what="the rationale for escalating",
        help_text="Why the subgroup cannot resolve it and what the risk is to children.",
    )
    recommendations = _text_field(
        label="Recommendations for action",
        what="the recommendations for action",
        help_text="What the subgroup asks the Board to do. They go on the Board's agenda.",
    )

    def __init__(self, *args, issue: Issue, agencies: QuerySet[Agency], **kwargs) -> None:
        """`agencies` are offered to tick; any other agency taking part is typed by name."""
        super().__init__(*args, **kwargs)
        self.issue = issue
        offer_agencies(self, "uncooperative_agencies", offered=agencies, accepted=taking_part())
        _drop_maxlength(self, "rationale", "recommendations", "other_uncooperative_agencies")
        self.helper.layout = Layout(
            Field.checkboxes("criteria", legend_size=Size.MEDIUM),
            Field.checkboxes("uncooperative_agencies", legend_size=Size.SMALL, small=True),
            Field.textarea("other_uncooperative_agencies", rows=3),
            Field.textarea("rationale", rows=6, max_characters=TEXT_MAX),
            Field.textarea("recommendations", rows=6, max_characters=TEXT_MAX),
        )

    def service_arguments(self) -> dict[str, object]:
        criteria = set(self.cleaned_data.get("criteria") or [])
        arguments: dict[str, object] = {name: name in criteria for name in ESCALATION_CRITERIA}
        arguments["uncooperative_agencies"] = list(
            self.cleaned_data.get("uncooperative_agencies") or []
        )
        return arguments

    def clean(self) -> dict:
        """The subgroup's rule is checked here too, so every problem is shown at once."""
        cleaned = super().clean()
        ticked_and_typed(self, "uncooperative_agencies", "other_uncooperative_agencies")
        if (
            "criteria" in self.errors
            or "uncooperative_agencies" in self.errors
            or "other_uncooperative_agencies" in self.errors
        ):
            return cleaned
        try:
            escalation_check(issue=self.issue, **self.service_arguments())
        except ValidationError as error:
            self.add_service_errors(error)
        return cleaned


class OptionalOwnerField(OwnerField):
    """An owner that may be left blank (a Board action row nobody filled in)."""

    def clean(self, value):
        if value in self.empty_values:
            return None
        return super().clean(value)


class DecisionForm(GovukForm, forms.Form):
    """The Strategic Board's decision, and for an accepted escalation up to three actions."""

    submit_label = "Record the decision"

    decision = forms.ChoiceField(
        label="What did the Board decide?",
        choices=[(value, DECISION_LABELS[value]) for value in EscalationDecision.values],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose what the Board decided",
            "invalid_choice": "Choose accept, return or refer on",
        },
    )
    decided_on = GovukDateField(
        what="the date of the decision", label="Date of the decision", require_all_fields=False
    )
    notes = _text_field(
        label="The Board's advice or reasons",
        what="the Board's advice or reasons",
        required=False,
        help_text="Needed when the Board returns the issue to the subgroup: its advice.",
    )
    referred_to = forms.CharField(
        label="Referred to",
        required=False,
        max_length=300,
        help_text="Needed when the Board refers it on: for example, the national panel.",
        error_messages={"max_length": "Referred to must be 300 characters or fewer"},
    )

    def __init__(self, *args, owner_choices: list, **kwargs) -> None:
        kwargs.setdefault("initial", {"decided_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        rows = []
        for n in range(1, ACTION_ROWS + 1):
            self.fields[f"action_{n}_title"] = forms.CharField(
                label="Action",
                required=False,
                max_length=300,
                error_messages={"max_length": f"Action {n} must be 300 characters or fewer"},
            )
            self.fields[f"action_{n}_owner"] = OptionalOwnerField(
                label="Owner", required=False, choices=owner_choices, help_text=""
            )
            self.fields[f"action_{n}_due"] = GovukDateField(
                what=f"the due date of action {n}",
                label="Due date",
                required=False,
                require_all_fields=False,
            )
            rows.append(
                Fieldset(
                    Field.text(f"action_{n}_title"),
                    Field.select(f"action_{n}_owner"),
                    Field(f"action_{n}_due"),
                    legend=f"Action {n}",
                    legend_size=Size.SMALL,
                )
            )
        self.link_choices_to_their_first()
        _drop_maxlength(self, "notes")
        self.helper.layout = Layout(
            Field.radios("decision", legend_size=Size.MEDIUM),
            Field("decided_on"),
            Field.textarea("notes", rows=6, max_characters=TEXT_MAX),
            Field.text("referred_to"),
            HTML(
                '<h2 class="govuk-heading-m">Board actions</h2>'
                '<p class="govuk-body">When the Board accepts the escalation, record the '
                "actions it agreed (at least one), each with an owner and a due date. Leave "
                "the rows you do not need blank.</p>"
            ),
            *rows,
        )

    def clean(self) -> dict:
        cleaned = super().clean()
        actions: list[BoardAction] = []
        for n in range(1, ACTION_ROWS + 1):
            names = {part: f"action_{n}_{part}" for part in ("title", "owner", "due")}
            if any(name in self.errors for name in names.values()):
                continue
            title = (cleaned.get(names["title"]) or "").strip()
            owner, due = cleaned.get(names["owner"]), cleaned.get(names["due"])
            if not (title or owner or due):
                continue
            missing = {
                "title": "enter the action",
                "owner": "choose its owner",
                "due": "enter its due date",
            }
            given = {"title": title, "owner": owner, "due": due}
            complete = True
            for part, words in missing.items():
                if not given[part]:
                    self.add_error(names[part], f"Action {n}: {words}, or clear the row")
                    complete = False
            if due:
                try:
                    check_due_date(due)
                except ValidationError as error:
                    message = error.message_dict["due_date"][0]
                    self.add_error(names["due"], f"Action {n}: {message[:1].lower()}{message[1:]}")
                    complete = False
            if complete:
                actions.append(BoardAction(title=title, owner=owner, due_date=due))
        cleaned["actions"] = actions
        return cleaned
