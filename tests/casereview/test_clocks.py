"""The statutory clocks in working days (England's bank holidays), their lengths read from the
review types, days left as the case page shows them, and their owners reminded by the engine
without the child being named."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from casereview.models import Clock, ClockKind, ClockUnit, Notification, ReviewType
from casereview.services import clocks
from hscb.models import GroupFunction, MembershipRole
from hscb.services import reminders as engine
from tests.casereview.factories import NotificationFactory, ensure_review_types, review_type
from tests.hscb.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def on(day: datetime.date):
    return time_machine.travel(
        timezone.make_aware(datetime.datetime.combine(day, datetime.time(8))), tick=False
    )


@pytest.mark.parametrize(
    ("aware", "due"),
    [
        # Christmas: the 25th, Boxing Day's substitute on Monday the 28th, New Year's Day.
        (datetime.date(2026, 12, 24), datetime.date(2027, 1, 5)),
        # Easter 2027: Good Friday 26 March and Easter Monday 29 March.
        (datetime.date(2027, 3, 24), datetime.date(2027, 4, 2)),
        # The early May bank holiday, Monday 3 May 2027.
        (datetime.date(2027, 4, 30), datetime.date(2027, 5, 10)),
        # A Saturday: counting starts on the next working day.
        (datetime.date(2027, 3, 6), datetime.date(2027, 3, 12)),
        # An ordinary week.
        (datetime.date(2027, 3, 8), datetime.date(2027, 3, 15)),
    ],
)
def test_the_national_notification_is_due_5_working_days_after_the_agency_became_aware(
    board, aware, due
):
    with on(aware):
        notification = NotificationFactory(aware_date=aware, incident_date=aware)
    clock = Clock.objects.get(notification=notification, kind=ClockKind.PANEL_NOTIFICATION)
    assert clock.starts_on == aware
    assert clock.due_on == due
    assert clock.unit == ClockUnit.WORKING_DAYS
    assert clock.rule == "within 5 working days of the day the agency became aware"


def test_the_rapid_review_is_due_15_working_days_after_the_national_notification(board):
    notification = NotificationFactory()
    clock = clocks.clock_start_rapid_review(
        notification=notification, notified_on=datetime.date(2026, 12, 22)
    )
    # 23, 24, 29, 30, 31 December; 4 to 8, 11 to 15 January 2027.
    assert clock.due_on == datetime.date(2027, 1, 15)
    assert clock.name == "Rapid review completed"


def test_clock_lengths_come_from_the_review_types(board):
    ensure_review_types()
    ReviewType.objects.filter(code="rapid_review").update(notify_panel_within=3, clock_length=10)
    with on(datetime.date(2027, 3, 8)):
        notification = NotificationFactory(aware_date=datetime.date(2027, 3, 8))
    panel = Clock.objects.get(notification=notification, kind=ClockKind.PANEL_NOTIFICATION)
    assert panel.due_on == datetime.date(2027, 3, 11)
    rapid = clocks.clock_start_rapid_review(
        notification=notification, notified_on=datetime.date(2027, 3, 11)
    )
    assert rapid.due_on == datetime.date(2027, 3, 25)


def test_a_running_deadline_keeps_its_length_when_the_rules_change(board):
    notification = NotificationFactory(aware_date=datetime.date(2027, 3, 8))
    ReviewType.objects.filter(code="rapid_review").update(notify_panel_within=10)
    clock = Clock.objects.get(notification=notification, kind=ClockKind.PANEL_NOTIFICATION)
    assert clock.due_on == datetime.date(2027, 3, 15)


def test_the_decision_clocks_run_in_months_or_days(board):
    notification = NotificationFactory()
    review = clocks.clock_start_decision(
        notification=notification,
        review_type=review_type("lcspr"),
        decided_on=datetime.date(2026, 8, 31),
    )
    assert review.due_on == datetime.date(2027, 2, 28)
    assert review.unit == ClockUnit.MONTHS
    other = NotificationFactory()
    told = clocks.clock_start_decision(
        notification=other,
        review_type=review_type("no_review_2015"),
        decided_on=datetime.date(2026, 12, 20),
    )
    assert told.due_on == datetime.date(2027, 1, 3)
    assert told.unit == ClockUnit.DAYS
    assert (
        clocks.clock_start_decision(
            notification=other,
            review_type=review_type("rapid_review"),
            decided_on=datetime.date(2026, 12, 20),
        )
        is None
    )


def test_a_missing_rapid_review_rule_is_said_plainly(board):
    ensure_review_types()
    ReviewType.objects.filter(code="rapid_review").update(notify_panel_within=None)
    with pytest.raises(clocks.ClockRuleMissing, match="Review types"):
        clocks.rapid_review_type()


def _clock(due: datetime.date, unit: str = ClockUnit.WORKING_DAYS) -> Clock:
    return Clock(due_on=due, unit=unit, starts_on=due)


@pytest.mark.parametrize(
    ("today", "left"),
    [
        (datetime.date(2027, 1, 4), 1),  # Monday, due Tuesday
        (datetime.date(2027, 1, 5), 0),  # due today
        (datetime.date(2027, 1, 6), -1),
        (datetime.date(2027, 1, 11), -4),
        (datetime.date(2026, 12, 24), 5),  # across Christmas
        (datetime.date(2026, 12, 25), 5),  # Christmas Day is not a working day
    ],
)
def test_days_left_count_working_days(today, left):
    assert clocks.days_left(_clock(datetime.date(2027, 1, 5)), today) == left


def test_a_deadline_missed_on_a_friday_is_overdue_over_the_weekend():
    friday = datetime.date(2027, 3, 12)
    assert clocks.days_left(_clock(friday), datetime.date(2027, 3, 13)) == -1
    assert clocks.days_left(_clock(friday), datetime.date(2027, 3, 14)) == -1
    assert clocks.days_left(_clock(friday), datetime.date(2027, 3, 15)) == -1
    assert clocks.days_left(_clock(friday), datetime.date(2027, 3, 16)) == -2


def test_days_left_count_calendar_days_for_other_clocks():
    due = datetime.date(2027, 1, 3)
    assert clocks.days_left(_clock(due, ClockUnit.DAYS), datetime.date(2026, 12, 20)) == 14
    assert clocks.days_left(_clock(due, ClockUnit.MONTHS), datetime.date(2027, 1, 5)) == -2


# Owners and reminders -------------------------------------------------------------------------


def test_the_case_review_chair_owns_the_clocks_until_there_is_a_case_officer(board):
    chair = MembershipFactory(
        group=board[GroupFunction.CASE_REVIEW], role=MembershipRole.CHAIR
    ).user
    notification = NotificationFactory()
    clock = Clock.objects.get(notification=notification)
    assert clock.owner == chair
    assert clock.group == board[GroupFunction.CASE_REVIEW]
    officer = UserFactory()
    Notification.objects.filter(pk=notification.pk).update(case_officer=officer)
    notification.refresh_from_db()
    clocks.clocks_reassign(notification=notification)
    clock.refresh_from_db()
    assert clock.owner == officer
    assert clock.reminder_next_on is not None


def test_a_clocks_owner_is_reminded_by_reference_never_by_the_childs_name(board):
    officer = UserFactory(email="case.officer@board.example")
    with on(datetime.date(2027, 3, 8)):
        notification = NotificationFactory(
            aware_date=datetime.date(2027, 3, 8),
            case_officer=officer,
            first_name="Tallulah",
            last_name="Featherstonehaugh",
            nhs_number="9434765919",
        )
    clock = Clock.objects.get(notification=notification)
    assert clock.due_on == datetime.date(2027, 3, 15)
    mail.outbox.clear()
    engine.reminders_send(today=datetime.date(2027, 3, 14))  # the day before
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["case.officer@board.example"]
    body = message.body + "".join(str(part[0]) for part in message.alternatives)
    assert notification.reference in body
    assert "Notify the national panel and Ofsted" in body
    assert f"/case-review/cases/{notification.pk}/" in body
    for secret in ("Tallulah", "Featherstonehaugh", "9434765919"):
        assert secret not in body
        assert secret not in message.subject
    # Sent once for that rung; met, the clock chases nobody more.
    engine.reminders_send(today=datetime.date(2027, 3, 14))
    assert len(mail.outbox) == 1
    clocks.clock_meet(
        notification=notification,
        kind=ClockKind.PANEL_NOTIFICATION,
        on=datetime.date(2027, 3, 14),
    )
    engine.reminders_send(today=datetime.date(2027, 3, 16))
    assert len(mail.outbox) == 1
