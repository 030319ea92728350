"""Writes to actions: creating one, updating its status, due date or owner, and chasing it.

Every change of status goes through the action's FSM transition; `ConcurrentTransitionMixin`
refuses a save when someone else moved the action since it was read, and the whole update is
rolled back. Each update leaves a dated note; changes of due date or owner re-arm the reminder
ladder, and closing an action stops it.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import dateformat, timezone
from django_fsm import ConcurrentTransition

from hscb.lib import reminders
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
    User,
)
from hscb.services.board import _queue

# How far ahead a due date may be set: further than this is almost certainly a typing slip.
LATEST_DUE_DATE = datetime.timedelta(days=5 * 366)
ADMIN_NOTE = "Changed in the administration pages."

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
    """The meeting is the group's, and the agenda item is on that meeting's agenda."""
    if meeting is not None and meeting.group_id != group.pk:
        raise ValidationError({"meeting": "Choose a meeting of the action's own group"})
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
    """Record a new action, arm its reminder ladder and tell the owner it is theirs (unless
    they are the one recording it)."""
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
        if owner.pk != by.pk:
            _queue(send_action_assigned, action.pk, owner.pk, by.pk)
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
    try:
        with transaction.atomic():
            if status is not None:
                status_from = action.status
                getattr(action, TRANSITIONS[action.status][status])()
                status_to = action.status
            if new_due is not None:
                lines.append(
                    f"Due date changed from {_long_date(action.due_date)} to {_long_date(new_due)}."
                )
                action.due_date = new_due
            if new_owner is not None:
                lines.append(f"Owner changed from {_name(action.owner)} to {_name(new_owner)}.")
                action.owner = new_owner
            if action.status in CLOSED_STATUSES:
                reminders.stop(action)
            elif new_due is not None or new_owner is not None or status_from in CLOSED_STATUSES:
                reminders.rearm(action)
            # Saved even with nothing changed, so that a stale status is caught here too.
            action.save()
            written = ActionNote.objects.create(
                action=action,
                author=by,
                text="\n\n".join(lines),
                status_from=status_from,
                status_to=status_to,
            )
            if new_owner is not None and new_owner.pk != by.pk:
                _queue(send_action_assigned, action.pk, new_owner.pk, by.pk)
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
    """Save a change made in the admin. A new due date or owner goes through `action_update`
    (re-armed reminders, a note, the new owner told); other fields are saved as they are."""
    original = Action.objects.get(pk=action.pk)
    if due_date == original.due_date and owner.pk == original.owner_id:
        action.save()
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
        ActionNote.objects.create(action=action, author=by, text=f"Chased by {_name(by)}.")
        _queue(send_action_chase, action.pk, by.pk)
    return True


# Emails, sent from tasks ----------------------------------------------------------------------


def _link(action: Action) -> str:
    return settings.SITE_URL + action.get_absolute_url()


def action_assigned_send(*, action_pk: int, owner_pk: int, by_pk: int | None = None) -> bool:
    """Tell the owner the action is theirs, and who gave it to them. Nothing is sent if the
    action has since gone to someone else, or the owner's account is closed."""
    action = (
        Action.objects.select_related("group", "meeting__group", "owner")
        .filter(pk=action_pk, owner_id=owner_pk, owner__is_active=True)
        .first()
    )
    if action is None:
        return False
    send_templated_email(
        "action_assigned",
        to=[action.owner.email],
        context={
            "user": action.owner,
            "action": action,
            "by": User.objects.filter(pk=by_pk).first() if by_pk else None,
            "link": _link(action),
        },
    )
    return True


def action_chase_send(*, action_pk: int, chaser_pk: int) -> bool:
    """Email the owner the chair's nudge. Nothing is sent for an action closed meanwhile."""
    action = (
        Action.objects.select_related("group", "meeting__group", "owner")
        .filter(pk=action_pk, status__in=OPEN_STATUSES, owner__is_active=True)
        .first()
    )
    chaser = User.objects.filter(pk=chaser_pk).first()
    if action is None or chaser is None:
        return False
    send_templated_email(
        "action_chased",
        to=[action.owner.email],
        context={
            "user": action.owner,
            "action": action,
            "chaser": chaser,
            "link": _link(action),
            "overdue": action.is_overdue(),
        },
    )
    return True
