"""Dates and times as GOV.UK writes them: "10am", "2:30pm", "Wednesday 24 March 2027, 10:30am",
always in Europe/London."""

from __future__ import annotations

import datetime

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def govuk_time(value: datetime.datetime | datetime.time | None) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    hour = value.hour % 12 or 12
    suffix = "am" if value.hour < 12 else "pm"
    if value.hour == 12 and value.minute == 0:
        return "midday"
    if value.hour == 0 and value.minute == 0:
        return "midnight"
    return f"{hour}{suffix}" if value.minute == 0 else f"{hour}:{value.minute:02d}{suffix}"


@register.filter
def govuk_datetime(value: datetime.datetime | None) -> str:
    """Weekday, date and time: "Wednesday 24 March 2027, 10:30am"."""
    if value is None or value == "":
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{local:%A} {local.day} {local:%B %Y}, {govuk_time(local)}"
