"""The chairs' weekly digest: each chair's group's overdue actions, items due in the next
fortnight and meetings coming up, once a week, one email per chair."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.utils import timezone
from django.utils.html import escape

from hscb import tasks
from hscb.models import Action, ActionStatus, DigestSent, GroupFunction, MembershipRole
from hscb.services import reminders as engine
from tests.hscb.factories import ActionFactory, MeetingFactory, MembershipFactory

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2027, 3, 15)


def at(on: datetime.date, hour: int = 7):
    return timezone.make_aware(datetime.datetime.combine(on, datetime.time(hour, 30)))


def run_on(on: datetime.date) -> engine.RunReport:
    with time_machine.travel(at(on), tick=False):
        return engine.digests_send()


@pytest.fixture
def io_business(board, group_chair, member):
    """Improving Outcomes' actions and meetings around MONDAY, and another group's."""
    io = board[GroupFunction.IMPROVING_OUTCOMES]
    audit = board[GroupFunction.AUDIT]
    with time_machine.travel(at(MONDAY - datetime.timedelta(days=90)), tick=False):
        overdue = ActionFactory(group=io, owner=member, title="Collect the audit returns")
        overdue.due_date = MONDAY - datetime.timedelta(days=3)
        overdue.save()
        soon = ActionFactory(
            group=io,
            owner=member,
            title="Draft the neglect strategy",
            due_date=MONDAY + datetime.timedelta(days=10),
        )
        ActionFactory(group=io, title="Later work", due_date=MONDAY + datetime.timedelta(days=40))
        done = ActionFactory(
            group=io, title="Finished work", due_date=MONDAY - datetime.timedelta(days=5)
        )
        Action.objects.filter(pk=done.pk).update(status=ActionStatus.DONE)
        ActionFactory(group=audit, title="Audit's own", due_date=MONDAY)
    meeting = MeetingFactory(group=io, starts_at=at(MONDAY + datetime.timedelta(days=9), 10))
    MeetingFactory(group=io, starts_at=at(MONDAY + datetime.timedelta(days=60), 10))
    return {"io": io, "audit": audit, "overdue": overdue, "soon": soon, "meeting": meeting}


def test_a_chair_gets_their_groups_overdue_and_coming_items_and_meetings(io_business, group_chair):
    report = run_on(MONDAY)
    to_chair = [m for m in mail.outbox if m.to == [group_chair.email]]
    assert len(to_chair) == 1
    body = to_chair[0].body
    assert "Improving Outcomes" in to_chair[0].subject
    assert "Overdue: 1" in body and "Collect the audit returns" in body
    assert "Due in the next fortnight: 1" in body and "Draft the neglect strategy" in body
    assert "Later work" not in body  # due beyond the fortnight
    assert "Finished work" not in body  # done
    assert "Audit's own" not in body  # another group's
    assert io_business["meeting"].get_absolute_url() in body
    assert body.count("/meetings/") == 1  # the meeting 60 days away is not listed
    assert report.emails >= 1


def test_the_digest_goes_once_a_week_however_often_the_task_runs(io_business, group_chair):
    run_on(MONDAY)
    run_on(MONDAY)
    run_on(MONDAY + datetime.timedelta(days=3))
    assert len([m for m in mail.outbox if m.to == [group_chair.email]]) == 1
    run_on(MONDAY + datetime.timedelta(days=7))
    assert len([m for m in mail.outbox if m.to == [group_chair.email]]) == 2
    assert DigestSent.objects.filter(recipient=group_chair).count() == 2


def test_a_missed_monday_is_made_up_later_in_the_week(io_business, group_chair):
    run_on(MONDAY + datetime.timedelta(days=1))
    assert [m.to for m in mail.outbox].count([group_chair.email]) == 1
    assert DigestSent.objects.get(recipient=group_chair).week_starting == MONDAY


def test_a_chair_of_two_groups_gets_one_email_covering_both(io_business, group_chair):
    MembershipFactory(group=io_business["audit"], user=group_chair, role=MembershipRole.CHAIR)
    run_on(MONDAY)
    to_chair = [m for m in mail.outbox if m.to == [group_chair.email]]
    assert len(to_chair) == 1
    assert "Audit's own" in to_chair[0].body
    assert "Collect the audit returns" in to_chair[0].body
    assert escape(io_business["audit"].name) in to_chair[0].alternatives[0][0]


def test_a_failed_digest_is_not_marked_sent(io_business, group_chair):
    with mock.patch.object(engine, "send_templated_email", side_effect=ConnectionError("down")):
        report = run_on(MONDAY)
    assert group_chair.email in report.failed
    assert not DigestSent.objects.filter(recipient=group_chair).exists()
    run_on(MONDAY)
    assert [m.to for m in mail.outbox].count([group_chair.email]) == 1


def test_members_who_chair_nothing_get_no_digest(io_business, member):
    run_on(MONDAY)
    assert [member.email] not in [m.to for m in mail.outbox]


def test_the_task_sends_the_digests(io_business, group_chair):
    with time_machine.travel(at(MONDAY), tick=False):
        result = tasks.send_chair_digests.run()
    assert result["emails"] >= 1
    assert [group_chair.email] in [m.to for m in mail.outbox]


def test_building_the_digests_takes_the_same_queries_for_many_chairs(
    io_business, board, django_assert_max_num_queries
):
    with django_assert_max_num_queries(10) as small:
        engine.digests_build(today=MONDAY)
    for group in board.values():
        MembershipFactory(group=group, role=MembershipRole.VICE_CHAIR)
        if not group.memberships.filter(role=MembershipRole.CHAIR, end_date=None).exists():
            MembershipFactory(group=group, role=MembershipRole.CHAIR)
        ActionFactory.create_batch(3, group=group, due_date=MONDAY)
        MeetingFactory(group=group, starts_at=at(MONDAY + datetime.timedelta(days=5), 10))
    with django_assert_max_num_queries(len(small.captured_queries)):
        digests = engine.digests_build(today=MONDAY)
    assert len(digests) == len(board)


def test_meeting_times_are_written_the_govuk_way_in_london_time(io_business, group_chair):
    run_on(MONDAY)
    body = next(m.body for m in mail.outbox if m.to == [group_chair.email])
    # 10:30 in London on 24 March 2027 (GMT); British Summer Time starts on 28 March.
    assert "Wednesday 24 March 2027, 10:30am" in body
