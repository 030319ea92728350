"""Children's personal records stay with the group that handles them (DESIGN.md §1).

The Case Review subgroup and the Child Death Overview Panel handle children's names, dates of
birth, NHS numbers and addresses. Their meetings' agendas, papers and minutes, and their
actions, are seen by their members and the secretariat only: the board chair, who oversees every
other group's business, sees that they meet and how many actions they have, and no more (unless
they sit on the group). An action's owner still sees their own action.
"""

from __future__ import annotations

import datetime
import importlib

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from hscb.models import Group, GroupFunction, MembershipRole
from hscb.selectors import dashboards
from hscb.selectors.board import home_for_user
from hscb.selectors.meetings import groups_for_forward_plan
from tests.hscb.factories import (
    ActionFactory,
    AgendaItemFactory,
    GroupFactory,
    MeetingFactory,
    MembershipFactory,
    PaperFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

CHILD_RECORD_FUNCTIONS = {GroupFunction.CASE_REVIEW, GroupFunction.CHILD_DEATH_OVERVIEW}


# Helpers ------------------------------------------------------------------------------------


def ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


def status(client, user, url: str) -> int:
    client.force_login(user)
    return client.get(url).status_code


def page(client, user, url: str) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


@pytest.fixture
def cdop(board) -> Group:
    return board[GroupFunction.CHILD_DEATH_OVERVIEW]


@pytest.fixture
def io(board) -> Group:
    return board[GroupFunction.IMPROVING_OUTCOMES]


@pytest.fixture
def cdop_business(cdop, cdop_member):
    """The panel's next meeting, an agenda item with a paper, and an overdue action."""
    meeting = MeetingFactory(group=cdop, title="Panel review of deaths")
    item = AgendaItemFactory(meeting=meeting, title="Death of Child A, aged 3")
    paper = PaperFactory(item=item, title="Child A chronology")
    action = ActionFactory(
        group=cdop,
        meeting=meeting,
        owner=cdop_member,
        title="Ask the GP about Child A's records",
        due_date=ago(5),
    )
    return meeting, item, paper, action


@pytest.fixture
def io_business(io, member):
    meeting = MeetingFactory(group=io, title="Issues register review")
    item = AgendaItemFactory(meeting=meeting, title="Review of the issues register")
    paper = PaperFactory(item=item, title="Register report")
    action = ActionFactory(
        group=io, meeting=meeting, owner=member, title="Write to the schools", due_date=ago(3)
    )
    return meeting, item, paper, action


def business_urls(meeting, paper, action) -> dict[str, str]:
    return {
        "meeting": f"/meetings/{meeting.pk}/",
        "agenda pack": f"/meetings/{meeting.pk}/agenda.pdf",
        "calendar file": f"/meetings/{meeting.pk}/invitation.ics",
        "paper": f"/papers/{paper.pk}/",
        "action": f"/actions/{action.pk}/",
        "group's actions": f"/board/{meeting.group.slug}/actions/",
    }


# Which groups handle children's records ------------------------------------------------------


def test_case_review_and_the_child_death_panel_handle_childrens_records(board):
    for function, group in board.items():
        assert group.handles_child_records is (function in CHILD_RECORD_FUNCTIONS), function


def test_the_migration_marks_the_case_review_and_child_death_groups(board):
    Group.objects.update(handles_child_records=False)
    migration = importlib.import_module("hscb.migrations.0006_group_handles_child_records")
    migration.mark_child_record_groups(apps, None)
    marked = set(
        Group.objects.filter(handles_child_records=True).values_list("function", flat=True)
    )
    assert marked == CHILD_RECORD_FUNCTIONS


def test_the_admin_shows_and_saves_the_setting(client, secretariat, board):
    group = GroupFactory(name="Missing children panel")
    url = f"/admin/hscb/group/{group.pk}/change/"
    text = page(client, secretariat, url)
    assert 'name="handles_child_records"' in text
    assert "Privacy" in text
    assert escape("handles children's personal records") in text.lower()


# The board chair ----------------------------------------------------------------------------


def test_board_chair_gets_not_found_for_the_panels_meeting_papers_and_actions(
    client, board_chair, cdop_business
):
    meeting, _, paper, action = cdop_business
    for what, url in business_urls(meeting, paper, action).items():
        assert status(client, board_chair, url) == 404, what


def test_board_chair_gets_not_found_for_case_review_business(client, board, board_chair):
    case_review = board[GroupFunction.CASE_REVIEW]
    meeting = MeetingFactory(group=case_review)
    paper = PaperFactory(item=AgendaItemFactory(meeting=meeting))
    action = ActionFactory(group=case_review, meeting=meeting)
    for what, url in business_urls(meeting, paper, action).items():
        assert status(client, board_chair, url) == 404, what


def test_board_chair_sees_the_panels_page_but_not_its_dashboard_or_business_links(
    client, cdop, board_chair, cdop_business
):
    text = page(client, board_chair, f"/board/{cdop.slug}/")
    assert escape(cdop.name) in text
    assert f"/board/{cdop.slug}/dashboard/" not in text
    assert f"/board/{cdop.slug}/actions/" not in text
    assert f"?group={cdop.slug}" not in text
    assert status(client, board_chair, f"/board/{cdop.slug}/dashboard/") == 403


def test_board_chair_still_sees_improving_outcomes_business(client, io, board_chair, io_business):
    meeting, _, paper, action = io_business
    urls = business_urls(meeting, paper, action)
    assert "Review of the issues register" in page(client, board_chair, urls["meeting"])
    assert "Write to the schools" in page(client, board_chair, urls["action"])
    assert "Write to the schools" in page(client, board_chair, urls["group's actions"])
    for what in ("agenda pack", "calendar file", "paper"):
        assert status(client, board_chair, urls[what]) == 200, what
    assert "Write to the schools" in page(client, board_chair, f"/board/{io.slug}/dashboard/")
    group_page = page(client, board_chair, f"/board/{io.slug}/")
    assert f'href="/board/{io.slug}/dashboard/"' in group_page
    assert f'href="/board/{io.slug}/actions/"' in group_page


def test_forward_plan_leaves_out_the_panels_meetings_for_the_board_chair(
    client, cdop, board_chair, cdop_business, io_business
):
    text = page(client, board_chair, "/meetings/")
    assert "Issues register review" in text
    assert "Review of the issues register" in text
    assert "Panel review of deaths" not in text
    assert "Death of Child A" not in text
    assert "except those that handle children" in text

    cdop_business[0].starts_at = timezone.now() - datetime.timedelta(days=7)
    cdop_business[0].ends_at = cdop_business[0].starts_at + datetime.timedelta(hours=2)
    cdop_business[0].save()
    assert "Panel review of deaths" not in page(client, board_chair, "/meetings/?when=past")

    refused = page(client, board_chair, f"/meetings/?group={cdop.pk}")
    assert "There is a problem" in refused
    assert "Panel review of deaths" not in refused
    assert f'<option value="{cdop.pk}"' not in refused


def test_home_page_lists_no_panel_meeting_for_the_board_chair(
    client, board_chair, cdop_business, io_business
):
    home = home_for_user(board_chair)
    assert home.next_meetings == [io_business[0]]
    text = page(client, board_chair, "/")
    assert "Issues register review" in text
    assert "Panel review of deaths" not in text


def test_board_dashboard_counts_the_panels_actions_but_does_not_name_them(
    client, cdop, board_chair, cdop_business, io_business
):
    client.force_login(board_chair)
    response = client.get("/dashboard/")
    assert response.status_code == 200
    dashboard = response.context["dashboard"]
    text = response.content.decode()

    # Counted: both groups' overdue actions.
    assert dashboard.open_total == 2
    assert dashboard.overdue_total == 2
    row = next(r for r in dashboard.actions_chart.rows if r.label == cdop.name)
    assert row.values == (1, 1)
    # Not named: the panel's action and meeting.
    assert [a.title for a in dashboard.overdue] == ["Write to the schools"]
    assert dashboard.next_meetings == [io_business[0]]
    assert "Write to the schools" in text
    assert escape("Ask the GP about Child A's records") not in text
    assert f"/actions/{cdop_business[3].pk}/" not in text
    assert f"/meetings/{cdop_business[0].pk}/" not in text
    # The table of actions by group does not link to a dashboard the chair cannot open.
    assert row.url == ""
    assert f'href="/board/{cdop.slug}/dashboard/"' not in text
    assert 'href="/board/improving-outcomes/dashboard/"' in text
    assert "are counted here but not listed" in text
    assert "the Case Review subgroup and the Child Death Overview Panel" in text


def test_board_dashboard_says_when_only_unlisted_actions_are_overdue(
    client, board_chair, cdop_business
):
    text = page(client, board_chair, "/dashboard/")
    assert "No action you can see is overdue." in text
    assert "No action is overdue." not in text


def test_board_dashboard_query_count_does_not_grow_with_hidden_groups(
    client, board, board_chair, cdop_business
):
    client.force_login(board_chair)
    client.get("/dashboard/")
    with CaptureQueriesContext(connection) as first:
        client.get("/dashboard/")
    for n in range(3):
        group = GroupFactory(handles_child_records=True, name=f"Private panel {n}")
        MeetingFactory(group=group)
        ActionFactory(group=group, due_date=ago(2))
    with CaptureQueriesContext(connection) as second:
        response = client.get("/dashboard/")
    assert response.context["dashboard"].overdue_total == 4
    assert len(second) == len(first)


def test_board_chair_keeps_their_own_action_of_the_panel_but_not_its_meeting(
    client, cdop, board_chair
):
    meeting = MeetingFactory(group=cdop)
    action = ActionFactory(
        group=cdop, meeting=meeting, owner=board_chair, title="Report the panel's figures"
    )
    text = page(client, board_chair, f"/actions/{action.pk}/")
    assert escape("Report the panel's figures") in text
    assert f'href="/meetings/{meeting.pk}/"' not in text
    assert f'href="/board/{cdop.slug}/actions/"' not in text
    assert status(client, board_chair, f"/meetings/{meeting.pk}/") == 404
    assert escape("Report the panel's figures") in page(client, board_chair, "/actions/")


def test_a_board_chair_who_sits_on_the_panel_sees_its_business(
    client, cdop, board_chair, cdop_business
):
    MembershipFactory(user=board_chair, group=cdop)
    meeting, _, paper, action = cdop_business
    for what, url in business_urls(meeting, paper, action).items():
        assert status(client, board_chair, url) == 200, what
    assert "Panel review of deaths" in page(client, board_chair, "/meetings/")
    assert escape("Ask the GP about Child A's records") in page(client, board_chair, "/dashboard/")
    assert status(client, board_chair, f"/board/{cdop.slug}/dashboard/") == 200


# The panel's members, its chair and the secretariat ----------------------------------------------


def test_a_panel_member_sees_its_meeting_papers_and_actions(client, cdop_member, cdop_business):
    meeting, _, paper, action = cdop_business
    urls = business_urls(meeting, paper, action)
    assert "Death of Child A, aged 3" in page(client, cdop_member, urls["meeting"])
    assert "Child A chronology" in page(client, cdop_member, urls["meeting"])
    assert escape("Ask the GP about Child A's records") in page(client, cdop_member, urls["action"])
    text = page(client, cdop_member, urls["group's actions"])
    assert escape("Ask the GP about Child A's records") in text
    for what in ("agenda pack", "calendar file", "paper"):
        assert status(client, cdop_member, urls[what]) == 200, what
    assert "Panel review of deaths" in page(client, cdop_member, "/meetings/")
    # A member is not a chair: no dashboard, as for any group.
    assert status(client, cdop_member, f"/board/{meeting.group.slug}/dashboard/") == 403


def test_the_panels_chair_keeps_its_dashboard(client, cdop, cdop_business):
    chair = MembershipFactory(group=cdop, role=MembershipRole.CHAIR, user=UserFactory()).user
    text = page(client, chair, f"/board/{cdop.slug}/dashboard/")
    assert escape("Ask the GP about Child A's records") in text
    assert "Panel review of deaths" in text
    assert f'href="/meetings/{cdop_business[0].pk}/"' in text


def test_the_secretariat_sees_the_panels_business_everywhere(
    client, cdop, secretariat, cdop_business
):
    meeting, _, paper, action = cdop_business
    for what, url in business_urls(meeting, paper, action).items():
        assert status(client, secretariat, url) == 200, what
    assert "Panel review of deaths" in page(client, secretariat, "/meetings/")
    board = page(client, secretariat, "/dashboard/")
    assert escape("Ask the GP about Child A's records") in board
    assert f'href="/board/{cdop.slug}/dashboard/"' in board
    assert "are counted here but not listed" not in board
    assert "Ask the GP" in page(client, secretariat, f"/board/{cdop.slug}/dashboard/")


def test_others_still_get_not_found_for_the_panels_business(
    client, member, agency_staff, case_review_member, cdop_business
):
    meeting, _, paper, action = cdop_business
    for user in (member, agency_staff, case_review_member):
        for what, url in business_urls(meeting, paper, action).items():
            assert status(client, user, url) == 404, (user, what)


# The rules themselves -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "perm", ["hscb.see_meeting", "hscb.see_group_business", "hscb.see_group_dashboard"]
)
def test_board_chair_rules_stop_at_groups_handling_childrens_records(
    board, board_chair, secretariat, perm
):
    for function, group in board.items():
        expected = function not in CHILD_RECORD_FUNCTIONS
        assert board_chair.has_perm(perm, group) is expected, (perm, function)
        assert board_chair.has_perm(perm, MeetingFactory(group=group)) is expected, function
        assert secretariat.has_perm(perm, group), (perm, function)


def test_board_chair_sees_the_actions_of_every_group_but_those_handling_childrens_records(
    board, board_chair, secretariat
):
    for function, group in board.items():
        action = ActionFactory(group=group)
        expected = function not in CHILD_RECORD_FUNCTIONS
        assert board_chair.has_perm("hscb.see_action", action) is expected, function
        assert secretariat.has_perm("hscb.see_action", action), function
        assert action.owner.has_perm("hscb.see_action", action), function


def test_forward_plan_groups_by_role(board, secretariat, board_chair, cdop_member, member):
    everyone = set(board.values())
    private = {board[f] for f in CHILD_RECORD_FUNCTIONS}
    assert set(groups_for_forward_plan(secretariat)) == everyone
    assert set(groups_for_forward_plan(board_chair)) == everyone - private
    assert set(groups_for_forward_plan(cdop_member)) == {board[GroupFunction.CHILD_DEATH_OVERVIEW]}
    assert set(groups_for_forward_plan(member)) == {board[GroupFunction.IMPROVING_OUTCOMES]}


def test_board_dashboard_selector_lists_only_what_the_viewer_may_see(
    board, board_chair, secretariat, cdop_business, io_business
):
    chair_view = dashboards.board_dashboard_for_user(board_chair)
    secretariat_view = dashboards.board_dashboard_for_user(secretariat)
    assert chair_view.overdue_total == secretariat_view.overdue_total == 2
    assert chair_view.overdue_unlisted == 1 and chair_view.overdue_listable == 1
    assert secretariat_view.overdue_unlisted == 0
    assert {g.function for g in chair_view.unlisted_groups} == CHILD_RECORD_FUNCTIONS
    assert secretariat_view.unlisted_groups == []
    assert len(secretariat_view.overdue) == 2
