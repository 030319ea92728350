"""The panel's statistics: aggregates only, never a child (DESIGN.md §5).

- Deaths are counted by the year the child died: every death notified to the panel.
- Completed reviews are counted by the year the case was closed.
- Each is broken down by age band and by expected or unexpected; completed reviews also by the
  category of death and by whether there were modifiable factors.
- Trends run over the `TREND_YEARS` years up to the year chosen.

Everything is counted by the database in three queries (deaths, completed reviews, the
categories), whatever the number of deaths.

Every figure has a key, (measure, category, year), as the annual report's CSV names it; every
table (on the page, in the PDF) is a grid of keys. The figures for publication are worked out
once a year, by `hscb.lib.suppression` from the year's two totals (deaths, completed reviews)
and their breakdowns, and every table and the CSV look them up by key: a figure reads the same
wherever it is published, in the year's own tables or in a later year's trends. Each
breakdown always has the same rows (every category, and "Not recorded"), so that whether a row
is there says nothing about the figures. The published views carry no chart, so the numbers
held back are not in the page at all.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Count, Min, Q
from django.db.models.functions import ExtractYear
from django.http import Http404
from django.utils import timezone

from hscb.forms.board import PK_MAX
from hscb.lib.suppression import publish
from hscb.models import Area, User
from hscb.selectors.dashboards import Chart, ChartColour, Row, Series

from ..models import (
    AgeBand,
    AnnualReport,
    ChildDeath,
    DeathCategory,
    Expectation,
    Modifiable,
    PanelReview,
    ReportStatus,
)

TREND_YEARS = 5
# The earliest year offered when no death is recorded before it.
YEARS_OFFERED = 10
NOT_RECORDED = "Not recorded"
ALL = "All"

DEATHS = "Deaths"
REVIEWS = "Completed reviews"
BY_BAND = "by age band"
BY_EXPECTATION = "by expected or unexpected"
BY_CATEGORY = "by category of death"
BY_MODIFIABLE = "by modifiable factors"
DEATH_SERIES = Series(DEATHS, "dark-blue")
REVIEW_SERIES = Series(REVIEWS, "blue")
EXPECTATION_COLOURS: dict[str, ChartColour] = {
    Expectation.EXPECTED: "blue",
    Expectation.UNEXPECTED: "red",
}
MODIFIABLE_COLOURS: dict[str, ChartColour] = {
    Modifiable.YES: "red",
    Modifiable.NO: "green",
    Modifiable.INSUFFICIENT: "grey",
    "": "dark-blue",
}
MODIFIABLE_LABELS = {
    Modifiable.YES: "Modifiable factors identified",
    Modifiable.NO: "No modifiable factors identified",
    Modifiable.INSUFFICIENT: "Insufficient information",
    "": NOT_RECORDED,
}
BAND_COLOURS: tuple[ChartColour, ...] = ("dark-blue", "blue", "green", "amber", "red", "grey")

# (measure, category, year): one figure, as the CSV names it.
FigureKey = tuple[str, str, int]


def by(measure: str, breakdown: str) -> str:
    """The name of a breakdown of `measure`: "Deaths by age band"."""
    return f"{measure} {breakdown}"


@dataclass(frozen=True)
class PublishedRow:
    label: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """One set of figures: drawn as a chart with its table, or as the published table alone.
    `keys` names the figure in each cell (a row of keys a row, one a series)."""

    id: str
    title: str
    label_header: str
    series: tuple[Series, ...]
    rows: tuple[Row, ...]
    keys: tuple[tuple[FigureKey, ...], ...]
    source: Statistics = field(repr=False, compare=False)
    kind: str = "bar"
    horizontal: bool = False
    stacked: bool = False
    empty_text: str = "None recorded."

    def chart(self) -> Chart:
        return Chart(
            id=self.id,
            kind=self.kind,
            title=self.title,
            label_header=self.label_header,
            series=self.series,
            rows=self.rows,
            horizontal=self.horizontal,
            stacked=self.stacked,
            beside=not self.stacked,
            empty_text=self.empty_text,
        )

    def published(self, below: int) -> tuple[PublishedRow, ...]:
        """The rows as published with the threshold `below`: each cell the figure of its key,
        as the whole year's figures are published (see the module's docstring)."""
        figures = self.source.published(below)
        return tuple(
            PublishedRow(row.label, tuple(figures[key] for key in keys))
            for row, keys in zip(self.rows, self.keys, strict=True)
        )

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(s.label for s in self.series)


@dataclass
class YearCounts:
    """What happened in one year: deaths by the year of death, reviews by the year closed."""

    year: int
    deaths: int = 0
    reviews: int = 0
    deaths_by_band: Counter = field(default_factory=Counter)
    reviews_by_band: Counter = field(default_factory=Counter)
    deaths_by_expectation: Counter = field(default_factory=Counter)
    reviews_by_expectation: Counter = field(default_factory=Counter)
    reviews_by_category: Counter = field(default_factory=Counter)
    reviews_by_modifiable: Counter = field(default_factory=Counter)


@dataclass(frozen=True)
class Measure:
    """A total of one year (`DEATHS` or `REVIEWS`) and its breakdowns: for each, its name and
    its (category, count) parts, which add up to the total."""

    name: str
    year: int
    total: int
    breakdowns: tuple[tuple[str, tuple[tuple[str, int], ...]], ...]


@dataclass
class Statistics:
    year: int
    years: list[int]  # the trend's years, oldest first, ending with `year`
    counts: dict[int, YearCounts]
    categories: list[DeathCategory]
    # Every figure, and the figures as published by threshold: worked out once, looked up by
    # every table.
    _counts: dict[FigureKey, int] = field(default_factory=dict, init=False, repr=False)
    _published: dict[int, dict[FigureKey, str]] = field(
        default_factory=dict, init=False, repr=False
    )

    @property
    def this_year(self) -> YearCounts:
        return self.counts[self.year]

    # Every figure -----------------------------------------------------------------------------

    def category_labels(self) -> list[str]:
        """The rows of a breakdown by category: every category, then "Not recorded"."""
        return [str(c) for c in self.categories] + [NOT_RECORDED]

    def measures(self, year: int) -> tuple[Measure, Measure]:
        """The year's deaths and completed reviews, each with every one of its breakdowns."""
        c = self.counts[year]

        def parts(counter: Mapping, pairs: Iterable[tuple[object, str]]):
            return tuple((label, counter.get(key, 0)) for key, label in pairs)

        bands = [(b.value, b.label) for b in AgeBand]
        expectations = [(e.value, e.label) for e in Expectation]
        categories = [(cat.pk, str(cat)) for cat in self.categories] + [(None, NOT_RECORDED)]
        modifiable = list(MODIFIABLE_LABELS.items())
        deaths = Measure(
            DEATHS,
            year,
            c.deaths,
            (
                (by(DEATHS, BY_BAND), parts(c.deaths_by_band, bands)),
                (by(DEATHS, BY_EXPECTATION), parts(c.deaths_by_expectation, expectations)),
            ),
        )
        reviews = Measure(
            REVIEWS,
            year,
            c.reviews,
            (
                (by(REVIEWS, BY_BAND), parts(c.reviews_by_band, bands)),
                (by(REVIEWS, BY_EXPECTATION), parts(c.reviews_by_expectation, expectations)),
                (by(REVIEWS, BY_CATEGORY), parts(c.reviews_by_category, categories)),
                (by(REVIEWS, BY_MODIFIABLE), parts(c.reviews_by_modifiable, modifiable)),
            ),
        )
        return deaths, reviews

    def figures(self) -> list[tuple[str, str, int, int]]:
        """(measure, category, year, count) for every figure of every year of the trend: what
        the annual report's CSV holds."""
        rows: list[tuple[str, str, int, int]] = []
        for y in self.years:
            for measure in self.measures(y):
                rows.append((measure.name, ALL, y, measure.total))
                for name, parts in measure.breakdowns:
                    rows.extend((name, label, y, n) for label, n in parts)
        return rows

    def published(self, below: int) -> dict[FigureKey, str]:
        """Every figure of every year of the trend as published with the threshold `below`.

        A year's figures depend on that year's counts alone, so they read the same in its own
        tables, in the trends of the years after it and in every report's CSV."""
        if below not in self._published:
            figures: dict[FigureKey, str] = {}
            for y in self.years:
                for measure in self.measures(y):
                    shown = publish(
                        total=measure.total,
                        breakdowns=[
                            [n for _label, n in parts] for _name, parts in measure.breakdowns
                        ],
                        below=below,
                    )
                    figures[(measure.name, ALL, y)] = shown.total
                    for (name, parts), texts in zip(
                        measure.breakdowns, shown.breakdowns, strict=True
                    ):
                        for (label, _n), text in zip(parts, texts, strict=True):
                            figures[(name, label, y)] = text
            self._published[below] = figures
        return self._published[below]

    def _table(
        self, rows: Iterable[tuple[str, tuple[FigureKey, ...], ChartColour | None]], **kwargs
    ) -> Table:
        """A table whose rows are (label, the key of each series' figure, colour)."""
        if not self._counts:
            self._counts.update(((m, c, y), n) for m, c, y, n in self.figures())
        counts = self._counts
        rows = list(rows)
        return Table(
            rows=tuple(
                Row(label=label, values=tuple(counts[k] for k in keys), colour=colour)
                for label, keys, colour in rows
            ),
            keys=tuple(keys for _label, keys, _colour in rows),
            source=self,
            **kwargs,
        )

    # The chosen year -------------------------------------------------------------------------

    def headline(self) -> Table:
        y = self.year
        return self._table(
            [
                (f"Deaths of children in {y}", ((DEATHS, ALL, y),), None),
                (f"Reviews completed in {y}", ((REVIEWS, ALL, y),), None),
            ],
            id="cdop-headline",
            title=f"Deaths and completed reviews in {y}",
            label_header="Measure",
            series=(Series("Number", "dark-blue"),),
        )

    def _by_both(self, breakdown: str, labels: Iterable[str]) -> list:
        """Rows of deaths and completed reviews side by side, one a category of `breakdown`."""
        y = self.year
        return [
            (label, ((by(DEATHS, breakdown), label, y), (by(REVIEWS, breakdown), label, y)), None)
            for label in labels
        ]

    def by_band(self) -> Table:
        return self._table(
            self._by_both(BY_BAND, (b.label for b in AgeBand)),
            id="cdop-by-band",
            title=f"By age at death, {self.year}",
            label_header="Age at death",
            series=(DEATH_SERIES, REVIEW_SERIES),
        )

    def by_expectation(self) -> Table:
        return self._table(
            self._by_both(BY_EXPECTATION, (e.label for e in Expectation)),
            id="cdop-by-expectation",
            title=f"Expected and unexpected deaths, {self.year}",
            label_header="The death was",
            series=(DEATH_SERIES, REVIEW_SERIES),
        )

    def by_category(self) -> Table:
        name = by(REVIEWS, BY_CATEGORY)
        return self._table(
            [(label, ((name, label, self.year),), None) for label in self.category_labels()],
            id="cdop-by-category",
            title=f"Completed reviews by category of death, {self.year}",
            label_header="Category of death",
            series=(REVIEW_SERIES,),
            horizontal=True,
        )

    def by_modifiable(self) -> Table:
        name = by(REVIEWS, BY_MODIFIABLE)
        return self._table(
            [
                (MODIFIABLE_LABELS[key], ((name, MODIFIABLE_LABELS[key], self.year),), colour)
                for key, colour in MODIFIABLE_COLOURS.items()
            ],
            id="cdop-by-modifiable",
            title=f"Completed reviews by modifiable factors, {self.year}",
            label_header="Modifiable factors",
            series=(REVIEW_SERIES,),
            horizontal=True,
        )

    def for_the_year(self) -> list[Table]:
        return [
            self.headline(),
            self.by_band(),
            self.by_expectation(),
            self.by_category(),
            self.by_modifiable(),
        ]

    # Trends ---------------------------------------------------------------------------------

    def _span(self) -> str:
        return f"{self.years[0]} to {self.years[-1]}"

    def trend_totals(self) -> Table:
        return self._table(
            [(str(y), ((DEATHS, ALL, y), (REVIEWS, ALL, y)), None) for y in self.years],
            id="cdop-trend-totals",
            title=f"Deaths and completed reviews, {self._span()}",
            label_header="Year",
            series=(DEATH_SERIES, REVIEW_SERIES),
        )

    def _by_year(self, name: str, labels: list[str]) -> list:
        """A row a year of the trend, a figure of breakdown `name` for each of `labels`."""
        return [(str(y), tuple((name, label, y) for label in labels), None) for y in self.years]

    def trend_expectation(self) -> Table:
        return self._table(
            self._by_year(by(DEATHS, BY_EXPECTATION), [e.label for e in Expectation]),
            id="cdop-trend-expectation",
            title=f"Expected and unexpected deaths, {self._span()}",
            label_header="Year of death",
            series=tuple(Series(e.label, EXPECTATION_COLOURS[e]) for e in Expectation),
            stacked=True,
        )

    def trend_bands(self) -> Table:
        return self._table(
            self._by_year(by(DEATHS, BY_BAND), [b.label for b in AgeBand]),
            id="cdop-trend-bands",
            title=f"Deaths by age at death, {self._span()}",
            label_header="Year of death",
            series=tuple(
                Series(band.label, colour)
                for band, colour in zip(AgeBand, BAND_COLOURS, strict=True)
            ),
            stacked=True,
        )

    def trend_modifiable(self) -> Table:
        return self._table(
            self._by_year(by(REVIEWS, BY_MODIFIABLE), list(MODIFIABLE_LABELS.values())),
            id="cdop-trend-modifiable",
            title=f"Completed reviews by modifiable factors, {self._span()}",
            label_header="Year closed",
            series=tuple(
                Series(MODIFIABLE_LABELS[key], colour) for key, colour in MODIFIABLE_COLOURS.items()
            ),
            stacked=True,
        )

    def trends(self) -> list[Table]:
        return [
            self.trend_totals(),
            self.trend_expectation(),
            self.trend_bands(),
            self.trend_modifiable(),
        ]


def _year_range(first: int, last: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(first, 1, 1), datetime.date(last, 12, 31)


def statistics_for(*, year: int, trend_years: int = TREND_YEARS) -> Statistics:
    """The figures of `year` and the trend over the `trend_years` years up to it: three
    queries, whatever the number of deaths."""
    years = list(range(year - trend_years + 1, year + 1))
    start, end = _year_range(years[0], years[-1])
    counts = {y: YearCounts(year=y) for y in years}

    # The panel's own children: those who normally lived here or were looked after by this
    # area (a child from elsewhere who died here is counted by their home area's panel). The
    # home area is a subquery, not a join, so that the deaths are counted from the index
    # cdop_death_latest_idx alone.
    home = Area.objects.filter(is_home=True).values("pk")
    deaths = (
        ChildDeath.objects.filter(died_on__gte=start, died_on__lte=end)
        .filter(Q(residence_area__in=home) | Q(looked_after_by__in=home))
        .annotate(year=ExtractYear("died_on"))
        .values("year", "band", "expectation")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in deaths:
        c = counts[row["year"]]
        c.deaths += row["n"]
        c.deaths_by_band[row["band"]] += row["n"]
        c.deaths_by_expectation[row["expectation"]] += row["n"]

    reviews = (
        PanelReview.objects.filter(closed_on__gte=start, closed_on__lte=end)
        .filter(Q(death__residence_area__in=home) | Q(death__looked_after_by__in=home))
        .annotate(year=ExtractYear("closed_on"))
        .values("year", "category_id", "modifiable", "death__band", "death__expectation")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in reviews:
        c = counts[row["year"]]
        c.reviews += row["n"]
        c.reviews_by_band[row["death__band"]] += row["n"]
        c.reviews_by_expectation[row["death__expectation"]] += row["n"]
        c.reviews_by_category[row["category_id"]] += row["n"]
        c.reviews_by_modifiable[row["modifiable"]] += row["n"]

    categories = list(DeathCategory.objects.order_by("number"))
    return Statistics(year=year, years=years, counts=counts, categories=categories)


def year_choices(today: datetime.date | None = None) -> list[int]:
    """The years the statistics can be shown for, newest first: from the earliest death recorded
    (or the last `YEARS_OFFERED` years) to this year. One query."""
    this_year = (today or timezone.localdate()).year
    earliest = ChildDeath.objects.aggregate(first=Min("died_on"))["first"]
    first = min(this_year - YEARS_OFFERED + 1, earliest.year if earliest else this_year)
    return list(range(this_year, first - 1, -1))


# Annual reports -------------------------------------------------------------------------------

REPORTS_PER_PAGE = 20


def report_page(page_number: str | None) -> Page:
    """The reports made, newest first, with who asked for each: two queries a page."""
    reports = AnnualReport.objects.select_related("requested_by").order_by("-requested_at", "-pk")
    return Paginator(reports, REPORTS_PER_PAGE).get_page(page_number)


def get_report_for_user(user: User, pk: int) -> AnnualReport:
    """The report, or 404 for anyone who may not see the statistics."""
    if not user.has_perm("cdop.see_statistics"):
        raise Http404("No such report.")
    report = (
        AnnualReport.objects.select_related("requested_by").filter(pk=pk if pk <= PK_MAX else 0)
    ).first()
    if report is None:
        raise Http404("No such report.")
    return report


@dataclass(frozen=True)
class StageState:
    stage: object  # cdop.services.statistics.Stage
    status: str  # "done", "running", "failed" or "waiting"

    @property
    def label(self) -> str:
        return {
            "done": "Completed",
            "running": "In progress",
            "failed": "Failed",
            "waiting": "Not started",
        }[self.status]


def stage_states(report: AnnualReport) -> list[StageState]:
    """Each stage of making the report, and how far it has got."""
    from ..services.statistics import STAGES

    states = []
    for stage in STAGES:
        if report.status == ReportStatus.DONE or report.progress >= stage.end:
            status = "done"
        elif stage.start <= report.progress < stage.end and report.status in (
            ReportStatus.RUNNING,
            ReportStatus.FAILED,
        ):
            status = "running" if report.status == ReportStatus.RUNNING else "failed"
        else:
            status = "waiting"
        states.append(StageState(stage, status))
    return states
