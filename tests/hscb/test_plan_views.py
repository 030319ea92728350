"""The business plan pages: this year's plan by date, what each role sees, rating a priority's
progress, and a fixed number of queries however big the plan."""

from __future__ import annotations

import datetime
import re
import zoneinfo
from decimal import Decimal

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from hscb.models import GroupFunction, Objective, Priority, ProgressUpdate, Rag
from hscb.services.plan import priority_progress_update
from tests.hscb.factories import (
    BusinessPlanFactory,
    GroupFactory,
    GroupResourceFactory,
    PriorityFactory,
    TargetFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")


def _at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=LONDON)


@pytest.fixture
def plan(board):
    return BusinessPlanFactory(
        year=2026, title="Keeping children safe together", summary="Our plan for the year."
    )


@pytest.fixture
def priority(board, plan):
    priority = PriorityFactory(
        plan=plan,
        number=1,
        title="Neglect is spotted early",
        description="Practitioners recognise neglect and act on it.",
        rag="",
        commentary="",
    )
    priority.groups.add(board[GroupFunction.IMPROVING_OUTCOMES])
    return priority


def _page(client, user, url: str) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


# Which plan /plan/ shows -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "year"),
    [
        (_at(2027, 3, 31, 23, 30), 2026),  # still March in London, though 1 April is near
        (_at(2027, 4, 1, 0, 30), 2027),  # already April in London (31 March, 23:30 in UTC)
        (_at(2026, 4, 1, 9, 0), 2026),
    ],
)
def test_plan_goes_to_the_plan_for_the_business_year_in_london(client, member, now, year):
    for y in (2025, 2026, 2027):
        BusinessPlanFactory(year=y)
    with time_machine.travel(now, tick=False):
        client.force_login(member)
        response = client.get("/plan/")
    assert response.status_code == 302
    assert response["Location"] == f"/plan/{year}/"


def test_plan_goes_to_the_latest_plan_when_this_year_has_none(client, member):
    BusinessPlanFactory(year=2023)
    BusinessPlanFactory(year=2024)
    with time_machine.travel(_at(2026, 6, 1, 12), tick=False):
        client.force_login(member)
        response = client.get("/plan/")
    assert response["Location"] == "/plan/2024/"


def test_with_no_plan_at_all_the_page_says_so_and_the_secretariat_can_add_one(
    client, secretariat, member
):
    with time_machine.travel(_at(2026, 6, 1, 12), tick=False):
        for_member = _page(client, member, "/plan/")
        for_secretariat = _page(client, secretariat, "/plan/")
    assert "There is no business plan yet" in for_member
    assert "April 2026 to March 2027" in for_member
    assert "/admin/hscb/businessplan/add/" not in for_member
    assert "/admin/hscb/businessplan/add/" in for_secretariat


def test_a_year_with_no_plan_is_not_found(client, member, plan):
    client.force_login(member)
    assert client.get("/plan/2031/").status_code == 404


# What the plan page shows ---------------------------------------------------------------------


def test_the_plan_page_shows_each_priority_in_full(client, board, plan, priority, agency_staff):
    owner = UserFactory(first_name="Sarah", last_name="O'Neill")
    priority.owner = owner
    priority.save()
    rater = UserFactory(first_name="Margaret", last_name="Ellison")
    with time_machine.travel(_at(2026, 9, 14, 10), tick=False):
        priority_progress_update(
            priority=priority, rag=Rag.AMBER, commentary="Audit found gaps in two areas.", by=rater
        )
    TargetFactory(
        priority=priority,
        text="Every agency uses the neglect toolkit",
        measure="Audit of 40 cases a quarter",
        owner=owner,
        due_date=datetime.date(2027, 3, 31),
    )
    objective = Objective.objects.get(
        group=board[GroupFunction.IMPROVING_OUTCOMES], text__startswith="Identify operational"
    )
    objective.priorities.add(priority)

    text = _page(client, agency_staff, "/plan/2026/")
    assert "<title>Business plan 2026 to 2027" in text
    assert "Keeping children safe together" in text and "Our plan for the year." in text
    assert 'id="priority-1"' in text and "Neglect is spotted early" in text
    assert "Practitioners recognise neglect and act on it." in text
    assert 'govuk-tag--orange app-tag--nowrap">Amber</strong>' in text
    assert "Some risk to delivery" in text
    assert "Audit found gaps in two areas." in text
    assert "14 September 2026, by Margaret Ellison" in text
    assert escape("Sarah O'Neill") in text
    assert 'href="/board/improving-outcomes/">Improving Outcomes subgroup</a>' in text
    assert "Every agency uses the neglect toolkit" in text
    assert "Audit of 40 cases a quarter" in text
    assert "31 March 2027" in text
    assert "Identify operational priorities based on data." in text
    # Agency staff read the plan but do not rate it.
    assert "Update progress" not in text
    assert "/admin/hscb/businessplan/" not in text


def test_the_overview_counts_priorities_by_rating(client, plan, member):
    for number, rag in enumerate([Rag.RED, Rag.AMBER, Rag.AMBER, Rag.GREEN, ""], start=1):
        PriorityFactory(plan=plan, number=number, rag=rag)
    text = _page(client, member, "/plan/2026/")
    overview = text[text.index("Progress overview") :]
    figures = re.findall(
        r'app-figure">(\d+)</span>\s*<strong class="govuk-tag ([a-z-]+) app-tag--nowrap">([^<]+)<',
        overview,
    )
    assert figures == [
        ("1", "govuk-tag--red", "Red"),
        ("2", "govuk-tag--orange", "Amber"),
        ("1", "govuk-tag--green", "Green"),
        ("1", "govuk-tag--grey", "Not assessed"),
    ]


def test_resources_show_each_group_and_its_budget_in_pounds(client, board, plan, member):
    GroupResourceFactory(
        plan=plan,
        group=board[GroupFunction.LEARNING_DEVELOPMENT],
        description="A trainer two days a week",
        budget=Decimal("12500"),
    )
    GroupResourceFactory(
        plan=plan,
        group=board[GroupFunction.AUDIT],
        description="Officer time from the business unit",
        budget=None,
    )
    text = _page(client, member, "/plan/2026/")
    resources = text[text.index("Resources for each group") :]
    assert "Learning and Development subgroup" in resources
    assert "A trainer two days a week" in resources and "£12,500.00" in resources
    assert "Officer time from the business unit" in resources
    assert re.search(r"Officer time from the business unit</td>\s*<td[^>]*>—</td>", resources)
    assert "Total budget" in resources
    # Groups appear in the board's order, not the order they were added.
    assert resources.index("Learning and Development") < resources.index("Audit subgroup")


def test_an_inactive_group_is_named_but_linked_only_for_the_secretariat(
    client, plan, priority, member, secretariat
):
    old = GroupFactory(name="Former e-safety task group", slug="e-safety", is_active=False)
    priority.groups.add(old)
    assert 'href="/board/e-safety/"' not in _page(client, member, "/plan/2026/")
    assert "Former e-safety task group" in _page(client, member, "/plan/2026/")
    assert 'href="/board/e-safety/"' in _page(client, secretariat, "/plan/2026/")


def test_other_years_plans_are_linked(client, plan, member):
    BusinessPlanFactory(year=2025)
    BusinessPlanFactory(year=2027)
    text = _page(client, member, "/plan/2026/")
    assert 'href="/plan/2025/">Business plan 2025 to 2026</a>' in text
    assert 'href="/plan/2027/">Business plan 2027 to 2028</a>' in text
    assert 'href="/plan/2026/"' not in text


def test_a_plan_with_nothing_in_it_yet_says_so(client, plan, member):
    text = _page(client, member, "/plan/2026/")
    assert "No priorities have been added to this plan yet." in text
    assert "No resources recorded for this plan yet." in text


@pytest.mark.parametrize(
    ("role", "sees_link"),
    [
        ("secretariat", True),
        ("board_chair", True),
        ("group_chair", True),
        ("member", False),
        ("cdop_member", False),
        ("outsider", False),
    ],
)
def test_update_progress_links_only_for_those_who_may_rate(
    client, request, priority, role, sees_link
):
    PriorityFactory(plan=priority.plan, number=2, title="Children missing education")
    text = _page(client, request.getfixturevalue(role), "/plan/2026/")
    link = f'href="/plan/priorities/{priority.pk}/progress/"'
    assert (link in text) is sees_link
    # The second priority is led by no group: only the board chair and secretariat may rate it.
    other = Priority.objects.get(number=2)
    assert (f"/plan/priorities/{other.pk}/progress/" in text) is (
        role in ("secretariat", "board_chair")
    )


def test_the_owner_sees_the_link_for_their_own_priority(client, priority, agency_staff):
    priority.owner = agency_staff
    priority.save()
    text = _page(client, agency_staff, "/plan/2026/")
    assert f'href="/plan/priorities/{priority.pk}/progress/"' in text


def test_the_secretariat_gets_a_link_to_change_the_plan_in_the_admin(
    client, plan, priority, secretariat
):
    text = _page(client, secretariat, "/plan/2026/")
    assert f'href="/admin/hscb/businessplan/{plan.pk}/change/"' in text


def _grow(plan, board, priorities: int) -> None:
    groups = [board[f] for f in (GroupFunction.IMPROVING_OUTCOMES, GroupFunction.AUDIT)]
    objectives = list(Objective.objects.filter(group__in=groups))
    start = plan.priorities.count()
    for n in range(start + 1, start + priorities + 1):
        p = PriorityFactory(plan=plan, number=n, owner=UserFactory(), rag=Rag.GREEN)
        p.groups.add(*groups)
        for _ in range(3):
            TargetFactory(priority=p, owner=UserFactory(), due_date=datetime.date(2027, 1, 1))
        for objective in objectives[:3]:
            objective.priorities.add(p)
        priority_progress_update(priority=p, rag=Rag.AMBER, commentary="Slower.", by=UserFactory())
    for group in board.values():
        if not plan.resources.filter(group=group).exists():
            GroupResourceFactory(plan=plan, group=group)
            break


@pytest.mark.parametrize("role", ["group_chair", "member", "secretariat"])
def test_the_plan_page_runs_the_same_queries_however_big_the_plan(
    client, request, board, plan, role, django_assert_max_num_queries
):
    client.force_login(request.getfixturevalue(role))
    BusinessPlanFactory(year=2025)
    _grow(plan, board, 1)
    with CaptureQueriesContext(connection) as small:
        assert client.get("/plan/2026/").status_code == 200
    _grow(plan, board, 6)
    BusinessPlanFactory(year=2024)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get("/plan/2026/")
    assert response.content.decode().count('class="app-group" id="priority-') == 7


# Rating a priority's progress -----------------------------------------------------------------


def test_the_progress_page_offers_the_three_ratings_with_their_meanings(
    client, priority, group_chair
):
    text = _page(client, group_chair, f"/plan/priorities/{priority.pk}/progress/")
    assert "Update progress: Neglect is spotted early" in text
    assert "Business plan 2026 to 2027, priority 1" in text
    for value, meaning in [
        ("red", "Off track: needs the board&#x27;s help"),
        ("amber", "Some risk to delivery"),
        ("green", "On track"),
    ]:
        assert f'value="{value}"' in text
        assert meaning in text
    assert "This priority has not been rated yet." in text
    assert 'href="/plan/2026/#priority-1"' in text


def test_a_chair_rates_the_priority_and_is_sent_back_to_the_plan(client, priority, group_chair):
    client.force_login(group_chair)
    response = client.post(
        f"/plan/priorities/{priority.pk}/progress/",
        {"progress": "red", "commentary": "No data from two agencies since June."},
    )
    assert response.status_code == 302
    assert response["Location"] == "/plan/2026/#priority-1"
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Progress on priority 1, Neglect is spotted early, is now red."
    ]
    priority.refresh_from_db()
    assert priority.rag == Rag.RED and priority.progress_updated_by == group_chair
    update = ProgressUpdate.objects.get(priority=priority)
    assert (update.rag, update.commentary, update.author) == (
        Rag.RED,
        "No data from two agencies since June.",
        group_chair,
    )
    text = client.get("/plan/2026/").content.decode()
    assert "No data from two agencies since June." in text
    assert "Progress on priority 1, Neglect is spotted early, is now red." in text


def test_the_progress_page_lists_every_rating_newest_first(client, priority, board_chair):
    chair = UserFactory(first_name="Ann", last_name="D'Arcy")
    with time_machine.travel(_at(2026, 5, 2, 10), tick=False):
        priority_progress_update(
            priority=priority, rag=Rag.RED, commentary="Not started.", by=chair
        )
    with time_machine.travel(_at(2026, 8, 20, 10), tick=False):
        priority_progress_update(
            priority=priority, rag=Rag.GREEN, commentary="Toolkit launched.", by=board_chair
        )
    text = _page(client, board_chair, f"/plan/priorities/{priority.pk}/progress/")
    history = text[text.index("History of ratings") :]
    assert history.index("20 August 2026") < history.index("2 May 2026")
    assert escape("Ann D'Arcy") in history
    assert "Toolkit launched." in history and "Not started." in history
    assert 'govuk-tag--red app-tag--nowrap">Red' in history
    # The current rating is chosen already.
    assert re.search(r'value="green"\s+checked', text)


@pytest.mark.parametrize("role", ["member", "agency_staff", "cdop_member", "outsider"])
def test_those_who_may_not_rate_are_refused_and_nothing_is_saved(client, request, priority, role):
    client.force_login(request.getfixturevalue(role))
    url = f"/plan/priorities/{priority.pk}/progress/"
    assert client.get(url).status_code == 403
    response = client.post(url, {"progress": "green", "commentary": "All fine."})
    assert response.status_code == 403
    assert not ProgressUpdate.objects.exists()
    priority.refresh_from_db()
    assert priority.rag == ""


def test_a_missing_priority_is_not_found(client, secretariat, priority):
    client.force_login(secretariat)
    assert client.get("/plan/priorities/987654/progress/").status_code == 404
    assert client.post("/plan/priorities/987654/progress/", {}).status_code == 404


def test_the_plan_pages_need_sign_in(client, priority):
    for url in ["/plan/", "/plan/2026/", f"/plan/priorities/{priority.pk}/progress/"]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(
            "/accounts/sign-in/?next="
        )


def test_the_plan_page_only_answers_get(client, plan, member):
    client.force_login(member)
    assert client.post("/plan/2026/").status_code == 405
    assert client.post("/plan/").status_code == 405
