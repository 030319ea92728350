"""Who may do what with serious-incident notifications and reviews (DESIGN.md §1, §4).

- Anyone who works for a partner agency may notify. A draft is its notifier's alone; once
  submitted, the notifying agency's staff see its reference and status, never another agency's
  and never the subgroup's deliberations. The child's details (and the documents, which may
  name the child) are for its notifier and the agency's named safeguarding leads only.
- The case itself (the child's details, clocks, consideration, decision, review) is for the
  Case Review subgroup's members and the secretariat. The board chair, to whom the subgroup is
  accountable, sees a case once it has been put to them for decision, and alone decides.
- The secretariat triages possible duplicates.
- Lessons learnt carry no personal details: everyone with a board role finds them once the
  secretariat has approved them.
"""

from __future__ import annotations

import rules

from hscb.models import GroupFunction, MembershipRole
from hscb.rules import is_board_chair, is_safeguarding_lead, is_secretariat, roles_of


@rules.predicate
def works_for_an_agency(user) -> bool:
    agency = getattr(user, "agency", None)
    return agency is not None and agency.is_active


@rules.predicate
def is_its_notifier(user, notification) -> bool:
    return notification is not None and notification.notifier_id == user.pk


@rules.predicate
def is_draft(user, notification) -> bool:
    return notification is not None and notification.status == "draft"


@rules.predicate
def from_their_agency(user, notification) -> bool:
    # A case the child death panel referred is the panel's, not the referrer's agency's.
    return (
        notification is not None
        and not notification.referred_by_panel
        and getattr(user, "agency_id", None) is not None
        and notification.agency_id == user.agency_id
    )


@rules.predicate
def sits_on_case_review(user) -> bool:
    return roles_of(user).sits_on(GroupFunction.CASE_REVIEW)


@rules.predicate
def chairs_case_review(user) -> bool:
    return any(
        s.function == GroupFunction.CASE_REVIEW and s.role == MembershipRole.CHAIR
        for s in roles_of(user).seats
    )


@rules.predicate
def put_to_the_board_chair(user, notification) -> bool:
    """The case has been considered and awaits, or has had, the board chair's decision."""
    return notification is not None and notification.status in ("considered", "decided")


@rules.predicate
def owns_plan_action(user, action) -> bool:
    return action is not None and action.owner_id == user.pk


@rules.predicate
def has_a_board_role(user) -> bool:
    return bool(roles_of(user).seats)


case_team = is_secretariat | sits_on_case_review

rules.add_perm("casereview.add_notification", works_for_an_agency)
# The notifier's own drafts: writing, resuming, submitting.
rules.add_perm("casereview.edit_notification", is_draft & is_its_notifier)
# The agency's view: what it sent, and where it stands.
rules.add_perm(
    "casereview.see_own_notification",
    (is_draft & is_its_notifier) | (~is_draft & from_their_agency),
)
# Within the agency, the child's details and the documents: its notifier and the agency's
# named safeguarding leads; everyone else at the agency sees the reference and status only.
rules.add_perm(
    "casereview.see_notification_child",
    (is_draft & is_its_notifier)
    | (~is_draft & from_their_agency & (is_its_notifier | is_safeguarding_lead)),
)
rules.add_perm("casereview.see_cases", case_team)
rules.add_perm(
    "casereview.see_case", ~is_draft & (case_team | (is_board_chair & put_to_the_board_chair))
)
rules.add_perm("casereview.work_on_case", ~is_draft & case_team)
rules.add_perm("casereview.consider_case", ~is_draft & case_team)
rules.add_perm("casereview.decide_case", ~is_draft & is_board_chair)
rules.add_perm("casereview.see_decisions_waiting", is_board_chair | is_secretariat)
rules.add_perm("casereview.resolve_duplicates", is_secretariat)
# Reviews, their action plans and lessons.
rules.add_perm("casereview.see_review", case_team)
rules.add_perm("casereview.manage_review", case_team)
rules.add_perm("casereview.see_plan_action", case_team | owns_plan_action)
rules.add_perm("casereview.update_plan_action", case_team | owns_plan_action)
rules.add_perm("casereview.see_lessons", is_secretariat | has_a_board_role)
# The secretariat checks each lesson before anyone beyond the case team reads it.
rules.add_perm("casereview.approve_lessons", is_secretariat)
