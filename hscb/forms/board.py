"""Forms of the board core. Forms validate; services write; crispy-forms-gds renders."""

from __future__ import annotations

from collections.abc import Iterator

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Submit
from django import forms
from django.contrib.auth import forms as auth_forms
from django.core.validators import MaxLengthValidator

from hscb.models import Group, User
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

    def link_choices_to_their_first(self) -> None:
        """Give radios and checkboxes their first choice's id. Call again after adding fields."""
        for field in self.fields.values():
            if isinstance(field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
                field.bound_field_class = FirstChoiceBoundField


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
