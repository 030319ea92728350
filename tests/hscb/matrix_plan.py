"""Permission-matrix cases for the plan pages (see tests/test_permission_matrix.py).

Everyone signed in reads the business plan. A priority's progress is rated by its owner, the
chairs of its lead groups, the board's chair and the secretariat; `world.priority` has no owner
and is led by the Improving Outcomes subgroup, which `group_chair` chairs.
"""

from __future__ import annotations

from hscb.models import BusinessPlan, Priority
from hscb.selectors.plan import business_year
from tests.matrix import FORBIDDEN, NOT_FOUND, OK, Case, Redirect, everyone

UPDATE = "Update progress"

CASES: dict[str, list[Case]] = {
    "plan/": [Case("/plan/", everyone(Redirect(f"/plan/{business_year()}/")))],
    "plan/<int:year>/": [
        Case(
            lambda w: f"/plan/{w.plan.year}/",
            everyone(OK),
            {
                "*": "Neglect is spotted early",
                "secretariat": UPDATE,
                "board_chair": UPDATE,
                "group_chair": UPDATE,
            },
        ),
        Case("/plan/1999/", everyone(NOT_FOUND)),
    ],
    "plan/priorities/<int:pk>/progress/": [
        Case(
            lambda w: f"/plan/priorities/{w.priority.pk}/progress/",
            everyone(FORBIDDEN, secretariat=OK, board_chair=OK, group_chair=OK),
            {"*": "Update progress: Neglect is spotted early"},
        ),
        Case("/plan/priorities/999999/progress/", everyone(NOT_FOUND)),
    ],
}

# What the secretariat may do in the admin with each model of this area. Plans and priorities
# are kept, never deleted, with the history of ratings (shown read-only in the priority's page).
ADMIN: dict[type, set[str]] = {
    BusinessPlan: {"view", "add", "change"},
    Priority: {"view", "add", "change"},
}
