"""The register's list pages as the register grows: the operational priorities a page of
priorities at a time, each with its few highest-risk issues; the exports streamed, read a chunk at
a time as plain values; the heat map's monthly series counted in the database."""

from __future__ import annotations

import datetime

import pytest
from django.http import QueryDict
from django.utils import timezone

from subgroups.models import IssueStatus, IssueUpdate
from subgroups.selectors.lists import PRIORITIES_PER_PAGE, TOP_ISSUES, heat_map, register_export
from tests.hscb.factories import AgencyFactory, BusinessPlanFactory, PriorityFactory, UserFactory
from tests.subgroups.factories import IssueFactory
from tests.subgroups.test_lists import body, csv_rows, html, workbook_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def chair_client(client, ratings, group_chair):
    client.force_login(group_chair)
    return client


@pytest.fixture
def make_issue(db):
    """Countywide issues with no agencies of their own and one owner: cheap to make many of."""
    owner = UserFactory(first_name="Olu", last_name="Owner")

    def make(**kwargs):
        return IssueFactory(is_countywide=True, agencies=[], owner=owner, **kwargs)

    return make


# Operational priorities ---------------------------------------------------------------------------


def test_priorities_come_a_page_at_a_time_with_the_unplanned_and_quiet_on_the_last(
    chair_client, make_issue
):
    plan = BusinessPlanFactory()
    for n in range(1, PRIORITIES_PER_PAGE + 2):
        make_issue(priority=PriorityFactory(plan=plan, number=n, title=f"Aim {n:02d}"))
    PriorityFactory(plan=plan, number=99, title="Aim with nothing live")
    make_issue(title="Unplanned", priority=None)

    first = html(chair_client, "/register/priorities/")
    second = html(chair_client, "/register/priorities/?page=2")

    last = f"Aim {PRIORITIES_PER_PAGE + 1:02d}"
    assert f"Aim {PRIORITIES_PER_PAGE:02d}</h2>" in first and last not in first
    assert ">No priority</h2>" not in first and "Aim with nothing live" not in first
    assert 'href="?page=2"' in first and "Pages of priorities" in first
    assert f"The {PRIORITIES_PER_PAGE + 2} live issues" in first
    assert f"{last}</h2>" in second and "Aim 01</h2>" not in second
    assert ">No priority</h2>" in second and "Unplanned" in second
    quiet = second[second.index("This year's priorities with no live issues") :]
    assert "99. Aim with nothing live" in quiet
    assert "(page 2 of 2)" in second


def test_priorities_show_each_groups_highest_risk_issues_and_link_to_the_rest(
    chair_client, make_issue
):
    aim = PriorityFactory(plan=BusinessPlanFactory(), number=1, title="Neglect is seen")
    scores = [(5, 5), (4, 4), (3, 4), (2, 2), (1, 1)]
    for n, (likelihood, impact) in enumerate(scores):
        make_issue(title=f"Risk {n}", priority=aim, likelihood=likelihood, impact=impact)
    make_issue(title="Closed risk", priority=aim, likelihood=5, impact=5, status=IssueStatus.CLOSED)

    text = html(chair_client, "/register/priorities/")

    shown = [f"Risk {n}" for n in range(TOP_ISSUES)]
    assert all(f": {title}</a>" in text for title in shown)
    assert text.index("Risk 0") < text.index("Risk 1") < text.index("Risk 2")
    assert "Risk 3" not in text and "Risk 4" not in text and "Closed risk" not in text
    assert "5 live issues, 3 of significant risk; highest score 25." in text
    more = len(scores) - TOP_ISSUES
    assert f'href="/register/?priority={aim.pk}">{more} more live issues in the register' in text
    assert f"The {TOP_ISSUES} of highest risk: " in text


def test_priorities_page_runs_the_same_queries_for_many_priorities(
    chair_client, make_issue, django_assert_max_num_queries
):
    plan = BusinessPlanFactory()
    make_issue(priority=PriorityFactory(plan=plan))
    make_issue(priority=None)
    response = chair_client.get("/register/priorities/")
    assert response.status_code == 200
    for _ in range(PRIORITIES_PER_PAGE + 5):
        priority = PriorityFactory(plan=plan)
        for _ in range(TOP_ISSUES + 1):
            make_issue(priority=priority)

    with django_assert_max_num_queries(13):
        text = html(chair_client, "/register/priorities/?page=2")
    assert ">No priority</h2>" in text


# Exports ------------------------------------------------------------------------------------------


def test_export_reads_a_chunk_at_a_time_with_each_issues_agencies_and_priority(
    ratings, group_chair, django_assert_num_queries
):
    plan = BusinessPlanFactory()
    for n in range(5):
        IssueFactory(
            title=f"Chunked {n}",
            priority=None if n % 2 else PriorityFactory(plan=plan, number=n + 1, title=f"Aim {n}"),
            agencies=[AgencyFactory(name=f"B agency {n}"), AgencyFactory(name=f"A agency {n}")],
        )

    rows = register_export(group_chair, QueryDict("sort=title"), chunk_size=2)
    # The issues a chunk of two at a time (one query), and for each of the three chunks its
    # agencies and its priorities.
    with django_assert_num_queries(1 + 3 * 2):
        rows = list(rows)

    assert all(type(row) is dict for row in rows)
    assert [row["title"] for row in rows] == [f"Chunked {n}" for n in range(5)]
    assert [row["agencies"] for row in rows] == [
        [f"A agency {n}", f"B agency {n}"] for n in range(5)
    ]
    assert [row["priority"] for row in rows] == [
        "" if n % 2 else f"{plan.period}: {n + 1}. Aim {n}" for n in range(5)
    ]


def test_export_refuses_before_it_streams(client, ratings, board_chair, make_issue):
    make_issue(title="Not for the board chair")
    client.force_login(board_chair)

    for url in ["/register/export.csv", "/register/export.xlsx"]:
        response = client.get(url)
        assert response.status_code == 403 and not response.streaming
        assert b"Not for the board chair" not in body(response)


def test_both_exports_stream_every_issue_the_filters_select(chair_client, make_issue):
    for n in range(7):
        make_issue(title=f"Streamed {n}", likelihood=1 + n % 5)
    make_issue(title="Closed", status=IssueStatus.CLOSED)

    for url in ["/register/export.csv?sort=title", "/register/export.xlsx?sort=title"]:
        response = chair_client.get(url)
        assert response.streaming, url
        rows = csv_rows(response) if ".csv" in url else workbook_rows(response)
        assert [row[1] for row in rows[1:]] == [f"Streamed {n}" for n in range(7)], url
        assert rows[1][11] == "Olu Owner" and rows[1][5] == "Yes"


# The heat map -------------------------------------------------------------------------------------


def test_heat_map_series_count_each_issue_once_a_month_in_its_status_then(
    ratings, group_chair, make_issue
):
    london = timezone.get_current_timezone()
    now = datetime.datetime(2026, 6, 15, 12, tzinfo=london)

    def at(month: int, day: int) -> datetime.datetime:
        return datetime.datetime(2026, month, day, 9, tzinfo=london)

    # Raised with a recorded "open" move at the same moment, as the service raises issues.
    raised = make_issue(likelihood=5, impact=5, created_at=at(1, 10))
    for when, to in [(at(1, 10), IssueStatus.OPEN), (at(3, 1), IssueStatus.MONITORING)]:
        IssueUpdate.objects.create(
            issue=raised, author=raised.owner, written_at=when, text="Moved.", status_to=to
        )
    # Updates that move nothing do not count as moves.
    IssueUpdate.objects.create(issue=raised, author=raised.owner, written_at=at(4, 1), text="x")
    # Two moves in one month: the later one is its status at the month's end.
    twice = make_issue(likelihood=1, impact=1, created_at=at(2, 1))
    for when, to in [(at(5, 2), IssueStatus.RESOLVED), (at(5, 9), IssueStatus.CLOSED)]:
        IssueUpdate.objects.create(
            issue=twice, author=twice.owner, written_at=when, text="Moved.", status_to=to
        )

    result = heat_map(group_chair, now=now)

    status = {
        row.label: dict(zip(IssueStatus.values, row.values, strict=True))
        for row in result.status_over_time.rows
    }
    assert status["January 2026"] == {**dict.fromkeys(IssueStatus.values, 0), "open": 1}
    assert status["February 2026"]["open"] == 2
    assert status["March 2026"]["monitoring"] == 1 and status["March 2026"]["open"] == 1
    assert status["May 2026"]["closed"] == 1 and status["May 2026"]["resolved"] == 0
    assert sum(status["June 2026 (so far)"].values()) == 2
    live = {row.label: row.values for row in result.over_time.rows}
    assert live["February 2026"] == (1, 0, 0, 1)  # Low (twice) and Very high (raised)
    assert live["May 2026"] == (0, 0, 0, 1)
