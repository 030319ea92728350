"""The chairs' dashboards: what each shows (counts, overdue lists, plan progress, attendance),
who may see them, that each chart's data and its table agree, and that the query count does not
grow with the data."""

from __future__ import annotations

import datetime
import html
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from hscb.models import (
    ActionStatus,
    AttendanceStatus,
    GroupFunction,
    MeetingStatus,
    MembershipRole,
    Rag,
)
from hscb.selectors import dashboards
from hscb.selectors.dashboards import Cell, Chart, Panel, Row, Series
from tests.hscb.factories import (
    ActionFactory,
    AgendaItemFactory,
    AttendanceFactory,
    BusinessPlanFactory,
    GroupFactory,
    MeetingFactory,
    MembershipFactory,
    PaperFactory,
    PriorityFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

BOARD_URL = "/dashboard/"
IO_URL = "/board/improving-outcomes/dashboard/"


# Helpers ------------------------------------------------------------------------------------


def today() -> datetime.date:
    return timezone.localdate()


def days(n: int) -> datetime.date:
    return today() + datetime.timedelta(days=n)


def at(n: int, hour: int = 10) -> datetime.datetime:
    """A time `n` days from today (negative: in the past), in the board's time zone."""
    return timezone.make_aware(datetime.datetime.combine(days(n), datetime.time(hour)))


def get(client, user, url: str):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response


def page(client, user, url: str) -> str:
    return get(client, user, url).content.decode()


def held_meeting(group, n: int, quorate: bool | None = True, **attendance: int):
    """A meeting held `n` days ago with `present=…, apologies=…, absent=…` people recorded."""
    meeting = MeetingFactory(
        group=group, starts_at=at(n), status=MeetingStatus.HELD, quorate=quorate
    )
    for status, count in attendance.items():
        for _ in range(count):
            AttendanceFactory(meeting=meeting, status=getattr(AttendanceStatus, status.upper()))
    return meeting


def figure(text: str, chart_id: str) -> tuple[dict | None, list[list[str]]]:
    """A chart's JSON (None when no canvas is drawn) and its table's body rows as cell texts."""
    found = re.search(rf'<figure class="app-chart" id="{chart_id}">(.*?)</figure>', text, re.S)
    assert found, f"no chart {chart_id} on the page"
    block = found.group(1)
    data = re.search(rf'<script id="{chart_id}-data" type="application/json">(.*?)</script>', block)
    body = re.search(r"<tbody[^>]*>(.*?)</tbody>", block, re.S)
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body.group(1) if body else "", re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        rows.append([html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in cells])
    return (json.loads(data.group(1)) if data else None), rows


def assert_chart_matches_table(text: str, chart_id: str) -> list[list[str]]:
    """Every figure drawn is in the table beside the chart, in the same place."""
    data, rows = figure(text, chart_id)
    assert data is not None, f"{chart_id} draws no chart"
    assert [r[0] for r in rows] == data["labels"]
    for j, dataset in enumerate(data["datasets"]):
        assert [int(r[1 + j]) for r in rows] == dataset["data"], dataset["label"]
    canvas = re.search(
        rf'<canvas data-chart="{chart_id}-data" role="img" aria-label="([^"]+)"', text
    )
    assert canvas, f"{chart_id} has no labelled canvas"
    return rows


def table_row(rows: list[list[str]], label: str) -> list[str]:
    return next(r for r in rows if r[0] == label)


# The board dashboard ------------------------------------------------------------------------


def test_board_dashboard_counts_open_and_overdue_actions_by_group(client, board, board_chair):
    io, cdop = board[GroupFunction.IMPROVING_OUTCOMES], board[GroupFunction.CHILD_DEATH_OVERVIEW]
    ActionFactory.create_batch(2, group=io, due_date=days(10))
    ActionFactory(group=io, due_date=days(-3))
    ActionFactory(group=io, due_date=days(-1), status=ActionStatus.IN_PROGRESS)
    ActionFactory(group=io, due_date=days(-30), status=ActionStatus.DONE)
    ActionFactory(group=io, due_date=days(-30), status=ActionStatus.CANCELLED)
    ActionFactory(group=io, due_date=today())  # due today is not yet overdue
    ActionFactory(group=cdop, due_date=days(-5))
    ActionFactory(group=GroupFactory(is_active=False), due_date=days(-5))

    text = page(client, board_chair, BOARD_URL)

    rows = assert_chart_matches_table(text, "board-actions")
    assert table_row(rows, "Improving Outcomes subgroup")[1:] == ["5", "2"]
    assert table_row(rows, "Child Death Overview Panel")[1:] == ["1", "1"]
    assert table_row(rows, "Audit subgroup")[1:] == ["0", "0"]
    assert len(rows) == len(board)  # active groups only
    assert '<span class="app-figure">6</span> open actions' in text
    assert '<span class="app-figure">3</span> overdue' in text
    assert 'href="/board/improving-outcomes/dashboard/">Improving Outcomes subgroup</a>' in text


def test_board_dashboard_lists_the_ten_longest_overdue_actions(client, board, secretariat):
    io = board[GroupFunction.IMPROVING_OUTCOMES]
    owner = UserFactory(first_name="Aoife", last_name="O'Brien")
    oldest = ActionFactory(group=io, owner=owner, due_date=days(-40), title="Audit the referrals")
    for n in range(1, 12):
        ActionFactory(group=io, due_date=days(-n), title=f"Overdue {n}")
    ActionFactory(group=io, due_date=days(5), title="Not due yet")

    response = get(client, secretariat, BOARD_URL)
    dashboard = response.context["dashboard"]
    text = response.content.decode()

    assert [a.title for a in dashboard.overdue][:3] == [
        "Audit the referrals",
        "Overdue 11",
        "Overdue 10",
    ]
    assert len(dashboard.overdue) == 10 and dashboard.overdue_total == 12
    assert "The 10 longest overdue of 12." in text
    assert f'href="/actions/{oldest.pk}/">Audit the referrals</a>' in text
    assert escape(str(owner)) in text
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">40</td>' in text
    assert "Overdue 1<" not in text  # the 11th and 12th are left off
    assert "Not due yet" not in text


def test_board_dashboard_shows_the_next_eight_meetings_of_active_groups(client, board, board_chair):
    # Groups handling children's personal records are left out of the list (see
    # test_child_records_privacy.py).
    groups = [g for g in board.values() if not g.handles_child_records]
    meetings = [
        MeetingFactory(group=groups[n % len(groups)], starts_at=at(n + 1)) for n in range(9)
    ]
    MeetingFactory(group=groups[0], starts_at=at(0, hour=6), status=MeetingStatus.CANCELLED)
    MeetingFactory(group=GroupFactory(is_active=False, name="Old task group"), starts_at=at(1))
    MeetingFactory(group=groups[0], starts_at=at(-3))

    response = get(client, board_chair, BOARD_URL)
    text = response.content.decode()

    assert response.context["dashboard"].next_meetings == meetings[:8]
    assert f'href="/meetings/{meetings[0].pk}/">{escape(groups[0].name)}</a>' in text
    assert f"/meetings/{meetings[8].pk}/" not in text
    assert "Old task group" not in text
    assert meetings[0].venue in text


def test_board_dashboard_counts_priorities_by_rating_and_lists_the_red_ones(
    client, board, board_chair
):
    plan = BusinessPlanFactory()
    io = board[GroupFunction.IMPROVING_OUTCOMES]
    red = PriorityFactory(
        plan=plan, rag=Rag.RED, title="Neglect is spotted early", commentary="Data is late."
    )
    red.groups.add(io)
    PriorityFactory(plan=plan, rag=Rag.RED, title="Online safety", commentary="")
    PriorityFactory(plan=plan, rag=Rag.AMBER)
    PriorityFactory.create_batch(3, plan=plan, rag=Rag.GREEN)
    PriorityFactory(plan=plan, rag="")
    last_year = BusinessPlanFactory(year=plan.year - 1)
    PriorityFactory(plan=last_year, rag=Rag.RED, title="Last year's red priority")

    text = page(client, board_chair, BOARD_URL)

    rows = assert_chart_matches_table(text, "plan-progress")
    assert [r[:2] for r in rows] == [
        ["Red", "2"],
        ["Amber", "1"],
        ["Green", "3"],
        ["Not assessed", "1"],
    ]
    assert table_row(rows, "Red")[2] == "Off track: needs the board's help"
    assert f'href="/plan/{plan.year}/#priority-{red.number}">{red}</a>' in text
    assert "Data is late." in text
    assert "Led by Improving Outcomes subgroup" in text
    assert "No commentary yet." in text
    assert "Last year's red priority" not in text
    assert f'href="/plan/{plan.year}/"' in text
    assert '<span class="app-figure">2</span> red priorities' in text


def test_board_dashboard_without_a_plan_says_so(client, board, board_chair):
    text = page(client, board_chair, BOARD_URL)
    assert "There is no business plan for this year yet." in text
    assert 'id="plan-progress"' not in text


def test_dashboards_show_the_plan_the_plan_page_calls_current(client, board, board_chair):
    this_year = BusinessPlanFactory()
    PriorityFactory(plan=this_year, rag=Rag.GREEN, title="This year's priority")
    PriorityFactory(plan=BusinessPlanFactory(year=this_year.year + 1), rag=Rag.RED)
    PriorityFactory(plan=BusinessPlanFactory(year=this_year.year - 1), rag=Rag.RED)
    text = page(client, board_chair, BOARD_URL)
    assert f'href="/plan/{this_year.year}/"' in text and "No priority is red." in text
    this_year.delete()
    text = page(client, board_chair, BOARD_URL)  # with none for this year, the latest
    assert f'href="/plan/{this_year.year + 1}/"' in text
    assert '<span class="app-figure">1</span> red priority' in text


def test_board_dashboard_counts_quorate_meetings_held_in_the_last_year(client, board, secretariat):
    io, audit = board[GroupFunction.IMPROVING_OUTCOMES], board[GroupFunction.AUDIT]
    held_meeting(io, -10, quorate=True)
    held_meeting(io, -40, quorate=True)
    held_meeting(io, -70, quorate=False)
    held_meeting(io, -400, quorate=False)  # more than 12 months ago
    held_meeting(audit, -20, quorate=None)
    MeetingFactory(group=io, starts_at=at(-5))  # not recorded as held

    text = page(client, secretariat, BOARD_URL)

    rows = assert_chart_matches_table(text, "board-quorum")
    assert table_row(rows, "Improving Outcomes subgroup")[1:] == ["2", "1", "0", "3"]
    assert table_row(rows, "Audit subgroup")[1:] == ["0", "0", "1", "1"]
    assert table_row(rows, "Strategic Board")[1:] == ["0", "0", "0", "0"]


def test_board_dashboard_with_no_data_shows_tables_but_no_empty_charts(client, board, board_chair):
    text = page(client, board_chair, BOARD_URL)
    data, rows = figure(text, "board-actions")
    assert data is None and len(rows) == len(board)
    assert "No group has an open action." in text
    assert "No meetings are scheduled." in text
    assert "No action is overdue." in text
    assert "<canvas" not in text
    assert "chart.umd.min.js" in text  # the scripts load once, ready for any chart


# A group's dashboard --------------------------------------------------------------------------


def test_group_dashboard_shows_next_meetings_with_agenda_and_papers(client, board, group_chair):
    io = board[GroupFunction.IMPROVING_OUTCOMES]
    sent = MeetingFactory(group=io, starts_at=at(3), papers_sent_at=timezone.now())
    item = AgendaItemFactory(meeting=sent)
    AgendaItemFactory.create_batch(2, meeting=sent)
    PaperFactory.create_batch(2, item=item, uploaded_by=group_chair)
    not_sent = MeetingFactory(group=io, starts_at=at(20), title="Extraordinary meeting")
    MeetingFactory(group=board[GroupFunction.AUDIT], starts_at=at(4))

    response = get(client, group_chair, IO_URL)
    text = response.content.decode()
    meetings = response.context["dashboard"].next_meetings

    assert meetings == [sent, not_sent]
    assert (meetings[0].item_count, meetings[0].paper_count) == (3, 2)
    assert (meetings[1].item_count, meetings[1].paper_count) == (0, 0)
    assert f'href="/meetings/{sent.pk}/"' in text and "Extraordinary meeting" in text
    assert ">Sent</strong>" in text and ">Not sent</strong>" in text
    assert "2 papers" in text and "0 papers" in text


def test_group_dashboard_counts_actions_by_status(client, board, group_chair):
    io = board[GroupFunction.IMPROVING_OUTCOMES]
    ActionFactory.create_batch(3, group=io, due_date=days(30))
    ActionFactory(group=io, due_date=days(30), status=ActionStatus.IN_PROGRESS)
    ActionFactory(group=io, due_date=days(-2))
    ActionFactory(group=io, due_date=days(-2), status=ActionStatus.IN_PROGRESS)
    ActionFactory(group=io, due_date=days(-9), status=ActionStatus.DONE, completed_on=days(-10))
    ActionFactory(group=io, due_date=days(-99), status=ActionStatus.DONE, completed_on=days(-100))
    ActionFactory(group=io, due_date=days(-5), status=ActionStatus.CANCELLED)
    ActionFactory(group=board[GroupFunction.AUDIT], due_date=days(-2))

    text = page(client, group_chair, IO_URL)

    rows = assert_chart_matches_table(text, "group-actions")
    assert rows == [
        ["Open", "3"],
        ["In progress", "1"],
        ["Overdue", "2"],
        ["Done in the last 90 days", "1"],
    ]
    data, _ = figure(text, "group-actions")
    assert data["datasets"][0]["colours"] == ["blue", "dark-blue", "red", "green"]


def test_group_dashboard_lists_overdue_actions_with_a_chase_button_for_the_chair(
    client, board, group_chair, board_chair
):
    io = board[GroupFunction.IMPROVING_OUTCOMES]
    owner = UserFactory(first_name="Seán", last_name="D'Arcy")
    late = ActionFactory(group=io, owner=owner, due_date=days(-8), title="Send the audit")
    late.last_chased_on = days(-1)
    late.save()
    ActionFactory(group=board[GroupFunction.AUDIT], due_date=days(-8), title="Another group's")

    text = page(client, group_chair, IO_URL)

    assert f'href="/actions/{late.pk}/">Send the audit</a>' in text
    assert escape(str(owner)) in text
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">8</td>' in text
    assert f'action="/actions/{late.pk}/chase/"' in text
    assert 'name="csrfmiddlewaretoken"' in text
    assert "Chase the owner" in text
    assert "Another group&#x27;s" not in text
    # The board chair oversees the group but does not chase its owners.
    board_view = page(client, board_chair, IO_URL)
    assert "Send the audit" in board_view and "/chase/" not in board_view


def test_group_dashboard_lists_actions_due_in_the_next_fourteen_days(client, board, group_chair):
    io = board[GroupFunction.IMPROVING_OUTCOMES]
    ActionFactory(group=io, due_date=today(), title="Due today")
    ActionFactory(group=io, due_date=days(14), title="Due in a fortnight")
    ActionFactory(group=io, due_date=days(15), title="Due in fifteen days")
    ActionFactory(group=io, due_date=days(3), status=ActionStatus.DONE, title="Done early")

    response = get(client, group_chair, IO_URL)
    text = response.content.decode()

    assert [a.title for a in response.context["dashboard"].due_soon] == [
        "Due today",
        "Due in a fortnight",
    ]
    assert f"Due in the next 14 days, by {days(14).day} " in text
    assert "Due in fifteen days" not in text and "Done early" not in text


def test_group_dashboard_shows_attendance_at_the_last_six_meetings_held(client, board, group_chair):
    io = board[GroupFunction.IMPROVING_OUTCOMES]
    held_meeting(io, -200, present=1)  # the seventh most recent: left off
    meetings = [held_meeting(io, -30 * n, present=n, apologies=1, absent=n % 2) for n in (6, 5, 4)]
    meetings += [held_meeting(io, -30 * n, quorate=False, present=1) for n in (3, 2)]
    meetings.append(held_meeting(io, -7, quorate=None, apologies=2))
    held_meeting(board[GroupFunction.AUDIT], -3, present=9)

    text = page(client, group_chair, IO_URL)

    rows = assert_chart_matches_table(text, "group-attendance")
    assert len(rows) == 6 and "Attendance at the last 6 meetings held" in text
    labels = [timezone.localtime(m.starts_at).date() for m in meetings]
    assert rows[0] == [f"{labels[0].day} {labels[0]:%B %Y}", "6", "1", "0", "Quorate"]
    assert rows[3][1:] == ["1", "0", "0", "Not quorate"]
    assert rows[5][1:] == ["0", "2", "0", "Not recorded"]
    assert f'href="/meetings/{meetings[0].pk}/"' in text


def test_group_dashboard_lists_the_priorities_the_group_leads(client, board, group_chair):
    io = board[GroupFunction.IMPROVING_OUTCOMES]
    plan = BusinessPlanFactory()
    led = PriorityFactory(plan=plan, rag=Rag.GREEN, title="Neglect is spotted early")
    led.groups.add(io)
    unrated = PriorityFactory(plan=plan, rag="", title="Voices of children heard", commentary="")
    unrated.groups.add(io)
    other = PriorityFactory(plan=plan, rag=Rag.RED, title="Exploitation is disrupted")
    other.groups.add(board[GroupFunction.AUDIT])

    text = page(client, group_chair, IO_URL)

    assert "Neglect is spotted early" in text and "Voices of children heard" in text
    assert "Exploitation is disrupted" not in text
    assert '<strong class="govuk-tag govuk-tag--green app-tag--nowrap">Green</strong>' in text
    assert '<strong class="govuk-tag govuk-tag--grey app-tag--nowrap">Not assessed</strong>' in text
    assert "Most targets are on track" in text
    assert f'href="/plan/priorities/{led.pk}/progress/"' in text  # a lead group's chair updates it


# Who may see them ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("board_chair", 200),
        ("secretariat", 200),
        ("group_chair", 403),
        ("member", 403),
        ("agency_staff", 403),
    ],
)
def test_board_dashboard_is_for_the_board_chair_and_secretariat(client, request, role, status):
    client.force_login(request.getfixturevalue(role))
    response = client.get(BOARD_URL)
    assert response.status_code == status
    assert ("Board dashboard" in response.content.decode()) == (status == 200)


def test_a_chair_of_another_group_may_not_see_this_groups_dashboard(client, board):
    chair = MembershipFactory(group=board[GroupFunction.AUDIT], role=MembershipRole.CHAIR).user
    client.force_login(chair)
    assert client.get(IO_URL).status_code == 403
    assert client.get("/board/audit/dashboard/").status_code == 200


def test_an_inactive_groups_dashboard_is_seen_only_by_the_secretariat(
    client, board, board_chair, secretariat
):
    GroupFactory(slug="old-task-group", name="Old task group", is_active=False)
    client.force_login(board_chair)
    assert client.get("/board/old-task-group/dashboard/").status_code == 404
    text = page(client, secretariat, "/board/old-task-group/dashboard/")
    assert "This group is no longer active." in text


def test_dashboards_are_read_only_and_ignore_stray_input(client, board, board_chair):
    client.force_login(board_chair)
    assert client.post(BOARD_URL).status_code == 405
    assert client.post(IO_URL, {"x": "y"}).status_code == 405
    assert client.get(BOARD_URL + "?group=%00&page=-1").status_code == 200
    assert client.get("/board/no-such-group/dashboard/").status_code == 404
    assert client.get("/board/%00/dashboard/").status_code == 404


# Links into them ------------------------------------------------------------------------------


def test_home_page_links_to_the_dashboards_each_person_may_use(
    client, board, board_chair, group_chair, member
):
    chair_home = page(client, group_chair, "/")
    assert 'href="/board/improving-outcomes/dashboard/"' in chair_home
    assert 'href="/board/improving-outcomes/actions/"' in chair_home
    assert 'href="/meetings/?group=improving-outcomes"' in chair_home
    assert 'href="/dashboard/"' not in chair_home.split("<main")[1]
    member_home = page(client, member, "/")
    assert 'href="/board/improving-outcomes/actions/"' in member_home
    assert 'href="/meetings/?group=improving-outcomes"' in member_home
    assert "/dashboard/" not in member_home
    board_home = page(client, board_chair, "/")
    assert 'href="/dashboard/">Open the board dashboard</a>' in board_home
    assert 'href="/board/audit/dashboard/"' in board_home
    # Not the dashboards of groups handling children's personal records.
    assert 'href="/board/case-review/dashboard/"' not in board_home
    assert 'href="/board/child-death-overview-panel/dashboard/"' not in board_home
    assert "For its members only: it handles children's personal records" in board_home


def test_group_page_links_to_dashboard_meetings_and_actions_by_permission(
    client, board, group_chair, member, agency_staff
):
    url = "/board/improving-outcomes/"
    chair_view = page(client, group_chair, url)
    assert 'href="/board/improving-outcomes/dashboard/"' in chair_view
    member_view = page(client, member, url)
    assert 'href="/board/improving-outcomes/actions/"' in member_view
    assert 'href="/meetings/?group=improving-outcomes"' in member_view
    assert "/board/improving-outcomes/dashboard/" not in member_view
    staff_view = page(client, agency_staff, url)
    assert "/board/improving-outcomes/actions/" not in staff_view
    assert "?group=improving-outcomes" not in staff_view


# Charts as data -----------------------------------------------------------------------------


def test_chart_summary_names_every_figure_and_json_carries_the_colours():
    chart = Chart(
        id="c",
        kind="bar",
        title="Meetings by group",
        label_header="Group",
        series=(Series("Quorate", "green"), Series("Not quorate", "red")),
        rows=(Row("Audit", (2, 1), extras=(Cell("3"),)), Row("Panel", (0, 0))),
        stacked=True,
    )
    assert chart.summary == (
        "Stacked bar chart, Meetings by group. Audit: 2 quorate, 1 not quorate; "
        "Panel: 0 quorate, 0 not quorate."
    )
    assert chart.as_json() == {
        "kind": "bar",
        "horizontal": False,
        "stacked": True,
        "labels": ["Audit", "Panel"],
        "datasets": [
            {"label": "Quorate", "data": [2, 0], "colours": ["green", "green"]},
            {"label": "Not quorate", "data": [1, 0], "colours": ["red", "red"]},
        ],
    }
    assert chart.has_data and chart.json_id == "c-data"


def test_chart_json_is_escaped_for_the_page(client, board, board_chair):
    io = board[GroupFunction.IMPROVING_OUTCOMES]
    io.name = "Outcomes </script><script>alert(1)</script>"
    io.save()
    ActionFactory(group=io)
    text = page(client, board_chair, BOARD_URL)
    assert "<script>alert(1)" not in text
    data, rows = figure(text, "board-actions")
    assert io.name in data["labels"] and table_row(rows, io.name)[1] == "1"


def test_panels_registered_by_later_issues_appear_only_when_they_have_something(
    client, board, board_chair, settings, tmp_path
):
    (tmp_path / "panel.html").write_text("<p class='govuk-body'>{{ panel.data }} open issues</p>")
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**engine, "DIRS": [*engine["DIRS"], tmp_path]}]
    dashboards.register_panel(
        key="registers",
        board=lambda user, day: Panel("registers", "Issues register", "panel.html", 4),
        group=lambda user, group, day: None,
    )
    try:
        board_text = page(client, board_chair, BOARD_URL)
        group_text = page(client, board_chair, IO_URL)
    finally:
        dashboards.unregister_panel("registers")
    assert '<h2 class="govuk-heading-m" id="panel-registers">Issues register</h2>' in board_text
    assert "4 open issues" in board_text
    assert "Issues register" not in group_text
    assert "Issues register" not in page(client, board_chair, BOARD_URL)


# A fixed number of queries ------------------------------------------------------------------


def _grow(board, owner) -> None:
    plan = BusinessPlanFactory()
    for group in board.values():
        for n in range(3):
            meeting = MeetingFactory(group=group, starts_at=at(n + 2))
            item = AgendaItemFactory(meeting=meeting)
            PaperFactory(item=item, uploaded_by=owner)
            held_meeting(group, -10 * (n + 1), quorate=bool(n % 2), present=2, apologies=1)
        for status in ActionStatus.values:
            ActionFactory(group=group, owner=owner, status=status, due_date=days(-3))
            ActionFactory(group=group, status=status, due_date=days(5))
        for rag in [*Rag.values, ""]:
            PriorityFactory(plan=plan, rag=rag).groups.add(group)


@pytest.mark.parametrize(
    ("url", "role"),
    [(BOARD_URL, "board_chair"), (BOARD_URL, "secretariat"), (IO_URL, "group_chair")],
)
def test_dashboards_run_a_fixed_number_of_queries(
    client, request, board, url, role, django_assert_max_num_queries
):
    user = request.getfixturevalue(role)
    client.force_login(user)
    io = board[GroupFunction.IMPROVING_OUTCOMES]
    held_meeting(io, -5, present=1)
    ActionFactory(group=io, due_date=days(-1))
    PriorityFactory(plan=BusinessPlanFactory(), rag=Rag.RED).groups.add(io)
    client.get(url)  # warm the caches (content types, permission groups)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    assert len(small) <= 30

    _grow(board, user)
    _grow(board, UserFactory())

    with django_assert_max_num_queries(len(small)):
        response = client.get(url)
    assert response.status_code == 200
    assert "Chase the owner" in response.content.decode() or url == BOARD_URL


def test_a_status_chart_has_a_bar_a_status_each_linking_to_its_filtered_list():
    chart = dashboards.status_chart(
        id="cases",
        title="Cases by status",
        noun="Cases",
        statuses=(("open", "Open", "blue"), ("closed", "Closed", "green")),
        counts={"open": 3},
        list_url="/cases/",
        empty_text="No case yet.",
    )
    assert [(r.label, r.values, r.url, r.colour) for r in chart.rows] == [
        ("Open", (3,), "/cases/?status=open", "blue"),
        ("Closed", (0,), "/cases/?status=closed", "green"),
    ]
    assert chart.series == (Series("Cases", "blue"),)
    assert chart.summary.startswith("Bar chart")
    assert "Open: 3" in chart.summary
    assert chart.has_data
