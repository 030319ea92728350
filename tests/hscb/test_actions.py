"""The actions services: the rules for new actions, status transitions and their notes, the
reminder ladder re-armed or stopped, chasing at most once a day, and the emails."""

from __future__ import annotations

import datetime
import zoneinfo
from smtplib import SMTPException
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from hscb import tasks
from hscb.models import Action, ActionNote, ActionStatus, GroupFunction, MeetingStatus
from hscb.services import actions as services
from tests.hscb.factories import (
    ActionFactory,
    AgendaItemFactory,
    MeetingFactory,
    MembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")
TODAY = datetime.date(2027, 1, 15)


@pytest.fixture(autouse=True)
def _on_15_january_2027():
    with time_machine.travel(datetime.datetime(2027, 1, 15, 10, tzinfo=LONDON), tick=False):
        yield


@pytest.fixture
def group(board):
    return board[GroupFunction.IMPROVING_OUTCOMES]


@pytest.fixture
def meeting(group):
    return MeetingFactory(group=group)


def new_action(group, meeting, owner, by, **changes) -> Action:
    values = {
        "group": group,
        "meeting": meeting,
        "agenda_item": None,
        "title": "Write to every school about the new referral form",
        "description": "Include the flow chart.",
        "owner": owner,
        "due_date": datetime.date(2027, 3, 1),
        "by": by,
        **changes,
    }
    return services.action_create(**values)


def an_action(group, owner, **extra) -> Action:
    return ActionFactory(group=group, owner=owner, due_date=datetime.date(2027, 3, 1), **extra)


# Creating ---------------------------------------------------------------------------------------


def test_a_new_action_is_saved_with_its_ladder_armed_and_a_note_of_who_has_it(
    group, meeting, member, group_chair, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        action = new_action(group, meeting, member, group_chair)
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN
    assert action.created_by == group_chair
    assert action.reminder_next_on == datetime.date(2027, 1, 30)  # 30 days before it is due
    assert action.reminder_last_sent is None
    [note] = action.notes.all()
    assert note.text == f"Recorded and given to {member.get_full_name()}."
    assert note.author == group_chair
    assert (note.status_from, note.status_to) == ("", "")
    assert note.emailed_at == timezone.now()  # the owner was told


def test_the_owner_is_emailed_that_the_action_is_theirs(
    group, meeting, group_chair, django_capture_on_commit_callbacks
):
    owner = UserFactory(first_name="Siobhan", last_name="O'Neill")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        action = new_action(group, meeting, owner, group_chair)
        assert mail.outbox == []  # nothing goes before the transaction commits
    assert len(callbacks) == 1
    [message] = mail.outbox
    assert message.to == [owner.email]
    assert "Write to every school" in message.subject
    assert "Improving Outcomes subgroup" in message.subject
    assert "Dear Siobhan O'Neill" in message.body  # plain text is not HTML-escaped
    assert "Due: 1 March 2027" in message.body
    assert f"http://127.0.0.1:8000/actions/{action.pk}/" in message.body
    assert group_chair.get_full_name() in message.body
    assert message.alternatives[0].mimetype == "text/html"


def test_no_email_when_the_owner_records_their_own_action(
    group, meeting, group_chair, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        action = new_action(group, meeting, group_chair, group_chair)
    assert callbacks == []
    assert mail.outbox == []
    [note] = action.notes.all()
    assert note.text == f"Recorded and given to {group_chair.get_full_name()}."
    assert note.emailed_at is None


@pytest.mark.parametrize(
    ("due_date", "message"),
    [
        (datetime.date(2027, 1, 14), "The due date must be today or in the future"),
        (datetime.date(2033, 1, 15), "The due date must be within the next 5 years"),
    ],
)
def test_a_due_date_in_the_past_or_years_ahead_is_refused(
    group, meeting, member, group_chair, due_date, message
):
    with pytest.raises(ValidationError) as refused:
        new_action(group, meeting, member, group_chair, due_date=due_date)
    assert refused.value.message_dict == {"due_date": [message]}
    assert not Action.objects.exists()


def test_today_is_an_allowed_due_date(group, meeting, member, group_chair):
    assert new_action(group, meeting, member, group_chair, due_date=TODAY).due_date == TODAY


def test_an_agenda_item_of_another_meeting_is_refused(group, meeting, member, group_chair):
    elsewhere = AgendaItemFactory(meeting=MeetingFactory(group=group))
    with pytest.raises(ValidationError) as refused:
        new_action(group, meeting, member, group_chair, agenda_item=elsewhere)
    assert "agenda_item" in refused.value.message_dict
    assert not Action.objects.exists()


def test_an_agenda_item_of_the_meeting_is_kept(group, meeting, member, group_chair):
    item = AgendaItemFactory(meeting=meeting)
    assert new_action(group, meeting, member, group_chair, agenda_item=item).agenda_item == item


def test_a_closed_account_cannot_own_an_action(group, meeting, group_chair):
    gone = UserFactory(is_active=False)
    with pytest.raises(ValidationError) as refused:
        new_action(group, meeting, gone, group_chair)
    assert "owner" in refused.value.message_dict


def test_a_meeting_of_another_group_is_refused(board, meeting, member, group_chair):
    with pytest.raises(ValidationError) as refused:
        new_action(board[GroupFunction.AUDIT], meeting, member, group_chair)
    assert "meeting" in refused.value.message_dict


def test_an_action_cannot_arise_from_a_cancelled_meeting(group, member, group_chair):
    cancelled = MeetingFactory(group=group, status=MeetingStatus.CANCELLED)
    with pytest.raises(ValidationError) as refused:
        new_action(group, cancelled, member, group_chair)
    assert refused.value.message_dict == {
        "meeting": ["This meeting was cancelled, so no actions can arise from it"]
    }
    assert not Action.objects.exists()


def test_every_problem_is_reported_at_once(group, meeting, group_chair):
    with pytest.raises(ValidationError) as refused:
        new_action(
            group,
            meeting,
            UserFactory(is_active=False),
            group_chair,
            due_date=datetime.date(2020, 1, 1),
        )
    assert set(refused.value.message_dict) == {"due_date", "owner"}


# Updating: notes and transitions ----------------------------------------------------------------


def test_every_update_needs_a_note(group, member):
    action = an_action(group, member)
    with pytest.raises(ValidationError) as refused:
        services.action_update(action=action, by=member, note="   ", status="in_progress")
    assert refused.value.message_dict == {"note": ["Enter a progress note"]}
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN
    assert not action.notes.exists()


def test_a_note_alone_records_progress_without_changing_anything(group, member):
    action = an_action(group, member)
    armed = action.reminder_next_on
    note = services.action_update(action=action, by=member, note="Draft letter written.")
    action.refresh_from_db()
    assert note.text == "Draft letter written."
    assert (note.status_from, note.status_to) == ("", "")
    assert note.author == member
    assert action.status == ActionStatus.OPEN
    assert action.reminder_next_on == armed


def test_starting_an_action_records_the_change_of_status(group, member):
    action = an_action(group, member)
    note = services.action_update(action=action, by=member, note="Begun.", status="in_progress")
    action.refresh_from_db()
    assert action.status == ActionStatus.IN_PROGRESS
    assert (note.status_from, note.status_to) == ("open", "in_progress")


def test_completing_an_action_stops_its_reminders(group, member):
    action = an_action(group, member)
    assert action.reminder_next_on is not None
    services.action_update(action=action, by=member, note="All schools written to.", status="done")
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE
    assert action.completed_on == TODAY
    assert action.reminder_next_on is None


def test_cancelling_stops_reminders_and_keeps_the_reason(group, group_chair, member):
    action = an_action(group, member)
    note = services.action_update(
        action=action, by=group_chair, note="Overtaken by the new protocol.", status="cancelled"
    )
    action.refresh_from_db()
    assert action.status == ActionStatus.CANCELLED
    assert action.reminder_next_on is None
    assert note.text == "Overtaken by the new protocol."
    assert note.status_to == "cancelled"


def test_reopening_rearms_the_ladder(group, member):
    action = an_action(group, member, status=ActionStatus.DONE)
    Action.objects.filter(pk=action.pk).update(
        reminder_next_on=None, reminder_last_sent=7, completed_on=TODAY
    )
    action.refresh_from_db()
    note = services.action_update(
        action=action, by=member, note="The head asked again.", status="in_progress"
    )
    action.refresh_from_db()
    assert action.status == ActionStatus.IN_PROGRESS
    assert action.completed_on is None
    assert action.reminder_next_on == datetime.date(2027, 1, 30)
    assert action.reminder_last_sent is None
    assert (note.status_from, note.status_to) == ("done", "in_progress")


@pytest.mark.parametrize(
    ("start", "to"),
    [("done", "cancelled"), ("cancelled", "done"), ("in_progress", "open"), ("open", "nonsense")],
)
def test_moves_the_state_machine_does_not_allow_are_refused(group, member, start, to):
    action = an_action(group, member, status=start)
    with pytest.raises(ValidationError) as refused:
        services.action_update(action=action, by=member, note="Trying.", status=to)
    assert "status" in refused.value.message_dict
    action.refresh_from_db()
    assert action.status == start
    assert not action.notes.exists()


def test_allowed_statuses_follow_the_transitions():
    assert services.allowed_statuses("open") == ["in_progress", "done", "cancelled"]
    assert services.allowed_statuses("in_progress") == ["done", "cancelled"]
    assert services.allowed_statuses("done") == ["in_progress"]
    assert services.allowed_statuses("cancelled") == ["in_progress"]


@pytest.mark.parametrize("status", ActionStatus.values)
def test_the_services_moves_are_exactly_the_state_machines(status):
    fsm = {t.name: t.target for t in Action(status=status).get_available_status_transitions()}
    assert {name: target for target, name in services.TRANSITIONS[status].items()} == fsm


# Updating: due date and owner -------------------------------------------------------------------


def test_a_chair_moving_the_due_date_rearms_the_ladder_and_notes_it(group, group_chair, member):
    action = an_action(group, member)
    Action.objects.filter(pk=action.pk).update(reminder_last_sent=-30)
    action.refresh_from_db()
    note = services.action_update(
        action=action,
        by=group_chair,
        note="The schools need more time.",
        due_date=datetime.date(2027, 4, 1),
    )
    action.refresh_from_db()
    assert action.due_date == datetime.date(2027, 4, 1)
    assert action.reminder_next_on == datetime.date(2027, 3, 2)
    assert action.reminder_last_sent is None
    assert note.text == (
        "The schools need more time.\n\nDue date changed from 1 March 2027 to 1 April 2027."
    )


def test_a_chair_giving_the_action_to_someone_else_notes_it_and_emails_them(
    group, group_chair, member, django_capture_on_commit_callbacks
):
    action = an_action(group, member)
    Action.objects.filter(pk=action.pk).update(reminder_last_sent=-30, reminder_next_on=None)
    action.refresh_from_db()
    newcomer = MembershipFactory(group=group).user
    with django_capture_on_commit_callbacks(execute=True):
        note = services.action_update(
            action=action, by=group_chair, note="Handing over.", owner=newcomer
        )
    action.refresh_from_db()
    assert action.owner == newcomer
    assert action.reminder_next_on == datetime.date(2027, 1, 30)
    assert (
        f"Owner changed from {member.get_full_name()} to {newcomer.get_full_name()}." in note.text
    )
    [message] = mail.outbox
    assert message.to == [newcomer.email]
    assert f"{group_chair.get_full_name()} has made you the owner" in message.body
    note.refresh_from_db()
    assert note.emailed_at == timezone.now()


def test_a_chair_taking_the_action_themselves_is_not_emailed(
    group, group_chair, member, django_capture_on_commit_callbacks
):
    action = an_action(group, member)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        note = services.action_update(
            action=action, by=group_chair, note="I'll do it.", owner=group_chair
        )
    assert callbacks == []
    assert mail.outbox == []
    assert note.emailed_at is None


def test_an_unchanged_due_date_and_owner_are_no_change(group, group_chair, member):
    action = an_action(group, member)
    Action.objects.filter(pk=action.pk).update(reminder_last_sent=-30)
    action.refresh_from_db()
    note = services.action_update(
        action=action,
        by=group_chair,
        note="Still on track.",
        due_date=action.due_date,
        owner=member,
    )
    action.refresh_from_db()
    assert note.text == "Still on track."
    assert action.reminder_last_sent == -30  # not re-armed


def test_an_overdue_action_can_be_updated_without_moving_its_date(group, group_chair, member):
    action = an_action(group, member)
    Action.objects.filter(pk=action.pk).update(due_date=datetime.date(2027, 1, 1))
    action.refresh_from_db()
    services.action_update(
        action=action, by=group_chair, note="Nearly there.", due_date=datetime.date(2027, 1, 1)
    )
    assert action.notes.count() == 1


def test_a_new_due_date_in_the_past_is_refused(group, group_chair, member):
    action = an_action(group, member)
    with pytest.raises(ValidationError) as refused:
        services.action_update(
            action=action, by=group_chair, note="Oops.", due_date=datetime.date(2027, 1, 1)
        )
    assert "due_date" in refused.value.message_dict
    action.refresh_from_db()
    assert action.due_date == datetime.date(2027, 3, 1)


def test_an_owner_cannot_move_their_own_due_date_or_hand_the_action_on(group, member):
    action = an_action(group, member)
    with pytest.raises(PermissionDenied):
        services.action_update(
            action=action, by=member, note="Later.", due_date=datetime.date(2027, 6, 1)
        )
    with pytest.raises(PermissionDenied):
        services.action_update(action=action, by=member, note="Yours.", owner=UserFactory())
    assert not action.notes.exists()


def test_the_secretariat_may_reassign_any_action(board, secretariat, cdop_member):
    action = an_action(board[GroupFunction.CHILD_DEATH_OVERVIEW], cdop_member)
    services.action_update(
        action=action, by=secretariat, note="Moved.", due_date=datetime.date(2027, 5, 1)
    )
    action.refresh_from_db()
    assert action.due_date == datetime.date(2027, 5, 1)


# Someone else got there first -------------------------------------------------------------------


def test_a_status_changed_behind_the_update_is_refused_and_nothing_is_saved(group, member):
    action = an_action(group, member)  # loaded while it is open
    Action.objects.filter(pk=action.pk).update(status=ActionStatus.IN_PROGRESS)
    with pytest.raises(services.ActionChanged) as clash:
        services.action_update(action=action, by=member, note="Finished!", status="done")
    assert "Someone else changed this action" in str(clash.value)
    assert "In progress" in str(clash.value)
    assert clash.value.status == ActionStatus.IN_PROGRESS
    stored = Action.objects.get(pk=action.pk)
    assert stored.status == ActionStatus.IN_PROGRESS
    assert stored.completed_on is None
    assert not ActionNote.objects.exists()


def test_a_note_on_a_stale_action_is_refused_too(group, member):
    action = an_action(group, member)
    Action.objects.filter(pk=action.pk).update(status=ActionStatus.DONE)
    with pytest.raises(services.ActionChanged):
        services.action_update(action=action, by=member, note="Progress.")
    assert not ActionNote.objects.exists()


def test_the_status_the_person_saw_is_checked(group, member):
    action = an_action(group, member, status=ActionStatus.IN_PROGRESS)
    with pytest.raises(services.ActionChanged):
        services.action_update(
            action=action, by=member, note="Done.", status="done", seen_status="open"
        )
    action.refresh_from_db()
    assert action.status == ActionStatus.IN_PROGRESS


# Chasing ----------------------------------------------------------------------------------------


def test_a_chase_notes_it_and_emails_the_owner_once_a_day(
    group, group_chair, member, django_capture_on_commit_callbacks
):
    action = an_action(group, member)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.action_chase(action=action, by=group_chair) is True
        assert services.action_chase(action=action, by=group_chair) is False
    action.refresh_from_db()
    assert action.last_chased_on == TODAY
    [note] = action.notes.all()
    assert note.text == f"Chased by {group_chair.get_full_name()}."
    assert note.author == group_chair
    assert note.emailed_at == timezone.now()
    [message] = mail.outbox
    assert message.to == [member.email]
    assert message.subject == f"Reminder: {action.title}"
    assert group_chair.get_full_name() in message.body
    assert "Due: 1 March 2027" in message.body
    assert f"/actions/{action.pk}/" in message.body


def test_a_chase_the_next_day_is_allowed(group, group_chair, member):
    action = an_action(group, member)
    assert services.action_chase(action=action, by=group_chair) is True
    later = TODAY + datetime.timedelta(days=1)
    assert services.action_chase(action=action, by=group_chair, today=later) is True
    assert action.notes.count() == 2


def test_a_stale_instance_cannot_chase_twice_in_a_day(group, group_chair, secretariat, member):
    first = an_action(group, member)
    second_look = Action.objects.get(pk=first.pk)
    assert services.action_chase(action=first, by=group_chair) is True
    assert services.action_chase(action=second_look, by=secretariat) is False
    assert ActionNote.objects.count() == 1


def test_an_overdue_chase_says_so(group, group_chair, member, django_capture_on_commit_callbacks):
    action = an_action(group, member)
    Action.objects.filter(pk=action.pk).update(due_date=datetime.date(2027, 1, 10))
    action.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.action_chase(action=action, by=group_chair)
    [message] = mail.outbox
    assert message.subject.startswith("Overdue: ")
    assert "(overdue)" in message.body


@pytest.mark.parametrize("status", ["done", "cancelled"])
def test_a_closed_action_cannot_be_chased(group, group_chair, member, status):
    action = an_action(group, member, status=status)
    with pytest.raises(ValidationError):
        services.action_chase(action=action, by=group_chair)
    action.refresh_from_db()
    assert action.last_chased_on is None
    assert not action.notes.exists()


# The tasks --------------------------------------------------------------------------------------


def assignment(group, owner, by) -> ActionNote:
    """A note giving an action to `owner`, with its email not yet sent (as the task finds it)."""
    action = an_action(group, UserFactory())
    return services.action_update(action=action, by=by, note="Over to you.", owner=owner)


def chase(group, owner, by) -> ActionNote:
    """A "Chased by" note, with its email not yet sent."""
    action = an_action(group, owner)
    assert services.action_chase(action=action, by=by) is True
    return action.notes.get()


def test_the_assigned_email_is_sent_once_however_often_the_task_runs(group, group_chair, member):
    note = assignment(group, member, group_chair)
    assert note.emailed_at is None
    assert tasks.send_action_assigned(note.pk) is True
    assert tasks.send_action_assigned(note.pk) is False
    [message] = mail.outbox
    assert message.to == [member.email]
    assert f"{group_chair.get_full_name()} has made you the owner" in message.body
    note.refresh_from_db()
    assert note.emailed_at == timezone.now()


def test_the_chase_email_is_sent_once_however_often_the_task_runs(group, group_chair, member):
    note = chase(group, member, group_chair)
    assert tasks.send_action_chase(note.pk) is True
    assert tasks.send_action_chase(note.pk) is False
    [message] = mail.outbox
    assert message.to == [member.email]
    assert group_chair.get_full_name() in message.body
    note.refresh_from_db()
    assert note.emailed_at == timezone.now()


@pytest.mark.parametrize(
    ("make_note", "task", "template"),
    [
        (assignment, tasks.send_action_assigned, "action_assigned"),
        (chase, tasks.send_action_chase, "action_chased"),
    ],
)
def test_a_failed_send_gives_the_claim_back_so_the_next_run_sends(
    group, group_chair, member, make_note, task, template
):
    note = make_note(group, member, group_chair)
    with (
        mock.patch(
            "hscb.services.actions.send_templated_email", side_effect=SMTPException("down")
        ) as sending,
        pytest.raises(SMTPException),
    ):
        task(note.pk)
    assert sending.call_args.args == (template,)
    assert mail.outbox == []
    note.refresh_from_db()
    assert note.emailed_at is None
    assert task(note.pk) is True
    assert task(note.pk) is False
    assert [m.to for m in mail.outbox] == [[member.email]]


def test_the_assigned_email_goes_to_whoever_owns_the_action_when_it_is_sent(
    group, group_chair, member
):
    note = assignment(group, member, group_chair)
    newcomer = MembershipFactory(group=group).user
    Action.objects.filter(pk=note.action_id).update(owner=newcomer)
    assert tasks.send_action_assigned(note.pk) is True
    assert [m.to for m in mail.outbox] == [[newcomer.email]]


def test_the_assigned_email_is_not_sent_when_the_action_went_back_to_its_giver(
    group, group_chair, member
):
    note = assignment(group, member, group_chair)
    Action.objects.filter(pk=note.action_id).update(owner=group_chair)
    assert tasks.send_action_assigned(note.pk) is False
    assert mail.outbox == []
    note.refresh_from_db()
    assert note.emailed_at is None


@pytest.mark.parametrize(
    ("make_note", "task"),
    [(assignment, tasks.send_action_assigned), (chase, tasks.send_action_chase)],
)
@pytest.mark.parametrize("meanwhile", ["action closed", "owner left"])
def test_no_email_for_an_action_closed_meanwhile_or_an_owner_who_has_left(
    group, group_chair, member, make_note, task, meanwhile
):
    note = make_note(group, member, group_chair)
    if meanwhile == "action closed":
        Action.objects.filter(pk=note.action_id).update(status=ActionStatus.DONE)
    else:
        member.is_active = False
        member.save()
    assert task(note.pk) is False
    assert mail.outbox == []
    note.refresh_from_db()
    assert note.emailed_at is None


def test_a_note_that_does_not_exist_sends_nothing():
    assert tasks.send_action_assigned(999999) is False
    assert tasks.send_action_chase(999999) is False
    assert mail.outbox == []


# The admin's route ------------------------------------------------------------------------------


def test_an_admin_change_of_due_date_goes_through_the_update_rules(group, secretariat, member):
    action = an_action(group, member)
    Action.objects.filter(pk=action.pk).update(reminder_last_sent=-30)
    edited = Action.objects.get(pk=action.pk)
    edited.title = "Write to every school"
    services.action_admin_change(
        action=edited, by=secretariat, due_date=datetime.date(2027, 2, 1), owner=member
    )
    action.refresh_from_db()
    assert action.title == "Write to every school"
    assert action.due_date == datetime.date(2027, 2, 1)
    assert action.reminder_last_sent is None
    assert action.reminder_next_on == datetime.date(2027, 1, 2)
    [note] = action.notes.all()
    assert note.text.startswith("Changed in the administration pages.")
    assert "Due date changed from 1 March 2027 to 1 February 2027." in note.text


def test_an_admin_change_of_wording_only_leaves_no_note(group, secretariat, member):
    action = an_action(group, member)
    edited = Action.objects.get(pk=action.pk)
    edited.description = "Clearer."
    services.action_admin_change(
        action=edited, by=secretariat, due_date=action.due_date, owner=member
    )
    action.refresh_from_db()
    assert action.description == "Clearer."
    assert not action.notes.exists()


# Saving only what changed -----------------------------------------------------------------------
# The reminder run and a chaser write to an action while someone has it open: an update from the
# instance they loaded must not put back the ladder's state or the last chase.

CLAIMED = {"reminder_last_sent": -30, "reminder_next_on": datetime.date(2027, 2, 22)}


def stale_copy(action: Action) -> Action:
    """The action as a person loaded it, before the reminder run claimed a rung and a chair
    chased it behind their back."""
    loaded = Action.objects.get(pk=action.pk)
    Action.objects.filter(pk=action.pk).update(**CLAIMED, last_chased_on=TODAY)
    return loaded


def ladder_and_chase(action: Action) -> tuple:
    action.refresh_from_db()
    return action.reminder_last_sent, action.reminder_next_on, action.last_chased_on


@pytest.mark.parametrize("status", [None, ActionStatus.IN_PROGRESS], ids=["note", "start"])
def test_an_update_from_a_stale_instance_keeps_the_reminder_sent_and_the_chase(
    group, member, status
):
    action = an_action(group, member)
    loaded = stale_copy(action)
    services.action_update(action=loaded, by=member, note="Half the letters sent.", status=status)
    assert ladder_and_chase(action) == (-30, datetime.date(2027, 2, 22), TODAY)
    assert action.status == (status or ActionStatus.OPEN)
    assert action.notes.get().text == "Half the letters sent."


def test_completing_a_stale_instance_stops_the_ladder_and_keeps_the_rung_sent(group, member):
    action = an_action(group, member)
    loaded = stale_copy(action)
    services.action_update(action=loaded, by=member, note="Done.", status=ActionStatus.DONE)
    assert ladder_and_chase(action) == (-30, None, TODAY)
    assert (action.status, action.completed_on) == (ActionStatus.DONE, TODAY)


def test_moving_the_due_date_from_a_stale_instance_rearms_but_keeps_the_chase(
    group, group_chair, member
):
    action = an_action(group, member)
    loaded = stale_copy(action)
    services.action_update(
        action=loaded, by=group_chair, note="Later.", due_date=datetime.date(2027, 4, 1)
    )
    assert ladder_and_chase(action) == (None, datetime.date(2027, 3, 2), TODAY)
    assert action.due_date == datetime.date(2027, 4, 1)


def test_an_admin_wording_change_from_a_stale_instance_keeps_the_ladder_and_the_chase(
    group, secretariat, member
):
    action = an_action(group, member)
    loaded = stale_copy(action)
    loaded.title = "Write to every school and college"
    services.action_admin_change(
        action=loaded, by=secretariat, due_date=action.due_date, owner=member
    )
    assert ladder_and_chase(action) == (-30, datetime.date(2027, 2, 22), TODAY)
    assert action.title == "Write to every school and college"


def test_an_admin_change_of_owner_from_a_stale_instance_rearms_and_keeps_the_chase(
    group, secretariat, member, group_chair
):
    action = an_action(group, member)
    loaded = stale_copy(action)
    loaded.description = "Include the colleges."
    services.action_admin_change(
        action=loaded, by=secretariat, due_date=action.due_date, owner=group_chair
    )
    assert ladder_and_chase(action) == (None, datetime.date(2027, 1, 30), TODAY)
    assert (action.owner, action.description) == (group_chair, "Include the colleges.")
    assert "Owner changed from" in action.notes.get().text


def test_an_admin_change_refused_by_the_update_rules_saves_nothing(group, secretariat, member):
    action = an_action(group, member)
    loaded = Action.objects.get(pk=action.pk)
    loaded.title = "A new title"
    with pytest.raises(ValidationError):
        services.action_admin_change(
            action=loaded, by=secretariat, due_date=datetime.date(2020, 1, 1), owner=member
        )
    action.refresh_from_db()
    assert action.title != "A new title"
    assert not action.notes.exists()
