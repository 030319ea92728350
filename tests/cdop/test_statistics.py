"""The panel's statistics: deaths and completed reviews counted by each dimension from known
data, the published view that holds small numbers back (and never puts them in a chart's
data), a fixed number of queries however many deaths there are, and who may see the page.
That no number held back can be worked out is tested in `test_suppression`."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cdop.models import AgeBand, ChildDeath, DeathStatus, Expectation, Modifiable
from cdop.selectors.statistics import NOT_RECORDED, statistics_for, year_choices
from tests.cdop.factories import ChildDeathFactory, PanelReviewFactory, ensure_categories
from tests.hscb.test_bad_input import assert_error_page

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 15)
D = datetime.date
EXPECTED, UNEXPECTED = Expectation.EXPECTED, Expectation.UNEXPECTED


@pytest.fixture(autouse=True)
def mid_june():
    with time_machine.travel(
        timezone.make_aware(datetime.datetime.combine(TODAY, datetime.time(10))), tick=False
    ):
        yield


def death(born, died, expectation=UNEXPECTED, **kwargs):
    return ChildDeathFactory(date_of_birth=born, died_on=died, expectation=expectation, **kwargs)


def closed(d, category, modifiable, on):
    d.status = DeathStatus.CLOSED
    d.save(update_fields=["status"])
    return PanelReviewFactory(death=d, category=category, modifiable=modifiable, closed_on=on)


@pytest.fixture
def known(board):
    """2025: six deaths (two neonatal and expected, three aged 1 to 4, one aged 16) and three
    reviews completed; 2024: one death (aged 7); 2026: one review completed."""
    categories = ensure_categories()
    a = death(D(2025, 3, 1), D(2025, 3, 10), EXPECTED)
    death(D(2025, 4, 1), D(2025, 4, 5), EXPECTED)
    c = death(D(2009, 1, 1), D(2025, 2, 1))
    d = death(D(2022, 1, 1), D(2025, 6, 1))
    death(D(2021, 5, 1), D(2025, 7, 1))
    death(D(2023, 2, 1), D(2025, 8, 1))
    g = death(D(2017, 1, 1), D(2024, 5, 1))
    closed(g, categories[8], Modifiable.NO, D(2025, 2, 1))
    closed(a, categories[7], Modifiable.INSUFFICIENT, D(2025, 10, 1))
    closed(d, categories[2], Modifiable.YES, D(2025, 12, 1))
    closed(c, categories[1], Modifiable.YES, D(2026, 1, 10))
    return categories


def test_deaths_and_reviews_are_counted_by_each_dimension(known):
    stats = statistics_for(year=2025)
    year = stats.this_year
    assert (year.deaths, year.reviews) == (6, 3)
    assert dict(year.deaths_by_band) == {
        AgeBand.NEONATAL: 2,
        AgeBand.AGE_1_4: 3,
        AgeBand.AGE_15_17: 1,
    }
    assert dict(year.deaths_by_expectation) == {EXPECTED: 2, UNEXPECTED: 4}
    assert dict(year.reviews_by_band) == {
        AgeBand.AGE_5_9: 1,
        AgeBand.NEONATAL: 1,
        AgeBand.AGE_1_4: 1,
    }
    assert dict(year.reviews_by_expectation) == {UNEXPECTED: 2, EXPECTED: 1}
    assert dict(year.reviews_by_category) == {known[8].pk: 1, known[7].pk: 1, known[2].pk: 1}
    assert dict(year.reviews_by_modifiable) == {
        Modifiable.NO: 1,
        Modifiable.INSUFFICIENT: 1,
        Modifiable.YES: 1,
    }
    assert stats.years == [2021, 2022, 2023, 2024, 2025]
    assert [(stats.counts[y].deaths, stats.counts[y].reviews) for y in stats.years] == [
        (0, 0),
        (0, 0),
        (0, 0),
        (1, 0),
        (6, 3),
    ]
    assert statistics_for(year=2026).this_year.reviews == 1


def test_the_tables_carry_every_category_and_band_whatever_the_figures(known):
    stats = statistics_for(year=2025)
    category = stats.by_category()
    # Every category and "Not recorded", even with nothing in them: whether a row is there says
    # nothing about the figures.
    assert len(category.rows) == 11
    assert category.rows[2].label.startswith("3. Trauma")
    assert category.rows[2].values == (1,)
    assert category.rows[-1].label == NOT_RECORDED
    assert category.rows[-1].values == (0,)
    assert [row.label for row in stats.by_modifiable().rows][-1] == NOT_RECORDED
    assert [s.label for s in stats.trend_modifiable().series][-1] == NOT_RECORDED
    band = stats.by_band()
    assert [row.label for row in band.rows] == [b.label for b in AgeBand]
    assert band.rows[0].values == (2, 1)  # neonatal: 2 deaths, 1 completed review
    assert band.rows[3].values == (0, 1)  # 5 to 9: the 2024 death reviewed in 2025


def test_the_statistics_take_three_queries_whatever_the_data(board, django_assert_num_queries):
    ensure_categories()
    with django_assert_num_queries(3):
        statistics_for(year=2025)
    for n in range(12):
        d = death(D(2015, 1, 1), D(2025, 1, 1) + datetime.timedelta(days=n * 20))
        closed(d, None, Modifiable.NO, D(2025, 12, 1))
    with django_assert_num_queries(3):
        assert statistics_for(year=2025).this_year.reviews == 12


def test_the_years_offered_run_from_the_earliest_death_to_this_year(board):
    assert year_choices()[:2] == [2026, 2025]
    assert year_choices()[-1] == 2017
    death(D(2005, 1, 1), D(2010, 6, 1))
    assert year_choices()[-1] == 2010


# The page -------------------------------------------------------------------------------------


def row(text: str, label: str) -> list[str]:
    """The cells of the table row headed `label`."""
    found = re.search(
        rf'<th scope="row" class="govuk-table__header">{re.escape(label)}</th>(.*?)</tr>',
        text,
        re.S,
    )
    assert found, f"no row {label}"
    return re.findall(
        r'<td class="govuk-table__cell govuk-table__cell--numeric">(.*?)</td>', found[1]
    )


def test_the_panel_sees_every_figure_with_charts(client, known, cdop_member):
    client.force_login(cdop_member)
    text = client.get("/cdop/statistics/?year=2025").content.decode()
    assert "You are looking at all the figures" in text
    assert row(text, "0 to 27 days") == ["2", "1"]
    assert row(text, "15 to 17 years") == ["1", "0"]
    assert row(text, "Deaths of children in 2025") == ["6"]
    assert 'type="application/json"' in text
    assert '"data": [2, 0, 3, 0, 0, 1]' in text  # deaths by age band, drawn as a chart
    assert "vendor/chart.js/chart.umd.min.js" in text


def test_the_published_figures_hold_small_numbers_back_and_draw_no_chart(
    client, known, cdop_member
):
    client.force_login(cdop_member)
    text = client.get("/cdop/statistics/?year=2025&published=1").content.decode()
    assert "You are looking at the published figures" in text
    assert "(published figures)" in text  # in the title
    assert "A total from 1 to 2 is shown as “fewer than 3”" in text  # the rule, in words
    # Deaths by age band 2, 0, 3, 0, 0, 1: the 2 and the 1 differ, so they alone are withheld.
    # Reviews 1, 0, 1, 1, 0, 0: nothing of 3 or more, so the whole breakdown is withheld.
    assert row(text, "0 to 27 days") == ["withheld", "withheld"]
    assert row(text, "5 to 9 years") == ["0", "withheld"]
    assert row(text, "1 to 4 years") == ["3", "withheld"]
    assert row(text, "15 to 17 years") == ["withheld", "withheld"]
    assert row(text, "Deaths of children in 2025") == ["6"]
    assert row(text, "Reviews completed in 2025") == ["3"]
    # 2024's one death: the total is fewer than 3, and every part of it withheld.
    assert row(text, "2024") == ["fewer than 3", "0"]
    assert text.count('<td class="govuk-table__cell govuk-table__cell--numeric">fewer than 3<') == 1
    # No chart, so the small numbers are nowhere in the page's data.
    assert 'type="application/json"' not in text
    assert "data-chart" not in text
    assert '"data"' not in text
    assert "chart.umd.min.js" not in text


def test_the_published_view_alone_shows_this_year(client, known, cdop_member):
    client.force_login(cdop_member)
    text = client.get("/cdop/statistics/?published=1").content.decode()
    assert "Child death statistics, 2026" in text
    assert "You are looking at the published figures" in text
    assert row(text, "Reviews completed in 2026") == ["fewer than 3"]


def test_the_page_shows_no_child(client, known, cdop_member):
    for n, d in enumerate(ChildDeath.objects.all()):
        d.first_name, d.last_name = f"Quillon{n}", f"Xanthippe-Ober{n}"
        d.save(update_fields=["first_name", "last_name"])
    client.force_login(cdop_member)
    text = client.get("/cdop/statistics/?year=2025").content.decode()
    assert "Quillon" not in text
    assert "Xanthippe" not in text
    for d in ChildDeath.objects.all():
        assert d.reference not in text


@pytest.mark.parametrize("query", ["year=abc", "year=99999999999999999999", "year=1800"])
def test_a_year_not_offered_is_refused_with_a_message(client, board, cdop_member, query):
    client.force_login(cdop_member)
    text = assert_error_page(client.get(f"/cdop/statistics/?{query}"), "year")
    assert "Choose a year from the list" in text
    assert "Child death statistics, 2026" in text


def test_a_garbage_view_is_refused_with_a_message(client, board, cdop_member):
    client.force_login(cdop_member)
    assert_error_page(client.get("/cdop/statistics/?published=%00"), "published_1")


@pytest.mark.parametrize("role", ["secretariat", "cdop_member", "board_chair"])
def test_the_panel_team_and_the_board_chair_see_the_statistics(client, request, board, role):
    client.force_login(request.getfixturevalue(role))
    assert client.get("/cdop/statistics/").status_code == 200


@pytest.mark.parametrize("role", ["member", "agency_staff", "case_review_member", "outsider"])
def test_others_may_not_see_the_statistics(client, request, board, role):
    client.force_login(request.getfixturevalue(role))
    assert client.get("/cdop/statistics/").status_code == 403


def page_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/cdop/statistics/?year=2025").status_code == 200
    return len(queries)


def test_the_page_runs_the_same_number_of_queries_as_the_data_grows(client, known, cdop_member):
    client.force_login(cdop_member)
    page_queries(client)  # the session and permissions are read once
    before = page_queries(client)
    for n in range(15):
        d = death(D(2012, 1, 1), D(2025, 1, 2) + datetime.timedelta(days=n * 10))
        closed(d, known[n % 10], Modifiable.YES, D(2025, 12, 2))
    assert page_queries(client) == before


def test_the_board_chair_sees_only_the_published_figures(client, board, board_chair):
    born = datetime.date(2020, 1, 1)
    for n in range(2):
        ChildDeathFactory(date_of_birth=born, died_on=datetime.date(2025, 5, 1 + n))
    client.force_login(board_chair)
    text = client.get("/cdop/statistics/?year=2025&published=0").content.decode()
    assert "You are looking at the published figures" in text
    assert "fewer than 3" in text
    assert "Show all the figures" not in text
    assert "data-chart" not in text and "application/json" not in text


def test_a_child_from_elsewhere_is_counted_by_their_own_areas_panel(board):
    from tests.cdop.factories import other_area

    born = datetime.date(2020, 1, 1)
    ChildDeathFactory(date_of_birth=born, died_on=datetime.date(2025, 5, 1))
    ChildDeathFactory(
        date_of_birth=born, died_on=datetime.date(2025, 5, 2), residence_area=other_area()
    )
    ours_looked_after = ChildDeathFactory(
        date_of_birth=born,
        died_on=datetime.date(2025, 5, 3),
        residence_area=other_area("Luton"),
    )
    ChildDeath.objects.filter(pk=ours_looked_after.pk).update(
        looked_after_by=ChildDeath.objects.get(pk=ours_looked_after.pk).place_area
    )
    assert statistics_for(year=2025).counts[2025].deaths == 2
