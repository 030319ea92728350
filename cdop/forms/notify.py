"""The death notification forms: the public one (a professional without an account says who
they are) and the signed-in one (the notifier's name, email and agency come from their account).

Each form reads what was typed, then asks the service's rules (`death_problems`) about the
answers it could read, so every problem shows at once; the service checks them all again."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.layout import HTML, Field, Fieldset, Layout, Size
from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from hscb.forms.agencies import agency_named
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
from hscb.models import Area, Ethnicity, Sex, User

from ..models import Expectation, PlaceSetting
from ..services.deaths import (
    ACCOUNT_FIELDS,
    EMAIL_MESSAGE,
    PUBLIC_FIELDS,
    REQUIRED,
    TEXT_LIMITS,
    death_problems,
)
from ..services.jurisdiction import HomeAreaMissing

YEARS = (1900, 2100)
NOT_TAKING = (
    "Notifications cannot be taken at the moment because the panel's set-up is incomplete. "
    "Telephone the board's business unit to notify the death"
)


def _text(name: str, label: str, **kwargs) -> forms.CharField:
    limit, what = TEXT_LIMITS[name]
    return text_field(
        label, limit=limit, what=what, required_message=REQUIRED.get(name, ""), **kwargs
    )


def _radios(name: str, label: str, choices, *, help_text: str = "") -> forms.ChoiceField:
    return radio_field(label, choices, message=REQUIRED[name], help_text=help_text)


def _date(name: str, label: str, what: str, *, help_text: str) -> GovukDateField:
    field = GovukDateField(
        what=what, label=label, require_all_fields=False, years=YEARS, help_text=help_text
    )
    field.error_messages["required"] = REQUIRED[name]
    return field


def _area(name: str, label: str, *, required: bool = True, help_text: str = "", empty: str):
    return ChoiceOfRecord(
        label=label,
        required=required,
        help_text=help_text,
        queryset=Area.objects.none(),
        empty_label=empty,
        widget=QuickSelect,
        error_messages={
            "required": REQUIRED.get(name, ""),
            "invalid_choice": "Select the area from the list",
        },
    )


def _plain(attrs: dict[str, str] | None = None) -> forms.TextInput:
    """A text input that the browser neither fills in nor corrects."""
    return forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", **(attrs or {})})


class DeathNotificationForm(GovukForm, forms.Form):
    """The questions both forms ask: is the death in scope, the child, the death, and the
    notifier's role and telephone number."""

    submit_label = "Send the notification"
    service_fields: tuple[str, ...] = ACCOUNT_FIELDS
    # Where a problem the service names goes, when the form asks it in another field.
    error_fields: dict[str, str] = {}

    born_alive = YesNoField(
        label="Was the child born alive?",
        help_text="A baby who showed any sign of life after birth, however brief, was born "
        "alive. Stillbirths are not reviewed by the panel.",
        no_label="No, the baby was stillborn",
        error_messages={
            "required": REQUIRED["born_alive"],
            "invalid_choice": REQUIRED["born_alive"],
        },
    )

    first_name = _text(
        "first_name",
        "First name",
        help_text="If the baby had not been named, enter “Baby”.",
        widget=_plain(),
    )
    last_name = _text("last_name", "Last name", widget=_plain())
    nhs_number = NHSNumberField(widget=_plain({"inputmode": "numeric"}))
    date_of_birth = _date(
        "date_of_birth",
        "Date of birth",
        "the child's date of birth",
        help_text="For example, 27 3 2015",
    )
    sex = _radios("sex", "Sex", Sex.choices)
    ethnicity = forms.ChoiceField(
        label="Ethnic group",
        help_text="As recorded by your agency, using the 2021 census groups.",
        choices=[("", "Select an ethnic group"), *Ethnicity.choices],
        error_messages={
            "required": REQUIRED["ethnicity"],
            "invalid_choice": REQUIRED["ethnicity"],
        },
    )

    died_on = _date(
        "died_on", "Date of death", "the date of death", help_text="For example, 27 3 2026"
    )
    died_at_time = forms.TimeField(
        label="Time of death (optional)",
        help_text="On the 24-hour clock, like 14:30, if it is known.",
        required=False,
        input_formats=["%H:%M", "%H.%M"],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}),
        error_messages={
            "invalid": "Enter the time of death on the 24-hour clock, like 14:30",
        },
    )
    place_area = _area(
        "place_area",
        "Area where the child died",
        help_text="The local authority area of the place of death.",
        empty="Select an area",
    )
    place_setting = _radios("place_setting", "Where did the child die?", PlaceSetting.choices)
    place_detail = _text(
        "place_detail",
        "Place of death in more detail (optional)",
        required=False,
        help_text="For example, the name of the hospital and ward.",
    )
    residence_area = _area(
        "residence_area",
        "Area where the child normally lived",
        help_text="For a baby who died in the first 28 days, where the mother normally lives.",
        empty="Select an area",
    )
    looked_after = YesNoField(
        label="Was the child looked after by a local authority?",
        help_text="In care: placed by, or accommodated by, a local authority.",
        error_messages={
            "required": REQUIRED["looked_after"],
            "invalid_choice": REQUIRED["looked_after"],
        },
    )
    looked_after_by = _area(
        "looked_after_by",
        "Authority looking after the child",
        required=False,
        help_text="Only if the child was looked after.",
        empty="Not looked after",
    )
    expectation = _radios(
        "expectation",
        "Was the death expected or unexpected?",
        Expectation.choices,
        help_text="A death is unexpected if it was not anticipated as a significant possibility "
        "24 hours before it happened, or if there was an unexpected collapse or incident that "
        "led to the death.",
    )
    circumstances = forms.CharField(
        label="Known circumstances (optional)",
        help_text="What is known so far about how the child died.",
        required=False,
        max_length=TEXT_LIMITS["circumstances"][0],
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"max_length": "The known circumstances must be 10,000 characters or fewer"},
    )

    notifier_role = _text("notifier_role", "Your job title or role", widget=_plain())
    notifier_phone = _text(
        "notifier_phone",
        "Your telephone number",
        help_text="So that the panel can contact you about this notification.",
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )

    def __init__(self, *args, areas: QuerySet[Area], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in ("place_area", "residence_area", "looked_after_by"):
            self.fields[name].queryset = areas
        self.fields["circumstances"].widget.attrs.pop("maxlength", None)
        self.helper.layout = Layout(
            # The scope question stands on its own (a fieldset of one would nest a legend in a
            # legend).
            Field.radios("born_alive", legend_size=Size.MEDIUM, legend_tag="h2", inline=False),
            Fieldset(
                Field.text("first_name", field_width=20),
                Field.text("last_name", field_width=20),
                Field.text("nhs_number", field_width=10),
                Field("date_of_birth"),
                Field.radios("sex", legend_size=Size.SMALL, small=True),
                Field.select("ethnicity"),
                legend="The child",
                legend_size=Size.MEDIUM,
                legend_tag="h2",
            ),
            Fieldset(
                Field("died_on"),
                Field.text("died_at_time", field_width=5),
                Field.select("place_area"),
                Field.radios("place_setting", legend_size=Size.SMALL, small=True),
                Field.text("place_detail", field_width=30),
                Field.select("residence_area"),
                Field.radios("looked_after", legend_size=Size.SMALL, small=True, inline=True),
                Field.select("looked_after_by"),
                Field.radios("expectation", legend_size=Size.SMALL, small=True),
                Field.textarea(
                    "circumstances", rows=6, max_characters=TEXT_LIMITS["circumstances"][0]
                ),
                legend="The death",
                legend_size=Size.MEDIUM,
                legend_tag="h2",
            ),
            self.notifier_fieldset(),
        )

    def notifier_fieldset(self) -> Fieldset:
        return Fieldset(
            HTML(
                '<dl class="govuk-summary-list">'
                '<div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Name'
                '</dt><dd class="govuk-summary-list__value">{{ form.account_name }}</dd></div>'
                '<div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Email'
                '</dt><dd class="govuk-summary-list__value">{{ form.account_email }}</dd></div>'
                '<div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Agency'
                '</dt><dd class="govuk-summary-list__value">{{ form.account_agency }}</dd></div>'
                "</dl>"
                '<p class="govuk-body">These come from your account.</p>'
            ),
            Field.text("notifier_role", field_width=30),
            Field.text("notifier_phone", field_width=20),
            legend="About you",
            legend_size=Size.MEDIUM,
            legend_tag="h2",
        )

    def clean(self) -> dict[str, Any]:
        """The service's rules, on the answers that could be read."""
        cleaned = super().clean()
        checked = [name for name in self.service_fields if name not in self.errors]
        values = {name: cleaned.get(name) for name in checked}
        try:
            problems = death_problems(values, fields=checked, today=timezone.localdate())
        except HomeAreaMissing:
            self.add_error(None, NOT_TAKING)
            return cleaned
        for name, messages in problems.items():
            name = self.error_fields.get(name, name)
            for message in messages:
                self.add_error(name if name in self.fields else None, message)
        return cleaned

    def service_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in self.service_fields}


class AccountDeathForm(DeathNotificationForm):
    """The signed-in form: the notifier's name, email and agency are their account's."""

    def __init__(self, *args, user: User, **kwargs) -> None:
        self.account_name = user.get_full_name() or user.email
        self.account_email = user.email
        self.account_agency = user.agency.name if user.agency else ""
        kwargs.setdefault("initial", {"notifier_role": user.job_title})
        super().__init__(*args, **kwargs)


class PublicDeathForm(DeathNotificationForm):
    """The public form: a professional without an account says who they are and where they
    work. Their organisation is typed by name, not chosen from a list of every partner agency
    (hundreds of them, and a page that grew with them): a name that is one agency's name or
    short name is recorded as that agency, any other as the organisation's name."""

    service_fields = PUBLIC_FIELDS
    field_order = PUBLIC_FIELDS  # the error summary lists problems in the page's order
    # The service asks for an agency or an organisation's name; the form has the one box.
    error_fields = {"notifier_agency": "notifier_organisation"}

    notifier_name = _text(
        "notifier_name", "Your full name", widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    notifier_organisation = _text(
        "notifier_organisation",
        "Your organisation",
        required=False,
        help_text="Its full name, like “East and North Hertfordshire NHS Trust”.",
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    notifier_email = forms.EmailField(
        label="Your email address",
        help_text="Use your work email address.",
        max_length=TEXT_LIMITS["notifier_email"][0],
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "required": REQUIRED["notifier_email"],
            "invalid": EMAIL_MESSAGE,
            "max_length": "Your email address must be 254 characters or fewer",
        },
    )

    def clean_notifier_organisation(self) -> str:
        """One of the board's agencies, by its name or short name, is recorded as the agency;
        any other name as the organisation's."""
        typed = self.cleaned_data["notifier_organisation"]
        agency = agency_named(typed) if isinstance(typed, str) else None
        self.cleaned_data["notifier_agency"] = agency
        return "" if agency is not None else typed

    def notifier_fieldset(self) -> Fieldset:
        return Fieldset(
            Field.text("notifier_name", field_width=30),
            Field.text("notifier_role", field_width=30),
            Field.text("notifier_organisation", field_width=30),
            Field.text("notifier_email", field_width=30),
            Field.text("notifier_phone", field_width=20),
            legend="About you",
            legend_size=Size.MEDIUM,
            legend_tag="h2",
        )
