"""Writes to actions: creating one, updating its status, due date or owner, and chasing it.

Every change of status goes through the action's FSM transition; `ConcurrentTransitionMixin`
refuses a save when someone else moved the action since it was read, and the whole update is
rolled back. Creating an action and each update leave a dated note; changes of due date or owner
re-arm the reminder ladder, and closing an action stops it.

The emails to an owner (the action is theirs, or a chair is chasing it) are sent by tasks that
take the note recording the event. Each task claims its note (`emailed_at`) before sending, so a
redelivered or retried task sends one email; a failed send gives the claim back for the retry.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import dateformat, timezone
from django_fsm import ConcurrentTransition

from hscb.lib import reminders
from hscb.lib.checks import queue_after_commit
from hscb.lib.email import send_templated_email
from hscb.models import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    Action,
    ActionNote,
    ActionStatus,
    AgendaItem,
    Group,
    Meeting,
    MeetingStatus,
    User,
)

# How far ahead a due date may be set: further than this is almost certainly a typing slip.
LATEST_DUE_DATE = datetime.timedelta(days=5 * 366)
ADMIN_NOTE = "Changed in the administration pages."
# What the admin changes as it is, without the update rules.
ADMIN_WORDING = ["title", "description"]
# The ladder's state that `reminders.rearm` and `reminders.stop` set, to be saved after them.
REARMED_FIELDS = ("reminder_last_sent", "reminder_next_on")
STOPPED_FIELDS = ("reminder_next_on",)

# The transition that takes an action from its status to each status it may go to.
TRANSITIONS: dict[str, dict[str, str]] = {
    ActionStatus.OPEN: {
        ActionStatus.IN_PROGRESS: "start",
        ActionStatus.DONE: "complete",
        ActionStatus.CANCELLED: "cancel",
    },
    ActionStatus.IN_PROGRESS: {ActionStatus.DONE: "complete", ActionStatus.CANCELLED: "cancel"},
    ActionStatus.DONE: {ActionStatus.IN_PROGRESS: "reopen"},
    ActionStatus.CANCELLED: {ActionStatus.IN_PROGRESS: "reopen"},
}


class ActionChanged(Exception):
    """Someone else changed the action's status while this person was updating it."""

    def __init__(self, status: str) -> None:
        self.status = status
        label = ActionStatus(status).label if status in ActionStatus.values else status
        super().__init__(
            f"Someone else changed this action while you were updating it: it is now "
            f"“{label}”. Check the status below and submit your update again."
        )


def _long_date(day: datetime.date) -> str:
    """A date as the pages show it: "1 March 2027"."""
    return dateformat.format(day, "j F Y")


def _name(user: User | None) -> str:
    if user is None:
        return "no-one"
    return user.get_full_name() or user.email


def allowed_statuses(status: str) -> list[str]:
    """The statuses an action may move to from `status`, in the order a form offers them."""
    return list(TRANSITIONS.get(status, {}))


def check_due_date(due_date: datetime.date, *, today: datetime.date | None = None) -> None:
    """A new or changed due date is today or later, and not absurdly far ahead."""
    today = today or timezone.localdate()
    if due_date < today:
        raise ValidationError({"due_date": "The due date must be today or in the future"})
    if due_date > today + LATEST_DUE_DATE:
        raise ValidationError({"due_date": "The due date must be within the next 5 years"})


def check_owner(owner: User) -> None:
    if not owner.is_active:
        raise ValidationError(
            {"owner": "Choose someone whose account is open: this person's account is closed"}
        )


def check_origin(*, group: Group, meeting: Meeting | None, agenda_item: AgendaItem | None) -> None:
    """The meeting is the group's and was not cancelled, and the agenda item is on that
    meeting's agenda."""
    if meeting is not None and meeting.group_id != group.pk:
        raise ValidationError({"meeting": "Choose a meeting of the action's own group"})
    if meeting is not None and meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError(
            {"meeting": "This meeting was cancelled, so no actions can arise from it"}
        )
    if agenda_item is not None and (meeting is None or agenda_item.meeting_id != meeting.pk):
        raise ValidationError(
            {"agenda_item": "Choose an item on the agenda of the meeting the action arose from"}
        )


def action_create(
    *,
    group: Group,
    meeting: Meeting | None,
    agenda_item: AgendaItem | None,
    title: str,
    description: str,
    owner: User,
    due_date: datetime.date,
    by: User,
) -> Action:
    """Record a new action with a note saying who it was given to, arm its reminder ladder and
    tell the owner it is theirs (unless they are the one recording it)."""
    from hscb.tasks import send_action_assigned

    errors: dict[str, list[str]] = {}
    for check in (
        lambda: check_due_date(due_date),
        lambda: check_owner(owner),
        lambda: check_origin(group=group, meeting=meeting, agenda_item=agenda_item),
    ):
        try:
            check()
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        action = Action(
            group=group,
            meeting=meeting,
            agenda_item=agenda_item,
            title=title.strip(),
            description=description.strip(),
            owner=owner,
            due_date=due_date,
            created_by=by,
        )
        reminders.rearm(action)
        action.save()
        note = ActionNote.objects.create(
            action=action, author=by, text=f"Recorded and given to {_name(owner)}."
        )
        if owner.pk != by.pk:
            queue_after_commit(send_action_assigned, note.pk)
    return action


def action_update(
    *,
    action: Action,
    by: User,
    note: str,
    status: str | None = None,
    due_date: datetime.date | None = None,
    owner: User | None = None,
    seen_status: str | None = None,
) -> ActionNote:
    """Record progress on an action: a note always, and a change of status, due date or owner.

    `status` is the status to move to (None: no change), through the FSM transition that
    leads there. `seen_status` is the status the person saw when they began (the form sends
    it back); if it or the row in the database has moved on since, `ActionChanged` is raised
    and nothing is saved. Only the group's chairs and the secretariat may change the due date
    or the owner.
    """
    from hscb.tasks import send_action_assigned

    note = note.strip()
    if not note:
        raise ValidationError({"note": "Enter a progress note"})
    if seen_status is not None and seen_status != action.status:
        raise ActionChanged(action.status)
    new_due = due_date if due_date is not None and due_date != action.due_date else None
    new_owner = owner if owner is not None and owner.pk != action.owner_id else None
    if (new_due or new_owner) and not by.has_perm("hscb.reassign_action", action):
        raise PermissionDenied("Only the group's chair and the secretariat can do this.")
    if new_due is not None:
        check_due_date(new_due)
    if new_owner is not None:
        check_owner(new_owner)
    if status == action.status:
        status = None
    if status is not None and status not in TRANSITIONS.get(action.status, {}):
        current = ActionStatus(action.status).label.lower()
        raise ValidationError({"status": f"An action that is {current} cannot be moved to that"})

    lines = [note]
    status_from = status_to = ""
    # Only the fields changed here are written: the daily reminder run may have moved the
    # ladder since the action was read, and a full save would put back the rung it sent. The
    # status is always written (unchanged, it is the value the row must still hold), so that a
    # stale status is caught even when nothing else changes.
    changed = {"status"}
    try:
        with transaction.atomic():
            if status is not None:
                status_from = action.status
                getattr(action, TRANSITIONS[action.status][status])()
                status_to = action.status
                changed.add("completed_on")
            if new_due is not None:
                lines.append(
                    f"Due date changed from {_long_date(action.due_date)} to {_long_date(new_due)}."
                )
                action.due_date = new_due
                changed.add("due_date")
            if new_owner is not None:
                lines.append(f"Owner changed from {_name(action.owner)} to {_name(new_owner)}.")
                action.owner = new_owner
                changed.add("owner")
            if action.status in CLOSED_STATUSES:
                reminders.stop(action)
                changed.update(STOPPED_FIELDS)
            elif new_due is not None or new_owner is not None or status_from in CLOSED_STATUSES:
                reminders.rearm(action)
                changed.update(REARMED_FIELDS)
            action.save(update_fields=sorted(changed))
            written = ActionNote.objects.create(
                action=action,
                author=by,
                text="\n\n".join(lines),
                status_from=status_from,
                status_to=status_to,
            )
            if new_owner is not None and new_owner.pk != by.pk:
                queue_after_commit(send_action_assigned, written.pk)
    except ConcurrentTransition:
        current = Action.objects.filter(pk=action.pk).values_list("status", flat=True).first()
        action.refresh_from_db()
        raise ActionChanged(current or action.status) from None
    return written


def action_admin_change(
    *,
    action: Action,
    by: User,
    due_date: datetime.date,
    owner: User,
) -> Action:
    """Save a change made in the admin. The wording (`ADMIN_WORDING`) is saved as it is; a new
    due date or owner goes through `action_update` (re-armed reminders, a note, the new owner
    told). Nothing else is written, so the reminder run's and chasers' changes made since the
    page was read are kept."""
    original = Action.objects.get(pk=action.pk)
    with transaction.atomic():
        action.save(update_fields=ADMIN_WORDING)
        if due_date == original.due_date and owner.pk == original.owner_id:
            return action
        action.due_date = original.due_date
        action.owner_id = original.owner_id
        action_update(action=action, by=by, note=ADMIN_NOTE, due_date=due_date, owner=owner)
    return action


def action_chase(*, action: Action, by: User, today: datetime.date | None = None) -> bool:
    """Send the owner a nudge from the chair: at most once a day per action. Returns False when
    the action was already chased today (nothing is sent)."""
    from hscb.tasks import send_action_chase

    if not action.is_open:
        raise ValidationError("Only an open action can be chased.")
    today = today or timezone.localdate()
    with transaction.atomic():
        claimed = (
            Action.objects.filter(pk=action.pk, status__in=OPEN_STATUSES)
            .exclude(last_chased_on=today)
            .update(last_chased_on=today)
        )
        if not claimed:
            return False
        action.last_chased_on = today
        note = ActionNote.objects.create(action=action, author=by, text=f"Chased by {_name(by)}.")
        queue_after_commit(send_action_chase, note.pk)
    return True


# Emails, sent from tasks ----------------------------------------------------------------------


def _link(action: Action) -> str:
    return settings.SITE_URL + action.get_absolute_url()


def _email_note(
    sendable: QuerySet[ActionNote],
    note_pk: int,
    template: str,
    context: Callable[[ActionNote], dict[str, object]],
) -> bool:
    """Email the action's owner about a note, at most once: the note is claimed (`emailed_at`)
    with a conditional update first, so a second run of the task finds it taken and sends
    nothing. `sendable` holds the conditions for sending. If the email cannot be sent, the
    claim is given back and the error re-raised, so the task's retry sends it."""
    claimed_at = timezone.now()
    # `emailed_at` is tested on the updated row itself (the conditions on the action and its
    # owner go in a subquery), so a run that waits for another's claim re-checks it and stops.
    claimed = ActionNote.objects.filter(
        pk=note_pk, emailed_at=None, pk__in=sendable.values("pk")
    ).update(emailed_at=claimed_at)
    if not claimed:
        return False
    try:
        note = ActionNote.objects.select_related(
            "author", "action__group", "action__meeting__group", "action__owner"
        ).get(pk=note_pk)
        owner = note.action.owner
        send_templated_email(
            template,
            to=[owner.email],
            context={
                "user": owner,
                "action": note.action,
                "link": _link(note.action),
                **context(note),
            },
        )
    except Exception:
        ActionNote.objects.filter(pk=note_pk, emailed_at=claimed_at).update(emailed_at=None)
        raise
    return True


def action_assigned_send(*, note_pk: int) -> bool:
    """Tell the owner the action is theirs, and who gave it to them (the note's author). Sends
    at most once per note; returns whether it sent.

    The email goes to whoever owns the action when it is sent. Nothing is sent for an action
    closed meanwhile, to an owner whose account is closed, or when the action has since gone
    back to the note's author (who needs no telling).
    """
    sendable = ActionNote.objects.filter(
        action__status__in=OPEN_STATUSES, action__owner__is_active=True
    ).exclude(action__owner=F("author"))
    return _email_note(sendable, note_pk, "action_assigned", lambda note: {"by": note.author})


def action_chase_send(*, note_pk: int) -> bool:
    """Email the owner the chair's nudge (the note's author is the chaser). Sends at most once
    per note; returns whether it sent. Nothing is sent for an action closed meanwhile or to an
    owner whose account is closed."""
    sendable = ActionNote.objects.filter(
        action__status__in=OPEN_STATUSES, action__owner__is_active=True
    )
    return _email_note(
        sendable,
        note_pk,
        "action_chased",
        lambda note: {"chaser": note.author, "overdue": note.action.is_overdue()},
    )
