"""The reminder engine and the chairs' weekly digest (DESIGN.md §7).

`reminders_send` runs once a day from django-celery-beat. It selects every registered item whose
next rung is due on or before today, claims each with a conditional update (so two runs at once,
or a run repeated, send nothing twice), and sends each owner one email listing all their items.
A run that did not happen is made up by the next: the selection is "on or before", and the
latest rung is sent, not every rung missed. A failed email gives its items' claims back so the
task's retry sends them.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import get_connection
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone

from hscb.lib.email import send_templated_email
from hscb.lib.reminders import REGISTRY, Ladder, Registration, describe_rung
from hscb.models import (
    DigestSent,
    Group,
    Meeting,
    Membership,
    MembershipRole,
    SentReminder,
    User,
)

logger = logging.getLogger(__name__)

DIGEST_DUE_WITHIN = datetime.timedelta(days=14)
DIGEST_MEETINGS_WITHIN = datetime.timedelta(days=28)


@dataclass
class ReminderLine:
    """One item in a reminder email, read before it is claimed."""

    registration: Registration
    item: Model
    rung: int
    days: int  # from the due date to the day of sending: negative before it
    title: str
    context: str
    url: str
    next_on: datetime.date | None = None  # set once the item is claimed

    @property
    def kind(self) -> str:
        return self.registration.kind

    @property
    def due_date(self) -> datetime.date:
        return getattr(self.item, self.registration.due_field)

    @property
    def when(self) -> str:
        return describe_rung(self.days)

    @property
    def is_overdue(self) -> bool:
        return self.days >= 1


@dataclass
class RunReport:
    emails: int = 0
    items: int = 0
    failed: list[str] = field(default_factory=list)


def _claim(reg: Registration, obj: Model, rung: int, ladder: Ladder) -> datetime.date | None:
    """Move the item to `rung` only if no-one else has since it was read. Returns the next day
    it is due a reminder, or None when another run (or a change to the item) came first."""
    due = getattr(obj, reg.due_field)
    next_on = ladder.next_on(due=due, last_sent=rung)
    claimed = reg.model._default_manager.filter(
        reg.is_open,
        pk=obj.pk,
        # filter(field=None) matches IS NULL, so an item never reminded is matched too.
        reminder_last_sent=obj.reminder_last_sent,
        reminder_next_on=obj.reminder_next_on,
        **{reg.due_field: due, f"{reg.owner_field}_id": getattr(obj, f"{reg.owner_field}_id")},
    ).update(reminder_last_sent=rung, reminder_next_on=next_on)
    return next_on if claimed else None


def _give_back(lines: Iterable[ReminderLine]) -> None:
    """Put claimed items back as they were, so the task's retry (or tomorrow's run) sends them."""
    for line in lines:
        obj = line.item
        line.registration.model._default_manager.filter(
            pk=obj.pk, reminder_last_sent=line.rung, reminder_next_on=line.next_on
        ).update(reminder_last_sent=obj.reminder_last_sent, reminder_next_on=obj.reminder_next_on)


def _due_by_owner(today: datetime.date, ladder: Ladder) -> dict[User, list[ReminderLine]]:
    """Every open item with a rung come and not sent, by owner. Nothing is claimed yet, so a
    failure here (a record that cannot be described) leaves every item as it was."""
    by_owner: dict[User, list[ReminderLine]] = defaultdict(list)
    owners: dict[int, User] = {}
    for reg in REGISTRY.values():
        items = (
            reg.model._default_manager.filter(reg.is_open, reminder_next_on__lte=today)
            .filter(**{f"{reg.owner_field}__is_active": True})
            .select_related(reg.owner_field, *reg.related)
            .order_by(reg.due_field, "pk")
        )
        for obj in items:
            due = getattr(obj, reg.due_field)
            rung = ladder.rung_to_send(due=due, today=today, last_sent=obj.reminder_last_sent)
            if rung is None:
                # Nothing new has come (the ladder's settings changed): set the next day right.
                reg.model._default_manager.filter(
                    pk=obj.pk, reminder_next_on=obj.reminder_next_on
                ).update(reminder_next_on=ladder.next_on(due=due, last_sent=obj.reminder_last_sent))
                continue
            owner = getattr(obj, reg.owner_field)
            owner = owners.setdefault(owner.pk, owner)
            by_owner[owner].append(
                ReminderLine(
                    registration=reg,
                    item=obj,
                    rung=rung,
                    days=(today - due).days,
                    title=reg.title(obj),
                    context=reg.context(obj),
                    url=settings.SITE_URL + obj.get_absolute_url(),
                )
            )
    return by_owner


def reminders_send(*, today: datetime.date | None = None) -> RunReport:
    """Send today's reminders: one email per person, listing all their items.

    Each person's items are claimed just before their email goes and given back if it fails,
    so whatever stops the run (a mail server going down, the task's time limit) leaves nothing
    claimed and unsent: the next run sends it.
    """
    today = today or timezone.localdate()
    ladder = Ladder.from_settings()
    report = RunReport()
    due = _due_by_owner(today, ladder)
    with get_connection() as connection:
        for owner, candidates in due.items():
            lines = []
            for line in candidates:
                line.next_on = _claim(line.registration, line.item, line.rung, ladder)
                if line.next_on is not None:
                    lines.append(line)
            if not lines:
                continue
            lines.sort(key=lambda line: (line.due_date, line.title))
            try:
                send_templated_email(
                    "reminders",
                    to=[owner.email],
                    context={
                        "user": owner,
                        "overdue": [line for line in lines if line.is_overdue],
                        "due_soon": [line for line in lines if not line.is_overdue],
                        "count": len(lines),
                    },
                    connection=connection,
                )
            except SoftTimeLimitExceeded:
                _give_back(lines)
                raise
            except Exception:
                logger.exception("Reminder email to user %s failed; will retry", owner.pk)
                _give_back(lines)
                report.failed.append(owner.email)
                continue
            sent_at = timezone.now()
            SentReminder.objects.bulk_create(
                SentReminder(
                    recipient=owner,
                    content_type=ContentType.objects.get_for_model(line.item),
                    object_id=line.item.pk,
                    rung=line.rung,
                    due_date=line.due_date,
                    sent_at=sent_at,
                )
                for line in lines
            )
            report.emails += 1
            report.items += len(lines)
    return report


# The chairs' weekly digest ----------------------------------------------------------------------


@dataclass
class GroupDigest:
    group: Group
    overdue: list[Model] = field(default_factory=list)
    due_soon: list[Model] = field(default_factory=list)
    meetings: list[Meeting] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.overdue or self.due_soon or self.meetings)


def week_starting(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def digests_build(*, today: datetime.date) -> dict[User, list[GroupDigest]]:
    """Each current chair's groups, with their overdue items, items due in the next fortnight
    and meetings in the next four weeks. A fixed number of queries however many chairs."""
    chairs = (
        Membership.objects.current(today)
        .filter(role=MembershipRole.CHAIR, group__is_active=True)
        .select_related("user", "group")
        .order_by("group__order")
    )
    digests: dict[int, GroupDigest] = {}
    by_chair: dict[User, list[GroupDigest]] = defaultdict(list)
    users: dict[int, User] = {}
    for seat in chairs:
        user = users.setdefault(seat.user_id, seat.user)
        digest = digests.setdefault(seat.group_id, GroupDigest(group=seat.group))
        by_chair[user].append(digest)
    if not digests:
        return {}
    group_ids = list(digests)
    for reg in REGISTRY.values():
        if not reg.group_field:
            continue
        items = (
            reg.model._default_manager.filter(reg.is_open)
            .filter(**{f"{reg.group_field}_id__in": group_ids})
            .filter(**{f"{reg.due_field}__lte": today + DIGEST_DUE_WITHIN})
            .select_related(reg.owner_field, *reg.related)
            .order_by(reg.due_field, "pk")
        )
        for obj in items:
            digest = digests[getattr(obj, f"{reg.group_field}_id")]
            obj.digest_kind = reg.kind
            obj.digest_title = reg.title(obj)
            obj.digest_owner = getattr(obj, reg.owner_field)
            obj.digest_due = getattr(obj, reg.due_field)
            if getattr(obj, reg.due_field) < today:
                digest.overdue.append(obj)
            else:
                digest.due_soon.append(obj)
    now = timezone.now()
    meetings = Meeting.objects.upcoming(now).filter(
        group_id__in=group_ids, starts_at__lte=now + DIGEST_MEETINGS_WITHIN
    )
    for meeting in meetings.select_related("group"):
        digests[meeting.group_id].meetings.append(meeting)
    return dict(by_chair)


def digests_send(*, today: datetime.date | None = None) -> RunReport:
    """Send each chair their weekly digest, once a week: the DigestSent row is the claim."""
    today = today or timezone.localdate()
    week = week_starting(today)
    report = RunReport()
    digests = digests_build(today=today)
    with get_connection() as connection:
        for chair, groups in digests.items():
            if not chair.is_active:
                continue
            try:
                with transaction.atomic():
                    claim = DigestSent.objects.create(recipient=chair, week_starting=week)
            except IntegrityError:
                continue  # already sent this week
            try:
                send_templated_email(
                    "chair_digest",
                    to=[chair.email],
                    context={"user": chair, "groups": groups, "today": today, "week": week},
                    connection=connection,
                )
            except SoftTimeLimitExceeded:
                claim.delete()
                raise
            except Exception:
                logger.exception("Digest to user %s failed; it will be retried", chair.pk)
                claim.delete()
                report.failed.append(chair.email)
                continue
            report.emails += 1
            report.items += sum(len(g.overdue) + len(g.due_soon) for g in groups)
    return report
