"""The steps of the serious-incident notification form, and the document upload.

Each form checks what was typed, then asks the service's rules about its answers together with
the draft's others (`answer_problems`), so every problem shows at once; the service checks them
all again when it saves."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.layout import HTML, Field, Layout, Size
from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from hscb.forms.agencies import (
    AgencyNamesField,
    OfferedAgencies,
    offer_agencies,
    taking_part,
    ticked_and_typed,
)
from hscb.forms.board import (
    ChoiceOfRecord,
    GovukDateField,
    GovukForm,
    QuickSelect,
    YesNoField,
    radio_field,
    text_field,
)
from hscb.lib.nhs import NHSNumberField
from hscb.lib.uploads import ACCEPT, validate_document
from hscb.models import Agency, Area

from ..models import AbuseOrNeglect, Ethnicity, Harm, LegalStatus, Notification, Sex
from ..services.notifications import (
    DESCRIPTION_MAX,
    NOT_READABLE,
    REQUIRED,
    STEP_FIELDS,
    TEXT_LIMITS,
    answer_problems,
    notification_values,
)

YEARS = (1900, 2100)

# The buttons of a step: "Continue" first, so that Enter continues.
STEP_BUTTONS = HTML(
    '<div class="govuk-button-group">'
    '<button type="submit" name="action" value="continue" class="govuk-button" '
    'data-module="govuk-button" data-prevent-double-click="true">Continue</button>'
    '<button type="submit" name="action" value="save" '
    'class="govuk-button govuk-button--secondary" data-module="govuk-button">'
    "Save and come back later</button>"
    "</div>"
)


class AreaChoiceField(ChoiceOfRecord):
    """An area by its number; a number that cannot be one is not in the list."""


class AgencyChoiceField(OfferedAgencies):
    """Agencies by their numbers, shown by their short names."""

    def label_from_instance(self, obj: Agency) -> str:
        return obj.label


def _text(name: str, label: str, **kwargs) -> forms.CharField:
    limit, what = TEXT_LIMITS[name]
    return text_field(
        label, limit=limit, what=what, required_message=REQUIRED.get(name, ""), **kwargs
    )


def _choice(name: str, label: str, choices, *, help_text: str = "") -> forms.ChoiceField:
    return radio_field(label, choices, message=REQUIRED[name], help_text=help_text)


def _date(name: str, label: str, what: str, *, required: bool = True, help_text: str):
    field = GovukDateField(
        what=what,
        label=label,
        required=required,
        require_all_fields=False,
        years=YEARS,
        help_text=help_text,
    )
    if required:
        field.error_messages["required"] = REQUIRED[name]
    return field


def _answer(value: Any) -> Any:
    """A cleaned answer as the rules read it (chosen records as a list)."""
    return list(value) if isinstance(value, QuerySet) else value


class StepForm(GovukForm, forms.Form):
    """One step's questions, filled in from the draft. `service_data` is what the service
    takes."""

    step = ""

    def __init__(self, *args, notification: Notification, **kwargs) -> None:
        self.notification = notification
        self.stored = notification_values(notification)
        kwargs.setdefault("initial", self.initial_from(notification))
        super().__init__(*args, **kwargs)
        self.helper.inputs = []
        self.setup()
        self.helper.layout = Layout(*self.layout_fields(), STEP_BUTTONS)

    def setup(self) -> None:
        """Set choices that come from the database."""

    def layout_fields(self) -> list:
        raise NotImplementedError

    def initial_from(self, notification: Notification) -> dict[str, Any]:
        return {name: self.stored.get(name) for name in STEP_FIELDS[self.step]}

    def clean(self) -> dict[str, Any]:
        """The service's rules, on the answers that could be read, with the draft's others."""
        cleaned = super().clean()
        fields = STEP_FIELDS[self.step]
        answers = {
            name: NOT_READABLE if name in self.errors else _answer(cleaned.get(name))
            for name in fields
        }
        values = {**self.stored, **answers}
        checked = [name for name in fields if name not in self.errors]
        problems = answer_problems(values, fields=checked, today=timezone.localdate())
        for name, messages in problems.items():
            for message in messages:
                self.add_error(name, message)
        return cleaned

    def service_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in STEP_FIELDS[self.step]}

    def answers_that_parse(self) -> dict[str, Any]:
        """Each answer that reads as its kind on its own (a real date, a choice on the list),
        whatever the other answers or the rules across them say: what "Save and come back
        later" keeps of a step with errors."""
        parsed = {}
        for name, field in self.fields.items():
            raw = field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
            try:
                parsed[name] = field.clean(raw)
            except forms.ValidationError:
                continue
        return parsed


class ChildForm(StepForm):
    step = "child"

    first_name = _text(
        "first_name",
        "First name",
        help_text="If the baby had not been named, enter “Baby”.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    last_name = _text(
        "last_name",
        "Last name",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    other_names = _text(
        "other_names",
        "Other names (optional)",
        required=False,
        help_text="Other names the child is known by, or was known by.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    date_of_birth = _date(
        "date_of_birth",
        "Date of birth",
        "the child's date of birth",
        required=False,
        help_text="If you do not know it, leave it blank and give their approximate age "
        "instead. For example, 27 3 2015",
    )
    age_years = forms.IntegerField(
        label="Approximate age in years (if you do not know the date of birth)",
        help_text="Their age on the date of the incident.",
        required=False,
        min_value=0,
        max_value=17,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}),
        error_messages={
            "invalid": "Enter the approximate age as a whole number, like 7",
            "min_value": "The approximate age must be 0 or more",
            "max_value": "The child must be under 18: enter an approximate age from 0 to 17",
        },
    )
    nhs_number = NHSNumberField(
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "spellcheck": "false", "autocomplete": "off"}
        ),
    )

    def initial_from(self, notification: Notification) -> dict[str, Any]:
        return {name: getattr(notification, name) for name in STEP_FIELDS[self.step]}

    def layout_fields(self) -> list:
        return [
            Field.text("first_name", field_width=20),
            Field.text("last_name", field_width=20),
            Field.text("other_names", field_width=30),
            Field("date_of_birth"),
            Field.text("age_years", field_width=2),
            Field.text("nhs_number", field_width=10),
        ]


class CircumstancesForm(StepForm):
    step = "circumstances"

    sex = _choice("sex", "Sex", Sex.choices)
    ethnicity = forms.ChoiceField(
        label="Ethnic group",
        help_text="As recorded by your agency, using the 2021 census groups.",
        choices=[("", "Select an ethnic group"), *Ethnicity.choices],
        error_messages={
            "required": REQUIRED["ethnicity"],
            "invalid_choice": REQUIRED["ethnicity"],
        },
    )
    home_area = AreaChoiceField(
        label="Area the child lives in",
        help_text="The local authority area of the child's home.",
        queryset=Area.objects.none(),
        empty_label="Select an area",
        widget=QuickSelect,
        error_messages={
            "required": REQUIRED["home_area"],
            "invalid_choice": "Select the area from the list",
        },
    )
    legal_status = _choice(
        "legal_status",
        "Legal status",
        LegalStatus.choices,
        help_text="At the time of the incident.",
    )

    def __init__(self, *args, areas: QuerySet[Area], **kwargs) -> None:
        self.areas = areas
        super().__init__(*args, **kwargs)

    def setup(self) -> None:
        self.fields["home_area"].queryset = self.areas

    def initial_from(self, notification: Notification) -> dict[str, Any]:
        return {
            "sex": notification.sex,
            "ethnicity": notification.ethnicity,
            "home_area": notification.home_area_id,
            "legal_status": notification.legal_status,
        }

    def layout_fields(self) -> list:
        return [
            Field.radios("sex", legend_size=Size.SMALL, small=True),
            Field.select("ethnicity"),
            Field.select("home_area"),
            Field.radios("legal_status", legend_size=Size.SMALL, small=True),
        ]


class IncidentForm(StepForm):
    step = "incident"

    incident_date = _date(
        "incident_date",
        "Date of the incident",
        "the date of the incident",
        help_text="When the child died or was harmed, or your best estimate. For example, "
        "27 3 2026",
    )
    incident_description = forms.CharField(
        label="What happened",
        help_text="Describe the incident and what is known about how the child came to be "
        "harmed. Do not include the names of other people unless they are needed.",
        max_length=TEXT_LIMITS["incident_description"][0],
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={
            "required": REQUIRED["incident_description"],
            "max_length": "What happened must be 10,000 characters or fewer",
        },
    )
    aware_date = _date(
        "aware_date",
        "Date your agency became aware",
        "the date your agency became aware",
        help_text="The deadlines for telling the national panel and Ofsted run from this date. "
        "For example, 27 3 2026",
    )
    harm = _choice("harm", "Did the child die or were they seriously harmed?", Harm.choices)
    abuse_or_neglect = _choice(
        "abuse_or_neglect",
        "Is abuse or neglect known or suspected?",
        AbuseOrNeglect.choices,
    )
    in_custody = YesNoField(
        label="Was the child in custody or a secure setting?",
        help_text="Police custody, a young offender institution, a secure children's home or a "
        "secure training centre.",
        error_messages={
            "required": REQUIRED["in_custody"],
            "invalid_choice": REQUIRED["in_custody"],
        },
    )

    def initial_from(self, notification: Notification) -> dict[str, Any]:
        initial = {name: getattr(notification, name) for name in STEP_FIELDS[self.step]}
        answered = bool(notification.harm)
        initial["in_custody"] = ("yes" if notification.in_custody else "no") if answered else None
        return initial

    def layout_fields(self) -> list:
        return [
            Field("incident_date"),
            Field.textarea(
                "incident_description",
                rows=8,
                max_characters=TEXT_LIMITS["incident_description"][0],
            ),
            Field("aware_date"),
            Field.radios("harm", legend_size=Size.SMALL, small=True),
            Field.radios("abuse_or_neglect", legend_size=Size.SMALL, small=True),
            Field.radios("in_custody", legend_size=Size.SMALL, small=True, inline=True),
        ]

    def setup(self) -> None:
        self.fields["incident_description"].widget.attrs.pop("maxlength", None)


class AgenciesForm(StepForm):
    """The agencies involved: the notifier's own and those already named, to tick, and any
    other agency taking part typed by name (a list of every agency would grow the page)."""

    step = "agencies"

    agencies_involved = AgencyChoiceField(
        label="Agencies involved with the child",
        help_text="Select every agency that was working with the child or their family, "
        "including your own.",
        queryset=Agency.objects.none(),
        required=False,  # the rules say so once the agencies typed by name are added
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": "Select the agencies from the list",
            "invalid_pk_value": "Select the agencies from the list",
            "invalid_list": "Select the agencies from the list",
        },
    )
    other_agencies = AgencyNamesField(
        label="Other agencies involved (optional)",
        help_text="If an agency is not in the list above, type its name or short name here: "
        "one agency on each line, like “Hertfordshire Constabulary”.",
    )
    safety_action = forms.CharField(
        label="Immediate safety action taken",
        help_text="What has been done to keep the child, and any other children, safe.",
        max_length=TEXT_LIMITS["safety_action"][0],
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": REQUIRED["safety_action"],
            "max_length": "The immediate safety action taken must be 10,000 characters or fewer",
        },
    )
    notifier_phone = _text(
        "notifier_phone",
        "Your telephone number",
        help_text="So that the Case Review subgroup can contact you about this notification.",
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )

    def __init__(self, *args, agencies: QuerySet[Agency], **kwargs) -> None:
        self.agencies = agencies
        super().__init__(*args, **kwargs)

    def setup(self) -> None:
        named = [a.pk for a in self.stored["agencies_involved"]]
        offer_agencies(
            self, "agencies_involved", offered=self.agencies, accepted=taking_part(keep=named)
        )
        for name in ("safety_action", "other_agencies"):
            self.fields[name].widget.attrs.pop("maxlength", None)

    def clean(self) -> dict[str, Any]:
        if "other_agencies" in self.errors and not self.cleaned_data.get("agencies_involved"):
            # The names typed are wrong (their errors say so): not "select the agencies" too.
            self.cleaned_data.pop("other_agencies", None)
            self.cleaned_data["agencies_involved"] = NOT_READABLE
        else:
            ticked_and_typed(self, "agencies_involved", "other_agencies")
        return super().clean()

    def answers_that_parse(self) -> dict[str, Any]:
        parsed = super().answers_that_parse()
        typed = parsed.pop("other_agencies", [])
        if typed:
            ticked = list(parsed.get("agencies_involved") or [])
            parsed["agencies_involved"] = ticked + [a for a in typed if a not in ticked]
        return parsed

    def initial_from(self, notification: Notification) -> dict[str, Any]:
        chosen = [str(a.pk) for a in self.stored["agencies_involved"]]
        return {
            # The notifier's own agency is ticked to begin with: it is nearly always involved.
            "agencies_involved": chosen or [str(notification.agency_id)],
            "safety_action": notification.safety_action,
            "notifier_phone": notification.notifier_phone,
        }

    def service_data(self) -> dict[str, Any]:
        data = super().service_data()
        data["agencies_involved"] = list(data["agencies_involved"] or [])
        return data

    def layout_fields(self) -> list:
        return [
            Field.checkboxes("agencies_involved", legend_size=Size.SMALL, small=True),
            Field.textarea("other_agencies", rows=3),
            Field.textarea("safety_action", rows=6, max_characters=TEXT_LIMITS["safety_action"][0]),
            Field.text("notifier_phone", field_width=20),
        ]


STEP_FORMS: dict[str, type[StepForm]] = {
    "child": ChildForm,
    "circumstances": CircumstancesForm,
    "incident": IncidentForm,
    "agencies": AgenciesForm,
}


class AttachmentForm(GovukForm, forms.Form):
    """One document with a short description. The file is needed only to upload one:
    "Continue" with none chosen moves on."""

    file = forms.FileField(
        label="Upload a document",
        required=False,
        max_length=255,
        validators=[validate_document],
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        error_messages={
            "invalid": "Select a file",
            "missing": "Select a file",
            "empty": "The selected file is empty",
            "max_length": "The file's name must be 255 characters or fewer. Rename it and "
            "upload it again",
        },
    )
    description = forms.CharField(
        label="Short description (optional)",
        help_text="What the document is, like “Strategy meeting minutes”.",
        required=False,
        max_length=DESCRIPTION_MAX,
        error_messages={
            "max_length": f"The description must be {DESCRIPTION_MAX} characters or fewer"
        },
    )

    def __init__(self, *args, limit: str, uploading: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.uploading = uploading
        self.fields["file"].help_text = f"A PDF, Word or Excel file, smaller than {limit}."
        self.helper.inputs = []
        self.helper.layout = Layout(
            Field("file"),
            Field.text("description", field_width=30),
            HTML(
                '<button type="submit" name="action" value="upload" '
                'class="govuk-button govuk-button--secondary" data-module="govuk-button">'
                "Upload this document</button>"
            ),
            HTML('<hr class="govuk-section-break govuk-section-break--m">'),
            STEP_BUTTONS,
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        chosen = cleaned.get("file") or "file" in self.errors
        if not chosen and (self.uploading or (cleaned.get("description") or "").strip()):
            self.add_error("file", "Select a file to upload")
        return cleaned
