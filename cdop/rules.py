"""Who may do what with child deaths (DESIGN.md §1, §5). These are the most sensitive records in
the system.

- Anyone who works for a partner agency may notify a death when signed in; a professional without
  an account uses the public form, which shows nothing back but a reference.
- Child-level data (the case, its referrals, the panel's review) is for the Child Death Overview
  Panel's members and the secretariat only. The board chair does not see it.
- A notifying agency's staff see their own notifications' references and status, nothing more;
  the child's details on one are for its notifier and the agency's named safeguarding leads.
- Statistics are aggregates: the panel, the secretariat and the board chair see them; figures
  marked for publication suppress small numbers.
"""

from __future__ import annotations

import rules

from hscb.models import GroupFunction
from hscb.rules import is_board_chair, is_safeguarding_lead, is_secretariat, roles_of


@rules.predicate
def works_for_an_agency(user) -> bool:
    agency = getattr(user, "agency", None)
    return agency is not None and agency.is_active


@rules.predicate
def sits_on_the_panel(user) -> bool:
    return roles_of(user).sits_on(GroupFunction.CHILD_DEATH_OVERVIEW)


@rules.predicate
def from_their_agency(user, death) -> bool:
    # Only what the agency's signed-in staff notified: a public form can name any agency.
    return (
        death is not None
        and death.via == "account"
        and getattr(user, "agency_id", None) is not None
        and death.notifier_agency_id == user.agency_id
    )


@rules.predicate
def is_its_notifier(user, death) -> bool:
    return death is not None and death.notifier_id is not None and death.notifier_id == user.pk


panel_team = is_secretariat | sits_on_the_panel

rules.add_perm("cdop.notify_death", works_for_an_agency)
rules.add_perm("cdop.see_own_death_notification", from_their_agency)
# Within the agency, the child's details: its notifier and the agency's named safeguarding leads.
rules.add_perm(
    "cdop.see_death_notification_child",
    from_their_agency & (is_its_notifier | is_safeguarding_lead),
)
rules.add_perm("cdop.see_deaths", panel_team)
rules.add_perm("cdop.see_death", panel_team)
rules.add_perm("cdop.work_on_death", panel_team)
rules.add_perm("cdop.see_referrals", panel_team)
rules.add_perm("cdop.see_statistics", panel_team | is_board_chair)
rules.add_perm("cdop.make_report", panel_team)
