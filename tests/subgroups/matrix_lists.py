"""Permission-matrix cases for the register's lists pages (see tests/test_permission_matrix.py).

The register view, its exports, the heat map and the operational priorities are for the
secretariat and the Improving Outcomes subgroup (`group_chair`, `member`); everyone else signed
in gets 403 (the board chair sees escalations, not the register). `world.issue` is the open,
High-rated "Missed health appointments", owned by `member`.
"""

from __future__ import annotations

from tests.matrix import FORBIDDEN, OK, Case, everyone

REGISTER = everyone(FORBIDDEN, secretariat=OK, group_chair=OK, member=OK)

CASES: dict[str, list[Case]] = {
    "register/": [
        Case("/register/", REGISTER, {"*": "Missed health appointments"}),
        Case("/register/?status=bogus&sort=nonsense&page=x", REGISTER, {"*": "There is a problem"}),
    ],
    # The exports stream; the matrix reads a streamed body to its end. A workbook is a zip file:
    # its contents are checked in test_lists.py.
    "register/export.csv": [
        Case("/register/export.csv", REGISTER, {"*": "Missed health appointments"}),
    ],
    "register/export.xlsx": [Case("/register/export.xlsx", REGISTER)],
    "register/heat-map/": [
        Case("/register/heat-map/", REGISTER, {"*": "Likelihood 5: almost certain"}),
    ],
    "register/priorities/": [
        Case("/register/priorities/", REGISTER, {"*": "Missed health appointments"}),
    ],
}
# The lists pages add no models to the admin.
ADMIN: dict[type, set[str]] = {}
