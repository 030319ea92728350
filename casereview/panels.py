"""The case review panels on the chairs' dashboards (hscb.selectors.dashboards.register_panel).

- The Case Review subgroup's dashboard (its chair and the secretariat): the statutory deadlines
  running, soonest first, overdue ones in red, and the cases by status as a chart with its table.
- The board dashboard (the board chair and the secretariat): the cases awaiting the board
  chair's decision and the statutory deadlines overdue.

Cases are known by their references only: a dashboard never names a child. Each loader runs a
fixed number of queries, and returns None when it has nothing for the user.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.urls import reverse

from hscb.models import Group, GroupFunction, User
from hscb.selectors.dashboards import Chart, Panel, register_panel, status_chart

from .models import Clock, Notification, NotificationStatus
from .selectors.cases import awaiting_decision, decision_cases, describe_clock

CLOCK_LIST = 15
WAITING_LIST = 10
OVERDUE_LIST = 10
# The cases whose deadlines still chase someone: not drafts, not merged into another.
LIVE = (NotificationStatus.SUBMITTED, NotificationStatus.CONSIDERED, NotificationStatus.DECIDED)
STATUS_ROWS = (
    (NotificationStatus.SUBMITTED, "With the subgroup", "blue"),
    (NotificationStatus.CONSIDERED, "Awaiting the board chair's decision", "amber"),
    (NotificationStatus.DECIDED, "Decided", "green"),
    (NotificationStatus.MERGED, "Merged into another", "grey"),
)


def _running() -> QuerySet[Clock]:
    return Clock.objects.filter(met_on__isnull=True, notification__status__in=LIVE)


@dataclass
class ClocksPanel:
    chart: Chart
    clocks: list[Clock]
    running_total: int
    overdue_total: int


def group_clocks(user: User, group: Group, today: datetime.date) -> Panel | None:
    """On the Case Review subgroup's dashboard, for those who see its cases."""
    if group.function != GroupFunction.CASE_REVIEW or not user.has_perm("casereview.see_cases"):
        return None
    counts = Notification.objects.submitted().aggregate(
        **{s.value: Count("pk", filter=Q(status=s)) for s, _label, _colour in STATUS_ROWS}
    )
    totals = _running().aggregate(
        running=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=today))
    )
    if not any(counts.values()) and not totals["running"]:
        return None
    clocks = [
        describe_clock(clock, today)
        for clock in _running().select_related("notification").order_by("due_on", "pk")[:CLOCK_LIST]
    ]
    chart = status_chart(
        id="case-review-statuses",
        title="Serious incident notifications by status",
        noun="Cases",
        statuses=tuple((status.value, label, colour) for status, label, colour in STATUS_ROWS),
        counts=counts,
        list_url=reverse("casereview:case_list"),
        empty_text="No serious incident has been notified yet.",
    )
    return Panel(
        key="case-review-clocks",
        title="Statutory deadlines",
        template="casereview/partials/panel_case_clocks.html",
        data=ClocksPanel(
            chart=chart,
            clocks=clocks,
            running_total=totals["running"],
            overdue_total=totals["overdue"],
        ),
    )


@dataclass
class BoardCasesPanel:
    waiting: list[Notification]
    waiting_total: int
    overdue: list[Clock]
    overdue_total: int
    can_decide: bool
    # Overdue deadlines counted but not listed: on cases not yet put to the board chair.
    overdue_unlisted: int = 0


def board_cases(user: User, today: datetime.date) -> Panel | None:
    """On the board dashboard, for the board chair and the secretariat. The board chair sees
    the references of cases put to them; the deadlines of cases still with the subgroup are
    counted, not listed."""
    if not user.has_perm("casereview.see_decisions_waiting"):
        return None
    waiting_cases = Notification.objects.filter(status=NotificationStatus.CONSIDERED)
    overdue_clocks = _running().filter(due_on__lt=today)
    totals = {
        "waiting": waiting_cases.count(),
        "overdue": overdue_clocks.count(),
    }
    if not totals["waiting"] and not totals["overdue"]:
        return None
    listable = overdue_clocks
    if not user.has_perm("casereview.see_cases"):
        listable = overdue_clocks.filter(
            notification__status__in=(NotificationStatus.CONSIDERED, NotificationStatus.DECIDED)
        )
    listable_total = listable.count()
    waiting = decision_cases(awaiting_decision()[:WAITING_LIST])
    overdue = [
        describe_clock(clock, today)
        for clock in listable.select_related("notification").order_by("due_on", "pk")[:OVERDUE_LIST]
    ]
    return Panel(
        key="case-review-board",
        title="Serious incident notifications",
        template="casereview/partials/panel_board_cases.html",
        data=BoardCasesPanel(
            waiting=waiting,
            waiting_total=totals["waiting"],
            overdue=overdue,
            overdue_total=totals["overdue"],
            overdue_unlisted=totals["overdue"] - listable_total,
            can_decide=user.has_perm("casereview.decide_case", waiting[0]) if waiting else False,
        ),
    )


def register_panels() -> None:
    """Called from the app's ready(); registering again replaces the loaders."""
    register_panel(key="case-review-clocks", group=group_clocks)
    register_panel(key="case-review-board", board=board_cases)
