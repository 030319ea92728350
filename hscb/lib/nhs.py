"""NHS numbers: ten digits, the last a modulus 11 check digit (NHS Data Dictionary).

Used by the serious-incident and child-death notifications. People write them with spaces or
dashes ("943 476 5919"): those are dropped before the check.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)


def normalise_nhs_number(value: str) -> str:
    return "".join(ch for ch in (value or "") if ch not in " -")


def nhs_check_digit(first_nine: str) -> int | None:
    """The check digit for nine digits, or None when no number with them is valid."""
    total = sum(int(d) * w for d, w in zip(first_nine, WEIGHTS, strict=True))
    check = 11 - total % 11
    if check == 11:
        return 0
    if check == 10:
        return None
    return check


def is_valid_nhs_number(value: str) -> bool:
    number = normalise_nhs_number(value)
    if len(number) != 10 or not number.isascii() or not number.isdigit():
        return False
    return nhs_check_digit(number[:9]) == int(number[9])


def validate_nhs_number(value: str) -> None:
    """A form or service check: ten digits with a correct check digit."""
    number = normalise_nhs_number(value)
    if not number.isascii() or not number.isdigit():
        raise ValidationError("NHS number must only include numbers", code="digits")
    if len(number) != 10:
        raise ValidationError("NHS number must be 10 digits", code="length")
    if not is_valid_nhs_number(number):
        raise ValidationError(
            "Enter a valid NHS number: check it has been typed correctly", code="check_digit"
        )


class NHSNumberField(forms.CharField):
    """The optional NHS number question of every form that asks it.

    It has no `max_length`: `validate_nhs_number` already answers a number of the wrong length,
    and a length validator beside it would say "must be 10 digits" a second time.
    """

    default_validators = [validate_nhs_number]

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("label", "NHS number (optional)")
        kwargs.setdefault("help_text", "A 10 digit number, like 485 777 3456")
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
