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

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
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


@dataclass(frozen=True)
class ReminderLine:
    """One item in a reminder email."""

    kind: str
    title: str
    context: str
    url: str
    due_date: datetime.date
    rung: int
    days: int  # from the due date to the day of sending: negative before it
    content_type_id: int
    object_id: int
    claim: tuple[type[Model], int, int | None, datetime.date, int, datetime.date | None]

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
    it is due a reminder, or None when another run claimed it first."""
    due = getattr(obj, reg.due_field)
    next_on = ladder.next_on(due=due, last_sent=rung)
    claimed = (
        reg.model._default_manager.filter(
            reg.is_open,
            pk=obj.pk,
            reminder_last_sent=obj.reminder_last_sent,
            reminder_next_on=obj.reminder_next_on,
            **{reg.due_field: due, f"{reg.owner_field}_id": getattr(obj, f"{reg.owner_field}_id")},
        )
        # A null last rung must match as IS NULL, which filter(field=None) does.
        .update(reminder_last_sent=rung, reminder_next_on=next_on)
    )
    return next_on if claimed else None


def _give_back(lines: Iterable[ReminderLine]) -> None:
    for line in lines:
        model, pk, old_last, old_next, rung, new_next = line.claim
        model._default_manager.filter(
            pk=pk, reminder_last_sent=rung, reminder_next_on=new_next
        ).update(reminder_last_sent=old_last, reminder_next_on=old_next)


def _absolute(url: str) -> str:
    return settings.SITE_URL + url


def reminders_send(*, today: datetime.date | None = None) -> RunReport:
    """Send today's reminders: one email per person, listing all their items."""
    today = today or timezone.localdate()
    ladder = Ladder.from_settings()
    by_owner: dict[int, list[ReminderLine]] = defaultdict(list)
    owners: dict[int, User] = {}
    for reg in REGISTRY.values():
        content_type = ContentType.objects.get_for_model(reg.model)
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
                # Nothing new has come (the ladder changed under it): set the next day right.
                reg.model._default_manager.filter(
                    pk=obj.pk, reminder_next_on=obj.reminder_next_on
                ).update(reminder_next_on=ladder.next_on(due=due, last_sent=obj.reminder_last_sent))
                continue
            next_on = _claim(reg, obj, rung, ladder)
            if next_on is None:
                continue
            owner = getattr(obj, reg.owner_field)
            owners[owner.pk] = owner
            by_owner[owner.pk].append(
                ReminderLine(
                    kind=reg.kind,
                    title=reg.title(obj),
                    context=reg.context(obj),
                    url=_absolute(obj.get_absolute_url()),
                    due_date=due,
                    rung=rung,
                    days=(today - due).days,
                    content_type_id=content_type.pk,
                    object_id=obj.pk,
                    claim=(
                        reg.model,
                        obj.pk,
                        obj.reminder_last_sent,
                        obj.reminder_next_on,
                        rung,
                        next_on,
                    ),
                )
            )
    report = RunReport()
    for owner_pk, lines in by_owner.items():
        owner = owners[owner_pk]
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
            )
        except Exception:
            logger.exception(
                "Reminder email to user %s failed; its items will be retried", owner_pk
            )
            _give_back(lines)
            report.failed.append(owner.email)
            continue
        sent_at = timezone.now()
        SentReminder.objects.bulk_create(
            SentReminder(
                recipient=owner,
                content_type_id=line.content_type_id,
                object_id=line.object_id,
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
    for chair, groups in digests_build(today=today).items():
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
            )
        except Exception:
            logger.exception("Digest to user %s failed; it will be retried", chair.pk)
            claim.delete()
            report.failed.append(chair.email)
            continue
        report.emails += 1
        report.items += sum(len(g.overdue) + len(g.due_soon) for g in groups)
    return report
