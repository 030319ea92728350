"""Forms of two-factor sign-in. They check the shape of what is typed; the services check it."""

from __future__ import annotations

from django import forms

from hscb.forms.board import GovukForm
from hscb.services.twofactor import BACKUP_CODE_PATTERN, CODE_PATTERN, clean_code

APP_CODE_MESSAGE = "Enter the 6-digit code from your authenticator app"
CURRENT_CODE_MESSAGE = "Enter the code your current app shows now, or one of your backup codes"


def _code_input(*, numeric: bool) -> forms.TextInput:
    attrs = {
        "autocomplete": "one-time-code",
        "spellcheck": "false",
        "autocapitalize": "none",
        "class": "govuk-input--width-10",
    }
    if numeric:
        attrs["inputmode"] = "numeric"
    return forms.TextInput(attrs=attrs)


def current_code_field() -> forms.CharField:
    """A code from the second factor that works now, to confirm a change to it."""
    return forms.CharField(
        label="Code from your current authenticator app",
        help_text="The 6-digit code it shows now. If you no longer have the app, one of your "
        "backup codes",
        max_length=20,
        widget=_code_input(numeric=False),
        error_messages={"required": CURRENT_CODE_MESSAGE, "max_length": CURRENT_CODE_MESSAGE},
    )


class AppCodeForm(GovukForm, forms.Form):
    """The 6-digit code an authenticator app shows; with `replacing`, a code from the app it
    replaces as well."""

    submit_label = "Continue"
    code = forms.CharField(
        label="Code from your authenticator app",
        help_text="The 6-digit code the app shows now, like 123456",
        max_length=20,
        widget=_code_input(numeric=True),
        error_messages={"required": APP_CODE_MESSAGE, "max_length": APP_CODE_MESSAGE},
    )

    def __init__(self, *args, replacing: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if replacing:
            self.fields = {"current_code": current_code_field(), **self.fields}
            self.fields["code"].label = "Code from your new authenticator app"
            self.helper.layout = self.helper.build_default_layout(self)

    def clean_code(self) -> str:
        code = clean_code(self.cleaned_data["code"])
        if not CODE_PATTERN.match(code):
            raise forms.ValidationError(APP_CODE_MESSAGE)
        return code


class BackupCodeForm(GovukForm, forms.Form):
    submit_label = "Continue"
    code = forms.CharField(
        label="Backup code",
        help_text="One of the 8-character backup codes you saved when you set up your app",
        max_length=20,
        widget=_code_input(numeric=False),
        error_messages={
            "required": "Enter one of your backup codes",
            "max_length": "A backup code has 8 letters and numbers",
        },
    )

    def clean_code(self) -> str:
        code = clean_code(self.cleaned_data["code"], backup=True)
        if not BACKUP_CODE_PATTERN.match(code):
            raise forms.ValidationError("A backup code has 8 letters and numbers, like abcd2345")
        return code


class CurrentCodeForm(GovukForm, forms.Form):
    """A change to a second factor, confirmed with a code from it."""

    current_code = current_code_field()

    def __init__(self, *args, submit_label: str, **kwargs) -> None:
        self.submit_label = submit_label
        super().__init__(*args, **kwargs)
