"""The reminder ladder, and the registry of models whose items are chased by it.

A rung is a day counted from an item's due date: -30, -7 and -1 (days before), then 1 (the day
it falls overdue) and every `overdue_every` days after that while it stays open. An item
remembers the last rung it was reminded on; the engine sends the latest rung that has come and
has not been sent, so a missed day's run is made up by the next one, without a flood of
reminders for the rungs in between. Nothing here touches the database.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Model, Q


@dataclass(frozen=True)
class Ladder:
    days_before: tuple[int, ...] = (30, 7, 1)
    overdue_every: int = 7

    def __post_init__(self) -> None:
        if any(d < 1 for d in self.days_before) or self.overdue_every < 1:
            raise ValueError("Reminder days must be whole numbers of 1 or more.")

    @classmethod
    def from_settings(cls) -> Ladder:
        return cls(
            days_before=tuple(sorted(set(settings.REMINDER_DAYS_BEFORE), reverse=True)),
            overdue_every=settings.REMINDER_OVERDUE_EVERY_DAYS,
        )

    @property
    def rungs_before(self) -> list[int]:
        return sorted(-d for d in self.days_before)

    def latest_rung(self, *, due: datetime.date, today: datetime.date) -> int | None:
        """The latest rung on or before `today`, or None before the first."""
        elapsed = (today - due).days
        if elapsed >= 1:
            return 1 + ((elapsed - 1) // self.overdue_every) * self.overdue_every
        passed = [r for r in self.rungs_before if r <= elapsed]
        return passed[-1] if passed else None

    def rung_to_send(
        self, *, due: datetime.date, today: datetime.date, last_sent: int | None
    ) -> int | None:
        """The rung to remind on today, or None when nothing new has come since `last_sent`."""
        latest = self.latest_rung(due=due, today=today)
        if latest is None or (last_sent is not None and latest <= last_sent):
            return None
        return latest

    def next_on(self, *, due: datetime.date, last_sent: int | None) -> datetime.date:
        """The day of the first rung after `last_sent` (after none, the ladder's first rung)."""
        for rung in self.rungs_before:
            if last_sent is None or rung > last_sent:
                return due + datetime.timedelta(days=rung)
        if last_sent is None or last_sent < 1:
            return due + datetime.timedelta(days=1)
        steps = (last_sent - 1) // self.overdue_every + 1
        return due + datetime.timedelta(days=1 + steps * self.overdue_every)


def describe_rung(days: int) -> str:
    """How an item stands, `days` from its due date (negative before it), in words."""
    if days < 0:
        return "due tomorrow" if days == -1 else f"due in {-days} days"
    if days == 0:
        return "due today"
    return "overdue by 1 day" if days == 1 else f"overdue by {days} days"


@dataclass(frozen=True)
class Registration:
    """How the engine finds, and describes, the items of one model.

    The model inherits `hscb.models.reminders.Remindable` (the ladder's state); `is_open` says
    which items are still to be done (a done or cancelled one is never chased); `kind` is the
    item's name in the email ("action", "review date").
    """

    model: type[Model]
    kind: str
    is_open: Q
    due_field: str = "due_date"
    owner_field: str = "owner"
    group_field: str | None = "group"  # the group whose chair's weekly digest lists the item
    related: tuple[str, ...] = ()
    title: Callable[[Model], str] = str
    context: Callable[[Model], str] = field(default=lambda obj: "")
    # The URL name of the page that lists an owner's items; given, the owner's home page counts
    # their open and overdue ones and links to it (the board's own actions have their own part).
    owner_list: str = ""


REGISTRY: dict[str, Registration] = {}


def register(model: type[Model], **options) -> Registration:
    """Chase `model`'s items with the ladder. Call once, from the app's `ready()`."""
    registration = Registration(model=model, **options)
    REGISTRY[model._meta.label_lower] = registration
    return registration


def registration_for(obj_or_model) -> Registration:
    return REGISTRY[obj_or_model._meta.label_lower]


def rearm(obj: Model, *, ladder: Ladder | None = None) -> None:
    """Start the item's ladder again: for a new item, or when its due date or owner changes.

    Sets the state on the instance; the caller saves it. A closed item is set to never be
    chased (`is_open` is checked by the engine as well, so a stale state cannot chase it).
    """
    reg = registration_for(obj)
    ladder = ladder or Ladder.from_settings()
    due = getattr(obj, reg.due_field)
    obj.reminder_last_sent = None
    if due is None or getattr(obj, f"{reg.owner_field}_id") is None:
        obj.reminder_next_on = None
    else:
        obj.reminder_next_on = ladder.next_on(due=due, last_sent=None)


def stop(obj: Model) -> None:
    """The item is done or cancelled: nothing more is sent for it."""
    obj.reminder_next_on = None
