"""What each role sees on the core pages, and the remit form's effects."""

from __future__ import annotations

import datetime

import pytest
from auditlog.models import LogEntry
from django.utils import timezone
from django.utils.html import escape

from hscb.models import Group, GroupFunction, MembershipRole
from tests.hscb.factories import (
    ActionFactory,
    GroupFactory,
    MeetingFactory,
    MembershipFactory,
    ObjectiveFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def page(client, user, url: str) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_board_structure_shows_every_group_with_its_chair_and_accountability(
    client, board, board_chair, member
):
    text = page(client, member, "/board/")
    for group in board.values():
        assert group.name in text
    assert escape(f"{board_chair.get_full_name()}, {board_chair.agency.label}") in text
    assert "Independent chair" in text
    assert "The chair of the <a" in text  # Case Review answers to the board's chair
    assert "Vacant" in text  # groups with no chair yet say so
    # Each group's members are counted and linked, not listed: the page stays the same size
    # however many people sit on the board.
    main = text.split('id="main-content"')[1].split("</main>")[0]
    assert escape(member.get_full_name()) not in main
    io = board[GroupFunction.IMPROVING_OUTCOMES]
    count = io.memberships.current().count()
    assert f'href="/board/improving-outcomes/#members">{count} current member' in text


def test_group_page_lists_its_members_a_page_at_a_time(client, board, member, group_chair):
    io = board[GroupFunction.IMPROVING_OUTCOMES]
    for n in range(55):
        MembershipFactory(group=io, user=UserFactory(last_name=f"Zz{n:02d}", first_name="Pat"))
    total = io.memberships.current().count()
    first = page(client, member, "/board/improving-outcomes/")
    assert f"{total} current members: 1 to 50 shown below." in first
    assert escape(group_chair.get_full_name()) in first.split("Members of the")[1]  # chair first
    assert "Pat Zz54" not in first
    assert 'aria-label="Pages of members"' in first and "?page=2" in first
    second = page(client, member, "/board/improving-outcomes/?page=2")
    assert f"51 to {total} shown below." in second and "Pat Zz54" in second
    assert escape(group_chair.get_full_name()) not in second.split("Members of the")[1]
    # A page past the end, or not a number, shows the nearest page rather than an error.
    assert "Pat Zz54" in page(client, member, "/board/improving-outcomes/?page=99")
    assert "1 to 50 shown" in page(client, member, "/board/improving-outcomes/?page=x")


def test_board_structure_hides_inactive_groups_except_from_the_secretariat(
    client, board, member, secretariat
):
    GroupFactory(name="Disbanded task group", is_active=False)
    assert "Disbanded task group" not in page(client, member, "/board/")
    assert "Disbanded task group" in page(client, secretariat, "/board/")


def test_group_page_shows_member_emails_only_to_fellow_members(client, board, member, agency_staff):
    url = "/board/improving-outcomes/"
    assert member.email in page(client, member, url)
    assert member.email not in page(client, agency_staff, url)
    assert escape(member.get_full_name()) in page(client, agency_staff, url)


def test_group_page_lists_the_groups_accountable_to_it(client, board, member):
    text = page(client, member, "/board/strategic-board/")
    assert "Groups accountable to the Strategic Board" in text
    assert "Case Review subgroup</a> (to the chair)" in text


def test_home_page_by_role(
    client, board, secretariat, board_chair, group_chair, member, agency_staff
):
    assert "Board secretariat" in page(client, secretariat, "/")
    assert "Groups without a chair" in page(client, secretariat, "/")
    assert "The board's groups" in page(client, board_chair, "/")
    chair_home = page(client, group_chair, "/")
    assert "You chair the Improving Outcomes subgroup" in chair_home
    assert "Chair, Improving Outcomes subgroup" in chair_home
    member_home = page(client, member, "/")
    assert "Your groups" in member_home and "You chair" not in member_home
    staff_home = page(client, agency_staff, "/")
    assert "with no seat on any of the board" in staff_home
    assert "Administration" not in staff_home and "Board secretariat" not in staff_home


def test_secretariat_home_lists_follow_ups(client, board, secretariat):
    ending = MembershipFactory(
        group=board[GroupFunction.AUDIT],
        user=UserFactory(first_name="Siobhan", last_name="O'Neill"),
        end_date=timezone.localdate() + datetime.timedelta(days=10),
    )
    uninvited = UserFactory(first_name="Nadia", last_name="Ferris")
    uninvited.set_unusable_password()
    uninvited.save()
    text = page(client, secretariat, "/")
    assert escape(f"{ending.user}, member of the Audit subgroup") in text
    assert "Nadia Ferris" in text and "invitation not sent" in text
    assert "Strategic Board" in text.split("Groups without a chair")[1]


def test_account_page_lists_current_and_past_memberships(client, board, member):
    MembershipFactory(
        user=member,
        group=board[GroupFunction.AUDIT],
        start_date=datetime.date(2024, 4, 1),
        end_date=datetime.date(2025, 3, 31),
    )
    text = page(client, member, "/account/")
    assert "1 April 2024" in text and "31 March 2025" in text
    assert "Continuing" in text
    assert member.agency.name in text


def test_chair_changes_the_remit_and_history_records_who(client, board, group_chair):
    client.force_login(group_chair)
    response = client.post(
        "/board/improving-outcomes/remit/", {"remit": "  A new remit.\n\nSecond paragraph. "}
    )
    assert response.status_code == 302 and response["Location"] == "/board/improving-outcomes/"
    group = Group.objects.get(slug="improving-outcomes")
    assert group.remit == "A new remit.\n\nSecond paragraph."
    entry = LogEntry.objects.get_for_object(group).latest("timestamp")
    assert entry.actor == group_chair
    assert entry.changes_dict["remit"][1] == "A new remit.\n\nSecond paragraph."
    followed = client.get(response["Location"]).content.decode()
    assert "The remit of the Improving Outcomes subgroup has been saved." in followed
    assert "<p>A new remit.</p>" in followed


def test_member_who_is_not_chair_cannot_change_the_remit(client, board, member):
    client.force_login(member)
    before = Group.objects.get(slug="improving-outcomes").remit
    response = client.post("/board/improving-outcomes/remit/", {"remit": "Taken over."})
    assert response.status_code == 403
    assert "You cannot do this" in response.content.decode()
    assert Group.objects.get(slug="improving-outcomes").remit == before


@pytest.mark.parametrize("url", ["/", "/board/", "/board/improving-outcomes/", "/account/"])
def test_pages_run_a_fixed_number_of_queries(
    client, board, secretariat, url, django_assert_max_num_queries
):
    client.force_login(secretariat)
    MembershipFactory(group=board[GroupFunction.IMPROVING_OUTCOMES])  # one member, one page
    with django_assert_max_num_queries(40) as small:
        client.get(url)
    for group in board.values():
        for role in [MembershipRole.MEMBER] * 6 + [MembershipRole.ADVISER]:
            MembershipFactory(group=group, role=role)
    for _ in range(3):
        extra = GroupFactory(accountable_to=board[GroupFunction.STRATEGIC_BOARD])
        MembershipFactory(group=extra, role=MembershipRole.CHAIR)
        MembershipFactory(group=extra, user=secretariat)
        ObjectiveFactory.create_batch(2, group=extra)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(url)


def test_home_shows_your_open_and_overdue_actions_and_next_meetings(client, board, member):
    today = timezone.localdate()
    io = board[GroupFunction.IMPROVING_OUTCOMES]
    ActionFactory(owner=member, group=io, due_date=today - datetime.timedelta(days=3))
    ActionFactory(owner=member, group=io, due_date=today + datetime.timedelta(days=3))
    ActionFactory(group=io, due_date=today - datetime.timedelta(days=3))  # someone else's
    meeting = MeetingFactory(group=io, title="Neglect workshop")
    MeetingFactory(group=board[GroupFunction.CHILD_DEATH_OVERVIEW], title="Panel meeting")
    client.force_login(member)
    text = client.get("/").content.decode()
    assert '<span class="app-figure">2</span> open actions' in text
    assert "1 overdue" in text
    assert f'href="{meeting.get_absolute_url()}">Neglect workshop</a>' in text
    assert "Panel meeting" not in text  # a group the member does not sit on


def test_home_says_so_when_you_have_no_actions_or_meetings(client, board, agency_staff):
    client.force_login(agency_staff)
    text = client.get("/").content.decode()
    assert "You have no open actions." in text
    assert "No meetings of your groups are planned." in text
