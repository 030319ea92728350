"""The checks the apps' services share (`hscb.lib.checks`): their messages, what they accept and
what they refuse; and the row lock and the queueing after commit they use."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.db import transaction

from hscb.lib import checks
from hscb.models import Agency
from tests.hscb.factories import AgencyFactory

TODAY = datetime.date(2027, 3, 10)


@pytest.mark.parametrize(
    ("value", "required", "message", "kept"),
    [
        ("  The summary  ", True, None, "The summary"),
        ("", True, "Enter the summary", ""),
        (None, True, "Enter the summary", ""),
        ("   ", False, None, ""),
        ("a\x00b", True, "The summary must not contain null characters", "a\x00b"),
        ("x" * 21, True, "The summary must be 20 characters or fewer", "x" * 21),
        (42, True, None, "42"),
    ],
)
def test_check_text_strips_and_names_what_is_wrong(value, required, message, kept):
    errors: dict[str, list[str]] = {}
    text = checks.check_text(
        errors, "summary", value, what="the summary", required=required, limit=20
    )
    assert text == kept
    assert errors == ({"summary": [message]} if message else {})


def test_check_text_adds_to_a_fields_messages_rather_than_losing_them():
    errors = {"summary": ["Something else is wrong"]}
    checks.check_text(errors, "summary", "", what="the summary")
    assert errors == {"summary": ["Something else is wrong", "Enter the summary"]}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (datetime.date(2027, 3, 10), None),
        (datetime.date(2027, 3, 1), None),
        (None, "Enter the date it started"),
        ("2027-03-01", "The date it started must be a real date"),
        (datetime.datetime(2027, 3, 1, 9, 0), "The date it started must be a real date"),
        (datetime.date(2027, 3, 11), "The date it started must be today or in the past"),
        (
            datetime.date(2027, 2, 27),
            "The date it started must be on or after the date of death, 28 February 2027",
        ),
    ],
)
def test_check_date_wants_a_real_past_date_not_before_what_it_follows(value, message):
    errors: dict[str, list[str]] = {}
    checks.check_date(
        errors,
        "started_on",
        value,
        what="the date it started",
        today=TODAY,
        not_before=datetime.date(2027, 2, 28),
        not_before_what="the date of death",
    )
    assert errors == ({"started_on": [message]} if message else {})


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("01632 960 001", True),
        ("+44 (0)1632-960001", True),
        ("07700 900 982", True),
        ("12345", False),  # too few digits
        ("0163296000112345678", False),  # too many
        ("01632 960 001 ext 4", False),  # letters
    ],
)
def test_is_phone(value, expected):
    assert checks.is_phone(value) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, True), ("", True), ("  ", True), ([], True), ("a", False), (0, False), ([1], False)],
)
def test_is_empty(value, expected):
    assert checks.is_empty(value) is expected


def test_long_date_is_how_the_pages_show_a_date():
    assert checks.long_date(datetime.date(2027, 3, 1)) == "1 March 2027"
    assert checks.long_date(None) == ""


def test_check_each_answer_gives_each_problem_to_add():
    from hscb.models import Sex

    found: list[tuple[str, str]] = []
    checks.check_each_answer(
        {
            "first_name": " ",
            "summary": "x" * 11,
            "sex": "dragon",
            "nhs_number": "943 476 5918",  # wrong check digit
            "notifier_phone": "not a phone",
        },
        lambda field, message: found.append((field, message)),
        required={"first_name": "Enter the first name", "sex": "Select the child's sex"},
        text_limits={"summary": (10, "The summary")},
        choices={"sex": Sex},
    )
    fields = [field for field, _message in found]
    assert fields == ["first_name", "summary", "sex", "nhs_number", "notifier_phone"]
    assert ("summary", "The summary must be 10 characters or fewer") in found
    assert ("sex", "Select the child's sex") in found
    assert ("notifier_phone", checks.PHONE_MESSAGE) in found


@pytest.mark.django_db(transaction=True)
def test_locked_reads_the_row_as_it_is_now():
    agency = AgencyFactory(name="Before")
    Agency.objects.filter(pk=agency.pk).update(name="After")
    with transaction.atomic():
        assert checks.locked(agency).name == "After"


@pytest.mark.django_db(transaction=True)
def test_queue_after_commit_queues_only_once_committed_and_never_on_rollback():
    task = mock.Mock()

    def change_then_fail() -> None:
        with transaction.atomic():
            checks.queue_after_commit(task, 1)
            raise RuntimeError

    with pytest.raises(RuntimeError):
        change_then_fail()
    task.delay.assert_not_called()
    with transaction.atomic():
        checks.queue_after_commit(task, 2)
        task.delay.assert_not_called()
    task.delay.assert_called_once_with(2)


@pytest.mark.django_db(transaction=True)
def test_a_failure_to_queue_leaves_the_saved_change_standing():
    task = mock.Mock()
    task.delay.side_effect = ConnectionError("broker down")
    with transaction.atomic():
        AgencyFactory(name="Saved anyway")
        checks.queue_after_commit(task, 3)
    assert Agency.objects.filter(name="Saved anyway").exists()
