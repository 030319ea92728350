"""Reads for the register's list pages: the chair's register view and its exports, the heat map
with its charts, and the operational priorities. Each runs a fixed number of queries, whatever
the number of issues, agencies, owners and priorities, and does its counting in the database:
no page walks every issue or every update in Python. The exports read the issues a chunk at a
time, as plain values, so that their memory stays flat however long the register grows.

Only people who may see the register (`subgroups.see_register`) get these: the register's list
pages answer 403 to anyone else.
"""

from __future__ import annotations

import datetime
import itertools
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import (
    Aggregate,
    Case,
    Count,
    F,
    Max,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import RowNumber
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
# The exports read this many issues at a time (and their agencies in one query a chunk).
EXPORT_CHUNK = 2000

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
    """Live issues, those of significant risk and those whose review is overdue: one query, which
    reads the live issues only."""
    significant = RiskRating.objects.filter(min_score__gte=_significant_threshold())
    counts = (
        _register()
        .filter(status__in=OPEN_ISSUE_STATUSES)
        .aggregate(
            live=Count("pk"),
            significant=Count("pk", filter=Q(rating__in=significant)),
            overdue=Count("pk", filter=Q(review_date__lt=today)),
        )
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


# What an export row holds: the issue's own values, its rating's name and its owner's names, as
# `.values()` reads them; `_export_rows` adds "agencies" and "priority".
EXPORT_FIELDS = (
    "pk",
    "title",
    "status",
    "source",
    "is_countywide",
    "priority_id",
    "likelihood",
    "impact",
    "score",
    "rating__name",
    "owner__first_name",
    "owner__last_name",
    "owner__email",
    "review_date",
    "proposed_improvement",
    "created_at",
)
ExportRow = dict[str, object]


def register_export(
    user: User,
    data: QueryDict | None,
    *,
    today: datetime.date | None = None,
    chunk_size: int = EXPORT_CHUNK,
) -> Iterator[ExportRow]:
    """Every issue the filters select, in the chosen order (no pages), for the exports.

    The person is authorised now; the rows are read as they are consumed, `chunk_size` issues
    at a time, as plain values (no model objects), with two more queries a chunk for their
    agencies and priorities."""
    authorise(user)
    today = today or timezone.localdate()
    issues = IssueFilter(data, queryset=_register(), today=today).qs
    return _export_rows(issues.values(*EXPORT_FIELDS), chunk_size)


def _export_rows(rows: QuerySet, chunk_size: int) -> Iterator[ExportRow]:
    """The rows, each with the names of the agencies it names ("agencies", A to Z) and its
    priority with its plan's years ("priority", or ""): two more queries a chunk."""
    named = Issue.agencies.through.objects
    stream = rows.iterator(chunk_size=chunk_size)
    while chunk := list(itertools.islice(stream, chunk_size)):
        agencies: dict[int, list[str]] = defaultdict(list)
        for issue_id, name in (
            named.filter(issue_id__in=[row["pk"] for row in chunk])
            .order_by("agency__name", "agency_id")
            .values_list("issue_id", "agency__name")
        ):
            agencies[issue_id].append(name)
        priorities = {
            priority.pk: f"{priority.plan.period}: {priority}"
            for priority in Priority.objects.filter(
                pk__in={row["priority_id"] for row in chunk} - {None}
            ).select_related("plan")
        }
        for row in chunk:
            row["agencies"] = agencies.get(row["pk"], [])
            row["priority"] = priorities.get(row["priority_id"], "")
            yield row


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
    issue by status now. Four queries."""
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


# How many issues were in each status at the end of each month, by their current rating, counted
# in the database. An issue is open from when it was raised until its first recorded move of
# status, and each move holds until the next: each of these spans counts at a month's end that
# falls within it. A move recorded before the issue was raised counts from when it was raised.
HISTORY_SQL = """
WITH issues (id, created_at, rating_id) AS ({issues}),
updates (issue_id, written_at, id, status_to) AS ({moves}),
moves (issue_id, written_at, status, until) AS (
    SELECT issue_id, written_at, status_to,
           LEAD(written_at) OVER (PARTITION BY issue_id ORDER BY written_at, id)
    FROM updates
),
spans (rating_id, status, since, until) AS (
    SELECT issues.rating_id, moves.status,
           CASE WHEN moves.written_at > issues.created_at
                THEN moves.written_at ELSE issues.created_at END,
           moves.until
    FROM moves JOIN issues ON issues.id = moves.issue_id
    UNION ALL
    SELECT issues.rating_id, %s, issues.created_at, first_moves.written_at
    FROM issues
    LEFT JOIN (SELECT issue_id, MIN(written_at) AS written_at FROM moves GROUP BY issue_id)
        AS first_moves ON first_moves.issue_id = issues.id
)
SELECT status, rating_id, {months}
FROM spans
GROUP BY status, rating_id
"""
MONTH_SQL = "SUM(CASE WHEN since < %s AND (until IS NULL OR until >= %s) THEN 1 ELSE 0 END)"

History = tuple[list[tuple[str, datetime.datetime]], Counter]


def _history(now: datetime.datetime) -> History:
    """The last 12 months, and how many issues were in each status at the end of each, by their
    current rating: {(month number, status, rating id): issues}. One query, which reads each
    issue and each move of status once, whatever the number of months."""
    months = _month_ends(now)
    issues_sql, issues_params = (
        _register().order_by().values_list("pk", "created_at", "rating_id").query.sql_with_params()
    )
    moves_sql, moves_params = (
        IssueUpdate.objects.exclude(status_to="")
        .filter(issue__in=_register())
        .order_by()
        .values_list("issue_id", "written_at", "pk", "status_to")
        .query.sql_with_params()
    )
    sql = HISTORY_SQL.format(
        issues=issues_sql, moves=moves_sql, months=", ".join([MONTH_SQL] * len(months))
    )
    ends = [connection.ops.adapt_datetimefield_value(end) for _, end in months]
    params = [*issues_params, *moves_params, IssueStatus.OPEN]
    params += [end for end in ends for _ in range(2)]
    counts: Counter = Counter()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for status, rating_id, *totals in cursor:
            for n, total in enumerate(totals):
                counts[n, status, rating_id] += total
    return months, counts


def _live_over_time(bands: list[RiskRating], history: History) -> Chart:
    """Issues live (open, monitoring or escalated) at the end of each month, by their current
    rating (an issue's past ratings are not kept)."""
    months, counts = history
    tallies = [Counter() for _ in months]
    for (n, status, rating_id), total in counts.items():
        if status in OPEN_ISSUE_STATUSES:
            tallies[n][rating_id] += total
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


def _status_over_time(history: History) -> Chart:
    """Every issue raised by the end of each month, by the status it was in then."""
    months, counts = history
    tallies = [Counter() for _ in months]
    for (n, status, _), total in counts.items():
        tallies[n][status] += total
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

PRIORITIES_PER_PAGE = 20
# Each priority's highest-risk live issues shown; the register lists them all.
TOP_ISSUES = 3


@dataclass
class PriorityGroup:
    """The live issues bearing on one business-plan priority (or on none): how many, by rating,
    and the few of highest risk."""

    priority: Priority | None
    is_current: bool
    live: int
    significant: int
    top_score: int
    by_rating: list[tuple[RiskRating, int]]
    issues: list[Issue] = field(default_factory=list)

    @property
    def title(self) -> str:
        if self.priority is None:
            return "No priority"
        return f"{self.priority.plan.period}: {self.priority}"

    @property
    def more(self) -> int:
        """Its live issues not shown here."""
        return self.live - len(self.issues)

    @property
    def register_url(self) -> str:
        return _register_url(priority=self.priority.pk if self.priority else "null")


@dataclass
class OperationalPriorities:
    # This page's groups: the priorities' (and, on the last page, the issues on none).
    groups: list[PriorityGroup]
    page: Page
    bands: list[RiskRating]
    year: int
    # This year's plan's priorities that no live issue bears on (shown on the last page).
    quiet: list[Priority]
    total: int
    # How many issues each group shows.
    top: int = TOP_ISSUES


def _tallies(bands: list[RiskRating], prefix: str = "") -> dict[str, Aggregate | Value]:
    """Aggregates of live issues (through `prefix`, e.g. "register_issues__"): how many, how
    many of significant risk (rated in the lowest significant band or a higher one), the
    highest score and how many in each band."""
    lowest = min((band.min_score for band in bands if band.significant), default=None)
    significant = [band.pk for band in bands if lowest is not None and band.min_score >= lowest]
    return {
        "live": Count(f"{prefix}pk"),
        "significant": (
            Count(f"{prefix}pk", filter=Q(**{f"{prefix}rating__in": significant}))
            if significant
            else Value(0)
        ),
        "top_score": Max(f"{prefix}score"),
        **{
            f"band_{band.pk}": Count(f"{prefix}pk", filter=Q(**{f"{prefix}rating": band.pk}))
            for band in bands
        },
    }


def _group(
    priority: Priority | None, tally: dict[str, int], bands: list[RiskRating], year: int
) -> PriorityGroup:
    return PriorityGroup(
        priority=priority,
        is_current=priority is not None and priority.plan.year == year,
        live=tally["live"],
        significant=tally["significant"],
        top_score=tally["top_score"] or 0,
        by_rating=[(band, tally[f"band_{band.pk}"]) for band in reversed(bands)],
    )


def _top_issues(groups: list[PriorityGroup], today: datetime.date) -> None:
    """Fill each group's few highest-risk live issues: one query for the page."""
    keys = [group.priority.pk if group.priority else None for group in groups]
    if not keys:
        return
    wanted = Q(priority__in=[key for key in keys if key is not None])
    if None in keys:
        wanted |= Q(priority=None)
    ranked = (
        _register()
        .filter(wanted, status__in=OPEN_ISSUE_STATUSES)
        .select_related("rating")
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=F("priority_id"),
                order_by=[F("score").desc(), F("review_date").asc(), F("pk").asc()],
            )
        )
        .filter(rank__lte=TOP_ISSUES)
        .order_by("-score", "review_date", "pk")
    )
    by_key: dict[int | None, list[Issue]] = defaultdict(list)
    for issue in ranked:
        by_key[issue.priority_id].append(_mark(issue, today))
    for group, key in zip(groups, keys, strict=True):
        group.issues = by_key.get(key, [])


def operational_priorities(
    user: User, *, page_number: str | int | None = None, today: datetime.date | None = None
) -> OperationalPriorities:
    """Live issues grouped by business-plan priority, 20 priorities to a page: this year's
    plan's priorities first (in the plan's order), then other plans' (newest first), then, on
    the last page, issues that bear on no priority. Each group counts its issues by rating and
    shows its three of highest risk, and links to all of them in the register. Counted in the
    database: seven queries, whatever the number of issues."""
    authorise(user)
    today = today or timezone.localdate()
    year = business_year(today)
    bands = list(RiskRating.objects.order_by("min_score"))
    tallies = _tallies(bands, "register_issues__")
    live = _register().filter(status__in=OPEN_ISSUE_STATUSES)
    priorities = (
        Priority.objects.filter(
            register_issues__group__function=GroupFunction.IMPROVING_OUTCOMES,
            register_issues__status__in=OPEN_ISSUE_STATUSES,
        )
        .select_related("plan")
        .annotate(**tallies)
        .order_by(
            Case(When(plan__year=year, then=0), default=1),
            "-plan__year",
            "number",
            "pk",
        )
    )
    page = Paginator(priorities, PRIORITIES_PER_PAGE).get_page(page_number)
    groups = [
        _group(p, {name: getattr(p, name) for name in tallies}, bands, year)
        for p in page.object_list
    ]
    # Counted on every page, shown on the last: every page runs the same queries.
    unplanned = live.filter(priority=None).aggregate(**_tallies(bands))
    quiet = list(
        Priority.objects.filter(plan__year=year)
        .exclude(pk__in=live.exclude(priority=None).values("priority_id"))
        .select_related("plan")
        .order_by("number", "pk")
    )
    last = not page.has_next()
    if last and unplanned["live"]:
        groups.append(_group(None, unplanned, bands, year))
    _top_issues(groups, today)
    return OperationalPriorities(
        groups=groups,
        page=page,
        bands=bands,
        year=year,
        quiet=quiet if last else [],
        total=live.count(),
    )
