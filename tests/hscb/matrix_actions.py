"""Permission-matrix cases for the actions pages (see tests/test_permission_matrix.py).

`world.action` belongs to the Improving Outcomes subgroup and is owned by `member`;
`world.other_action` belongs to the Child Death Overview Panel and is owned by `cdop_member`:
the panel handles children's personal records, so the board chair, who oversees every other
group's actions, gets 404 for it.
"""

from __future__ import annotations

from hscb.models import Action
from tests.matrix import FORBIDDEN, NOT_ALLOWED, NOT_FOUND, OK, Case, everyone

CASES: dict[str, list[Case]] = {
    "actions/": [
        Case(
            "/actions/",
            everyone(OK),
            {"*": "Your actions", "member": "Write to the schools", "outsider": "You have no"},
        )
    ],
    "actions/<int:pk>/": [
        Case(
            lambda w: f"/actions/{w.action.pk}/",
            everyone(NOT_FOUND, secretariat=OK, board_chair=OK, group_chair=OK, member=OK),
            {"*": "Write to the schools", "member": "Update this action"},
        ),
        Case(
            lambda w: f"/actions/{w.other_action.pk}/",
            everyone(NOT_FOUND, secretariat=OK, cdop_member=OK),
            {"*": "Child Death Overview Panel"},
        ),
        Case("/actions/999999/", everyone(NOT_FOUND)),
    ],
    "actions/<int:pk>/update/": [
        Case(
            lambda w: f"/actions/{w.action.pk}/update/",
            everyone(NOT_FOUND, secretariat=OK, group_chair=OK, member=OK, board_chair=FORBIDDEN),
            {"*": "Update the action", "member": "Progress note"},
        ),
        Case(
            lambda w: f"/actions/{w.other_action.pk}/update/",
            everyone(NOT_FOUND, secretariat=OK, cdop_member=OK),
            {"*": "Update the action"},
        ),
    ],
    # Chasing is a POST: a GET is refused by everyone signed in.
    "actions/<int:pk>/chase/": [
        Case(lambda w: f"/actions/{w.action.pk}/chase/", everyone(NOT_ALLOWED)),
    ],
    "meetings/<int:pk>/actions/new/": [
        Case(
            lambda w: f"/meetings/{w.meeting.pk}/actions/new/",
            everyone(
                NOT_FOUND,
                secretariat=OK,
                group_chair=OK,
                board_chair=FORBIDDEN,
                member=FORBIDDEN,
            ),
            {"*": "Record an action"},
        ),
        Case(
            lambda w: f"/meetings/{w.other_meeting.pk}/actions/new/",
            everyone(NOT_FOUND, secretariat=OK, cdop_member=FORBIDDEN),
            {"*": "Record an action"},
        ),
    ],
    "board/<slug:slug>/actions/": [
        Case(
            lambda w: f"/board/{w.group.slug}/actions/",
            everyone(NOT_FOUND, secretariat=OK, board_chair=OK, group_chair=OK, member=OK),
            {"*": "Write to the schools", "group_chair": "Chase the owner"},
        ),
        # The panel handles children's personal records: its actions are for its members.
        Case(
            lambda w: f"/board/{w.other_action.group.slug}/actions/",
            everyone(NOT_FOUND, secretariat=OK, cdop_member=OK),
            {"*": "Child Death Overview Panel"},
        ),
        Case(
            lambda w: f"/board/{w.inactive.slug}/actions/",
            everyone(NOT_FOUND, secretariat=OK),
            {"*": "No actions match these filters"},
        ),
        Case("/board/no-such-group/actions/", everyone(NOT_FOUND)),
    ],
}

# What the secretariat may do in the admin with each model of this area: actions are recorded
# and corrected there, never deleted (their notes are shown in the action, read-only).
ADMIN: dict[type, set[str]] = {Action: {"view", "add", "change"}}
