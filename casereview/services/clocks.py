"""The statutory clocks on a case, in working days where the law says so.

- Notifying the national panel and Ofsted: within the rapid review type's `notify_panel_within`
  working days of the day the agency became aware (started when the notification is submitted).
- The rapid review: within its type's length of working days of that notification (started when
  the secretariat records the national notification).
- The decision's own clock: the chosen type's length from the day of the decision (a review
  completed within 6 months; under the 2015 regime, the panel told of no review within 14 days).

Lengths are read from `ReviewType` rows when a clock starts and copied onto it, so a later edit
of the rules does not move a deadline already running. Each clock's owner (the case officer, or
the Case Review chair) is chased by the reminder engine until it is met.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from hscb.lib import reminders
from hscb.lib.workingdays import add_months, add_working_days, working_days_between
from hscb.models import Group, GroupFunction, Membership, MembershipRole, User

from ..models import Clock, ClockKind, ClockUnit, Notification, Outcome, ReviewType


class ClockRuleMissing(Exception):
    """The review types lack the rule a clock needs (edited away in the admin)."""


def case_review_group() -> Group | None:
    return Group.objects.filter(function=GroupFunction.CASE_REVIEW).first()


def clock_owner(notification: Notification) -> User | None:
    """Who is reminded of a case's clocks: its case officer, or else the Case Review chair."""
    if notification.case_officer_id is not None:
        return notification.case_officer
    chair = (
        Membership.objects.current()
        .filter(group__function=GroupFunction.CASE_REVIEW, role=MembershipRole.CHAIR)
        .select_related("user")
        .order_by("start_date", "pk")
        .first()
    )
    return chair.user if chair else None


def rapid_review_type() -> ReviewType:
    review_type = (
        ReviewType.objects.filter(outcome=Outcome.RAPID_REVIEW, is_active=True)
        .order_by("order", "pk")
        .first()
    )
    if review_type is None or not review_type.notify_panel_within or not review_type.clock_length:
        raise ClockRuleMissing(
            "There is no active rapid review type with its deadlines. The secretariat can set "
            "one up in the admin under Review types."
        )
    return review_type


def due_after(start: datetime.date, *, length: int, unit: str) -> datetime.date:
    if unit == ClockUnit.WORKING_DAYS:
        return add_working_days(start, length)
    if unit == ClockUnit.MONTHS:
        return add_months(start, length)
    return start + datetime.timedelta(days=length)


def _start(
    *,
    notification: Notification,
    kind: str,
    name: str,
    rule: str,
    starts_on: datetime.date,
    due_on: datetime.date,
    unit: str,
) -> Clock:
    """Start (or restart, with a new start) the case's clock of this kind. The caller holds the
    transaction."""
    clock, _ = Clock.objects.update_or_create(
        notification=notification,
        kind=kind,
        defaults={
            "name": name,
            "rule": rule,
            "starts_on": starts_on,
            "due_on": due_on,
            "unit": unit,
            "met_on": None,
            "owner": clock_owner(notification),
            "group": case_review_group(),
        },
    )
    reminders.rearm(clock)
    clock.save(update_fields=["reminder_last_sent", "reminder_next_on"])
    return clock


def clock_start_panel_notification(*, notification: Notification) -> Clock:
    """On submission: the national panel and Ofsted are to be told within N working days of the
    agency becoming aware."""
    review_type = rapid_review_type()
    days = review_type.notify_panel_within
    return _start(
        notification=notification,
        kind=ClockKind.PANEL_NOTIFICATION,
        name="Notify the national panel and Ofsted",
        rule=f"within {days} working days of the day the agency became aware",
        starts_on=notification.aware_date,
        due_on=add_working_days(notification.aware_date, days),
        unit=ClockUnit.WORKING_DAYS,
    )


def clock_start_rapid_review(*, notification: Notification, notified_on: datetime.date) -> Clock:
    """Once the national panel is notified: the rapid review is due."""
    review_type = rapid_review_type()
    return _start(
        notification=notification,
        kind=ClockKind.RAPID_REVIEW,
        name=review_type.clock_name or "Rapid review completed",
        rule=f"within {review_type.clock_length} {review_type.get_clock_unit_display()} of "
        "the national panel being notified",
        starts_on=notified_on,
        due_on=due_after(notified_on, length=review_type.clock_length, unit=review_type.clock_unit),
        unit=review_type.clock_unit,
    )


def clock_start_decision(
    *, notification: Notification, review_type: ReviewType, decided_on: datetime.date
) -> Clock | None:
    """The chosen type's own clock, when it runs from the decision (none otherwise)."""
    if review_type.clock_from != "decision" or not review_type.clock_length:
        return None
    return _start(
        notification=notification,
        kind=ClockKind.DECISION,
        name=review_type.clock_name or review_type.name,
        rule=f"within {review_type.clock_length} {review_type.get_clock_unit_display()} of "
        "the decision",
        starts_on=decided_on,
        due_on=due_after(decided_on, length=review_type.clock_length, unit=review_type.clock_unit),
        unit=review_type.clock_unit,
    )


def clock_meet(*, notification: Notification, kind: str, on: datetime.date) -> Clock | None:
    """The clock's deadline is met (or passed, late): it stops and nobody is chased any more."""
    clock = Clock.objects.filter(notification=notification, kind=kind).first()
    if clock is None:
        return None
    clock.met_on = on
    reminders.stop(clock)
    clock.save(update_fields=["met_on", "reminder_next_on"])
    return clock


def clocks_reassign(*, notification: Notification) -> None:
    """The case officer changed: running clocks chase the new one from the top of the ladder."""
    owner = clock_owner(notification)
    for clock in notification.clocks.filter(met_on__isnull=True):
        clock.owner = owner
        reminders.rearm(clock)
        clock.save(update_fields=["owner", "reminder_last_sent", "reminder_next_on"])


def days_left(clock: Clock, today: datetime.date | None = None) -> int:
    """Working days until the deadline (negative once overdue), for a working-day clock;
    calendar days for the others.

    A deadline missed on a Friday is overdue on the Saturday too, though no working day has
    passed since: it counts as at least one day overdue, never as "due today".
    """
    today = today or timezone.localdate()
    if clock.unit == ClockUnit.WORKING_DAYS:
        left = working_days_between(today, clock.due_on)
        return min(left, -1) if today > clock.due_on else left
    return (clock.due_on - today).days
