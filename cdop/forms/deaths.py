"""Forms of a case's progress: the joint agency response, information asked of an agency and
received, the child death review meeting, and the panel meeting.

They check what was typed; `cdop.services.progress` checks the rules (dates neither in the
future nor before the death or the step they follow, the case's order, nothing twice)."""

from __future__ import annotations

from crispy_forms_gds.layout import Field, Layout
from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format

from hscb.forms.agencies import AgencyNameField
from hscb.forms.board import ChoiceOfRecord, GovukDateField, GovukForm
from hscb.lib.checks import SHORT_LIMIT, TEXT_LIMIT
from hscb.models import Meeting


def _date(what: str, label: str) -> GovukDateField:
    return GovukDateField(what=what, label=label, require_all_fields=False)


def _drop_maxlength(form: forms.Form, *names: str) -> None:
    """The character count tells the reader when they are over; a browser's maxlength would
    silently cut what they paste."""
    for name in names:
        form.fields[name].widget.attrs.pop("maxlength", None)


class TodayForm(GovukForm, forms.Form):
    """A form whose date fields start at today."""

    date_fields: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs) -> None:
        initial = kwargs.setdefault("initial", {})
        for name in self.date_fields:
            initial.setdefault(name, timezone.localdate())
        super().__init__(*args, **kwargs)


class JarForm(TodayForm):
    submit_label = "Save the joint agency response"
    date_fields = ("started_on",)

    started_on = _date("the date the response started", "When did the response start?")
    lead = forms.CharField(
        label="Who led it",
        help_text="The lead professional's name and role, like “Dr A Patel, designated doctor”.",
        max_length=SHORT_LIMIT,
        error_messages={
            "required": "Enter who led the response",
            "max_length": f"Who led the response must be {SHORT_LIMIT} characters or fewer",
        },
    )
    summary = forms.CharField(
        label="Summary of the response",
        help_text="What the response found and what was done. Say who was involved by role.",
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={
            "required": "Enter a summary of the response",
            "max_length": f"A summary of the response must be {TEXT_LIMIT:,} characters or fewer",
        },
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _drop_maxlength(self, "summary")
        self.helper.layout = Layout(
            Field("started_on"),
            Field.text("lead"),
            Field.textarea("summary", rows=8, max_characters=TEXT_LIMIT),
        )


class AgencyInformationRequestForm(TodayForm):
    """The agency is typed by name (hscb.forms.agencies): the partner agencies run to hundreds,
    too many for a list."""

    submit_label = "Record the request"
    date_fields = ("requested_on",)

    agency = AgencyNameField(
        required=True,
        label="Agency asked",
        help_text="Its name or short name, like “Hertfordshire Constabulary”, or words of it.",
        error_messages={"required": "Enter the agency asked for information"},
    )
    requested_on = _date("the date the information was asked for", "When was it asked for?")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})
        self.helper.layout = Layout(Field.text("agency", field_width=30), Field("requested_on"))


class AgencyInformationReceivedForm(TodayForm):
    submit_label = "Record as received"
    date_fields = ("received_on",)

    received_on = _date("the date the information was received", "When was it received?")


class ReviewMeetingForm(TodayForm):
    submit_label = "Record the meeting"
    date_fields = ("held_on",)

    held_on = _date("the date of the meeting", "When was the child death review meeting held?")


class MeetingChoiceField(ChoiceOfRecord):
    def label_from_instance(self, obj: Meeting) -> str:
        return f"{obj.name}, {date_format(timezone.localdate(obj.starts_at))}"


class PanelMeetingForm(GovukForm, forms.Form):
    submit_label = "List for this meeting"

    meeting = MeetingChoiceField(
        label="Panel meeting",
        help_text="Meetings of the Child Death Overview Panel on or after the date of death.",
        queryset=Meeting.objects.none(),
        empty_label="Select a meeting",
        error_messages={
            "required": "Choose the panel meeting",
            "invalid_choice": "Choose a panel meeting from the list",
        },
    )

    def __init__(self, *args, meetings: QuerySet[Meeting], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = meetings
        self.helper.layout = Layout(Field.select("meeting"))
