"""Published child death figures give no small number away (issue 11).

A reader of everything published for a year (the statistics' published view, the annual
report's PDF and CSV, and the trend rows of the years after it) knows: every number shown; that a
total shown as "fewer than N" is from 1 to N - 1; that a "withheld" figure is a whole number,
0 or more; and that the parts of every breakdown of a year's deaths (or completed reviews) add
up to that year's total, which every breakdown, table and trend row shares. These tests solve
for every figure held back from all of that, and find none whose value is determined:

- the issue's year of 5 deaths, through the board chair's page, the PDF's HTML and the CSV;
- a few hundred small random years, published through the product's own tables and CSV;
- the rule itself (`hscb.lib.suppression`) against a reader who also knows it and tries every
  possible set of figures of small tables against it.
"""

from __future__ import annotations

import csv
import datetime
import io
import random
from collections import defaultdict
from collections.abc import Iterator
from html.parser import HTMLParser
from itertools import chain, product

import pytest
import time_machine
from django.template.loader import render_to_string
from django.utils import timezone

from cdop.models import AgeBand, AnnualReport, DeathCategory, Expectation, Modifiable, ReportStatus
from cdop.selectors.statistics import NOT_RECORDED, Statistics, YearCounts, statistics_for
from cdop.services import statistics as services
from hscb.lib.suppression import WITHHELD, check_threshold, fewer_than, publish
from tests.cdop.factories import (
    AnnualReportFactory,
    ChildDeathFactory,
    PanelReviewFactory,
    ensure_categories,
)
from tests.hscb.test_settings import run_python

D = datetime.date
Key = tuple[str, str, int]  # (measure, category, year), as the CSV names a figure
# A bound on a figure that could be any number from 0: only ever makes the solutions fewer.
LARGEST = 60


# Reading what is published ----------------------------------------------------------------------


def read_csv(data: bytes) -> dict[Key, str]:
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["measure", "category", "year", "value"]
    figures = {(m, c, int(y)): v for m, c, y, v in rows[1:]}
    assert len(figures) == len(rows) - 1, "a figure is in the CSV twice"
    return figures


class Tables(HTMLParser):
    """Every <table> of a page: its caption, column headers, and rows (label, cells)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tables: list[dict] = []
        self._text: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append({"caption": "", "headers": [], "rows": []})
        elif self.tables and tag in ("caption", "th", "td"):
            self._text = []
            self._scope = dict(attrs).get("scope")

    def handle_data(self, data):
        if self._text is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if self._text is None or tag not in ("caption", "th", "td"):
            return
        text, table = " ".join("".join(self._text).split()), self.tables[-1]
        self._text = None
        if tag == "caption":
            table["caption"] = text.removesuffix(": the published figures")
        elif tag == "th" and self._scope == "col":
            table["headers"].append(text)
        elif tag == "th":
            table["rows"].append((text, []))
        else:
            table["rows"][-1][1].append(text)


def key_for(table: str, row: str, header: str, year: int) -> Key:
    """The figure a cell of a published table stands for: what the table says it shows."""
    trend_year = int(row) if row.isdigit() else 0
    if table == "cdop-headline":
        return ("Deaths" if row.startswith("Deaths") else "Completed reviews", "All", year)
    if table in ("cdop-by-band", "cdop-by-expectation"):
        breakdown = "age band" if table == "cdop-by-band" else "expected or unexpected"
        return (f"{header} by {breakdown}", row, year)
    if table == "cdop-by-category":
        return ("Completed reviews by category of death", row, year)
    if table == "cdop-by-modifiable":
        return ("Completed reviews by modifiable factors", row, year)
    if table == "cdop-trend-totals":
        return (header, "All", trend_year)
    return (
        {
            "cdop-trend-expectation": "Deaths by expected or unexpected",
            "cdop-trend-bands": "Deaths by age band",
            "cdop-trend-modifiable": "Completed reviews by modifiable factors",
        }[table],
        header,
        trend_year,
    )


def figures_in(tables: list[dict], stats: Statistics) -> dict[Key, str]:
    """Every figure of the published `tables` (parsed), by the figure it stands for."""
    ids = {t.title: t.id for t in stats.for_the_year() + stats.trends()}
    found: dict[Key, str] = {}
    for table in tables:
        for label, cells in table["rows"]:
            assert len(cells) == len(table["headers"]) - 1
            for header, text in zip(table["headers"][1:], cells, strict=True):
                key = key_for(ids[table["caption"]], label, header, stats.year)
                assert found.setdefault(key, text) == text, f"{key} reads two ways"
    return found


def figures_of_tables(stats: Statistics, below: int) -> Iterator[tuple[Key, str]]:
    """Every cell of the product's published tables (as the page and the PDF draw them), with
    the figure it stands for."""
    for table in stats.for_the_year() + stats.trends():
        for row in table.published(below):
            for series, text in zip(table.series, row.values, strict=True):
                yield key_for(table.id, row.label, series.label, stats.year), text


# Solving for what is held back ----------------------------------------------------------------


def possible(text: str, most: int) -> range:
    """The values a figure can have, as the reader sees it (at most `most`)."""
    if text.isdigit():
        return range(int(text), int(text) + 1)
    if text.startswith("fewer than "):
        return range(1, min(int(text.removeprefix("fewer than ")), most + 1))
    assert text == WITHHELD, f"unknown figure {text!r}"
    return range(most + 1)


def parts_adding_to(domains: list[range], total: int) -> list[set[int]] | None:
    """Each part's values in some assignment of all the parts (each from its domain) adding up
    to `total`; None when there is none. Exact: the sums the other parts can reach, from both
    ends."""
    before = [{0}]
    for domain in domains:
        before.append({a + v for a in before[-1] for v in domain if a + v <= total})
    after = [{0}]
    for domain in reversed(domains):
        after.append({a + v for a in after[-1] for v in domain if a + v <= total})
    after.reverse()
    values = []
    for i, domain in enumerate(domains):
        others = {a + b for a in before[i] for b in after[i + 1]}
        values.append({v for v in domain if total - v in others})
    return values if all(values) else None


def solve(published: dict[Key, str]) -> dict[Key, set[int]]:
    """Every value each figure takes over every assignment of all the figures consistent with
    everything `published`: each total with all of its breakdowns in that year at once."""
    totals = {(m, y): text for (m, c, y), text in published.items() if c == "All"}
    breakdowns: dict[tuple[str, int], dict[str, list[Key]]] = defaultdict(lambda: defaultdict(list))
    for key in published:
        measure, _category, year = key
        if " by " in measure:
            breakdowns[(measure.split(" by ")[0], year)][measure].append(key)
    assert set(breakdowns) <= set(totals), "a breakdown without its total"
    values: dict[Key, set[int]] = defaultdict(set)
    for (measure, year), text in totals.items():
        for total in possible(text, LARGEST):
            solved = [
                (keys, parts_adding_to([possible(published[k], total) for k in keys], total))
                for keys in breakdowns[(measure, year)].values()
            ]
            if all(parts is not None for _keys, parts in solved):
                values[(measure, "All", year)].add(total)
                for keys, parts in solved:
                    for key, found in zip(keys, parts, strict=True):
                        values[key] |= found
    return values


def determined(published: dict[Key, str], true: dict[Key, int]) -> list[str]:
    """The figures held back whose value can be worked out from `published`."""
    values = solve(published)
    found = []
    for key, text in published.items():
        assert true[key] in values[key], f"the solver lost the true {key}"
        if text.isdigit():
            assert int(text) == true[key], f"{key} is published as {text}, not {true[key]}"
        elif len(values[key]) < 2:
            found.append(f"{key} reads {text!r} but can only be {values[key]}")
    return found


def true_figures(stats: Statistics) -> dict[Key, int]:
    return {(m, c, y): n for m, c, y, n in stats.figures()}


# The year of 5 deaths -------------------------------------------------------------------

TODAY = D(2026, 6, 15)


@pytest.fixture
def mid_june():
    with time_machine.travel(
        timezone.make_aware(datetime.datetime.combine(TODAY, datetime.time(10))), tick=False
    ):
        yield


@pytest.fixture
def five_deaths(board, mid_june, cdop_member):
    """2025: a neonatal death, an infant's, none aged 1 to 4 and three aged 5 to 9 (the issue's
    "fewer than 3", "fewer than 3", 0 and 3); the three reviewed and closed in 2025."""
    categories = ensure_categories()
    ChildDeathFactory(
        date_of_birth=D(2025, 3, 1), died_on=D(2025, 3, 10), expectation=Expectation.EXPECTED
    )
    ChildDeathFactory(date_of_birth=D(2024, 12, 1), died_on=D(2025, 4, 1))
    for n, (category, modifiable) in enumerate(
        [(1, Modifiable.NO), (1, Modifiable.NO), (8, Modifiable.YES)]
    ):
        death = ChildDeathFactory(date_of_birth=D(2018, 1, 1), died_on=D(2025, 5, 1 + n))
        PanelReviewFactory(
            death=death,
            category=categories[category],
            modifiable=modifiable,
            closed_on=D(2025, 11, 1 + n),
            updated_by=cdop_member,
        )


@pytest.mark.django_db
def test_a_year_of_five_deaths_gives_no_age_band_away(client, five_deaths, board_chair):
    client.force_login(board_chair)
    page = client.get("/cdop/statistics/?year=2025&published=1").content.decode()
    stats = statistics_for(year=2025)
    shown = figures_in(Tables(page).tables, stats)
    assert determined(shown, true_figures(stats)) == []
    bands = [shown[("Deaths by age band", band.label, 2025)] for band in AgeBand]
    # 1, 1, 0, 3, 0, 0: the two 1s and the 3 are held back together, and read the same.
    assert bands == [WITHHELD, WITHHELD, "0", WITHHELD, "0", "0"]
    assert shown[("Deaths", "All", 2025)] == "5"
    assert shown[("Deaths by age band", "0 to 27 days", 2024)] == "0"  # a trend row


@pytest.mark.django_db
def test_the_page_the_pdf_and_the_csv_publish_the_same_figures(
    client, five_deaths, board_chair, monkeypatch
):
    report = AnnualReportFactory(year=2025, suppress_below=3, status=ReportStatus.QUEUED)
    made = {}

    def html_only(template, context):
        made["html"] = render_to_string(template, context)
        return b"%PDF-1.7 (the HTML is what is checked)"

    # The report is built as the task builds it; the PDF's HTML is kept instead of drawn.
    monkeypatch.setattr(services, "render_pdf", html_only)
    assert services.report_build(report_pk=report.pk) is True
    report = AnnualReport.objects.get(pk=report.pk)
    in_csv = read_csv(report.csv.read())

    client.force_login(board_chair)
    page = client.get("/cdop/statistics/?year=2025&published=1").content.decode()
    stats = statistics_for(year=2025)
    on_page = figures_in(Tables(page).tables, stats)
    in_pdf = figures_in(Tables(made["html"]).tables, stats)

    assert on_page == in_pdf
    # The year's figures, and the trend's totals, deaths by age band and by expected or
    # unexpected, and reviews by modifiable factors.
    assert len(on_page) == 89
    # Every figure of the tables is in the CSV, and reads the same there.
    assert {key: in_csv[key] for key in on_page} == on_page
    assert in_pdf[("Deaths by age band", "5 to 9 years", 2025)] == WITHHELD
    assert in_csv[("Deaths by expected or unexpected", "Expected", 2025)] == WITHHELD
    # Three reviews, in two categories: 2 and 1, nothing of 3 or more, so all withheld.
    second = str(DeathCategory.objects.get(number=2))
    assert in_csv[("Completed reviews by category of death", second, 2025)] == WITHHELD
    assert in_csv[("Completed reviews by category of death", NOT_RECORDED, 2025)] == WITHHELD
    assert determined(in_csv, true_figures(stats)) == []


# Many small random years --------------------------------------------------------------------------

CATEGORIES = [DeathCategory(pk=n, number=n, name=f"Category {n}") for n in range(1, 11)]
BANDS = [b.value for b in AgeBand]
EXPECTATIONS = [e.value for e in Expectation]
MODIFIABLE = [*(m.value for m in Modifiable), ""]
# Mostly small years, so that small numbers, equal ones and noughts are common.
SIZES = [0, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 7, 8, 9, 11, 14]


def skewed(rng: random.Random, values: list) -> object:
    """One of `values`, the first ones much likelier: real figures bunch up."""
    return values[min(int(rng.expovariate(0.9)), len(values) - 1)]


def random_year(rng: random.Random, year: int) -> YearCounts:
    counts = YearCounts(year=year)
    order = list(BANDS)
    rng.shuffle(order)
    for _ in range(rng.choice(SIZES)):
        counts.deaths += 1
        counts.deaths_by_band[skewed(rng, order)] += 1
        counts.deaths_by_expectation[rng.choice(EXPECTATIONS)] += 1
    categories = [c.pk for c in CATEGORIES] + [None]
    rng.shuffle(categories)
    for _ in range(rng.choice(SIZES)):
        counts.reviews += 1
        counts.reviews_by_band[skewed(rng, order)] += 1
        counts.reviews_by_expectation[rng.choice(EXPECTATIONS)] += 1
        counts.reviews_by_category[skewed(rng, categories)] += 1
        counts.reviews_by_modifiable[skewed(rng, MODIFIABLE)] += 1
    return counts


@pytest.mark.parametrize("below", [3, 5])
def test_no_figure_held_back_from_many_small_random_years_can_be_worked_out(below):
    rng = random.Random(1100 + below)
    problems: list[str] = []
    held_back = small_totals = 0
    for n in range(40):  # 40 times 5 years
        years = list(range(2020, 2025))
        stats = Statistics(
            year=2024,
            years=years,
            counts={y: random_year(rng, y) for y in years},
            categories=CATEGORIES,
        )
        in_csv = read_csv(services.report_csv(stats, below))
        for problem in determined(in_csv, true_figures(stats)):
            problems.append(f"run {n}: {problem}")
        # The page and the PDF (both draw these tables) publish nothing the CSV does not.
        for key, text in figures_of_tables(stats, below):
            if in_csv.get(key) != text:
                problems.append(f"run {n}: {key} reads {text!r} in a table, {in_csv.get(key)!r}")
        held_back += sum(not text.isdigit() for text in in_csv.values())
        small_totals += sum(text.startswith("fewer") for text in in_csv.values())
    assert problems == []
    # The years were small enough to hold plenty back.
    assert held_back > 3000 and small_totals > 50


# The rule, against a reader who knows it ------------------------------------------------------


def compositions(total: int, parts: int) -> Iterator[tuple[int, ...]]:
    """Every way of splitting `total` into `parts` whole numbers, 0 or more."""
    if parts == 1:
        yield (total,)
        return
    for first in range(total + 1):
        for rest in compositions(total - first, parts - 1):
            yield (first, *rest)


# Shapes of a total's breakdowns (numbers of parts), and the largest total tried: deaths are
# broken down into 6 age bands and 2 (expected or not); reviews also into 11 categories and 4.
SHAPES = [((6, 2), 8), ((2,), 16), ((3,), 14), ((4,), 12), ((11,), 5), ((4, 3), 8)]


@pytest.mark.parametrize("below", [3, 4])
def test_a_reader_who_knows_the_rule_can_work_out_nothing_held_back(below):
    for shape, largest in SHAPES:
        # Every possible set of figures, grouped by how it is published: a reader who sees one
        # publication knows the figures are one of its group, and nothing more.
        groups = defaultdict(list)
        for total in range(largest + 1):
            for parts in product(*(list(compositions(total, n)) for n in shape)):
                shown = publish(total=total, breakdowns=parts, below=below)
                groups[shown].append((total, *chain(*parts)))
        for shown, figures in groups.items():
            for i, text in enumerate((shown.total, *chain(*shown.breakdowns))):
                if not text.isdigit():
                    values = {f[i] for f in figures}
                    assert len(values) >= 2, f"{shape}: {shown} gives figure {i} away: {values}"


@pytest.mark.parametrize(
    ("total", "parts", "shown"),
    [
        # The 5 deaths by age band: the 1s are equal, so the 3 is withheld with them.
        (5, [1, 1, 0, 3, 0, 0], [WITHHELD, WITHHELD, "0", WITHHELD, "0", "0"]),
        # Small parts that differ are withheld alone.
        (12, [2, 1, 0, 9], [WITHHELD, WITHHELD, "0", "9"]),
        # One small part: the smallest larger one goes with it, with every part equal to it.
        (20, [2, 6, 6, 6], [WITHHELD, WITHHELD, WITHHELD, WITHHELD]),
        (21, [1, 4, 7, 9], [WITHHELD, WITHHELD, "7", "9"]),
        # Nothing of 3 or more: the whole breakdown is withheld, noughts too.
        (4, [2, 2, 0], [WITHHELD, WITHHELD, WITHHELD]),
        # Nothing small: everything is shown.
        (7, [3, 4, 0], ["3", "4", "0"]),
    ],
)
def test_a_breakdown_is_held_back_by_the_rule(total, parts, shown):
    published = publish(total=total, breakdowns=[parts], below=3)
    assert published.total == str(total)
    assert list(published.breakdowns[0]) == shown


def test_a_small_total_is_fewer_than_the_threshold_and_its_parts_all_withheld():
    published = publish(total=2, breakdowns=[[1, 1, 0], [2, 0]], below=3)
    assert published.total == fewer_than(3) == "fewer than 3"
    assert published.breakdowns == ((WITHHELD,) * 3, (WITHHELD,) * 2)
    assert publish(total=0, breakdowns=[[0, 0]], below=3).breakdowns == (("0", "0"),)
    assert publish(total=4, breakdowns=[[1, 3]], below=5).total == "fewer than 5"
    # A threshold of 1 publishes every number.
    assert publish(total=2, breakdowns=[[1, 1]], below=1).breakdowns == (("1", "1"),)


def test_parts_that_do_not_add_up_to_the_total_are_refused():
    with pytest.raises(ValueError, match="adding up to the total"):
        publish(total=5, breakdowns=[[1, 1]], below=3)


@pytest.mark.parametrize("below", [0, 2, True])
def test_a_threshold_that_would_give_numbers_away_is_refused(below):
    with pytest.raises(ValueError, match=r"1 .* or 3 or more"):
        check_threshold(below)


def test_the_settings_refuse_a_threshold_of_2():
    result = run_python("-c", "import hscb.settings", CDOP_SUPPRESS_BELOW="2")
    assert result.returncode != 0
    assert "CDOP_SUPPRESS_BELOW must be 1 (publish every number) or 3 or more" in result.stderr
