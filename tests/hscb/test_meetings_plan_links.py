"""Every link to a group's meetings filters the forward plan to that group: the links on the
home page, the group pages, the dashboards and the plan itself name the group by its slug,
and the plan takes the slug. They used to give "Choose a group from the list" and every
meeting, because the plan took a group's id."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest

from hscb.models import Group, GroupFunction
from tests.hscb.factories import MeetingFactory
from tests.hscb.meeting_helpers import in_days

pytestmark = pytest.mark.django_db

PLAN_LINK = re.compile(r'href="(/meetings/\?[^"]*)"')


def pages_of(board) -> list[str]:
    """The pages where links to a group's meetings are found: the home page, the board's
    dashboard, and the page and dashboard of a few groups (the one each role sits on among
    them). A page the role may not open is passed over."""
    groups = [
        board[GroupFunction.STRATEGIC_BOARD],
        board[GroupFunction.IMPROVING_OUTCOMES],
        board[GroupFunction.CHILD_DEATH_OVERVIEW],
    ]
    return [
        "/",
        "/dashboard/",
        *(f"/board/{g.slug}/" for g in groups),
        *(f"/board/{g.slug}/dashboard/" for g in groups),
    ]


def links_to_a_groups_meetings(text: str) -> set[str]:
    links = {unescape(link) for link in PLAN_LINK.findall(text)}
    return {link for link in links if "group" in parse_qs(urlsplit(link).query)}


# Where each role must find links to a group's meetings.
EXPECTED_KINDS = {
    "secretariat": {"board"},
    "board_chair": {"board"},
    "group_chair": {"home", "board", "dashboard"},
    "member": {"home", "board"},
}


@pytest.mark.parametrize("role", ["secretariat", "board_chair", "group_chair", "member"])
def test_every_link_to_a_groups_meetings_lists_that_groups_meetings_only(
    client, board, request, role
):
    user = request.getfixturevalue(role)
    for group in board.values():
        MeetingFactory(group=group, title=f"Coming {group.slug}")
        MeetingFactory(
            group=group,
            title=f"Past {group.slug}",
            starts_at=in_days(-7),
            ends_at=in_days(-7, 12),
        )
    client.force_login(user)

    found: dict[str, str] = {}  # link -> the first page it was found on
    kinds: set[str] = set()  # the kinds of page links were found on
    for url in pages_of(board):
        response = client.get(url)
        if response.status_code != 200:
            continue
        for link in links_to_a_groups_meetings(response.content.decode()):
            found.setdefault(link, url)
            kinds.add("dashboard" if url.endswith("/dashboard/") else url.split("/")[1] or "home")
    assert kinds >= EXPECTED_KINDS[role]

    followed: set[str] = set()
    while pending := set(found) - followed:
        link = pending.pop()
        followed.add(link)
        query = parse_qs(urlsplit(link).query)
        group = Group.objects.get(slug=query["group"][0])
        when = "Past" if query.get("when") == ["past"] else "Coming"

        response = client.get(link)
        text = response.content.decode()
        where = f"{link} (linked from {found[link]})"
        assert response.status_code == 200, where
        assert "There is a problem" not in text, where
        assert f"showing the {group.name} only" in text, where
        assert f'<option value="{group.slug}" selected>' in text, where
        assert f"{when} {group.slug}" in text, where
        others = [g.slug for g in board.values() if g != group]
        assert not [s for s in others if re.search(rf"{when} {re.escape(s)}(?![\w-])", text)], where
        # The plan's own links (coming and past meetings) keep to the group: follow them too.
        for own in links_to_a_groups_meetings(text):
            found.setdefault(own, link)
    assert any("when=past" in link for link in followed)
