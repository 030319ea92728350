"""Reads for the register's list pages: the chair's register view and its exports, the heat map
with its charts, and the operational priorities. Each runs a fixed number of queries, whatever
the number of issues, agencies, owners and priorities.

Only people who may see the register (`subgroups.see_register`) get these: the register's list
pages answer 403 to anyone else.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, Q, QuerySet, Subquery
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from hscb.models import Agency, GroupFunction, Priority, User
from hscb.selectors.dashboards import Chart, ChartColour, Row, Series, status_chart
from hscb.selectors.plan import business_year
from subgroups.filters import IMPACT_LABELS, LIKELIHOOD_LABELS, IssueFilter
from subgroups.models import Issue, IssueStatus, IssueUpdate, RiskRating
from subgroups.models.register import OPEN_ISSUE_STATUSES
from subgroups.services.register import rating_for

ISSUES_PER_PAGE = 25
CHART_MONTHS = 12

# The chart script's palette has fewer colours than the ratings' tags: each rating colour is
# drawn in the nearest distinct one (the legend and the table name every band).
CHART_COLOURS: dict[str, ChartColour] = {
    "green": "green",
    "yellow": "blue",
    "orange": "amber",
    "red": "red",
    "purple": "dark-blue",
}
STATUS_CHART_COLOURS: dict[str, ChartColour] = {
    IssueStatus.OPEN: "blue",
    IssueStatus.MONITORING: "amber",
    IssueStatus.ESCALATED: "red",
    IssueStatus.RESOLVED: "green",
    IssueStatus.CLOSED: "grey",
}


def authorise(user: User) -> None:
    """The register's list pages are for those who may see the register: 403 for anyone else."""
    if not user.has_perm("subgroups.see_register"):
        raise PermissionDenied("The register is for the Improving Outcomes subgroup.")


def _register() -> QuerySet[Issue]:
    return Issue.objects.filter(group__function=GroupFunction.IMPROVING_OUTCOMES)


def _with_relations(issues: QuerySet[Issue]) -> QuerySet[Issue]:
    return issues.select_related("rating", "owner", "priority__plan").prefetch_related(
        Prefetch("agencies", queryset=Agency.objects.order_by("name"))
    )


def _significant_threshold() -> Subquery:
    """The lowest score of the lowest band marked significant, as a subquery."""
    return Subquery(
        RiskRating.objects.filter(significant=True).order_by("min_score").values("min_score")[:1]
    )


def _mark(issue: Issue, today: datetime.date) -> Issue:
    issue.review_overdue = issue.is_live and issue.review_date < today
    return issue


def _filtered(data: QueryDict | None, today: datetime.date) -> IssueFilter:
    return IssueFilter(data, queryset=_with_relations(_register()), today=today)


# The register -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegisterCounts:
    live: int
    significant: int
    overdue: int


@dataclass
class Register:
    filterset: IssueFilter
    page: Page
    counts: RegisterCounts
    # The filters in force, as a query string (without the page), for the export links.
    query: str
    can_add: bool


def register_counts(today: datetime.date) -> RegisterCounts:
    """Live issues, those of significant risk and those whose review is overdue: one query."""
    live = Q(status__in=OPEN_ISSUE_STATUSES)
    counts = _register().aggregate(
        live=Count("pk", filter=live),
        significant=Count("pk", filter=live & Q(rating__min_score__gte=_significant_threshold())),
        overdue=Count("pk", filter=live & Q(review_date__lt=today)),
    )
    return RegisterCounts(**counts)


def register(
    user: User,
    data: QueryDict | None,
    *,
    page_number: str | int | None = None,
    today: datetime.date | None = None,
) -> Register:
    """The register, filtered and sorted, 25 issues to a page, with its counts."""
    authorise(user)
    today = today or timezone.localdate()
    filterset = _filtered(data, today)
    page = Paginator(filterset.qs, ISSUES_PER_PAGE).get_page(page_number)
    for issue in page.object_list:
        _mark(issue, today)
    query = data.copy() if data is not None else QueryDict(mutable=True)
    query.pop("page", None)
    return Register(
        filterset=filterset,
        page=page,
        counts=register_counts(today),
        query=query.urlencode(),
        can_add=user.has_perm("subgroups.add_issue"),
    )


def register_export(
    user: User, data: QueryDict | None, *, today: datetime.date | None = None
) -> list[Issue]:
    """Every issue the filters select, in the chosen order (no pages), for the exports."""
    authorise(user)
    today = today or timezone.localdate()
    return [_mark(issue, today) for issue in _filtered(data, today).qs]


# The heat map -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HeatCell:
    likelihood: int
    impact: int
    count: int
    band: RiskRating | None
    url: str

    @property
    def score(self) -> int:
        return self.likelihood * self.impact


@dataclass(frozen=True)
class HeatRow:
    likelihood: int
    label: str
    cells: tuple[HeatCell, ...]


@dataclass(frozen=True)
class BandRange:
    band: RiskRating
    low: int
    high: int


@dataclass
class HeatMap:
    rows: list[HeatRow]
    impacts: list[tuple[int, str]]
    key: list[BandRange]
    total: int
    over_time: Chart
    status_over_time: Chart
    by_status: Chart


def _register_url(**filters: object) -> str:
    return f"{reverse('subgroups:issue_list')}?{urlencode(filters)}"


def heat_map(user: User, *, now: datetime.datetime | None = None) -> HeatMap:
    """The 5 by 5 heat map of live issues (likelihood by impact, each cell coloured by the band of
    its score), the live issues at the end of each of the last 12 months by rating, and every
    issue by status now. Five queries."""
    authorise(user)
    now = now or timezone.now()
    bands = list(RiskRating.objects.order_by("min_score"))
    history = _history(now)
    counts = {
        (row["likelihood"], row["impact"]): row["n"]
        for row in _register()
        .filter(status__in=OPEN_ISSUE_STATUSES)
        .values("likelihood", "impact")
        .annotate(n=Count("pk"))
    }
    rows = [
        HeatRow(
            likelihood=likelihood,
            label=f"Likelihood {likelihood}: {LIKELIHOOD_LABELS[likelihood]}",
            cells=tuple(
                HeatCell(
                    likelihood=likelihood,
                    impact=impact,
                    count=counts.get((likelihood, impact), 0),
                    band=rating_for(likelihood * impact, bands),
                    url=_register_url(likelihood=likelihood, impact=impact),
                )
                for impact in range(1, 6)
            ),
        )
        for likelihood in range(5, 0, -1)
    ]
    return HeatMap(
        rows=rows,
        impacts=[(n, f"Impact {n}: {label}") for n, label in IMPACT_LABELS.items()],
        key=[
            BandRange(band, band.min_score, later.min_score - 1 if later else 25)
            for band, later in zip(bands, [*bands[1:], None], strict=True)
        ],
        total=sum(counts.values()),
        over_time=_live_over_time(bands, history),
        status_over_time=_status_over_time(history),
        by_status=_by_status(),
    )


def _month_ends(now: datetime.datetime) -> list[tuple[str, datetime.datetime]]:
    """The last 12 months, oldest first: each month's label and the moment it ends (now, for
    this month), in Europe/London."""
    today = timezone.localdate(now)
    first = today.replace(day=1)
    months = []
    for back in range(CHART_MONTHS - 1, -1, -1):
        year, month = divmod(first.year * 12 + first.month - 1 - back, 12)
        start = datetime.date(year, month + 1, 1)
        label = date_format(start, "F Y")
        if back == 0:
            months.append((f"{label} (so far)", now))
            continue
        year, month = divmod(year * 12 + month + 1, 12)
        end = timezone.make_aware(datetime.datetime(year, month + 1, 1))
        months.append((label, end))
    return months


def _history(now: datetime.datetime) -> tuple[list[tuple[str, datetime.datetime]], list[tuple]]:
    """Each issue's status at the end of each of the last 12 months (None before it was raised),
    rebuilt from when it was raised and its recorded moves of status. Two queries, whatever the
    number of months: the issues, and their moves."""
    months = _month_ends(now)
    issues = list(_register().filter(created_at__lt=now).values_list("pk", "created_at", "rating"))
    moves: dict[int, list[tuple[datetime.datetime, str]]] = defaultdict(list)
    for issue_id, written_at, status_to in (
        IssueUpdate.objects.filter(issue__in=_register())
        .exclude(status_to="")
        .order_by("written_at", "pk")
        .values_list("issue_id", "written_at", "status_to")
    ):
        moves[issue_id].append((written_at, status_to))
    histories = []
    for pk, created_at, rating_id in issues:
        statuses = []
        for _, end in months:
            if created_at >= end:
                statuses.append(None)
                continue
            status = IssueStatus.OPEN
            for written_at, status_to in moves.get(pk, []):
                if written_at >= end:
                    break
                status = status_to
            statuses.append(status)
        histories.append((rating_id, statuses))
    return months, histories


def _live_over_time(bands: list[RiskRating], history) -> Chart:
    """Issues live (open, monitoring or escalated) at the end of each month, by their current
    rating (an issue's past ratings are not kept)."""
    months, histories = history
    tallies = [Counter() for _ in months]
    for rating_id, statuses in histories:
        for tally, status in zip(tallies, statuses, strict=True):
            if status in OPEN_ISSUE_STATUSES:
                tally[rating_id] += 1
    keys: list[int | None] = [band.pk for band in bands]
    series = [Series(band.name, CHART_COLOURS.get(band.colour, "grey")) for band in bands]
    if any(tally[None] for tally in tallies):
        keys.append(None)
        series.append(Series("Not rated", "grey"))
    return Chart(
        id="register-live-over-time",
        kind="bar",
        title="Live issues at the end of each month, by rating",
        label_header="Month",
        series=tuple(series),
        rows=tuple(
            Row(label=label, values=tuple(tally[key] for key in keys))
            for (label, _), tally in zip(months, tallies, strict=True)
        ),
        stacked=True,
        beside=False,
        empty_text="No issues were live in the last 12 months.",
    )


def _status_over_time(history) -> Chart:
    """Every issue raised by the end of each month, by the status it was in then."""
    months, histories = history
    tallies = [Counter() for _ in months]
    for _, statuses in histories:
        for tally, status in zip(tallies, statuses, strict=True):
            if status is not None:
                tally[status] += 1
    return Chart(
        id="register-status-over-time",
        kind="bar",
        title="Issues at the end of each month, by status",
        label_header="Month",
        series=tuple(Series(status.label, STATUS_CHART_COLOURS[status]) for status in IssueStatus),
        rows=tuple(
            Row(label=label, values=tuple(tally[status.value] for status in IssueStatus))
            for (label, _), tally in zip(months, tallies, strict=True)
        ),
        stacked=True,
        beside=False,
        empty_text="No issues were on the register in the last 12 months.",
    )


def _by_status() -> Chart:
    counts = dict(_register().values_list("status").annotate(n=Count("pk")).order_by())
    return status_chart(
        id="register-by-status",
        title="Issues by status now",
        noun="Issues",
        statuses=tuple((s.value, s.label, STATUS_CHART_COLOURS[s]) for s in IssueStatus),
        counts=counts,
        list_url=reverse("subgroups:issue_list"),
        horizontal=True,
        empty_text="The register has no issues yet.",
    )


# Operational priorities ---------------------------------------------------------------------------


@dataclass
class PriorityGroup:
    """The live issues bearing on one business-plan priority (or on none)."""

    priority: Priority | None
    is_current: bool
    issues: list[Issue] = field(default_factory=list)
    by_rating: list[tuple[RiskRating, int]] = field(default_factory=list)
    significant: int = 0

    @property
    def title(self) -> str:
        if self.priority is None:
            return "No priority"
        return f"{self.priority.plan.period}: {self.priority}"

    @property
    def top_score(self) -> int:
        return max((issue.score for issue in self.issues), default=0)

    @property
    def register_url(self) -> str:
        return _register_url(priority=self.priority.pk if self.priority else "null")


@dataclass
class OperationalPriorities:
    groups: list[PriorityGroup]
    bands: list[RiskRating]
    year: int
    # This year's plan's priorities that no live issue bears on.
    quiet: list[Priority]
    total: int


def operational_priorities(
    user: User, *, today: datetime.date | None = None
) -> OperationalPriorities:
    """Live issues grouped by business-plan priority, highest risk first in each: this year's
    plan's priorities first (in the plan's order), then other plans' (newest first), then
    issues that bear on no priority. Each group counts its issues by rating. Three queries."""
    authorise(user)
    today = today or timezone.localdate()
    year = business_year(today)
    bands = list(RiskRating.objects.order_by("min_score"))
    significant = [band for band in bands if band.significant]
    threshold = significant[0].min_score if significant else None
    issues = _register().filter(status__in=OPEN_ISSUE_STATUSES)
    issues = issues.select_related("rating", "priority__plan").order_by(
        "-score", "review_date", "pk"
    )
    groups: dict[int | None, PriorityGroup] = {}
    for issue in issues:
        _mark(issue, today)
        group = groups.get(issue.priority_id)
        if group is None:
            priority = issue.priority
            group = groups[issue.priority_id] = PriorityGroup(
                priority=priority, is_current=priority is not None and priority.plan.year == year
            )
        group.issues.append(issue)
    for group in groups.values():
        tally = Counter(issue.rating_id for issue in group.issues)
        group.by_rating = [(band, tally[band.pk]) for band in reversed(bands)]
        if threshold is not None:
            group.significant = sum(
                1 for issue in group.issues if issue.rating and issue.rating.min_score >= threshold
            )

    def order(group: PriorityGroup) -> tuple:
        if group.priority is None:
            return (2, 0, 0, 0)
        plan_year = group.priority.plan.year
        return (0 if plan_year == year else 1, -plan_year, group.priority.number, group.priority.pk)

    quiet = list(
        Priority.objects.filter(plan__year=year)
        .exclude(pk__in=[key for key in groups if key is not None])
        .select_related("plan")
        .order_by("number", "pk")
    )
    return OperationalPriorities(
        groups=sorted(groups.values(), key=order),
        bands=bands,
        year=year,
        quiet=quiet,
        total=sum(len(group.issues) for group in groups.values()),
    )
