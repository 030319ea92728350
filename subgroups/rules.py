"""Who may do what with the Improving Outcomes register (DESIGN.md §1, §3).

Members of the subgroup see and add to its register; an issue's owner and the subgroup's chairs
update it; the chair proposes escalations; the board chair sees escalations and, with the
secretariat, records the Strategic Board's decision. Agency staff without a seat see nothing.
"""

from __future__ import annotations

import rules

from hscb.models import GroupFunction
from hscb.rules import is_board_chair, is_secretariat, roles_of


@rules.predicate
def sits_on_improving_outcomes(user) -> bool:
    return roles_of(user).sits_on(GroupFunction.IMPROVING_OUTCOMES)


@rules.predicate
def chairs_improving_outcomes(user) -> bool:
    return any(
        s.function == GroupFunction.IMPROVING_OUTCOMES and s.role == "chair"
        for s in roles_of(user).seats
    )


@rules.predicate
def owns_issue(user, issue) -> bool:
    return issue is not None and issue.owner_id == user.pk


@rules.predicate
def has_a_seat(user) -> bool:
    return bool(roles_of(user).seats)


rules.add_perm("subgroups.see_register", is_secretariat | sits_on_improving_outcomes)
rules.add_perm("subgroups.add_issue", is_secretariat | sits_on_improving_outcomes)
rules.add_perm(
    "subgroups.update_issue",
    is_secretariat | chairs_improving_outcomes | (sits_on_improving_outcomes & owns_issue),
)
rules.add_perm("subgroups.change_issue", is_secretariat | chairs_improving_outcomes)
rules.add_perm("subgroups.propose_escalation", is_secretariat | chairs_improving_outcomes)
rules.add_perm(
    "subgroups.see_escalation", is_secretariat | is_board_chair | sits_on_improving_outcomes
)
rules.add_perm("subgroups.decide_escalation", is_secretariat | is_board_chair)
# Good practice is for everyone who takes part in the board's work.
rules.add_perm("subgroups.see_good_practice", is_secretariat | has_a_seat)
rules.add_perm("subgroups.add_good_practice", is_secretariat | sits_on_improving_outcomes)
