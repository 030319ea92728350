"""The reminder engine: the ladder on its own, then the daily run driven across weeks with the
clock moved by time-machine, counting the emails."""

from __future__ import annotations

import dataclasses
import datetime
from unittest import mock

import pytest
import time_machine
from celery.exceptions import SoftTimeLimitExceeded
from django.core import mail
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from hscb import tasks
from hscb.lib import reminders
from hscb.lib.reminders import Ladder, describe_rung
from hscb.models import Action, ActionStatus, SentReminder
from hscb.services import reminders as engine
from tests.hscb.factories import ActionFactory, UserFactory

pytestmark = pytest.mark.django_db

DUE = datetime.date(2027, 3, 15)  # a Monday
LADDER = Ladder(days_before=(30, 7, 1), overdue_every=7)


def day(n: int) -> datetime.date:
    """`n` days from the due date."""
    return DUE + datetime.timedelta(days=n)


def at_7am(on: datetime.date):
    """The moment the daily run fires, on `on`, in Europe/London."""
    return timezone.make_aware(datetime.datetime.combine(on, datetime.time(7)))


def run_on(on: datetime.date) -> engine.RunReport:
    with time_machine.travel(at_7am(on), tick=False):
        return engine.reminders_send()


# The ladder -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("offset", "latest"),
    [
        (-45, None),
        (-31, None),
        (-30, -30),
        (-8, -30),
        (-7, -7),
        (-2, -7),
        (-1, -1),
        (0, -1),
        (1, 1),
        (7, 1),
        (8, 8),
        (14, 8),
        (15, 15),
        (70, 64),
    ],
)
def test_the_latest_rung_is_the_last_step_reached(offset, latest):
    assert LADDER.latest_rung(due=DUE, today=day(offset)) == latest


def test_a_rung_already_sent_is_not_sent_again():
    assert LADDER.rung_to_send(due=DUE, today=day(-5), last_sent=None) == -7
    assert LADDER.rung_to_send(due=DUE, today=day(-5), last_sent=-7) is None
    assert LADDER.rung_to_send(due=DUE, today=day(-1), last_sent=-7) == -1


def test_next_on_walks_the_ladder_then_weekly_while_overdue():
    steps, last = [], None
    for _ in range(7):
        nxt = LADDER.next_on(due=DUE, last_sent=last)
        steps.append((nxt - DUE).days)
        last = LADDER.latest_rung(due=DUE, today=nxt)
    assert steps == [-30, -7, -1, 1, 8, 15, 22]


def test_a_ladder_can_be_set_in_settings(settings):
    settings.REMINDER_DAYS_BEFORE = [14, 2, 14]
    settings.REMINDER_OVERDUE_EVERY_DAYS = 3
    ladder = Ladder.from_settings()
    assert ladder == Ladder(days_before=(14, 2), overdue_every=3)
    assert ladder.latest_rung(due=DUE, today=day(5)) == 4


def test_a_ladder_with_nonsense_steps_is_refused():
    with pytest.raises(ValueError, match="1 or more"):
        Ladder(days_before=(7, 0))
    with pytest.raises(ValueError, match="1 or more"):
        Ladder(overdue_every=0)


@pytest.mark.parametrize(
    ("days", "words"),
    [(-30, "due in 30 days"), (-1, "due tomorrow"), (0, "due today"), (1, "overdue by 1 day")],
)
def test_reminders_say_how_the_item_stands_in_words(days, words):
    assert describe_rung(days) == words


# The daily run ----------------------------------------------------------------------------------


def _action(**kwargs) -> Action:
    with time_machine.travel(at_7am(day(-60)), tick=False):
        return ActionFactory(due_date=DUE, **kwargs)


def test_a_new_action_is_armed_for_the_first_rung():
    action = _action()
    assert action.reminder_next_on == day(-30)
    assert action.reminder_last_sent is None


def test_over_eleven_weeks_an_action_is_reminded_on_each_rung_and_weekly_when_overdue():
    action = _action()
    sent_on = []
    for offset in range(-40, 37):
        before = len(mail.outbox)
        run_on(day(offset))
        if len(mail.outbox) > before:
            sent_on.append(offset)
    assert sent_on == [-30, -7, -1, 1, 8, 15, 22, 29, 36]
    assert all(m.to == [action.owner.email] for m in mail.outbox)
    assert SentReminder.objects.filter(object_id=action.pk).count() == len(sent_on)


def test_running_twice_on_the_same_day_sends_nothing_the_second_time():
    _action()
    first = run_on(day(-7))
    second = run_on(day(-7))
    assert (first.emails, second.emails) == (1, 0)
    assert len(mail.outbox) == 1


def test_a_missed_day_is_made_up_the_next_day_with_one_reminder_not_a_flood():
    action = _action()
    run_on(day(-30))
    # The runs between 7 days before and the day after the due date did not happen.
    report = run_on(day(2))
    assert report.emails == 1
    assert len(mail.outbox) == 2
    assert "overdue by 2 days" in mail.outbox[-1].body
    action.refresh_from_db()
    assert action.reminder_last_sent == 1
    assert action.reminder_next_on == day(8)


def test_a_late_arrival_inside_the_ladder_is_reminded_at_once():
    with time_machine.travel(at_7am(day(-5)), tick=False):
        action = ActionFactory(due_date=DUE)
    run_on(day(-5))
    assert len(mail.outbox) == 1
    assert "Due in 5 days" in mail.outbox[0].body
    action.refresh_from_db()
    assert action.reminder_next_on == day(-1)


def test_each_person_gets_one_email_listing_all_their_items():
    owner = UserFactory()
    other = UserFactory()
    mine = [_action(owner=owner, title=f"Mine {n}") for n in range(3)]
    _action(owner=other, title="Theirs")
    with time_machine.travel(at_7am(day(-60)), tick=False):
        overdue = ActionFactory(owner=owner, due_date=day(-40), title="Long overdue")
    report = run_on(day(-7))
    assert report.emails == 2
    assert report.items == 5
    to_owner = [m for m in mail.outbox if m.to == [owner.email]]
    assert len(to_owner) == 1
    body = to_owner[0].body
    for action in [*mine, overdue]:
        assert action.title in body
    assert "Theirs" not in body
    assert body.index("Overdue") < body.index("Long overdue") < body.index("Coming due")
    assert "1 overdue and 3 coming due" in to_owner[0].subject
    assert "http://127.0.0.1:8000/actions/" in body  # links to each action on the site
    html = to_owner[0].alternatives[0][0]
    assert f'href="http://127.0.0.1:8000/actions/{mine[0].pk}/"' in html


def test_names_are_not_html_escaped_in_the_plain_text_email():
    _action(owner=UserFactory(first_name="Siobhán", last_name="O'Brien"), title="Check & report")
    run_on(day(-30))
    assert "Dear Siobhán O'Brien" in mail.outbox[0].body
    assert "Check & report" in mail.outbox[0].body
    assert "O&#x27;Brien" in mail.outbox[0].alternatives[0][0]


@pytest.mark.parametrize("status", [ActionStatus.DONE, ActionStatus.CANCELLED])
def test_a_done_or_cancelled_action_is_never_chased(status):
    action = _action()
    Action.objects.filter(pk=action.pk).update(status=status)
    for offset in (-30, -7, -1, 1, 8):
        run_on(day(offset))
    assert mail.outbox == []


def test_an_owner_whose_account_is_closed_is_not_emailed():
    action = _action()
    type(action.owner).objects.filter(pk=action.owner_id).update(is_active=False)
    run_on(day(-7))
    assert mail.outbox == []


def test_moving_the_due_date_rearms_the_ladder():
    action = _action()
    run_on(day(-7))
    action.refresh_from_db()
    action.due_date = day(40)
    reminders.rearm(action)
    action.save()
    assert action.reminder_next_on == day(10)
    for offset in range(-6, 10):
        run_on(day(offset))
    assert len(mail.outbox) == 1  # nothing more until 30 days before the new date
    run_on(day(10))
    assert len(mail.outbox) == 2
    assert "Due in 30 days" in mail.outbox[-1].body


def test_a_new_owner_gets_the_ladder_from_the_start():
    action = _action()
    first_owner = action.owner
    run_on(day(-7))
    new_owner = UserFactory()
    action.refresh_from_db()
    action.owner = new_owner
    reminders.rearm(action)
    action.save()
    run_on(day(-6))
    assert [m.to for m in mail.outbox] == [[first_owner.email], [new_owner.email]]
    assert "Due in 6 days" in mail.outbox[-1].body


def test_a_claim_made_by_another_run_first_is_not_made_again():
    action = _action()
    registration = reminders.registration_for(Action)
    stale = Action.objects.get(pk=action.pk)
    assert engine._claim(registration, stale, -30, LADDER) == day(-7)
    assert engine._claim(registration, stale, -30, LADDER) is None  # the state moved on


def test_an_item_whose_due_date_moved_under_the_run_is_not_claimed():
    action = _action()
    registration = reminders.registration_for(Action)
    stale = Action.objects.get(pk=action.pk)
    Action.objects.filter(pk=action.pk).update(due_date=day(3))
    assert engine._claim(registration, stale, -30, LADDER) is None


def test_a_failed_email_gives_its_items_back_for_the_retry():
    ok_owner, failing_owner = UserFactory(), UserFactory()
    _action(owner=ok_owner)
    failing = _action(owner=failing_owner)
    real_send = engine.send_templated_email

    def send(name, *, to, context, **kwargs):
        if to == [failing_owner.email]:
            raise ConnectionError("mail server down")
        real_send(name, to=to, context=context, **kwargs)

    with mock.patch.object(engine, "send_templated_email", side_effect=send):
        report = run_on(day(-7))
    assert (report.emails, report.failed) == (1, [failing_owner.email])
    failing.refresh_from_db()
    assert (failing.reminder_last_sent, failing.reminder_next_on) == (None, day(-30))
    assert not SentReminder.objects.filter(recipient=failing_owner).exists()
    retry = run_on(day(-7))
    assert retry.emails == 1
    assert mail.outbox[-1].to == [failing_owner.email]


def test_the_task_reports_its_counts_and_raises_for_a_retry_when_emails_failed():
    _action()
    with time_machine.travel(at_7am(day(-7)), tick=False):
        assert tasks.send_reminders.run() == {"emails": 1, "items": 1}
    _action()
    with (
        time_machine.travel(at_7am(day(-1)), tick=False),
        mock.patch.object(engine, "send_templated_email", side_effect=ConnectionError("down")),
        pytest.raises(tasks.EmailsNotSent),
    ):
        tasks.send_reminders.run()


def test_the_daily_run_and_the_weekly_digest_are_scheduled_in_the_admin():
    daily = PeriodicTask.objects.get(task="hscb.tasks.send_reminders")
    weekly = PeriodicTask.objects.get(task="hscb.tasks.send_chair_digests")
    assert (daily.crontab.hour, daily.crontab.minute, daily.crontab.day_of_week) == ("7", "0", "*")
    assert weekly.crontab.day_of_week == "1"
    assert str(daily.crontab.timezone) == "Europe/London"
    assert daily.enabled and weekly.enabled


def test_a_ladder_with_no_days_before_reminds_only_when_overdue():
    ladder = Ladder(days_before=(), overdue_every=7)
    assert ladder.next_on(due=DUE, last_sent=None) == day(1)
    assert ladder.latest_rung(due=DUE, today=day(-1)) is None


def test_an_item_that_cannot_be_described_stops_the_run_before_anything_is_claimed():
    first, second = _action(), _action()
    registration = reminders.registration_for(Action)

    def title(action):
        if action.pk == second.pk:
            raise RuntimeError("cannot describe")
        return action.title

    broken = dataclasses.replace(registration, title=title)
    with (
        mock.patch.dict(reminders.REGISTRY, {"hscb.action": broken}),
        pytest.raises(RuntimeError),
    ):
        run_on(day(-7))
    for action in (first, second):
        action.refresh_from_db()
        assert action.reminder_last_sent is None  # nothing claimed, so nothing lost
    assert mail.outbox == []


def test_the_time_limit_mid_run_gives_back_the_claims_of_the_email_not_sent():
    action = _action()
    with (
        mock.patch.object(engine, "send_templated_email", side_effect=SoftTimeLimitExceeded()),
        pytest.raises(SoftTimeLimitExceeded),
    ):
        run_on(day(-7))
    action.refresh_from_db()
    assert (action.reminder_last_sent, action.reminder_next_on) == (None, day(-30))
    assert run_on(day(-7)).emails == 1


def test_one_run_opens_one_connection_to_the_mail_server():
    for _ in range(3):
        _action(owner=UserFactory())
    with mock.patch.object(engine, "get_connection", wraps=engine.get_connection) as connect:
        report = run_on(day(-7))
    assert report.emails == 3
    connect.assert_called_once()
