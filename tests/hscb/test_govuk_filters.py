"""Times and dates written the GOV.UK way, in London time."""

from __future__ import annotations

import datetime

import pytest

from hscb.templatetags.govuk import govuk_datetime, govuk_time

UTC = datetime.UTC


@pytest.mark.parametrize(
    ("time", "words"),
    [
        (datetime.time(10, 0), "10am"),
        (datetime.time(14, 30), "2:30pm"),
        (datetime.time(9, 5), "9:05am"),
        (datetime.time(12, 0), "midday"),
        (datetime.time(0, 0), "midnight"),
        (datetime.time(12, 15), "12:15pm"),
        (datetime.time(0, 45), "12:45am"),
    ],
)
def test_times_are_written_as_govuk_does(time, words):
    assert govuk_time(time) == words


def test_a_utc_time_is_shown_in_london_time_in_summer_and_winter():
    summer = datetime.datetime(2027, 7, 1, 9, 0, tzinfo=UTC)
    winter = datetime.datetime(2027, 1, 12, 9, 0, tzinfo=UTC)
    assert govuk_datetime(summer) == "Thursday 1 July 2027, 10am"
    assert govuk_datetime(winter) == "Tuesday 12 January 2027, 9am"


def test_nothing_gives_an_empty_string():
    assert govuk_time(None) == "" and govuk_datetime(None) == ""
