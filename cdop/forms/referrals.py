"""Forms of the cross-area referrals: a death referred in by another area's panel, and each
step of a referral (acknowledged, reviewing panel agreed, outcome reported).

They check what was typed; `cdop.services.referrals` checks the rules (the panel's scope, the
areas, dates in order and not in the future, each step once)."""

from __future__ import annotations

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.layout import Field, Fieldset, Layout, Size
from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from hscb.forms.board import ChoiceOfRecord, GovukDateField, GovukForm, QuickSelect, YesNoField
from hscb.lib.checks import SHORT_LIMIT, TEXT_LIMIT
from hscb.lib.nhs import NHSNumberField
from hscb.models import Area, Ethnicity, Sex

from ..models import Expectation, PlaceSetting, ReviewingPanel
from ..services.referrals import EMAIL_LIMIT, HOW_TOLD_LIMIT, NAME_LIMIT, NOTE_LIMIT, PHONE_LIMIT

YEARS = (1900, 2100)
EMAIL_FORMAT = "Enter an email address in the correct format, like name@example.com"
NO_AUTOFILL = {"autocomplete": "off", "spellcheck": "false"}


def _text(label: str, *, what: str, limit: int, required: bool = True, **kwargs):
    subject = what[:1].upper() + what[1:]
    return forms.CharField(
        label=label,
        required=required,
        max_length=limit,
        error_messages={
            "required": f"Enter {what}",
            "max_length": f"{subject} must be {limit:,} characters or fewer",
        },
        **kwargs,
    )


def _choice(label: str, choices, *, what: str, widget=forms.RadioSelect, **kwargs):
    return forms.ChoiceField(
        label=label,
        choices=choices,
        widget=widget,
        error_messages={"required": f"Choose {what}", "invalid_choice": f"Choose {what}"},
        **kwargs,
    )


def _date(what: str, label: str, **kwargs) -> GovukDateField:
    return GovukDateField(what=what, label=label, require_all_fields=False, **kwargs)


class AreaChoiceField(ChoiceOfRecord):
    def label_from_instance(self, obj: Area) -> str:
        return obj.name


class InboundForm(GovukForm, forms.Form):
    """The death of a child who lived here and died in another area, as that area's panel
    notified it."""

    submit_label = "Record the death and the referral"

    first_name = _text(
        "First name",
        what="the first name",
        limit=NAME_LIMIT,
        help_text="If the baby had not been named, enter “Baby”.",
        widget=forms.TextInput(attrs=NO_AUTOFILL),
    )
    last_name = _text(
        "Last name",
        what="the last name",
        limit=NAME_LIMIT,
        widget=forms.TextInput(attrs=NO_AUTOFILL),
    )
    nhs_number = NHSNumberField(
        widget=forms.TextInput(attrs={"inputmode": "numeric", **NO_AUTOFILL})
    )
    date_of_birth = _date("the date of birth", "Date of birth", years=YEARS)
    sex = _choice("Sex", Sex.choices, what="the child's sex")
    ethnicity = _choice(
        "Ethnic group",
        [("", "Select an ethnic group"), *Ethnicity.choices],
        what="the child's ethnic group",
        widget=forms.Select,
    )
    born_alive = YesNoField(
        label="Was the child born alive?",
        help_text="A stillbirth is not reviewed by a child death overview panel.",
        error_messages={
            "required": "Say whether the child was born alive",
            "invalid_choice": "Say whether the child was born alive",
        },
    )
    died_on = _date("the date of death", "Date of death", years=YEARS)
    place_area = AreaChoiceField(
        label="Area where the child died",
        queryset=Area.objects.none(),
        empty_label="Select an area",
        widget=QuickSelect,
        error_messages={
            "required": "Choose the area where the child died",
            "invalid_choice": "Choose the area from the list",
        },
    )
    place_setting = _choice("Place of death", PlaceSetting.choices, what="where the child died")
    place_detail = _text(
        "Place of death in more detail (optional)",
        what="the place of death in more detail",
        limit=SHORT_LIMIT,
        required=False,
        help_text="Like the hospital's name.",
    )
    expectation = _choice(
        "Was the death expected or unexpected?",
        Expectation.choices,
        what="whether the death was expected or unexpected",
    )
    circumstances = _text(
        "Known circumstances (optional)",
        what="the known circumstances",
        limit=TEXT_LIMIT,
        required=False,
        help_text="What the other panel told us of how the child died.",
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    contact_name = _text("Name", what="the name of the panel's contact", limit=200)
    contact_email = forms.EmailField(
        label="Email address",
        max_length=EMAIL_LIMIT,
        widget=forms.EmailInput(attrs={"spellcheck": "false"}),
        error_messages={
            "required": "Enter the contact's email address",
            "invalid": EMAIL_FORMAT,
            "max_length": f"The contact's email address must be {EMAIL_LIMIT} characters or fewer",
        },
    )
    contact_phone = _text(
        "Telephone (optional)",
        what="the contact's telephone number",
        limit=PHONE_LIMIT,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    received_on = _date("the date the notification was received", "Date we were told")

    def __init__(self, *args, areas: QuerySet[Area], **kwargs) -> None:
        kwargs.setdefault("initial", {"received_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["place_area"].queryset = areas
        self.link_choices_to_their_first()
        self.fields["circumstances"].widget.attrs.pop("maxlength", None)
        self.helper.layout = Layout(
            Fieldset(
                Field.text("first_name", field_width=20),
                Field.text("last_name", field_width=20),
                Field.text("nhs_number", field_width=10),
                Field("date_of_birth"),
                Field.radios("sex", legend_size=Size.SMALL, small=True),
                Field.select("ethnicity"),
                Field.radios("born_alive", legend_size=Size.SMALL, inline=True),
                legend="The child",
                legend_size=Size.MEDIUM,
            ),
            Fieldset(
                Field("died_on"),
                Field.select("place_area"),
                Field.radios("place_setting", legend_size=Size.SMALL, small=True),
                Field.text("place_detail"),
                Field.radios("expectation", legend_size=Size.SMALL, inline=True),
                Field.textarea("circumstances", rows=6, max_characters=TEXT_LIMIT),
                legend="The death",
                legend_size=Size.MEDIUM,
            ),
            Fieldset(
                Field.text("contact_name"),
                Field.text("contact_email"),
                Field.text("contact_phone", field_width=20),
                Field("received_on"),
                legend="The other panel's contact",
                legend_size=Size.MEDIUM,
            ),
        )


class AcknowledgeForm(GovukForm, forms.Form):
    submit_label = "Record the acknowledgement"

    acknowledged_on = _date("the date it was acknowledged", "When was it acknowledged?")

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("initial", {"acknowledged_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class AgreeForm(GovukForm, forms.Form):
    submit_label = "Record the agreement"

    agreed_on = _date("the date it was agreed", "When did the panels agree?")
    how_told = _text(
        "How the other panel will be told the outcome",
        what="how the other panel will be told the outcome",
        limit=HOW_TOLD_LIMIT,
        help_text="For example, “A copy of the panel's analysis form by secure email”.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, other_area: Area, default: str, **kwargs) -> None:
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("agreed_on", timezone.localdate())
        if default:
            initial.setdefault("reviewing_panel", default)
        super().__init__(*args, **kwargs)
        hints = {
            ReviewingPanel.OURS: "The case stays with our panel.",
            ReviewingPanel.THEIRS: f"The case is handed over to {other_area.name}'s panel.",
        }
        self.fields["reviewing_panel"] = _choice(
            "Which panel reviews the death?",
            [
                Choice(
                    value,
                    label if value != ReviewingPanel.THEIRS else f"{other_area.name}'s panel",
                    hint=hints[value] + (" The rule proposes this." if value == default else ""),
                )
                for value, label in ReviewingPanel.choices
            ],
            what="which panel reviews the death",
        )
        self.order_fields(["agreed_on", "reviewing_panel", "how_told"])
        self.link_choices_to_their_first()
        self.fields["how_told"].widget.attrs.pop("maxlength", None)
        self.helper.layout = Layout(
            Field("agreed_on"),
            Field.radios("reviewing_panel", legend_size=Size.SMALL),
            Field.textarea("how_told", rows=4, max_characters=HOW_TOLD_LIMIT),
        )


class OutcomeForm(GovukForm, forms.Form):
    submit_label = "Record the outcome"

    reported_on = _date("the date the outcome was reported", "When was the outcome reported?")
    note = _text(
        "The outcome",
        what="the outcome",
        limit=NOTE_LIMIT,
        help_text="What the reviewing panel concluded, as it was reported.",
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("initial", {"reported_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["note"].widget.attrs.pop("maxlength", None)
        self.helper.layout = Layout(
            Field("reported_on"),
            Field.textarea("note", rows=6, max_characters=NOTE_LIMIT),
        )
