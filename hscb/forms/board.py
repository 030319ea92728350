"""Forms of the board core. Forms validate; services write; crispy-forms-gds renders."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Submit
from django import forms
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, RegexValidator
from django.db.models import QuerySet
from django.forms.utils import flatatt
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from hscb.models import Group, User
from hscb.selectors.people import person_label
from hscb.services import board as services

EMAIL_FORMAT_MESSAGE = "Enter an email address in the correct format, like name@example.com"


class FirstChoiceBoundField(forms.BoundField):
    """A set of radios or checkboxes is known by its first choice's id (`id_status_1`, as
    crispy-forms-gds numbers them), so the error summary's link takes the reader to the first
    choice, as the GOV.UK pattern asks, not to an id no element has."""

    @property
    def auto_id(self) -> str:
        base = super().auto_id
        return f"{base}_1" if base else base


class QuickSelect(forms.Select):
    """A select whose options are written out in Python, not through a template each: lists of
    people run to thousands of options, and rendering them one template at a time took most of
    a page's time. The markup is what Django's own select gives, styled as a GOV.UK select.

    crispy-forms-gds gives a widget the GOV.UK class by the name of its class ("select" becomes
    `govuk-select`), and its error class only to a `Select`: under another name this one would
    be the browser's bare select. So it puts in `govuk-select` itself, in place of the name
    crispy-forms-gds made a class of, and `govuk-select--error` when Django marks the field
    invalid (`aria-invalid`). The hint's and errors' ids in `aria-describedby` come from
    crispy-forms-gds as for any widget."""

    def render(self, name, value, attrs=None, renderer=None) -> str:
        widget = self.get_context(name, value, attrs)["widget"]
        select_attrs = {"name": widget["name"], **widget["attrs"]}
        select_attrs["class"] = self.govuk_classes(
            select_attrs.get("class", ""), invalid=select_attrs.get("aria-invalid") == "true"
        )
        parts = [format_html("<select{}>", flatatt(select_attrs))]
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(format_html('<optgroup label="{}">', group_name))
            for option in options:
                parts.append(
                    format_html(
                        '<option value="{}"{}>{}</option>',
                        "" if option["value"] is None else option["value"],
                        mark_safe(" selected") if option["selected"] else "",
                        option["label"],
                    )
                )
            if group_name:
                parts.append(mark_safe("</optgroup>"))
        parts.append(mark_safe("</select>"))
        return format_html_join("", "{}", ((part,) for part in parts))

    def govuk_classes(self, classes: str, *, invalid: bool) -> str:
        wanted = ["govuk-select", *(["govuk-select--error"] if invalid else [])]
        crispy_name = type(self).__name__.lower()
        others = [c for c in classes.split() if c not in wanted and c != crispy_name]
        return " ".join([*wanted, *others])


class PeopleSelect(QuickSelect):
    """A select of the people most likely chosen (a group's members), which the page's script
    (static/js/people-search.js) turns into a GOV.UK accessible autocomplete that also finds
    anyone else with an open account over `people_search`. Without JavaScript the select works
    as it is. A person chosen through the search and sent back with errors elsewhere on the form
    is kept: their option is added to those written out."""

    # Whom an id sent back may be shown as (default: any open account).
    allowed = None

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"]["data-people-search"] = reverse("people_search")
        return context

    def optgroups(self, name, value, attrs=None):
        groups = super().optgroups(name, value, attrs)
        chosen = [v for v in value if v not in ("", None)]
        offered = {str(o["value"]) for _, options, _ in groups for o in options}
        missing = [
            v
            for v in chosen
            if str(v) not in offered and str(v).isascii() and str(v).isdigit() and len(str(v)) < 19
        ]
        if missing:
            allowed = (
                self.allowed if self.allowed is not None else User.objects.filter(is_active=True)
            )
            people = allowed.filter(pk__in=missing).select_related("agency")
            options = [
                self.create_option(name, str(u.pk), person_label(u), True, len(offered) + n)
                for n, u in enumerate(people)
            ]
            if options:
                groups.append(("Found by searching", options, len(groups)))
        return groups


class PersonField(forms.TypedChoiceField):
    """A person with an open account, by primary key: one of the select's options, or anyone
    else with an open account, as the autocomplete's search offers them. Cleans to an int."""

    widget = PeopleSelect

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("coerce", int)
        super().__init__(**kwargs)

    def valid_value(self, value) -> bool:
        if super().valid_value(value):
            return True
        text = str(value)
        return (
            text.isascii()
            and text.isdigit()
            and len(text) < 19  # a number the database can hold
            and User.objects.filter(pk=int(text), is_active=True).exists()
        )


class GovukForm:
    """Gives a form a GOV.UK form helper with one submit button labelled `submit_label`."""

    submit_label = "Continue"

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.link_choices_to_their_first()
        self.helper = FormHelper(self)
        # The service checks every answer itself and says what is wrong in the GOV.UK way; the
        # browser's own pop-ups would get there first and hide the error summary.
        self.helper.attrs = {"novalidate": ""}
        self.helper.add_input(Submit("submit", self.submit_label))

    def add_service_errors(
        self, error: ValidationError, *, fields: dict[str, str] | None = None
    ) -> None:
        """Put a service's errors beside the fields they are about, or above the form when they
        name no field of it. `fields` maps a service's name for a field to the form's."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error.messages)
            return
        renamed = fields or {}
        for name, messages in error.message_dict.items():
            field = renamed.get(name, name)
            self.add_error(field if field in self.fields else None, messages)

    def link_choices_to_their_first(self) -> None:
        """Give radios and checkboxes their first choice's id. Call again after adding fields."""
        for field in self.fields.values():
            if isinstance(field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
                field.bound_field_class = FirstChoiceBoundField


class GovukDateField(DateInputField):
    """The GOV.UK day, month and year inputs, with messages that name the date: `what` is how
    they speak of it ("the due date" gives "Enter the due date" and "The due date must be a
    real date"). A date that cannot be, even one whose numbers are too big for a date, is
    refused with a message, never a crash.

    - `require_all_fields=False` names a part left empty ("The due date must include a month");
      by default any empty part asks for the whole date.
    - `name_parts=True` says which part is not a number ("Enter the day as a number"), and reads
      a part of any length; by default a part that is not a number of up to 4 digits makes the
      date not a real one.
    - `years=(earliest, latest)` asks for a year of 4 digits in that range.
    """

    def __init__(
        self,
        *,
        what: str,
        name_parts: bool = False,
        years: tuple[int, int] | None = None,
        **kwargs,
    ) -> None:
        kwargs.setdefault("help_text", "For example, 27 3 2027")
        super().__init__(**kwargs)
        subject = what[:1].upper() + what[1:]
        self.years = years
        self.not_real = f"{subject} must be a real date"
        self.error_messages["required"] = f"Enter {what}"
        self.error_messages["incomplete"] = (
            f"Enter {what}"
            if self.require_all_fields
            else f"{subject} must include a day, month and year"
        )
        for part, subfield in zip(("day", "month", "year"), self.fields, strict=True):
            if name_parts:
                number = RegexValidator(r"^[0-9]+$", f"Enter the {part} as a number")
            else:
                number = RegexValidator(r"^[0-9]{1,4}$", self.not_real)
            subfield.validators = [number]
            subfield.error_messages["incomplete"] = f"{subject} must include a {part}"

    def compress(self, data_list) -> datetime.date | None:
        day, month, year = data_list
        if not (day and month and year):
            return None
        if self.years is not None:
            earliest, latest = self.years
            if len(year) != 4:
                raise ValidationError("Enter the year as 4 numbers, like 2027")
            if not earliest <= int(year) <= latest:
                raise ValidationError(f"The year must be between {earliest} and {latest}")
        try:
            return datetime.date(int(year), int(month), int(day))
        except (ValueError, OverflowError):  # a day or month too big for a C int overflows
            raise ValidationError(self.not_real, code="invalid") from None


# The largest primary key the database holds: a bigger number is refused before it is looked
# up (SQLite raises OverflowError for it, which would be a 500).
PK_MAX = 2**63 - 1


class YesNoField(forms.TypedChoiceField):
    """Yes or no as radios: True, False, or None when not answered. `no_label` says what "no"
    means where a plain "No" would be unclear."""

    def __init__(self, *, no_label: str = "No", **kwargs) -> None:
        super().__init__(
            choices=[("yes", "Yes"), ("no", no_label)],
            coerce=lambda value: value == "yes",
            empty_value=None,
            widget=forms.RadioSelect,
            **kwargs,
        )


def text_field(
    label: str,
    *,
    limit: int,
    what: str,
    required_message: str = "",
    required: bool = True,
    help_text: str = "",
    **kwargs,
) -> forms.CharField:
    """A text answer with GOV.UK messages: `what` names it in "… must be 10,000 characters or
    fewer"."""
    return forms.CharField(
        label=label,
        required=required,
        max_length=limit,
        help_text=help_text,
        error_messages={
            "required": required_message,
            "max_length": f"{what} must be {limit:,} characters or fewer",
        },
        **kwargs,
    )


def radio_field(label: str, choices, *, message: str, help_text: str = "") -> forms.ChoiceField:
    """One of `choices` as radios; `message` asks for an answer when none, or a wrong one, is
    given."""
    return forms.ChoiceField(
        label=label,
        help_text=help_text,
        choices=choices,
        widget=forms.RadioSelect,
        error_messages={"required": message, "invalid_choice": message},
    )


def is_record_number(value) -> bool:
    """Whether `value` can be a record's primary key (a whole number the database can hold)."""
    text = str(value).strip()
    # The length first: Python refuses to read a number of thousands of digits.
    return len(text) <= 19 and text.isascii() and text.isdigit() and int(text) <= PK_MAX


class ChoiceOfRecord(forms.ModelChoiceField):
    """A record chosen by its number; a number that cannot be one is not in the list."""

    def to_python(self, value):
        if value not in self.empty_values and not is_record_number(value):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class ChoiceOfRecords(forms.ModelMultipleChoiceField):
    """Records chosen by their numbers; a number that cannot be one is not in the list."""

    def _check_numbers(self, value) -> None:
        for pk in value:
            if not is_record_number(pk):
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )

    def _check_values(self, value):
        self._check_numbers(value)
        return super()._check_values(value)


# Records sent back with a form that are shown again among those offered: at most this many.
POSTED_MAX = 50


class OfferedRecords(ChoiceOfRecords):
    """Records ticked among those offered (`queryset`: a few, so that the page does not grow
    with the data), or any others that `accepted` holds (sent back with the form, or typed
    elsewhere on it and found by name)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.accepted = self.queryset

    def _check_values(self, value):
        self._check_numbers(value)
        keys = {int(str(pk).strip()) for pk in value}
        found = self.accepted.filter(pk__in=keys)
        if len(found) != len(keys):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return found


def offer_records(form: forms.Form, name: str, *, offered: QuerySet, accepted: QuerySet) -> None:
    """Offer `offered` in the field `name` (an OfferedRecords) and take any record of
    `accepted`; records sent back with the form (that it takes) are offered too, so that they
    stay ticked."""
    field = form.fields[name]
    field.accepted = accepted
    posted: list[int] = []
    if form.is_bound:
        raw = field.widget.value_from_datadict(form.data, form.files, form.add_prefix(name))
        values = raw if isinstance(raw, list | tuple) else [raw]
        posted = [int(v) for v in values[:POSTED_MAX] if is_record_number(v)]
    field.queryset = (offered | accepted.filter(pk__in=posted)) if posted else offered


class SignInForm(GovukForm, auth_forms.AuthenticationForm):
    submit_label = "Sign in"
    error_messages = {
        "invalid_login": (
            "Enter a correct email address and password. The password is case-sensitive."
        ),
        "inactive": "This account is closed. Ask the board's business unit to reopen it.",
    }

    def __init__(self, request=None, *args, **kwargs) -> None:
        super().__init__(request, *args, **kwargs)
        email = self.fields["username"]
        email.label = "Email address"
        email.widget = forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"})
        email.error_messages["required"] = "Enter your email address"
        # AuthenticationForm sets max_length after the field is built, so it is never checked:
        # an over-long address must be refused before the lockout records it.
        email.validators.append(MaxLengthValidator(254))
        self.fields["password"].error_messages["required"] = "Enter your password"


class PasswordResetRequestForm(GovukForm, auth_forms.PasswordResetForm):
    submit_label = "Send me a link"

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        email = self.fields["email"]
        email.label = "Email address"
        email.help_text = "The address you sign in with."
        email.error_messages.update(
            {"required": "Enter your email address", "invalid": EMAIL_FORMAT_MESSAGE}
        )

    def get_users(self, email: str) -> Iterator[User]:
        """Active users with this address, including people who never set a password: a reset
        link is how someone whose invitation expired gets in."""
        yield from User.objects.filter(email__iexact=email.strip(), is_active=True)

    def save(self, **kwargs) -> None:
        services.password_reset_request(users=self.get_users(self.cleaned_data["email"]))


class ChooseNewPasswordForm(GovukForm, auth_forms.SetPasswordForm):
    submit_label = "Save password"

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].error_messages["required"] = "Enter a new password"
        self.fields["new_password2"].error_messages["required"] = "Enter the new password again"


class ChangePasswordForm(GovukForm, auth_forms.PasswordChangeForm):
    submit_label = "Change password"

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["old_password"].error_messages["required"] = "Enter your current password"
        self.fields["new_password1"].error_messages["required"] = "Enter a new password"
        self.fields["new_password2"].error_messages["required"] = "Enter the new password again"


class GroupRemitForm(GovukForm, forms.ModelForm):
    submit_label = "Save remit"

    class Meta:
        model = Group
        fields = ["remit"]
        widgets = {"remit": forms.Textarea(attrs={"rows": 8})}
        help_texts = {
            "remit": "What the group is for and how it works, in plain words. Leave a blank line "
            "between paragraphs. Up to 4,000 characters."
        }
        error_messages = {"remit": {"required": "Enter the group's remit"}}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["remit"].required = True
