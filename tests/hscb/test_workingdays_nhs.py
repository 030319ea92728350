"""Working days in England (weekends and bank holidays) and NHS numbers (ten digits with a
modulus 11 check digit): the helpers the statutory clocks and the notification forms use."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from hscb.lib.nhs import (
    is_valid_nhs_number,
    nhs_check_digit,
    normalise_nhs_number,
    validate_nhs_number,
)
from hscb.lib.workingdays import (
    add_months,
    add_working_days,
    is_working_day,
    working_days_between,
)

D = datetime.date


# Working days -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2027, 3, 10), True),  # a Wednesday
        (D(2027, 3, 13), False),  # Saturday
        (D(2027, 3, 14), False),  # Sunday
        (D(2026, 12, 25), False),  # Christmas Day
        (D(2026, 12, 28), False),  # Boxing Day falls on a Saturday: Monday is the holiday
        (D(2027, 1, 1), False),  # New Year's Day
        (D(2027, 3, 26), False),  # Good Friday
        (D(2027, 3, 29), False),  # Easter Monday
        (D(2027, 5, 3), False),  # early May bank holiday
        (D(2027, 5, 31), False),  # spring bank holiday
        (D(2027, 8, 30), False),  # summer bank holiday (England, not Scotland's)
        (D(2027, 8, 2), True),  # Scotland's summer bank holiday is a working day here
        (D(2027, 3, 17), True),  # St Patrick's Day: Northern Ireland only
        (D(2026, 12, 24), True),  # Christmas Eve is a working day
    ],
)
def test_working_days_are_weekdays_that_are_not_englands_bank_holidays(day, working):
    assert is_working_day(day) is working


@pytest.mark.parametrize(
    ("start", "days", "end"),
    [
        (D(2026, 12, 24), 5, D(2027, 1, 5)),  # over Christmas and New Year
        (D(2027, 3, 24), 5, D(2027, 4, 2)),  # over Easter
        (D(2027, 3, 10), 1, D(2027, 3, 11)),
        (D(2027, 3, 12), 1, D(2027, 3, 15)),  # Friday to Monday
        (D(2027, 3, 13), 1, D(2027, 3, 15)),  # from a Saturday
        (D(2027, 3, 10), 0, D(2027, 3, 10)),  # the start itself is day 0
        (D(2027, 3, 13), 0, D(2027, 3, 13)),  # even on a weekend
        (D(2027, 3, 10), 15, D(2027, 4, 2)),
        (D(2026, 12, 31), 1, D(2027, 1, 4)),  # across the new year's bank holiday
    ],
)
def test_add_working_days(start, days, end):
    assert add_working_days(start, days) == end


def test_a_negative_number_of_working_days_is_refused():
    with pytest.raises(ValueError, match="cannot be negative"):
        add_working_days(D(2027, 3, 10), -1)


@pytest.mark.parametrize(
    ("start", "end", "between"),
    [
        (D(2027, 3, 10), D(2027, 3, 10), 0),
        (D(2027, 3, 10), D(2027, 3, 11), 1),
        (D(2027, 3, 12), D(2027, 3, 15), 1),  # Friday to Monday
        (D(2026, 12, 24), D(2027, 1, 5), 5),
        (D(2027, 1, 5), D(2026, 12, 24), -5),  # the other way, negative
        (D(2027, 3, 13), D(2027, 3, 14), 0),  # a weekend
    ],
)
def test_working_days_between(start, end, between):
    assert working_days_between(start, end) == between


def test_working_days_between_undoes_add_working_days():
    start = D(2026, 12, 1)
    for days in range(0, 40):
        assert working_days_between(start, add_working_days(start, days)) == days


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        (D(2026, 8, 31), 6, D(2027, 2, 28)),  # to the last day of a short month
        (D(2027, 8, 31), 6, D(2028, 2, 29)),  # a leap year
        (D(2027, 1, 15), 6, D(2027, 7, 15)),
        (D(2027, 10, 1), 6, D(2028, 4, 1)),
    ],
)
def test_add_months(start, months, end):
    assert add_months(start, months) == end


# NHS numbers ------------------------------------------------------------------------------------


@pytest.mark.parametrize("number", ["9434765919", "943 476 5919", "943-476-5919", "4010232137"])
def test_valid_nhs_numbers(number):
    assert is_valid_nhs_number(number)
    validate_nhs_number(number)


def test_normalising_drops_spaces_and_dashes_only():
    assert normalise_nhs_number(" 943 476-5919 ") == "9434765919"
    assert normalise_nhs_number("943.476.5919") == "943.476.5919"
    assert normalise_nhs_number("") == ""
    assert normalise_nhs_number(None) == ""


def test_the_check_digit():
    assert nhs_check_digit("943476591") == 9
    assert nhs_check_digit("401023213") == 7
    # A remainder of 0 gives 11, written 0.
    assert nhs_check_digit("000000000") == 0
    # A check digit of 10 is impossible: no valid number starts with these nine digits.
    assert nhs_check_digit("000000006") is None


@pytest.mark.parametrize(
    ("number", "code", "message"),
    [
        ("9434765918", "check_digit", "Enter a valid NHS number"),  # a digit mistyped
        ("9434765991", "check_digit", "Enter a valid NHS number"),  # two digits swapped
        ("0000000060", "check_digit", "Enter a valid NHS number"),  # check digit would be 10
        ("943476591", "length", "NHS number must be 10 digits"),
        ("94347659190", "length", "NHS number must be 10 digits"),
        ("943476591X", "digits", "must only include numbers"),
        ("９４３４７６５９１９", "digits", "must only include numbers"),  # full-width digits
        ("943\x00476591", "digits", "must only include numbers"),
    ],
)
def test_invalid_nhs_numbers_are_refused_with_a_message(number, code, message):
    assert not is_valid_nhs_number(number)
    with pytest.raises(ValidationError) as refused:
        validate_nhs_number(number)
    assert refused.value.code == code
    assert message in refused.value.messages[0]
