"""The register is in the navigation of those who may see it, and of no-one else."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "shown"),
    [
        ("secretariat", True),
        ("group_chair", True),
        ("member", True),
        ("board_chair", False),
        ("agency_staff", False),
        ("cdop_member", False),
    ],
)
def test_the_register_link_is_shown_to_its_readers_only(client, request, role, shown):
    client.force_login(request.getfixturevalue(role))
    text = client.get("/account/").content.decode()
    assert ('href="/register/"' in text) is shown
    assert ("Issues register" in text) is shown


def test_the_improving_outcomes_page_links_to_its_registers_for_members(client, member):
    client.force_login(member)
    text = client.get("/board/improving-outcomes/").content.decode()
    assert 'href="/register/">The register of multi-agency issues</a>' in text
    assert 'href="/good-practice/">The register of good practice</a>' in text
    other = client.get("/board/audit/").content.decode()
    assert "The register of multi-agency issues" not in other
