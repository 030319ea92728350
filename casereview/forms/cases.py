"""Forms of the Case Review subgroup's cases: the national notification, a deadline met, the
subgroup's consideration, the board chair's decision and a possible duplicate resolved.

They check what was typed; `casereview.services.cases` and `casereview.services.duplicates`
check the rules (dates not in the future nor before what they follow, once only, the criteria
and the override, who may do it)."""

from __future__ import annotations

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.layout import Field, Fieldset, Layout, Size
from django import forms
from django.utils import timezone
from django.utils.formats import date_format

from hscb.forms.board import GovukDateField, GovukForm
from hscb.lib.checks import TEXT_LIMIT
from hscb.models import Meeting

from ..models import Answer, DuplicateStatus, ReviewType
from ..services.cases import answers_meet_criteria
from ..services.duplicates import NOTE_LIMIT, RESOLUTIONS

# The statutory criteria as the form asks them: (field, question, what a missing answer is).
CRITERIA_QUESTIONS = (
    (
        "abuse_or_neglect",
        "Is abuse or neglect known or suspected?",
        "whether abuse or neglect is known or suspected",
    ),
    ("child_died", "Did the child die?", "whether the child died"),
    (
        "seriously_harmed",
        "Was the child seriously harmed?",
        "whether the child was seriously harmed",
    ),
    (
        "concern_working_together",
        "Is there cause for concern about how agencies worked together to safeguard the child?",
        "whether there is cause for concern about how agencies worked together",
    ),
    (
        "died_in_custody",
        "Did the child die in custody or a secure setting?",
        "whether the child died in custody or a secure setting",
    ),
)
RESOLUTION_CHOICES = {
    DuplicateStatus.LINKED: (
        "Link them: the same child, different incidents",
        "Both cases carry on, each showing the other.",
    ),
    DuplicateStatus.MERGED: (
        "Merge them: the same incident",
        "The later notification joins the earlier one: its deadlines stop, and its agencies "
        "and documents move to the earlier case. Not possible once the board chair has decided "
        "on the later one.",
    ),
    DuplicateStatus.NOT_DUPLICATE: (
        "Not the same child",
        "The flag is closed and both cases carry on.",
    ),
}


def _long_text(label: str, *, what: str, required: bool = True, help_text: str = ""):
    subject = what[:1].upper() + what[1:]
    return forms.CharField(
        label=label,
        required=required,
        max_length=TEXT_LIMIT,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": f"Enter {what}",
            "max_length": f"{subject} must be {TEXT_LIMIT:,} characters or fewer",
        },
    )


def _drop_maxlength(form: forms.Form, *names: str) -> None:
    """The character count tells the reader when they are over; a browser's maxlength would
    silently cut what they paste."""
    for name in names:
        form.fields[name].widget.attrs.pop("maxlength", None)


class KeyChoiceField(forms.ChoiceField):
    """A choice of records by primary key, given as (key, label) or `Choice` pairs; cleans to
    the record (`records` maps each key to its record), or None when left empty."""

    def __init__(self, *args, records: dict[str, object] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.records = records or {}

    def clean(self, value):
        key = super().clean(value)
        if key in self.empty_values:
            return None
        return self.records[key]


def review_type_choices(types: list[ReviewType]) -> list[Choice]:
    """Each type with what it is, its deadline and whether it needs the criteria met."""
    choices = []
    for review_type in types:
        hint = " ".join(
            part
            for part in (
                review_type.description,
                f"Deadline: {review_type.clock_description}."
                if review_type.clock_description
                else "",
                "It needs the statutory criteria met." if review_type.needs_criteria_met else "",
                "It is for a case that does not meet the statutory criteria."
                if review_type.needs_criteria_not_met
                else "",
                "Reasons are required." if review_type.reasons_required else "",
            )
            if part
        )
        choices.append(Choice(str(review_type.pk), review_type.name, hint=hint))
    return choices


def _review_type_field(label: str, types: list[ReviewType], *, what: str) -> KeyChoiceField:
    return KeyChoiceField(
        label=label,
        choices=review_type_choices(types),
        records={str(t.pk): t for t in types},
        widget=forms.RadioSelect,
        error_messages={
            "required": f"Choose {what}",
            "invalid_choice": f"Choose {what} from the list",
        },
    )


def _meeting_label(meeting: Meeting) -> str:
    return f"{meeting.name}, {date_format(timezone.localdate(meeting.starts_at))}"


class PanelNotifiedForm(GovukForm, forms.Form):
    submit_label = "Record the notification"

    notified_on = GovukDateField(
        what="the date the national panel and Ofsted were notified",
        label="When were the national panel and Ofsted notified?",
        require_all_fields=False,
    )

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("initial", {"notified_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class ClockMetForm(GovukForm, forms.Form):
    submit_label = "Record the deadline as met"

    met_on = GovukDateField(
        what="the date it was met", label="When was it done?", require_all_fields=False
    )

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("initial", {"met_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class ConsiderationForm(GovukForm, forms.Form):
    """The subgroup's answer to each statutory criterion, its assessment, recommendation and
    reasons, and the meeting that considered the case."""

    submit_label = "Record the consideration"

    assessment = _long_text(
        "The subgroup's assessment",
        what="the subgroup's assessment",
        help_text="How the subgroup judged each criterion, and on what information.",
    )
    rationale = _long_text(
        "Reasons for the recommendation",
        what="the reasons for the recommendation",
        help_text="The board chair reads these when deciding.",
    )

    def __init__(
        self, *args, review_types: list[ReviewType], meetings: list[Meeting], **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        for name, question, what in CRITERIA_QUESTIONS:
            self.fields[name] = forms.ChoiceField(
                label=question,
                choices=Answer.choices,
                widget=forms.RadioSelect,
                error_messages={
                    "required": f"Answer {what}",
                    "invalid_choice": f"Answer {what}: yes, no or not known yet",
                },
            )
        self.fields["recommendation"] = _review_type_field(
            "What does the subgroup recommend?",
            review_types,
            what="the subgroup's recommendation",
        )
        self.fields["meeting"] = KeyChoiceField(
            label="The Case Review meeting that considered it (optional)",
            required=False,
            choices=[("", "Not considered at a meeting")]
            + [(str(m.pk), _meeting_label(m)) for m in meetings],
            records={str(m.pk): m for m in meetings},
            error_messages={"invalid_choice": "Choose a meeting from the list"},
        )
        self.link_choices_to_their_first()
        _drop_maxlength(self, "assessment", "rationale")
        self.helper.layout = Layout(
            Fieldset(
                *(Field.radios(name, inline=True) for name, _q, _w in CRITERIA_QUESTIONS),
                legend="The statutory criteria",
                legend_size=Size.MEDIUM,
            ),
            Field.textarea("assessment", rows=6, max_characters=TEXT_LIMIT),
            Field.radios("recommendation", legend_size=Size.MEDIUM),
            Field.textarea("rationale", rows=6, max_characters=TEXT_LIMIT),
            Field.select("meeting"),
        )

    def criteria_met(self) -> bool | None:
        """Whether the answers typed meet the criteria (None until all are answered)."""
        if not self.is_bound:
            return None
        return answers_meet_criteria(
            {name: self.data.get(name) for name, _q, _w in CRITERIA_QUESTIONS}
        )


class DecisionForm(GovukForm, forms.Form):
    """The board chair's decision: the outcome, its reasons, its date, and the reason for an
    override of the criteria."""

    submit_label = "Record the decision"

    reasons = _long_text(
        "Reasons for the decision",
        what="the reasons for the decision",
        required=False,
        help_text="Required when the outcome you choose says so, as for no review.",
    )
    decided_on = GovukDateField(
        what="the date of the decision", label="Date of the decision", require_all_fields=False
    )
    override_reason = _long_text(
        "Reason for deciding against the criteria",
        what="the reason for deciding against the criteria",
        required=False,
        help_text="Only when you choose a review that needs the statutory criteria met and the "
        "subgroup found them not met.",
    )

    def __init__(
        self,
        *args,
        review_types: list[ReviewType],
        recommendation: ReviewType | None = None,
        **kwargs,
    ) -> None:
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("decided_on", timezone.localdate())
        if recommendation is not None and recommendation in review_types:
            initial.setdefault("review_type", str(recommendation.pk))
        super().__init__(*args, **kwargs)
        self.fields["review_type"] = _review_type_field(
            "What have you decided?", review_types, what="what you decided"
        )
        self.order_fields(["review_type", "reasons", "decided_on", "override_reason"])
        self.link_choices_to_their_first()
        _drop_maxlength(self, "reasons", "override_reason")
        self.helper.layout = Layout(
            Field.radios("review_type", legend_size=Size.MEDIUM),
            Field.textarea("reasons", rows=6, max_characters=TEXT_LIMIT),
            Field("decided_on"),
            Field.textarea("override_reason", rows=4, max_characters=TEXT_LIMIT),
        )


class DuplicateResolveForm(GovukForm, forms.Form):
    submit_label = "Resolve"

    resolution = forms.ChoiceField(
        label="Are these the same child and incident?",
        choices=[
            Choice(value, RESOLUTION_CHOICES[value][0], hint=RESOLUTION_CHOICES[value][1])
            for value in RESOLUTIONS
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose whether to link, merge, or say they are not the same child",
            "invalid_choice": "Choose link, merge or not the same child",
        },
    )
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=NOTE_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What you checked, for the case's history.",
        error_messages={"max_length": f"The note must be {NOTE_LIMIT:,} characters or fewer"},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _drop_maxlength(self, "note")
        self.helper.layout = Layout(
            Field.radios("resolution", legend_size=Size.MEDIUM),
            Field.textarea("note", rows=4, max_characters=NOTE_LIMIT),
        )
