"""Permission-matrix cases for the register's issues pages and the good-practice register (see
tests/test_permission_matrix.py).

The register is the Improving Outcomes subgroup's: its members (`group_chair`, `member`) and
the secretariat see it; everyone else gets 404 for an issue and 403 for the page to raise one.
`world.issue` is owned by `member`, who may update it but not change its details (the chair's
and the secretariat's); `world.escalation.issue` is escalated and owned by someone else. Good
practice is for everyone with a seat on the board or a group; only the subgroup adds to it.
"""

from __future__ import annotations

from tests.matrix import FORBIDDEN, NOT_FOUND, OK, Case, everyone

REGISTER = {"secretariat": OK, "group_chair": OK, "member": OK}
SEATED = {**REGISTER, "board_chair": OK, "cdop_member": OK, "case_review_member": OK}

CASES: dict[str, list[Case]] = {
    "register/new/": [
        Case(
            "/register/new/",
            everyone(FORBIDDEN, **REGISTER),
            {"*": "Raise an issue", "member": "Members of the Improving Outcomes"},
        )
    ],
    "register/<int:pk>/": [
        Case(
            lambda w: f"/register/{w.issue.pk}/",
            everyone(NOT_FOUND, **REGISTER),
            {
                "*": "Missed health appointments",
                "member": "Add a progress update",
                "group_chair": "Escalate to the Strategic Board",
                "secretariat": "Change the details",
            },
        ),
        Case(
            lambda w: f"/register/{w.escalation.issue.pk}/",
            everyone(NOT_FOUND, **REGISTER),
            {"*": "The issue is with the Strategic Board"},
        ),
        Case("/register/999999/", everyone(NOT_FOUND)),
    ],
    "register/<int:pk>/change/": [
        Case(
            lambda w: f"/register/{w.issue.pk}/change/",
            everyone(NOT_FOUND, secretariat=OK, group_chair=OK, member=FORBIDDEN),
            {"*": "Missed health appointments"},
        ),
        Case("/register/999999/change/", everyone(NOT_FOUND)),
    ],
    "register/<int:pk>/progress/": [
        Case(
            lambda w: f"/register/{w.issue.pk}/progress/",
            everyone(NOT_FOUND, **REGISTER),
            {"*": "Add a progress update", "member": "Monitoring: improvements are in place"},
        ),
        Case(
            lambda w: f"/register/{w.escalation.issue.pk}/progress/",
            everyone(NOT_FOUND, secretariat=OK, group_chair=OK, member=FORBIDDEN),
            {"*": "No change: it stays escalated"},
        ),
    ],
    "good-practice/": [
        Case(
            "/good-practice/",
            everyone(FORBIDDEN, **SEATED),
            {"*": "Joint visits in neglect cases", "member": "Add good practice"},
        )
    ],
    "good-practice/new/": [
        Case(
            "/good-practice/new/",
            everyone(FORBIDDEN, **REGISTER),
            {"*": "Is it local or national practice?"},
        )
    ],
    "good-practice/<int:pk>/": [
        Case(
            lambda w: f"/good-practice/{w.good_practice.pk}/",
            everyone(NOT_FOUND, **SEATED),
            {"*": "Joint visits in neglect cases", "member": "Issues on the register"},
        ),
        Case("/good-practice/999999/", everyone(NOT_FOUND)),
    ],
}
# The lead writes the register's admin entries.
ADMIN: dict[type, set[str]] = {}
