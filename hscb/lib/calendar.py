"""iCalendar (.ics) files for meetings, so people can put them in their own calendars."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import icalendar

PRODUCT_ID = "-//Safeguard Board//Meetings//EN"


@dataclass(frozen=True)
class CalendarEvent:
    """One event, in plain values: `starts` and `ends` are aware datetimes."""

    uid: str
    starts: datetime.datetime
    ends: datetime.datetime
    summary: str
    location: str = ""
    url: str = ""
    description_lines: list[str] = field(default_factory=list)
    cancelled: bool = False


def uid_for(kind: str, pk: int, site_url: str) -> str:
    """A UID that stays the same for the record, so a calendar updates the event it already has
    rather than adding a second one."""
    host = urlsplit(site_url).hostname or "localhost"
    return f"{kind}-{pk}@{host}"


def event_ics(event: CalendarEvent, *, now: datetime.datetime | None = None) -> bytes:
    """A calendar holding one event, published (METHOD:PUBLISH), with its times in UTC."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    vevent = icalendar.Event()
    vevent.add("uid", event.uid)
    vevent.add("dtstamp", _utc(now or datetime.datetime.now(datetime.UTC)))
    vevent.add("dtstart", _utc(event.starts))
    vevent.add("dtend", _utc(event.ends))
    vevent.add("summary", event.summary)
    if event.location:
        vevent.add("location", event.location)
    if event.url:
        vevent.add("url", event.url)
    if event.description_lines:
        vevent.add("description", "\n".join(event.description_lines))
    vevent.add("status", "CANCELLED" if event.cancelled else "CONFIRMED")
    calendar.add_component(vevent)
    return calendar.to_ical()


def _utc(moment: datetime.datetime) -> datetime.datetime:
    if moment.tzinfo is None:
        raise ValueError("Calendar times must be timezone-aware.")
    return moment.astimezone(datetime.UTC)
