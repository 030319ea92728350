"""Forms of two-factor sign-in. They check the shape of what is typed; the services check it."""

from __future__ import annotations

from django import forms

from hscb.forms.board import GovukForm
from hscb.services.twofactor import (
    BACKUP_CODE_PATTERN,
    CODE_PATTERN,
    clean_backup_code,
    clean_code,
)


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


class AppCodeForm(GovukForm, forms.Form):
    """The 6-digit code an authenticator app shows."""

    submit_label = "Continue"
    code = forms.CharField(
        label="Code from your authenticator app",
        help_text="The 6-digit code the app shows now, like 123456",
        max_length=20,
        widget=_code_input(numeric=True),
        error_messages={
            "required": "Enter the 6-digit code from your authenticator app",
            "max_length": "Enter the 6-digit code from your authenticator app",
        },
    )

    def clean_code(self) -> str:
        code = clean_code(self.cleaned_data["code"])
        if not CODE_PATTERN.match(code):
            raise forms.ValidationError("Enter the 6-digit code from your authenticator app")
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
        code = clean_backup_code(self.cleaned_data["code"])
        if not BACKUP_CODE_PATTERN.match(code):
            raise forms.ValidationError("A backup code has 8 letters and numbers, like abcd2345")
        return code


class ConfirmForm(GovukForm, forms.Form):
    """A button and nothing else: for a change that asks only "are you sure?"."""

    def __init__(self, *args, submit_label: str, **kwargs) -> None:
        self.submit_label = submit_label
        super().__init__(*args, **kwargs)
