"""Forms of reviews, their action plans and lessons. They check what was typed; the services in
`casereview.services.reviews` check the rules (dates in order and not to come, the review's
steps in order, evidence to complete an action, an agency asked once)."""

from __future__ import annotations

from collections.abc import Sequence

from crispy_forms_gds.layout import Field, Layout, Size
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from hscb.forms.actions import OwnerField
from hscb.forms.agencies import (
    AgencyNameField,
    AgencyNamesField,
    OfferedAgencies,
    OfferedAgency,
    chosen_or_typed,
    offer_agencies,
    taking_part,
    ticked_and_typed,
)
from hscb.forms.board import (
    GovukDateField,
    GovukForm,
    is_record_number,
)
from hscb.lib.uploads import ACCEPT, validate_document
from hscb.models import Agency, Rag

from ..models import PlanAction, PlanActionStatus, PracticeArea, Review
from ..services.reviews import EVIDENCE_MESSAGE, INDEPENDENCE_MESSAGE

# The largest primary key a database takes: a bigger number is refused before it is looked up
# (SQLite raises OverflowError for it, which would be a 500).
LESSON_HINT = (
    "Do not include names, dates of birth, NHS numbers or other details that could identify the "
    "child or family."
)
ANOTHER_AGENCY_HINT = (
    "If the agency is not in the list, type its name or short name here instead, like "
    "“Hertfordshire Constabulary”."
)
OTHER_AGENCIES_HINT = (
    "If an agency is not in the list above, type its name or short name here: one agency on "
    "each line."
)
OUT_OF_DATE = (
    "This form was out of date: someone else has updated the action since you opened it. "
    "Your update has not been saved. Check the action and submit your update again."
)

RAG_CHOICES = [
    (Rag.RED, "Red: off track, it needs help"),
    (Rag.AMBER, "Amber: some risk that it will not be done on time"),
    (Rag.GREEN, "Green: on track"),
]
STATUS_CHOICES = [
    (PlanActionStatus.OPEN, "Open: still being worked on"),
    (PlanActionStatus.COMPLETE, "Complete: it has been done (give the evidence below)"),
]


class AgencyField(OfferedAgency):
    """An agency chosen from the list (the case's agencies) by its number; a number that cannot
    be one is refused. Another agency is typed by name in a field beside it
    (`AgencyNameField`), so the form, not the field, says when neither was given."""

    def __init__(self, **kwargs) -> None:
        wrong = "Choose the agency from the list"
        kwargs.setdefault("queryset", Agency.objects.none())
        kwargs.setdefault("empty_label", "Choose an agency")
        kwargs.setdefault("required", False)
        kwargs.setdefault("error_messages", {"invalid_choice": wrong})
        super().__init__(**kwargs)

    def label_from_instance(self, obj: Agency) -> str:
        return obj.name


class AgenciesField(OfferedAgencies):
    """Agencies ticked from the list; numbers that cannot be agencies are refused."""

    def __init__(self, **kwargs) -> None:
        wrong = "Choose the agencies from the list"
        super().__init__(
            queryset=Agency.objects.none(),
            required=False,
            widget=forms.CheckboxSelectMultiple,
            error_messages={
                "invalid_choice": wrong,
                "invalid_pk_value": wrong,
                "invalid_list": wrong,
            },
            **kwargs,
        )

    def label_from_instance(self, obj: Agency) -> str:
        return obj.name


def _text(
    label: str,
    *,
    max_length: int,
    required: str | None = None,
    help_text: str = "",
    rows: int | None = None,
) -> forms.CharField:
    subject = label.removesuffix(" (optional)")
    return forms.CharField(
        label=label,
        help_text=help_text,
        max_length=max_length,
        required=required is not None,
        widget=forms.Textarea(attrs={"rows": rows}) if rows else None,
        error_messages={
            "required": required or "",
            "max_length": f"The {subject.lower()} must be {max_length:,} characters or fewer",
        },
    )


def _date(what: str, label: str, *, required: bool = True, help_text: str = "") -> GovukDateField:
    kwargs = {"help_text": help_text} if help_text else {}
    return GovukDateField(
        what=what, label=label, required=required, require_all_fields=False, **kwargs
    )


def _drop_maxlength(form: forms.Form, *names: str) -> None:
    """The character count tells the reader when they are over; a browser's maxlength would
    silently cut what they paste."""
    for name in names:
        form.fields[name].widget.attrs.pop("maxlength", None)


# The review's details -------------------------------------------------------------------------


class ReviewDetailsForm(GovukForm, forms.Form):
    submit_label = "Save details"

    lead_reviewer = _text(
        "Lead reviewer (optional)",
        max_length=200,
        help_text="The independent reviewer who leads the review, once appointed.",
    )
    lead_reviewer_organisation = _text("Lead reviewer's organisation (optional)", max_length=200)
    lead_reviewer_independent = forms.BooleanField(
        label="The lead reviewer is independent of the agencies involved",
        help_text="They do not work for, and have not managed, any agency involved with the "
        "child or family.",
        required=False,
    )
    terms_of_reference = _text(
        "Terms of reference (optional)",
        max_length=20000,
        rows=8,
        help_text="The scope of the review, the questions it will answer and its period.",
    )
    terms_agreed_on = _date(
        "the date the terms were agreed", "Date the terms were agreed (optional)", required=False
    )

    def __init__(self, *args, review: Review, **kwargs) -> None:
        kwargs.setdefault(
            "initial",
            {
                "lead_reviewer": review.lead_reviewer,
                "lead_reviewer_organisation": review.lead_reviewer_organisation,
                "lead_reviewer_independent": review.lead_reviewer_independent,
                "terms_of_reference": review.terms_of_reference,
                "terms_agreed_on": review.terms_agreed_on,
            },
        )
        super().__init__(*args, **kwargs)
        _drop_maxlength(self, "terms_of_reference")
        self.helper.layout = Layout(
            Field.text("lead_reviewer"),
            Field.text("lead_reviewer_organisation"),
            Field.checkbox("lead_reviewer_independent", small=True),
            Field.textarea("terms_of_reference", rows=8, max_characters=20000),
            Field("terms_agreed_on"),
        )

    def clean(self):
        cleaned = super().clean()
        if (cleaned.get("lead_reviewer") or "").strip() and not cleaned.get(
            "lead_reviewer_independent"
        ):
            self.add_error("lead_reviewer_independent", INDEPENDENCE_MESSAGE)
        return cleaned


# Milestones and agency reports ----------------------------------------------------------------


class MilestoneForm(GovukForm, forms.Form):
    submit_label = "Save milestone"

    title = _text(
        "Milestone",
        max_length=200,
        required="Enter the milestone",
        help_text="For example, “Practitioner learning event” or “Draft report to the subgroup”.",
    )
    due_on = _date("the due date", "Due date")
    completed_on = _date(
        "the date it was completed", "Date it was completed (optional)", required=False
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(Field.text("title"), Field("due_on"), Field("completed_on"))


class AgencyReportCreateForm(GovukForm, forms.Form):
    """The agency asked: one of the case's, chosen from the list, or another typed by name."""

    submit_label = "Save request"

    agency = AgencyField(label="Agency", help_text="The agencies of this case.")
    other_agency = AgencyNameField(label="Another agency (optional)", help_text=ANOTHER_AGENCY_HINT)
    requested_on = _date("the date it was requested", "Date the report was requested")
    due_on = _date("the due date", "Date the report is due")

    def __init__(self, *args, agencies: QuerySet[Agency], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        offer_agencies(self, "agency", offered=agencies, accepted=taking_part())
        self.helper.layout = Layout(
            Field.select("agency"),
            Field.text("other_agency", field_width=30),
            Field("requested_on"),
            Field("due_on"),
        )

    def clean(self):
        cleaned = super().clean()
        chosen_or_typed(
            self,
            "agency",
            "other_agency",
            required="Choose the agency, or type the name of another",
            both="Choose the agency from the list or type another's name, not both",
        )
        return cleaned


class AgencyReportEditForm(GovukForm, forms.Form):
    submit_label = "Save"

    received_on = _date(
        "the date it was received",
        "Date the report was received",
        required=False,
        help_text="Leave empty while it has not come in. For example, 27 3 2027",
    )
    note = _text("Note (optional)", max_length=500, rows=3, help_text="Anything to know about it.")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _drop_maxlength(self, "note")
        self.helper.layout = Layout(
            Field("received_on"), Field.textarea("note", rows=3, max_characters=500)
        )


# The final report, adoption and publication ---------------------------------------------------


class ReviewReportForm(GovukForm, forms.Form):
    submit_label = "Upload final report"

    final_report = forms.FileField(
        label="Final report",
        max_length=255,
        validators=[validate_document],
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        error_messages={
            "required": "Select the final report",
            "invalid": "Select the final report",
            "missing": "Select the final report",
            "empty": "The selected file is empty",
            "max_length": "The file's name must be 255 characters or fewer. Rename it and "
            "upload it again",
        },
    )
    received_on = _date("the date it was received", "Date the final report was received")

    def __init__(self, *args, limit: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["final_report"].help_text = f"A PDF, Word or Excel file, smaller than {limit}."


class AdoptForm(GovukForm, forms.Form):
    submit_label = "Record adoption"

    adopted_on = _date("the date it was adopted", "Date the board adopted the final report")


class PublishForm(GovukForm, forms.Form):
    submit_label = "Record publication"

    published_on = _date("the date it was published", "Date the report was published")


# The action plan ------------------------------------------------------------------------------


class RecommendationForm(GovukForm, forms.Form):
    submit_label = "Save recommendation"

    text = _text(
        "Recommendation",
        max_length=5000,
        rows=6,
        required="Enter the recommendation",
        help_text="As the final report words it.",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _drop_maxlength(self, "text")
        self.helper.layout = Layout(Field.textarea("text", rows=6, max_characters=5000))


class PlanActionCreateForm(GovukForm, forms.Form):
    submit_label = "Save action"

    description = _text(
        "Action",
        max_length=5000,
        rows=4,
        required="Enter the action",
        help_text="What is to be done, and what will show that it has been.",
    )
    lead_agency = AgencyField(
        label="Lead agency",
        help_text="The agencies of this case.",
        error_messages={"invalid_choice": "Choose the lead agency from the list"},
    )
    other_lead_agency = AgencyNameField(
        label="Another lead agency (optional)", help_text=ANOTHER_AGENCY_HINT
    )
    owner = OwnerField(help_text="The person who will make sure it is done. They are emailed.")
    due_date = _date("the due date", "Due date")
    rag = forms.ChoiceField(
        label="RAG status",
        choices=RAG_CHOICES,
        initial=Rag.AMBER,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose red, amber or green",
            "invalid_choice": "Choose red, amber or green",
        },
    )

    def __init__(self, *args, agencies: QuerySet[Agency], owner_choices: list, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        offer_agencies(self, "lead_agency", offered=agencies, accepted=taking_part())
        self.fields["owner"].choices = owner_choices
        _drop_maxlength(self, "description")
        self.helper.layout = Layout(
            Field.textarea("description", rows=4, max_characters=5000),
            Field.select("lead_agency"),
            Field.text("other_lead_agency", field_width=30),
            Field.select("owner"),
            Field("due_date"),
            Field.radios("rag", legend_size=Size.SMALL, small=True),
        )

    def clean(self):
        cleaned = super().clean()
        chosen_or_typed(
            self,
            "lead_agency",
            "other_lead_agency",
            required="Choose the lead agency",
            both="Choose the lead agency from the list or type another's name, not both",
        )
        return cleaned


class PlanActionUpdateForm(GovukForm, forms.Form):
    """A progress note with every update, and the action's RAG, status and evidence as they now
    are; for the case team, a new due date or owner. `seen_update` carries the newest entry of
    the action's history the person saw, so that an update made meanwhile is not written over."""

    submit_label = "Save update"

    seen_update = forms.CharField(widget=forms.HiddenInput, required=False)
    rag = forms.ChoiceField(
        label="RAG status",
        choices=RAG_CHOICES,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose red, amber or green",
            "invalid_choice": "Choose red, amber or green",
        },
    )
    status = forms.ChoiceField(
        label="Status",
        choices=STATUS_CHOICES,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose whether the action is open or complete",
            "invalid_choice": "Choose whether the action is open or complete",
        },
    )
    evidence = _text(
        "Evidence of completion",
        max_length=10000,
        rows=5,
        help_text="What shows the action is done: a protocol issued, training delivered, an "
        "audit's findings. Needed to mark it complete; the Audit subgroup checks it.",
    )
    note = _text(
        "Progress note",
        max_length=5000,
        rows=4,
        required="Enter a progress note",
        help_text="What has been done and what is still to do. It is kept in the action's "
        "history with your name and the date.",
    )

    def __init__(
        self,
        *args,
        action: PlanAction,
        seen_update: int | None,
        can_reassign: bool = False,
        owner_choices: list | None = None,
        **kwargs,
    ) -> None:
        kwargs.setdefault(
            "initial",
            {
                "seen_update": "" if seen_update is None else str(seen_update),
                "rag": action.rag,
                "status": action.status,
                "evidence": action.evidence,
                "due_date": action.due_date,
                "owner": action.owner_id,
            },
        )
        super().__init__(*args, **kwargs)
        self.action = action
        self.current_update = seen_update
        fields = [
            Field("seen_update"),
            Field.radios("rag", legend_size=Size.SMALL, small=True),
            Field.radios("status", legend_size=Size.SMALL, small=True),
            Field.textarea("evidence", rows=5, max_characters=10000),
            Field.textarea("note", rows=4, max_characters=5000),
        ]
        if can_reassign:
            self.fields["due_date"] = _date("the due date", "Due date")
            self.fields["owner"] = OwnerField(choices=owner_choices or [])
            fields += [Field("due_date"), Field.select("owner")]
        _drop_maxlength(self, "evidence", "note")
        self.helper.layout = Layout(*fields)

    def clean_seen_update(self) -> int | None:
        value = self.cleaned_data["seen_update"].strip()
        if not value:
            return None
        if not is_record_number(value):
            raise ValidationError(OUT_OF_DATE)
        return int(value)

    def clean(self):
        cleaned = super().clean()
        completing = cleaned.get("status") == PlanActionStatus.COMPLETE
        if completing and "evidence" in cleaned and not cleaned["evidence"].strip():
            self.add_error("evidence", EVIDENCE_MESSAGE)
        return cleaned

    def full_clean(self) -> None:
        """An error in the hidden field would show nowhere: say so above the form instead."""
        super().full_clean()
        if self.is_bound and "seen_update" in self._errors:
            del self._errors["seen_update"]
            self.add_error(None, OUT_OF_DATE)
            self.show_current()

    def show_current(self) -> None:
        """After a clash, the form is sent again as of the action's newest update, keeping what
        the person typed."""
        self.data = self.data.copy()
        self.data[self.add_prefix("seen_update")] = (
            "" if self.current_update is None else str(self.current_update)
        )


# Lessons --------------------------------------------------------------------------------------


class LessonForm(GovukForm, forms.Form):
    submit_label = "Save lesson"

    theme = _text(
        "Theme",
        max_length=120,
        required="Enter the theme",
        help_text="The lesson's subject in a few words, like “Sharing injury concerns”.",
    )
    lesson = _text(
        "Lesson",
        max_length=5000,
        rows=6,
        required="Enter the lesson",
        help_text=LESSON_HINT,
    )
    practice_area = forms.ChoiceField(
        label="Area of practice",
        choices=[("", "Choose an area"), *PracticeArea.choices],
        error_messages={
            "required": "Choose the area of practice",
            "invalid_choice": "Choose the area of practice from the list",
        },
    )
    agencies = AgenciesField(
        label="Agencies (optional)",
        help_text="The agencies the lesson is for. The list has the agencies of this case.",
    )
    other_agencies = AgencyNamesField(
        label="Other agencies (optional)", help_text=OTHER_AGENCIES_HINT
    )

    def __init__(
        self, *args, agencies: QuerySet[Agency], keep: Sequence[int] = (), **kwargs
    ) -> None:
        """`agencies` are offered to tick; `keep` are those the lesson names already, kept
        even if they have since closed."""
        super().__init__(*args, **kwargs)
        offer_agencies(self, "agencies", offered=agencies, accepted=taking_part(keep=keep))
        _drop_maxlength(self, "lesson", "other_agencies")
        self.helper.layout = Layout(
            Field.text("theme"),
            Field.textarea("lesson", rows=6, max_characters=5000),
            Field.select("practice_area"),
            Field.checkboxes("agencies", legend_size=Size.SMALL, small=True),
            Field.textarea("other_agencies", rows=3),
        )

    def clean(self):
        cleaned = super().clean()
        ticked_and_typed(self, "agencies", "other_agencies")
        return cleaned
