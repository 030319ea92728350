"""Reads about meetings, scoped to the person asking, each in a fixed number of queries."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from hscb.lib.uploads import DOCUMENT_TYPES, extension
from hscb.models import (
    Action,
    AgendaItem,
    Attendance,
    AttendanceStatus,
    Group,
    Meeting,
    MeetingStatus,
    Paper,
    User,
)
from hscb.rules import roles_of


def groups_for_forward_plan(user: User) -> QuerySet[Group]:
    """The groups whose meetings the user follows: all active groups for the secretariat; for
    the board chair, all but those that handle children's personal records (unless they sit on
    one); the groups they sit on for everyone else. As `hscb.see_meeting` has it."""
    roles = roles_of(user)
    groups = Group.objects.active()
    if not roles.is_secretariat:
        followed = Q(pk__in=roles.member_group_ids)
        if roles.is_board_chair:
            followed |= Q(handles_child_records=False)
        groups = groups.filter(followed)
    return groups.order_by("order", "name")


def _agenda_prefetch() -> Prefetch:
    items = AgendaItem.objects.select_related("presenter").order_by("order", "pk")
    return Prefetch("items", queryset=items, to_attr="agenda")


def forward_plan(
    user: User, *, past: bool = False, group: Group | None = None, now=None
) -> QuerySet[Meeting]:
    """Coming meetings (scheduled, not ended; soonest first) or past ones (ended or cancelled;
    latest first) of the groups the user follows, each with its agenda."""
    now = now or timezone.now()
    meetings = Meeting.objects.filter(group__in=groups_for_forward_plan(user))
    if group is not None:
        meetings = meetings.filter(group=group)
    if past:
        meetings = meetings.filter(Q(ends_at__lt=now) | Q(status=MeetingStatus.CANCELLED)).order_by(
            "-starts_at", "-pk"
        )
    else:
        meetings = meetings.filter(status=MeetingStatus.SCHEDULED, ends_at__gte=now).order_by(
            "starts_at", "pk"
        )
    return meetings.select_related("group").prefetch_related(_agenda_prefetch())


def plan_times(meeting: Meeting, items: list[AgendaItem]) -> datetime.datetime | None:
    """Give each item its `planned_start`: the meeting's start plus the time allotted to the
    items before it (None once an item has no time allotted). Returns when the agenda ends."""
    clock: datetime.datetime | None = meeting.starts_at
    for item in items:
        item.planned_start = clock
        if clock is not None and item.minutes_allotted:
            clock += datetime.timedelta(minutes=item.minutes_allotted)
        else:
            clock = None
    return clock


def with_times(meetings: list[Meeting]) -> list[Meeting]:
    """Planned start times for the agendas of meetings from `forward_plan`."""
    for meeting in meetings:
        plan_times(meeting, meeting.agenda)
    return meetings


def get_meeting_for_user(user: User, pk: int, *, manage: bool = False) -> Meeting:
    """The meeting, or 404 if the user may not see it, or 403 if they may see it but `manage`
    is asked and they may not manage meetings."""
    meeting = Meeting.objects.select_related("group").filter(pk=pk).first()
    if meeting is None or not user.has_perm("hscb.see_meeting", meeting):
        raise Http404("No such meeting.")
    if manage and not user.has_perm("hscb.manage_meetings", meeting):
        raise PermissionDenied("Only the board's business unit manages meetings.")
    return meeting


def get_item_for_user(user: User, pk: int, item_pk: int) -> tuple[Meeting, AgendaItem]:
    """A meeting's agenda item, for managing: 404 for an item of another meeting."""
    meeting = get_meeting_for_user(user, pk, manage=True)
    item = AgendaItem.objects.filter(meeting=meeting, pk=item_pk).first()
    if item is None:
        raise Http404("No such agenda item.")
    item.meeting = meeting
    return meeting, item


def get_paper_for_user(user: User, pk: int) -> Paper:
    paper = Paper.objects.select_related("item__meeting__group").filter(pk=pk).first()
    if paper is None or not user.has_perm("hscb.see_meeting", paper.item.meeting):
        raise Http404("No such paper.")
    return paper


def agenda_of(meeting: Meeting) -> list[AgendaItem]:
    """The meeting's items in order, with presenters, papers (`paper_list`), linked records and
    planned start times."""
    items = list(
        AgendaItem.objects.filter(meeting=meeting)
        .select_related("presenter")
        .prefetch_related(
            Prefetch(
                "papers", queryset=Paper.objects.order_by("uploaded_at", "pk"), to_attr="paper_list"
            ),
            "linked",
        )
        .order_by("order", "pk")
    )
    for item in items:
        item.meeting = meeting
        for paper in item.paper_list:
            paper.kind = DOCUMENT_TYPES.get(extension(paper.original_name), ("Document",))[0]
    plan_times(meeting, items)
    return items


def attendance_of(meeting: Meeting) -> list[Attendance]:
    return list(
        Attendance.objects.filter(meeting=meeting).select_related(
            "person", "agency", "substitute_for"
        )
    )


@dataclass
class MeetingPage:
    meeting: Meeting
    items: list[AgendaItem]
    agenda_ends: datetime.datetime | None
    attendance: list[Attendance]
    actions: list[Action]
    overlaps: list[Meeting]
    papers: int = 0
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def runs_over(self) -> bool:
        return self.agenda_ends is not None and self.agenda_ends > self.meeting.ends_at

    @property
    def present(self) -> list[Attendance]:
        return [a for a in self.attendance if a.status == AttendanceStatus.PRESENT]

    @property
    def apologies(self) -> list[Attendance]:
        return [a for a in self.attendance if a.status == AttendanceStatus.APOLOGIES]

    @property
    def has_minutes(self) -> bool:
        return any(item.minutes or item.decisions for item in self.items)


def meeting_page(meeting: Meeting) -> MeetingPage:
    """Everything the meeting's page shows, in a fixed number of queries."""
    items = agenda_of(meeting)
    ends = plan_times(meeting, items) if items else None
    attendance = attendance_of(meeting)
    actions = list(
        Action.objects.filter(meeting=meeting).select_related("owner").order_by("due_date", "pk")
    )
    overlaps = []
    if meeting.status != MeetingStatus.CANCELLED:
        overlaps = list(Meeting.objects.overlapping(meeting).select_related("group"))
    page = MeetingPage(
        meeting=meeting,
        items=items,
        agenda_ends=ends,
        attendance=attendance,
        actions=actions,
        overlaps=overlaps,
    )
    page.papers = sum(len(item.paper_list) for item in items)
    page.counts = {
        status: sum(1 for a in attendance if a.status == status)
        for status in AttendanceStatus.values
    }
    return page
