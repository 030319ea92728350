"""The Child Death Overview Panel on its dashboard (hscb.selectors.dashboards.register_panel).

On the panel's own dashboard, for those who see its cases (its members and the secretariat): the
open cases by status as a chart with its table, and the cross-area referrals awaiting an
answer, soonest due first, overdue ones in red. Cases are known by their references only: a
dashboard never names a child. Nothing goes on the board dashboard: the board chair does not
see child-level lists.

The loader runs a fixed number of queries, and returns None when it has nothing for the user.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, F, Q
from django.urls import reverse

from hscb.models import Group, GroupFunction, User
from hscb.selectors.dashboards import Chart, Panel, register_panel, status_chart

from .models import ChildDeath, DeathStatus, Referral, ReferralStatus
from .selectors.referrals import describe_referrals

REFERRAL_LIST = 10
STATUS_ROWS = (
    (DeathStatus.NOTIFIED, "Notified", "blue"),
    (DeathStatus.GATHERING, "Gathering information", "amber"),
    (DeathStatus.REVIEW_MEETING, "Child death review meeting held", "dark-blue"),
    (DeathStatus.PANEL, "Listed for the panel", "green"),
)


@dataclass
class CasesPanel:
    chart: Chart
    open_total: int
    referrals: list[Referral]
    awaiting_total: int
    overdue_total: int


def panel_cases(user: User, group: Group, today: datetime.date) -> Panel | None:
    """On the Child Death Overview Panel's dashboard, for those who see its cases."""
    if group.function != GroupFunction.CHILD_DEATH_OVERVIEW:
        return None
    if not user.has_perm("cdop.see_deaths"):
        return None
    # The open cases only, counted from the status index (cdop_death_status_idx): the closed
    # ones, most of ten years' deaths, are not read.
    open_counts = dict(
        ChildDeath.objects.filter(status__in=[s for s, _label, _colour in STATUS_ROWS])
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = {s.value: open_counts.get(s.value, 0) for s, _label, _colour in STATUS_ROWS}
    # Those awaiting a step, as the partial index cdop_referral_awaited_idx has them.
    awaiting = Referral.objects.exclude(status=ReferralStatus.OUTCOME_REPORTED)
    totals = awaiting.aggregate(
        awaiting=Count("pk"), overdue=Count("pk", filter=Q(next_step_due__lt=today))
    )
    open_total = sum(counts.values())
    if not open_total and not totals["awaiting"]:
        return None
    soonest = awaiting.select_related("death", "other_area").order_by(
        F("next_step_due").asc(nulls_last=True), "sent_on", "pk"
    )
    referrals = describe_referrals(soonest[:REFERRAL_LIST], today)
    chart = status_chart(
        id="cdop-open-cases",
        title="Open child death cases by status",
        noun="Cases",
        statuses=tuple((status.value, label, colour) for status, label, colour in STATUS_ROWS),
        counts=counts,
        list_url=reverse("cdop:death_list"),
        empty_text="No case is open.",
    )
    return Panel(
        key="cdop-cases",
        title="Child deaths",
        template="cdop/partials/panel_cases.html",
        data=CasesPanel(
            chart=chart,
            open_total=open_total,
            referrals=referrals,
            awaiting_total=totals["awaiting"],
            overdue_total=totals["overdue"],
        ),
    )


def register_panels() -> None:
    """Called from the app's ready(); registering again replaces the loader."""
    register_panel(key="cdop-cases", group=panel_cases)
