"""The panel's statistics: aggregates only, never a child (DESIGN.md §5).

- Deaths are counted by the year the child died: every death notified to the panel.
- Completed reviews are counted by the year the case was closed.
- Each is broken down by age band and by expected or unexpected; completed reviews also by the
  category of death and by whether there were modifiable factors.
- Trends run over the `TREND_YEARS` years up to the year chosen.

Everything is counted by the database in three queries (deaths, completed reviews, the
categories), whatever the number of deaths. Figures marked for publication show any count from 1
up to the threshold (`settings.CDOP_SUPPRESS_BELOW`) as "fewer than N": those views carry no
chart, so the small numbers are not in the page at all.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Count, Min, Q
from django.db.models.functions import ExtractYear
from django.http import Http404
from django.utils import timezone

from hscb.forms.board import PK_MAX
from hscb.models import User
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

DEATHS = "Deaths"
REVIEWS = "Completed reviews"
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
}
MODIFIABLE_LABELS = {
    Modifiable.YES: "Modifiable factors identified",
    Modifiable.NO: "No modifiable factors identified",
    Modifiable.INSUFFICIENT: "Insufficient information",
}
BAND_COLOURS: tuple[ChartColour, ...] = ("dark-blue", "blue", "green", "amber", "red", "grey")


WITHHELD = "withheld"


def suppressed(value: int, below: int) -> str:
    """A count as published: from 1 up to `below` it is "fewer than `below`"."""
    return f"fewer than {below}" if 0 < value < below else str(value)


def published_breakdown(values: list[int] | tuple[int, ...], below: int) -> list[str]:
    """The counts of one breakdown (the parts of a total that is published too) as published.

    Counts from 1 up to `below` read "fewer than `below`". When that holds back just one part,
    it could be worked out from the total and the others, so the smallest other part above
    nought is withheld as well (secondary suppression)."""
    shown = [suppressed(v, below) for v in values]
    small = [i for i, v in enumerate(values) if 0 < v < below]
    if len(small) == 1:
        others = sorted((v, i) for i, v in enumerate(values) if v >= below)
        if others:
            shown[others[0][1]] = WITHHELD
    return shown


@dataclass(frozen=True)
class PublishedRow:
    label: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """One set of figures: drawn as a chart with its table, or as the published table alone."""

    id: str
    title: str
    label_header: str
    series: tuple[Series, ...]
    rows: tuple[Row, ...]
    kind: str = "bar"
    horizontal: bool = False
    stacked: bool = False
    measure: str = ""  # how the CSV names the figures
    # Which cells are the parts of a published total: the rows of each column ("column"), the
    # columns of each row (a trend's year split by band, "row"), or none ("none").
    breakdown: str = "column"
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
        """The rows as published, with each breakdown's parts suppressed together."""
        if self.breakdown == "row":
            cells = [published_breakdown(row.values, below) for row in self.rows]
        elif self.breakdown == "column":
            columns = [
                published_breakdown([row.values[i] for row in self.rows], below)
                for i in range(len(self.series))
            ]
            cells = [[column[r] for column in columns] for r in range(len(self.rows))]
        else:
            cells = [[suppressed(v, below) for v in row.values] for row in self.rows]
        return tuple(PublishedRow(row.label, tuple(cells[r])) for r, row in enumerate(self.rows))

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


def _rows_by_choice(choices, *breakdowns: Mapping[str, int]) -> tuple[Row, ...]:
    """A row for each of `choices`, with its figure in each of `breakdowns` (deaths, then
    completed reviews)."""
    return tuple(
        Row(label=c.label, values=tuple(b.get(c.value, 0) for b in breakdowns)) for c in choices
    )


@dataclass
class Statistics:
    year: int
    years: list[int]  # the trend's years, oldest first, ending with `year`
    counts: dict[int, YearCounts]
    categories: list[DeathCategory]

    @property
    def this_year(self) -> YearCounts:
        return self.counts[self.year]

    # The chosen year -------------------------------------------------------------------------

    def _category_rows(self, counts: YearCounts) -> list[tuple[str, int]]:
        rows = [
            (str(c), counts.reviews_by_category.get(c.pk, 0))
            for c in self.categories
            if c.is_active or counts.reviews_by_category.get(c.pk)
        ]
        if counts.reviews_by_category.get(None):
            rows.append((NOT_RECORDED, counts.reviews_by_category[None]))
        return rows

    def _modifiable_rows(self, counts: YearCounts) -> list[tuple[str, str, int]]:
        rows = [
            (m.value, MODIFIABLE_LABELS[m], counts.reviews_by_modifiable.get(m.value, 0))
            for m in Modifiable
        ]
        if counts.reviews_by_modifiable.get(""):
            rows.append(("", NOT_RECORDED, counts.reviews_by_modifiable[""]))
        return rows

    def headline(self) -> Table:
        counts = self.this_year
        return Table(
            id="cdop-headline",
            title=f"Deaths and completed reviews in {self.year}",
            label_header="Measure",
            series=(Series("Number", "dark-blue"),),
            rows=(
                Row(label=f"Deaths of children in {self.year}", values=(counts.deaths,)),
                Row(label=f"Reviews completed in {self.year}", values=(counts.reviews,)),
            ),
            measure="Total",
            breakdown="none",
        )

    def by_band(self) -> Table:
        counts = self.this_year
        return Table(
            id="cdop-by-band",
            title=f"By age at death, {self.year}",
            label_header="Age at death",
            series=(DEATH_SERIES, REVIEW_SERIES),
            rows=_rows_by_choice(AgeBand, counts.deaths_by_band, counts.reviews_by_band),
            measure="By age band",
        )

    def by_expectation(self) -> Table:
        counts = self.this_year
        return Table(
            id="cdop-by-expectation",
            title=f"Expected and unexpected deaths, {self.year}",
            label_header="The death was",
            series=(DEATH_SERIES, REVIEW_SERIES),
            rows=_rows_by_choice(
                Expectation, counts.deaths_by_expectation, counts.reviews_by_expectation
            ),
            measure="By expected or unexpected",
        )

    def by_category(self) -> Table:
        return Table(
            id="cdop-by-category",
            title=f"Completed reviews by category of death, {self.year}",
            label_header="Category of death",
            series=(REVIEW_SERIES,),
            rows=tuple(
                Row(label=label, values=(n,)) for label, n in self._category_rows(self.this_year)
            ),
            horizontal=True,
            measure="Completed reviews by category of death",
        )

    def by_modifiable(self) -> Table:
        return Table(
            id="cdop-by-modifiable",
            title=f"Completed reviews by modifiable factors, {self.year}",
            label_header="Modifiable factors",
            series=(REVIEW_SERIES,),
            rows=tuple(
                Row(label=label, values=(n,), colour=MODIFIABLE_COLOURS.get(key, "grey"))
                for key, label, n in self._modifiable_rows(self.this_year)
            ),
            horizontal=True,
            measure="Completed reviews by modifiable factors",
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

    def trend_totals(self) -> Table:
        return Table(
            id="cdop-trend-totals",
            title=f"Deaths and completed reviews, {self.years[0]} to {self.years[-1]}",
            label_header="Year",
            series=(DEATH_SERIES, REVIEW_SERIES),
            rows=tuple(
                Row(label=str(y), values=(self.counts[y].deaths, self.counts[y].reviews))
                for y in self.years
            ),
            measure="Trend: deaths and completed reviews",
            breakdown="none",
        )

    def trend_expectation(self) -> Table:
        return Table(
            id="cdop-trend-expectation",
            title=f"Expected and unexpected deaths, {self.years[0]} to {self.years[-1]}",
            label_header="Year of death",
            series=tuple(Series(e.label, EXPECTATION_COLOURS[e]) for e in Expectation),
            rows=self._rows_by_year("deaths_by_expectation", Expectation),
            stacked=True,
            measure="Trend: deaths by expected or unexpected",
            breakdown="row",
        )

    def trend_bands(self) -> Table:
        return Table(
            id="cdop-trend-bands",
            title=f"Deaths by age at death, {self.years[0]} to {self.years[-1]}",
            label_header="Year of death",
            series=tuple(
                Series(band.label, colour)
                for band, colour in zip(AgeBand, BAND_COLOURS, strict=True)
            ),
            rows=self._rows_by_year("deaths_by_band", AgeBand),
            stacked=True,
            measure="Trend: deaths by age band",
            breakdown="row",
        )

    def trend_modifiable(self) -> Table:
        return Table(
            id="cdop-trend-modifiable",
            title=f"Completed reviews by modifiable factors, {self.years[0]} to {self.years[-1]}",
            label_header="Year closed",
            series=tuple(Series(MODIFIABLE_LABELS[m], MODIFIABLE_COLOURS[m]) for m in Modifiable),
            rows=self._rows_by_year("reviews_by_modifiable", Modifiable),
            stacked=True,
            measure="Trend: completed reviews by modifiable factors",
            breakdown="row",
        )

    def _rows_by_year(self, breakdown: str, choices) -> tuple[Row, ...]:
        """A row a year of the trend, its figures those of `breakdown` (a mapping of the year's
        counts) for each of `choices`."""
        return tuple(
            Row(
                label=str(y),
                values=tuple(getattr(self.counts[y], breakdown).get(c.value, 0) for c in choices),
            )
            for y in self.years
        )

    def trends(self) -> list[Table]:
        return [
            self.trend_totals(),
            self.trend_expectation(),
            self.trend_bands(),
            self.trend_modifiable(),
        ]

    # Every figure, one a row ------------------------------------------------------------------

    def figures(self) -> list[tuple[str, str, int, int]]:
        """(measure, category, year, count) for every figure of every year of the trend: what
        the annual report's CSV holds."""
        rows: list[tuple[str, str, int, int]] = []
        for y in self.years:
            c = self.counts[y]
            rows.append((DEATHS, "All", y, c.deaths))
            rows.extend(
                (f"{DEATHS} by age band", b.label, y, c.deaths_by_band.get(b.value, 0))
                for b in AgeBand
            )
            rows.extend(
                (
                    f"{DEATHS} by expected or unexpected",
                    e.label,
                    y,
                    c.deaths_by_expectation.get(e.value, 0),
                )
                for e in Expectation
            )
            rows.append((REVIEWS, "All", y, c.reviews))
            rows.extend(
                (f"{REVIEWS} by age band", b.label, y, c.reviews_by_band.get(b.value, 0))
                for b in AgeBand
            )
            rows.extend(
                (
                    f"{REVIEWS} by expected or unexpected",
                    e.label,
                    y,
                    c.reviews_by_expectation.get(e.value, 0),
                )
                for e in Expectation
            )
            rows.extend(
                (f"{REVIEWS} by category of death", label, y, n)
                for label, n in self._category_rows(c)
            )
            rows.extend(
                (f"{REVIEWS} by modifiable factors", label, y, n)
                for _key, label, n in self._modifiable_rows(c)
            )
        return rows


def _year_range(first: int, last: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(first, 1, 1), datetime.date(last, 12, 31)


def statistics_for(*, year: int, trend_years: int = TREND_YEARS) -> Statistics:
    """The figures of `year` and the trend over the `trend_years` years up to it: three
    queries, whatever the number of deaths."""
    years = list(range(year - trend_years + 1, year + 1))
    start, end = _year_range(years[0], years[-1])
    counts = {y: YearCounts(year=y) for y in years}

    deaths = (
        # The panel's own children: those who normally lived here or were looked after by this
        # area (a child from elsewhere who died here is counted by their home area's panel).
        ChildDeath.objects.filter(died_on__gte=start, died_on__lte=end)
        .filter(Q(residence_area__is_home=True) | Q(looked_after_by__is_home=True))
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
        .filter(Q(death__residence_area__is_home=True) | Q(death__looked_after_by__is_home=True))
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
