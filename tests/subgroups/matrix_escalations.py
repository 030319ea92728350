"""Permission-matrix cases for the escalation pages (see tests/test_permission_matrix.py).

`world.issue` is an open, High-rated issue owned by `member`: the subgroup's chair and the
secretariat may escalate it; the member sees the register but may not propose (403); everyone
who may not see the register gets 404, the board chair included. `world.escalation` awaits the
Board's decision: the subgroup's members, the board chair and the secretariat see it; only the
board chair and the secretariat record the decision.
"""

from __future__ import annotations

from tests.matrix import FORBIDDEN, NOT_FOUND, OK, Case, everyone

SEES_ESCALATIONS = {"secretariat": OK, "board_chair": OK, "group_chair": OK, "member": OK}

CASES: dict[str, list[Case]] = {
    "register/<int:pk>/escalate/": [
        Case(
            lambda w: f"/register/{w.issue.pk}/escalate/",
            everyone(NOT_FOUND, secretariat=OK, group_chair=OK, member=FORBIDDEN),
            {"*": "Escalate the issue to the Strategic Board"},
        ),
        # Already with the Board: the page says so, and shows the rule.
        Case(
            lambda w: f"/register/{w.escalation.issue.pk}/escalate/",
            everyone(NOT_FOUND, secretariat=OK, group_chair=OK, member=FORBIDDEN),
            {"*": "This issue is already with the Strategic Board"},
        ),
        Case("/register/999999/escalate/", everyone(NOT_FOUND)),
    ],
    "escalations/": [
        Case(
            "/escalations/",
            everyone(FORBIDDEN, **SEES_ESCALATIONS),
            {"*": "health data not shared in time"},
        )
    ],
    "escalations/<int:pk>/": [
        Case(
            lambda w: f"/escalations/{w.escalation.pk}/",
            everyone(NOT_FOUND, **SEES_ESCALATIONS),
            {
                "*": "Recommendations for action",
                "secretariat": "Record the Board's decision",
                "board_chair": "Record the Board's decision",
            },
        ),
        Case("/escalations/999999/", everyone(NOT_FOUND)),
    ],
    "escalations/<int:pk>/decision/": [
        Case(
            lambda w: f"/escalations/{w.escalation.pk}/decision/",
            everyone(
                NOT_FOUND, secretariat=OK, board_chair=OK, group_chair=FORBIDDEN, member=FORBIDDEN
            ),
            {"*": "What did the Board decide?"},
        ),
        Case("/escalations/999999/decision/", everyone(NOT_FOUND)),
    ],
}
# What the secretariat may do in the admin with each model of this area (escalations are
# registered in the admin by the register's own area, if at all).
ADMIN: dict[type, set[str]] = {}
