"""Checks the apps' services share, with the messages they give (GOV.UK style: "Enter the
summary", "The summary must be 10,000 characters or fewer").

A service collects its problems in `errors` (field name to messages) and raises one
`ValidationError(errors)` at the end, so a form shows every problem at once.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.formats import date_format

TEXT_LIMIT = 10000
SHORT_LIMIT = 200

Errors = dict[str, list[str]]
M = TypeVar("M", bound=models.Model)


def long_date(value: datetime.date | None) -> str:
    """A date as the pages show it: "1 March 2027" (nothing for no date)."""
    return date_format(value) if value is not None else ""


def is_date(value: Any) -> bool:
    """A date, not a datetime (which is a date too) nor anything else."""
    return isinstance(value, datetime.date) and not isinstance(value, datetime.datetime)


def is_empty(value: Any) -> bool:
    """Not answered: nothing, blank text or an empty list."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple | set):
        return not value
    return False


PHONE_MESSAGE = "Enter a telephone number, like 01632 960 001 or 07700 900 982"
EMAIL_MESSAGE = "Enter an email address in the correct format, like name@example.com"
PHONE_CHARACTERS = set("0123456789 +()-")


def is_phone(value: str) -> bool:
    """A UK or international telephone number: digits, spaces, +, brackets and dashes, with 10
    to 15 digits."""
    digits = sum(ch.isdigit() for ch in value)
    return set(value) <= PHONE_CHARACTERS and 10 <= digits <= 15


def check_each_answer(
    values: Mapping[str, Any],
    add: Callable[[str, str], None],
    *,
    required: Mapping[str, str],
    text_limits: Mapping[str, tuple[int, str]],
    choices: Mapping[str, Any],
) -> None:
    """The checks a notification makes of each answer on its own, each problem given to
    `add(field, message)`: a missing answer (`required` holds the message asking for it), text
    too long or holding null characters (`text_limits`: its limit and how the message names it),
    a choice not among its `choices` (a Django choices class), an NHS number that fails its
    check digit and a telephone number that is not one."""
    from hscb.lib.nhs import validate_nhs_number

    for field, message in required.items():
        if is_empty(values.get(field)):
            add(field, message)
    for field, (limit, what) in text_limits.items():
        text = values.get(field)
        if isinstance(text, str):
            if len(text) > limit:
                add(field, f"{what} must be {limit:,} characters or fewer")
            if "\x00" in text:
                add(field, f"{what} must not contain null characters")
    for field, kind in choices.items():
        value = values.get(field)
        if isinstance(value, str) and value and value not in kind.values:
            add(field, required[field])
    nhs_number = values.get("nhs_number")
    if isinstance(nhs_number, str) and nhs_number.strip():
        try:
            validate_nhs_number(nhs_number)
        except ValidationError as error:
            add("nhs_number", error.messages[0])
    phone = values.get("notifier_phone")
    if isinstance(phone, str) and phone.strip() and not is_phone(phone.strip()):
        add("notifier_phone", PHONE_MESSAGE)


def add_error(errors: Errors, name: str, message: str) -> None:
    errors.setdefault(name, []).append(message)


def check_text(
    errors: Errors,
    name: str,
    value: Any,
    *,
    what: str,
    required: bool = True,
    limit: int = TEXT_LIMIT,
) -> str:
    """The text stripped, or a message for it: missing, too long, or holding null characters
    (which PostgreSQL cannot store)."""
    text = (value or "").strip() if isinstance(value, str) or value is None else str(value)
    subject = what[:1].upper() + what[1:]
    if "\x00" in text:
        add_error(errors, name, f"{subject} must not contain null characters")
    elif required and not text:
        add_error(errors, name, f"Enter {what}")
    elif len(text) > limit:
        add_error(errors, name, f"{subject} must be {limit:,} characters or fewer")
    return text


def check_date(
    errors: Errors,
    name: str,
    value: Any,
    *,
    what: str,
    today: datetime.date,
    not_before: datetime.date | None = None,
    not_before_what: str = "",
) -> None:
    """A date that must be given, not in the future, and not before `not_before`."""
    subject = what[:1].upper() + what[1:]
    if value is None:
        add_error(errors, name, f"Enter {what}")
    elif not is_date(value):
        add_error(errors, name, f"{subject} must be a real date")
    elif value > today:
        add_error(errors, name, f"{subject} must be today or in the past")
    elif not_before is not None and value < not_before:
        add_error(
            errors,
            name,
            f"{subject} must be on or after {not_before_what}, {long_date(not_before)}",
        )


def locked(obj: M) -> M:
    """The record as it is now, its row locked until the transaction ends (so two people
    working on it at once are taken in turn, the second seeing the first's change)."""
    return type(obj)._default_manager.select_for_update().get(pk=obj.pk)


def queue_after_commit(task, *args) -> None:
    """Queue a Celery task once the transaction commits, so a rolled-back change sends nothing
    and the task always finds its rows. If queueing fails (the broker is down, or an eager
    task's email cannot be sent), the saved change stands and the failure is logged."""
    transaction.on_commit(lambda: task.delay(*args), robust=True)
