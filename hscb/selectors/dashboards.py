"""Reads for the chairs' dashboards: the board chair's across the board, each chair's for their
group. Every figure is counted by the database (aggregates with filters), so a dashboard runs
the same number of queries however many meetings, actions and priorities there are.

Charts are described here as data (`Chart`): the template `hscb/partials/chart.html` draws the
figure and the table with the same numbers, and `static/js/charts.js` draws the canvas from
`Chart.as_json()`.

Later issues add panels (registers, escalations, statutory clocks) with `register_panel`: the
board core imports no app, so each app registers its own loader when it is ready.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.db.models import Case, Count, Q, QuerySet, When
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from hscb.models import (
    OPEN_STATUSES,
    RAG_MEANING,
    Action,
    ActionStatus,
    AttendanceStatus,
    BusinessPlan,
    Group,
    Meeting,
    MeetingStatus,
    Priority,
    Rag,
    User,
)
from hscb.selectors.board import get_group_for_user
from hscb.selectors.plan import business_year

# How much each dashboard shows. Lists give the full count beside the rows they show.
NEXT_MEETINGS_BOARD = 8
NEXT_MEETINGS_GROUP = 5
OVERDUE_LIST_BOARD = 10
ACTION_LIST_GROUP = 20
DUE_SOON = datetime.timedelta(days=14)
DONE_RECENTLY = datetime.timedelta(days=90)
ATTENDANCE_MEETINGS = 6
ATTENDANCE_WINDOW = datetime.timedelta(days=365)


# Charts -----------------------------------------------------------------------------------------

# Colour names the chart script knows: each is a GOV.UK palette colour, set as a CSS custom
# property (--app-chart-<name>) in static/scss/main.scss.
ChartColour = Literal["red", "amber", "green", "blue", "dark-blue", "grey"]


@dataclass(frozen=True)
class Series:
    """One set of bars: a column of the table."""

    label: str
    colour: ChartColour


@dataclass(frozen=True)
class Cell:
    """A table cell beside the charted figures; `tag` is a GOV.UK tag colour for a status."""

    text: str
    tag: str = ""


@dataclass(frozen=True)
class Row:
    """One category: a bar (or a slice), and a row of the table.

    `colour` colours this category's bar or slice when the chart has a single series (a chart
    by status); otherwise each series has its own colour.
    """

    label: str
    values: tuple[int, ...]
    url: str = ""
    colour: ChartColour | None = None
    extras: tuple[Cell, ...] = ()


@dataclass(frozen=True)
class Chart:
    """A chart and the table that carries the same figures, for `hscb/partials/chart.html`."""

    id: str
    kind: Literal["bar", "doughnut"]
    title: str
    label_header: str
    series: tuple[Series, ...]
    rows: tuple[Row, ...]
    extra_headers: tuple[str, ...] = ()
    horizontal: bool = False
    stacked: bool = False
    # The table beside the chart on wide screens; otherwise below it.
    beside: bool = True
    empty_text: str = "Nothing to show yet."

    @property
    def json_id(self) -> str:
        return f"{self.id}-data"

    @property
    def has_data(self) -> bool:
        return any(any(row.values) for row in self.rows)

    @property
    def summary(self) -> str:
        """What the chart shows, in words, for its aria-label: every figure it draws."""
        shape = {
            ("bar", False): "Bar chart",
            ("bar", True): "Stacked bar chart",
            ("doughnut", False): "Doughnut chart",
        }[self.kind, self.stacked and self.kind == "bar"]
        parts = []
        for row in self.rows:
            if len(self.series) == 1:
                parts.append(f"{row.label}: {row.values[0]}")
            else:
                figures = ", ".join(
                    f"{value} {s.label.lower()}"
                    for s, value in zip(self.series, row.values, strict=True)
                )
                parts.append(f"{row.label}: {figures}")
        return f"{shape}, {self.title}. {'; '.join(parts)}."

    def as_json(self) -> dict[str, object]:
        """What static/js/charts.js needs to draw the chart (give it to `json_script`)."""
        single = len(self.series) == 1
        return {
            "kind": self.kind,
            "horizontal": self.horizontal,
            "stacked": self.stacked,
            "labels": [row.label for row in self.rows],
            "datasets": [
                {
                    "label": s.label,
                    "data": [row.values[i] for row in self.rows],
                    "colours": [
                        (row.colour if single and row.colour else s.colour) for row in self.rows
                    ],
                }
                for i, s in enumerate(self.series)
            ],
        }


def status_chart(
    *,
    id: str,
    title: str,
    noun: str,
    statuses: tuple[tuple[str, str, ChartColour], ...],
    counts: Mapping[str, int],
    list_url: str,
    empty_text: str,
    horizontal: bool = False,
) -> Chart:
    """Records by status: a bar a status (`statuses` holds each one's value, label and colour),
    each linking to the list filtered by it; `noun` heads the figures ("Cases")."""
    return Chart(
        id=id,
        kind="bar",
        title=title,
        label_header="Status",
        series=(Series(noun, "blue"),),
        rows=tuple(
            Row(label, (counts.get(value, 0),), url=f"{list_url}?status={value}", colour=colour)
            for value, label, colour in statuses
        ),
        horizontal=horizontal,
        empty_text=empty_text,
    )


# Panels added by later issues ---------------------------------------------------------------


@dataclass(frozen=True)
class Panel:
    """A section of a dashboard drawn by `template` with `data` (passed to it as `panel`)."""

    key: str
    title: str
    template: str
    data: object = None


BoardPanelLoader = Callable[[User, datetime.date], Panel | None]
GroupPanelLoader = Callable[[User, Group, datetime.date], Panel | None]
_board_panels: dict[str, BoardPanelLoader] = {}
_group_panels: dict[str, GroupPanelLoader] = {}


def register_panel(
    *,
    key: str,
    board: BoardPanelLoader | None = None,
    group: GroupPanelLoader | None = None,
) -> None:
    """Add a panel to the board dashboard, the group dashboards, or both.

    A loader returns the panel for this user (or None to show nothing: a panel with nothing
    for this person is left out, never shown empty), and must run a fixed number of queries.
    Registering the same key again replaces the loader, so an app's `ready()` may run twice.
    """
    if board is not None:
        _board_panels[key] = board
    if group is not None:
        _group_panels[key] = group


def unregister_panel(key: str) -> None:
    _board_panels.pop(key, None)
    _group_panels.pop(key, None)


def _board_extra_panels(user: User, today: datetime.date) -> list[Panel]:
    panels = (loader(user, today) for loader in _board_panels.values())
    return [p for p in panels if p is not None]


def _group_extra_panels(user: User, group: Group, today: datetime.date) -> list[Panel]:
    panels = (loader(user, group, today) for loader in _group_panels.values())
    return [p for p in panels if p is not None]


# Shared reads ---------------------------------------------------------------------------------


def _current_plans(today: datetime.date) -> QuerySet[BusinessPlan]:
    """Plans, the current one first: as the plan page chooses it (`current_plan`), the plan for
    this business year or else the latest, in one query."""
    this_year = Case(When(year=business_year(today), then=1), default=0)
    return BusinessPlan.objects.annotate(is_this_year=this_year).order_by("-is_this_year", "-year")


def _plan_with_rag_counts(today: datetime.date) -> BusinessPlan | None:
    """The current plan, with its priorities counted by rating."""
    return (
        _current_plans(today)
        .annotate(
            red=Count("priorities", filter=Q(priorities__rag=Rag.RED)),
            amber=Count("priorities", filter=Q(priorities__rag=Rag.AMBER)),
            green=Count("priorities", filter=Q(priorities__rag=Rag.GREEN)),
            not_assessed=Count("priorities", filter=Q(priorities__rag="")),
        )
        .first()
    )


def _days_overdue(actions: list[Action], today: datetime.date) -> list[Action]:
    for action in actions:
        action.days_overdue = (today - action.due_date).days
    return actions


def _quorate_cell(quorate: bool | None) -> Cell:
    if quorate is None:
        return Cell("Not recorded", "grey")
    return Cell("Quorate", "green") if quorate else Cell("Not quorate", "red")


# The board dashboard ------------------------------------------------------------------------


@dataclass
class BoardDashboard:
    today: datetime.date
    next_meetings: list[Meeting]
    actions_chart: Chart
    open_total: int
    overdue_total: int
    overdue: list[Action]
    plan: BusinessPlan | None
    plan_chart: Chart | None
    red_priorities: list[Priority]
    attendance_chart: Chart
    # Overdue actions counted but not listed, and the groups whose meetings and actions are not
    # named: those handling children's personal records that the user does not sit on.
    overdue_unlisted: int = 0
    unlisted_groups: list[Group] = field(default_factory=list)
    panels: list[Panel] = field(default_factory=list)

    @property
    def overdue_listable(self) -> int:
        """How many overdue actions the list could show: those of the groups it names."""
        return self.overdue_total - self.overdue_unlisted


def board_dashboard_for_user(user: User, *, now: datetime.datetime | None = None) -> BoardDashboard:
    """The board chair's view across all active groups; 403 for anyone else. Every group's
    actions and meetings are counted, but only those of groups whose business the user may see
    are listed by name (`hscb.see_group_business`)."""
    if not user.has_perm("hscb.see_board_dashboard"):
        raise PermissionDenied("The board dashboard is for the board's chair and secretariat.")
    now = now or timezone.now()
    today = timezone.localdate(now)

    # Counted from the live actions alone (an index holds them), not joined to years of done.
    counts = {
        row["group_id"]: row
        for row in Action.objects.filter(status__in=OPEN_STATUSES)
        .values("group_id")
        .annotate(live=Count("id"), overdue=Count("id", filter=Q(due_date__lt=today)))
        .order_by()
    }
    groups = list(Group.objects.active().order_by("order", "name"))
    for g in groups:
        row = counts.get(g.pk, {})
        g.open_actions, g.overdue_actions = row.get("live", 0), row.get("overdue", 0)
    # Every group is counted, but only the groups whose business the user may see have their
    # meetings and actions named: not those handling children's personal records, for anyone
    # but their members and the secretariat.
    listed_ids = {g.pk for g in groups if user.has_perm("hscb.see_group_business", g)}
    unlisted = [g for g in groups if g.pk not in listed_ids]

    next_meetings = list(
        Meeting.objects.upcoming(now)
        .filter(group_id__in=listed_ids)
        .select_related("group")[:NEXT_MEETINGS_BOARD]
    )
    actions_chart = Chart(
        id="board-actions",
        kind="bar",
        title="Open and overdue actions by group",
        label_header="Group",
        series=(Series("Open", "blue"), Series("Overdue", "red")),
        rows=tuple(
            Row(
                g.name,
                (g.open_actions, g.overdue_actions),
                url=(
                    reverse("group_dashboard", kwargs={"slug": g.slug})
                    if user.has_perm("hscb.see_group_dashboard", g)
                    else ""
                ),
            )
            for g in groups
        ),
        horizontal=True,
        empty_text="No group has an open action.",
    )
    overdue = _days_overdue(
        list(
            Action.objects.overdue(today)
            .filter(group_id__in=listed_ids)
            .select_related("group", "owner")
            .order_by("due_date", "pk")[:OVERDUE_LIST_BOARD]
        ),
        today,
    )

    plan = _plan_with_rag_counts(today)
    plan_chart = None
    red_priorities: list[Priority] = []
    if plan is not None:
        plan_chart = _rag_chart(plan)
        red_priorities = list(
            plan.priorities.filter(rag=Rag.RED)
            .select_related("owner")
            .prefetch_related("groups")
            .order_by("number", "pk")
        )

    held = Q(
        meetings__status=MeetingStatus.HELD,
        meetings__starts_at__gte=now - ATTENDANCE_WINDOW,
        meetings__starts_at__lte=now,
    )
    attendance = (
        Group.objects.active()
        .annotate(
            held=Count("meetings", filter=held),
            quorate=Count("meetings", filter=held & Q(meetings__quorate=True)),
            not_quorate=Count("meetings", filter=held & Q(meetings__quorate=False)),
            unrecorded=Count("meetings", filter=held & Q(meetings__quorate__isnull=True)),
        )
        .order_by("order", "name")
    )
    attendance_chart = Chart(
        id="board-quorum",
        kind="bar",
        title="Meetings held in the last 12 months, quorate or not, by group",
        label_header="Group",
        series=(
            Series("Quorate", "green"),
            Series("Not quorate", "red"),
            Series("Quorum not recorded", "grey"),
        ),
        rows=tuple(
            Row(
                g.name,
                (g.quorate, g.not_quorate, g.unrecorded),
                extras=(Cell(str(g.held)),),
            )
            for g in attendance
        ),
        extra_headers=("Meetings held",),
        horizontal=True,
        stacked=True,
        beside=False,
        empty_text="No group has held a meeting in the last 12 months.",
    )

    return BoardDashboard(
        today=today,
        next_meetings=next_meetings,
        actions_chart=actions_chart,
        open_total=sum(g.open_actions for g in groups),
        overdue_total=sum(g.overdue_actions for g in groups),
        overdue=overdue,
        overdue_unlisted=sum(g.overdue_actions for g in unlisted),
        unlisted_groups=unlisted,
        plan=plan,
        plan_chart=plan_chart,
        red_priorities=red_priorities,
        attendance_chart=attendance_chart,
        panels=_board_extra_panels(user, today),
    )


def _rag_chart(plan: BusinessPlan) -> Chart:
    return Chart(
        id="plan-progress",
        kind="doughnut",
        title=f"Progress of the priorities of the business plan {plan.period}",
        label_header="Progress",
        series=(Series("Priorities", "grey"),),
        rows=(
            *(
                Row(
                    rag.label,
                    (getattr(plan, rag.value),),
                    colour=rag.value,
                    extras=(Cell(RAG_MEANING[rag]),),
                )
                for rag in (Rag.RED, Rag.AMBER, Rag.GREEN)
            ),
            Row(
                "Not assessed", (plan.not_assessed,), colour="grey", extras=(Cell("No rating yet"),)
            ),
        ),
        extra_headers=("Meaning",),
        empty_text="The plan has no priorities yet.",
    )


# A group's dashboard --------------------------------------------------------------------------


@dataclass
class GroupDashboard:
    group: Group
    today: datetime.date
    next_meetings: list[Meeting]
    actions_chart: Chart
    overdue: list[Action]
    overdue_total: int
    due_soon: list[Action]
    due_soon_total: int
    due_soon_until: datetime.date
    attendance_chart: Chart
    plan: BusinessPlan | None
    priorities: list[Priority]
    can_chase: bool
    panels: list[Panel] = field(default_factory=list)


def group_dashboard_for_user(
    user: User, slug: str, *, now: datetime.datetime | None = None
) -> GroupDashboard:
    """A group's dashboard: 404 if the user may not see the group, 403 if they may see it but
    not its dashboard (only its chairs, the board chair and the secretariat may; the board chair
    not that of a group handling children's personal records, unless they sit on it)."""
    group = get_group_for_user(user, slug)
    if not user.has_perm("hscb.see_group_dashboard", group):
        raise PermissionDenied("A group's dashboard is for its chairs and the board's chair.")
    now = now or timezone.now()
    today = timezone.localdate(now)

    next_meetings = list(
        Meeting.objects.upcoming(now)
        .filter(group=group)
        .annotate(
            item_count=Count("items", distinct=True),
            paper_count=Count("items__papers", distinct=True),
        )[:NEXT_MEETINGS_GROUP]
    )

    actions = group.actions.all()
    counts = actions.aggregate(
        open=Count("pk", filter=Q(status=ActionStatus.OPEN, due_date__gte=today)),
        in_progress=Count("pk", filter=Q(status=ActionStatus.IN_PROGRESS, due_date__gte=today)),
        overdue=Count("pk", filter=Q(status__in=OPEN_STATUSES, due_date__lt=today)),
        done=Count(
            "pk", filter=Q(status=ActionStatus.DONE, completed_on__gte=today - DONE_RECENTLY)
        ),
        due_soon=Count(
            "pk",
            filter=Q(status__in=OPEN_STATUSES, due_date__gte=today, due_date__lte=today + DUE_SOON),
        ),
    )
    actions_chart = Chart(
        id="group-actions",
        kind="bar",
        title=f"Actions of the {group.name} by status",
        label_header="Status",
        series=(Series("Actions", "blue"),),
        rows=(
            Row("Open", (counts["open"],), colour="blue"),
            Row("In progress", (counts["in_progress"],), colour="dark-blue"),
            Row("Overdue", (counts["overdue"],), colour="red"),
            Row("Done in the last 90 days", (counts["done"],), colour="green"),
        ),
        empty_text="The group has no open actions and none done in the last 90 days.",
    )
    overdue = _days_overdue(
        list(
            actions.overdue(today)
            .select_related("owner")
            .order_by("due_date", "pk")[:ACTION_LIST_GROUP]
        ),
        today,
    )
    due_soon = list(
        actions.open()
        .filter(due_date__gte=today, due_date__lte=today + DUE_SOON)
        .select_related("owner")
        .order_by("due_date", "pk")[:ACTION_LIST_GROUP]
    )

    present = Q(attendance__status=AttendanceStatus.PRESENT)
    apologies = Q(attendance__status=AttendanceStatus.APOLOGIES)
    absent = Q(attendance__status=AttendanceStatus.ABSENT)
    held = list(
        Meeting.objects.filter(group=group, status=MeetingStatus.HELD, starts_at__lte=now)
        .annotate(
            present=Count("attendance", filter=present),
            apologies=Count("attendance", filter=apologies),
            absent=Count("attendance", filter=absent),
        )
        .order_by("-starts_at")[:ATTENDANCE_MEETINGS]
    )
    held.reverse()  # oldest first, so the chart reads left to right in time
    attendance_chart = Chart(
        id="group-attendance",
        kind="bar",
        title=(
            f"Attendance at the last {len(held)} meetings held"
            if len(held) > 1
            else "Attendance at the last meeting held"
        ),
        label_header="Meeting",
        series=(
            Series("Present", "green"),
            Series("Sent apologies", "amber"),
            Series("Absent", "red"),
        ),
        rows=tuple(
            Row(
                date_format(timezone.localtime(m.starts_at).date()),
                (m.present, m.apologies, m.absent),
                url=m.get_absolute_url(),
                extras=(_quorate_cell(m.quorate),),
            )
            for m in held
        ),
        extra_headers=("Quorate",),
        stacked=True,
        beside=False,
        empty_text="The group has not held a meeting with its attendance recorded yet.",
    )

    plan = _current_plans(today).first()
    priorities = []
    if plan is not None:
        priorities = list(
            Priority.objects.filter(plan=plan, groups=group)
            .select_related("owner")
            .prefetch_related("groups")  # who may update its progress: a lead group's chair
            .order_by("number", "pk")
        )

    return GroupDashboard(
        group=group,
        today=today,
        next_meetings=next_meetings,
        actions_chart=actions_chart,
        overdue=overdue,
        overdue_total=counts["overdue"],
        due_soon=due_soon,
        due_soon_total=counts["due_soon"],
        due_soon_until=today + DUE_SOON,
        attendance_chart=attendance_chart,
        plan=plan,
        priorities=priorities,
        can_chase=user.has_perm("hscb.chase_action", group),
        panels=_group_extra_panels(user, group, today),
    )
