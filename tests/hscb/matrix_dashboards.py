"""Permission-matrix cases for the dashboards pages (see tests/test_permission_matrix.py).

The board dashboard is for the board chair and the secretariat; a group's dashboard for its
chairs too. Everyone else is signed in and may know the page exists, so they are refused (403);
a group they may not see at all (an inactive one, or none by that name) is not found (404).
The board chair may see the Child Death Overview Panel's page but not its dashboard (403): the
panel handles children's personal records.
"""

from __future__ import annotations

from tests.matrix import FORBIDDEN, NOT_FOUND, OK, Case, everyone

CASES: dict[str, list[Case]] = {
    "dashboard/": [
        Case(
            "/dashboard/",
            everyone(FORBIDDEN, board_chair=OK, secretariat=OK),
            {"*": "Board dashboard"},
        )
    ],
    "board/<slug:slug>/dashboard/": [
        Case(
            lambda w: f"/board/{w.group.slug}/dashboard/",
            everyone(FORBIDDEN, group_chair=OK, board_chair=OK, secretariat=OK),
            {"*": "Neglect is spotted early"},  # world.priority, led by the group
        ),
        Case(
            lambda w: f"/board/{w.other_action.group.slug}/dashboard/",
            everyone(FORBIDDEN, secretariat=OK),
            {"*": "Child Death Overview Panel"},
        ),
        Case(
            lambda w: f"/board/{w.inactive.slug}/dashboard/",
            everyone(NOT_FOUND, secretariat=OK),
            {"secretariat": "This group is no longer active"},
        ),
        Case("/board/no-such-group/dashboard/", everyone(NOT_FOUND)),
    ],
}
# The dashboards register nothing in the admin.
ADMIN: dict[type, set[str]] = {}
