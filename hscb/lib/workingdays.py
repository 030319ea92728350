"""Working days in England: weekdays that are not bank holidays (the `holidays` package's
calendar for England). Statutory clocks count in them: "within 5 working days" of a Tuesday
before Christmas runs into the new year.
"""

from __future__ import annotations

import datetime
from functools import lru_cache

import holidays
from dateutil.relativedelta import relativedelta


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> holidays.HolidayBase:
    return holidays.UK(subdiv="ENG", years=year)


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """The `days`-th working day after `start` (the start itself is day 0, whatever it is)."""
    if days < 0:
        raise ValueError("A number of working days cannot be negative.")
    day = start
    counted = 0
    while counted < days:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return day


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Working days after `start` up to and including `end`; negative when `end` is earlier."""
    if end < start:
        return -working_days_between(end, start)
    # Any seven days in a row hold five weekdays; the days left over are counted one by one,
    # then the bank holidays that fall on weekdays are taken off. Years overdue cost no more.
    weeks, rest = divmod((end - start).days, 7)
    after_weeks = start + datetime.timedelta(days=weeks * 7)
    weekdays = weeks * 5 + sum(
        1 for n in range(1, rest + 1) if (after_weeks + datetime.timedelta(days=n)).weekday() < 5
    )
    holidays_off = sum(
        1
        for year in range(start.year, end.year + 1)
        for day in _bank_holidays(year)
        if start < day <= end and day.weekday() < 5
    )
    return weekdays - holidays_off


def add_months(start: datetime.date, months: int) -> datetime.date:
    """Calendar months later; the 31 August plus 6 months is the last day of February."""
    return start + relativedelta(months=months)
