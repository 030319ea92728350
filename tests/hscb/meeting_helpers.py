"""Helpers shared by the meeting tests: times in London, a page as one role sees it, the
errors of a refusal and the attendance statuses by name."""

from __future__ import annotations

import datetime

from django.utils import timezone

from hscb.models import AttendanceStatus


def london(year, month, day, hour=10, minute=0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(year, month, day, hour, minute))


def in_days(days: int, hour: int = 10) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def errors_of(excinfo) -> dict[str, list[str]]:
    return excinfo.value.message_dict


def page(client, user, url: str) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


PRESENT, APOLOGIES, ABSENT = (
    AttendanceStatus.PRESENT,
    AttendanceStatus.APOLOGIES,
    AttendanceStatus.ABSENT,
)
