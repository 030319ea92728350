"""Reads of actions, scoped to the person asking. List pages run a fixed number of queries."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Count, DateField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, TruncDate
from django.http import Http404, QueryDict
from django.utils import timezone

from hscb.filters import GroupActionFilter, MyActionFilter
from hscb.lib.reminders import describe_rung
from hscb.models import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    Action,
    ActionNote,
    ActionStatus,
    Group,
    Meeting,
    Membership,
    SentReminder,
    User,
)
from hscb.selectors.people import person_label

# "Your actions" lists actions done or cancelled within this many days.
RECENTLY_CLOSED = datetime.timedelta(days=90)
# "Your actions" shows open ones this many a page, and this many of the recently closed.
MY_ACTIONS_PER_PAGE = 50
CLOSED_SHOWN = 50
GROUP_ACTIONS_PER_PAGE = 25


def _with_relations(queryset: QuerySet[Action]) -> QuerySet[Action]:
    return queryset.select_related("group", "meeting__group", "agenda_item", "owner__agency")


def _closed_at() -> Subquery:
    """When the action last moved to done or cancelled (every move leaves a note)."""
    return Subquery(
        ActionNote.objects.filter(action=OuterRef("pk"), status_to__in=CLOSED_STATUSES)
        .order_by("-written_at", "-pk")
        .values("written_at")[:1]
    )


def mark_due(action: Action, today: datetime.date) -> Action:
    """Give the action what its row on a page shows: overdue or not, by how many days."""
    action.overdue = action.is_overdue(today)
    action.days_late = (today - action.due_date).days
    action.days_left = (action.due_date - today).days
    return action


def get_action_for_user(user: User, pk: int, *, perm: str | None = None) -> Action:
    """The action, or 404 if the user may not see it, or 403 if they may see it but `perm`
    (e.g. "hscb.update_action") is not theirs."""
    action = _with_relations(Action.objects.filter(pk=pk)).select_related("created_by").first()
    if action is None or not user.has_perm("hscb.see_action", action):
        raise Http404("No such action.")
    if perm and not user.has_perm(perm, action):
        raise PermissionDenied("You cannot do this with this action.")
    return mark_due(action, timezone.localdate())


def get_meeting_for_new_action(user: User, pk: int) -> Meeting:
    """The meeting to record an action of: 404 if the user may not see the meeting, 403 if
    they may see it but not add actions to it (only the secretariat and its group's chair)."""
    meeting = (
        Meeting.objects.select_related("group").prefetch_related("items").filter(pk=pk).first()
    )
    if meeting is None or not user.has_perm("hscb.see_meeting", meeting):
        raise Http404("No such meeting.")
    if not user.has_perm("hscb.add_action", meeting):
        raise PermissionDenied("Only the group's chair and the secretariat can add actions.")
    return meeting


def owner_choices(group: Group, *, include: User | None = None) -> list:
    """Who the owner select offers for an action of `group`: its current members, and
    `include` (the current owner, whose account may be closed). Anyone else with an open
    account is found by the field's search (`PersonField`), so the page does not grow with the
    number of accounts."""
    people = Q(
        is_active=True,
        pk__in=Membership.objects.current().filter(group=group).values("user_id"),
    )
    if include is not None:
        people |= Q(pk=include.pk)
    members = User.objects.filter(people).select_related("agency")
    choices: list = [("", "Choose a person")]
    options = [(u.pk, person_label(u)) for u in members.order_by("last_name", "first_name", "pk")]
    if options:
        choices.append((f"Members of the {group.name}", options))
    return choices


# "Your actions" ---------------------------------------------------------------------------------


@dataclass
class MyActions:
    filterset: MyActionFilter
    page: Page | None = None  # a page of the open actions, by due date
    overdue: list[Action] = field(default_factory=list)  # those of the page
    current: list[Action] = field(default_factory=list)
    closed: list[Action] = field(default_factory=list)  # the latest CLOSED_SHOWN
    overdue_count: int = 0
    current_count: int = 0
    closed_count: int = 0

    @property
    def total(self) -> int:
        return self.overdue_count + self.current_count + self.closed_count


def my_actions(
    user: User,
    data: QueryDict | None,
    *,
    today: datetime.date | None = None,
    page_number: str | None = None,
):
    """The user's own actions: overdue, open or in progress (a page of them, by due date),
    and the latest done or cancelled in the last 90 days; with a count of each. A fixed number
    of queries, and rows read a page at a time."""
    today = today or timezone.localdate()
    filterset = MyActionFilter(data, queryset=_with_relations(Action.objects.filter(owner=user)))
    actions = filterset.qs
    cutoff = today - RECENTLY_CLOSED
    cutoff_at = timezone.make_aware(datetime.datetime.combine(cutoff, datetime.time.min))
    closed = (
        actions.filter(status__in=CLOSED_STATUSES)
        .annotate(closed_at=_closed_at())
        .filter(Q(status=ActionStatus.DONE, completed_on__gte=cutoff) | Q(closed_at__gte=cutoff_at))
    )
    counts = actions.aggregate(
        overdue=Count("pk", filter=Q(status__in=OPEN_STATUSES, due_date__lt=today)),
        current=Count("pk", filter=Q(status__in=OPEN_STATUSES, due_date__gte=today)),
    )
    result = MyActions(
        filterset=filterset,
        overdue_count=counts["overdue"],
        current_count=counts["current"],
        closed_count=closed.count(),
    )
    open_actions = actions.filter(status__in=OPEN_STATUSES).order_by("due_date", "pk")
    result.page = Paginator(open_actions, MY_ACTIONS_PER_PAGE).get_page(page_number)
    for action in result.page.object_list:
        mark_due(action, today)
        (result.overdue if action.overdue else result.current).append(action)
    latest = closed.annotate(
        closed_day=Coalesce("completed_on", TruncDate("closed_at"), output_field=DateField())
    ).order_by("-closed_day", "-pk")[:CLOSED_SHOWN]
    for action in latest:
        action.closed_on = action.closed_day
        result.closed.append(mark_due(action, today))
    return result


# A group's actions ------------------------------------------------------------------------------


@dataclass
class GroupActions:
    group: Group
    filterset: GroupActionFilter
    page: Page
    open_count: int
    overdue_count: int
    can_chase: bool


def get_group_for_actions(user: User, slug: str) -> Group:
    """The group, if the user may see its business; 404 otherwise. As for the group's own page
    (`hscb.selectors.board.get_group_for_user`), an inactive group is seen only by the
    secretariat; its members and objectives are not loaded, as the list does not show them."""
    group = Group.objects.filter(slug=slug).first()
    if (
        group is None
        or not user.has_perm("hscb.see_group", group)
        or not user.has_perm("hscb.see_group_business", group)
    ):
        raise Http404("No such group.")
    return group


def group_actions(
    user: User,
    group: Group,
    data: QueryDict | None,
    *,
    page_number: str | int | None = None,
    today: datetime.date | None = None,
) -> GroupActions:
    """A group's actions, filtered, by due date, 25 to a page, with counts of open and overdue
    actions. A fixed number of queries, whatever the number of actions and owners."""
    today = today or timezone.localdate()
    counts = Action.objects.filter(group=group).aggregate(
        open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        overdue=Count("pk", filter=Q(status__in=OPEN_STATUSES, due_date__lt=today)),
    )
    filterset = GroupActionFilter(
        data,
        queryset=_with_relations(Action.objects.filter(group=group)),
        group=group,
    )
    actions = filterset.qs.order_by("due_date", "pk")
    page = Paginator(actions, GROUP_ACTIONS_PER_PAGE).get_page(page_number)
    for action in page.object_list:
        mark_due(action, today)
    return GroupActions(
        group=group,
        filterset=filterset,
        page=page,
        open_count=counts["open"],
        overdue_count=counts["overdue"],
        can_chase=user.has_perm("hscb.chase_action", group),
    )


# One action -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReminderSent:
    sent_at: datetime.datetime
    recipient: User
    when: str


def action_notes(action: Action) -> list[ActionNote]:
    """The action's notes, newest first, with their authors."""
    return list(action.notes.select_related("author").order_by("-written_at", "-pk"))


def action_reminders(action: Action) -> list[ReminderSent]:
    """The reminder emails that listed the action, newest first."""
    rows = (
        SentReminder.objects.filter(
            content_type=ContentType.objects.get_for_model(Action), object_id=action.pk
        )
        .select_related("recipient")
        .order_by("-sent_at", "-pk")
    )
    return [ReminderSent(r.sent_at, r.recipient, describe_rung(r.rung)) for r in rows]
