"""The register's panels on the chairs' dashboards (hscb.selectors.dashboards.register_panel).

The board dashboard shows the board chair and the secretariat the escalations waiting for the
Board's decision; the Improving Outcomes subgroup's dashboard shows its register: live issues by
rating, overdue reviews, escalations waiting and the Board's latest decisions flowing back.
Each loader runs a fixed number of queries, and returns None when it has nothing for the user.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from hscb.models import Group, GroupFunction, User
from hscb.selectors.dashboards import Chart, ChartColour, Panel, Row, Series, register_panel
from subgroups.models import Escalation, EscalationStatus, Issue, RiskRating
from subgroups.models.register import OPEN_ISSUE_STATUSES

WAITING_LIST = 10
OVERDUE_LIST = 10
LATEST_DECISIONS = 5
# Chart colours (hscb.selectors.dashboards.ChartColour) for the ratings' tag colours.
RATING_CHART_COLOURS: dict[str, ChartColour] = {
    "green": "green",
    "yellow": "amber",
    "orange": "amber",
    "red": "red",
    "purple": "dark-blue",
}


def _waiting(group: Group | None = None) -> QuerySet[Escalation]:
    escalations = Escalation.objects.exclude(status=EscalationStatus.DECIDED)
    if group is not None:
        escalations = escalations.filter(issue__group=group)
    return escalations.select_related("issue__rating", "meeting__group").order_by(
        "proposed_at", "pk"
    )


@dataclass
class WaitingPanel:
    total: int
    escalations: list[Escalation]


def board_escalations(user: User, today: datetime.date) -> Panel | None:
    """For the board chair and the secretariat, who record the Board's decisions."""
    if not user.has_perm("subgroups.decide_escalation"):
        return None
    escalations = list(_waiting()[:WAITING_LIST])
    if not escalations:
        return None
    total = _waiting().count()  # always counted, so the page's queries do not vary
    return Panel(
        key="escalations-waiting",
        title="Escalations waiting for the Board's decision",
        template="subgroups/partials/escalation_panel_board.html",
        data=WaitingPanel(total=total, escalations=escalations),
    )


@dataclass
class RegisterPanel:
    chart: Chart
    live_total: int
    overdue_total: int
    waiting_total: int
    waiting: list[Escalation]
    decisions: list[Escalation]
    can_see_register: bool
    overdue: list[Issue] = field(default_factory=list)


def group_register(user: User, group: Group, today: datetime.date) -> Panel | None:
    """On the Improving Outcomes subgroup's dashboard. Its chair and the secretariat see the
    register's figures and its overdue reviews; the board chair, who sees escalations but not
    the register, sees the figures and the escalations only."""
    if group.function != GroupFunction.IMPROVING_OUTCOMES:
        return None
    can_see_register = user.has_perm("subgroups.see_register")
    if not (can_see_register or user.has_perm("subgroups.see_escalation")):
        return None
    ratings = list(RiskRating.objects.order_by("min_score"))
    # Counted over the live issues only, in one query: not by joining every issue to its rating.
    counts = Issue.objects.filter(group=group, status__in=OPEN_ISSUE_STATUSES).aggregate(
        live=Count("pk"),
        overdue=Count("pk", filter=Q(review_date__lt=today)),
        unrated=Count("pk", filter=Q(rating=None)),
        **{f"rating_{r.pk}": Count("pk", filter=Q(rating=r.pk)) for r in ratings},
    )
    rows = [
        Row(r.name, (counts[f"rating_{r.pk}"],), colour=RATING_CHART_COLOURS.get(r.colour, "grey"))
        for r in ratings
    ]
    if counts["unrated"]:
        rows.append(Row("Not rated", (counts["unrated"],), colour="grey"))
    chart = Chart(
        id="register-ratings",
        kind="bar",
        title="Live issues on the register by rating",
        label_header="Rating",
        series=(Series("Live issues", "blue"),),
        rows=tuple(rows),
        empty_text="The register has no live issues.",
    )
    overdue = []
    if can_see_register:
        overdue = list(
            Issue.objects.filter(group=group, status__in=OPEN_ISSUE_STATUSES, review_date__lt=today)
            .select_related("owner", "rating")
            .order_by("review_date", "pk")[:OVERDUE_LIST]
        )
        for issue in overdue:
            issue.days_overdue = (today - issue.review_date).days
    waiting = list(_waiting(group)[:WAITING_LIST])
    waiting_total = _waiting(group).count()
    decisions = list(
        Escalation.objects.filter(issue__group=group, status=EscalationStatus.DECIDED)
        .select_related("issue__rating")
        .order_by("-decided_on", "-pk")[:LATEST_DECISIONS]
    )
    return Panel(
        key="register",
        title="Register",
        template="subgroups/partials/escalation_panel_register.html",
        data=RegisterPanel(
            chart=chart,
            live_total=counts["live"],
            overdue_total=counts["overdue"],
            overdue=overdue,
            waiting_total=waiting_total,
            waiting=waiting,
            decisions=decisions,
            can_see_register=can_see_register,
        ),
    )


def register_panels() -> None:
    """Called from the app's ready(); registering again replaces the loaders."""
    register_panel(key="escalations-waiting", board=board_escalations)
    register_panel(key="register", group=group_register)
