"""The permission matrix's building blocks: outcomes, cases and the records they are requested
for. Each sub-area keeps its cases in a module of its own (`tests/hscb/matrix_*.py`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from casereview.models import (
    AgencyReport,
    Attachment,
    Lesson,
    Milestone,
    Notification,
    PlanAction,
    PossibleDuplicate,
    Recommendation,
    Review,
)
from cdop.models import (
    AgencyInformation,
    AnnualReport,
    ChildDeath,
    DeathDuplicate,
    Factor,
    PanelRecommendation,
    PanelReview,
    Referral,
)
from hscb.models import Action, AgendaItem, BusinessPlan, Group, Meeting, Paper, Priority, User
from subgroups.models import Escalation, GoodPractice, Issue
from tests.conftest import ROLES

SIGNED_IN = [r for r in ROLES if r != "anonymous"]
STAFF = ["secretariat"]


@dataclass(frozen=True)
class Redirect:
    to: tuple[str, ...]  # the Location header starts with one of these

    def __init__(self, *to: str) -> None:
        object.__setattr__(self, "to", to)

    def matches(self, location: str) -> bool:
        return location.startswith(self.to)

    def __str__(self) -> str:
        return f"redirect to {' or '.join(self.to)}"


SIGN_IN = Redirect("/accounts/sign-in/?next=")
# The admin sends people to its login route, which hands them on to the sign-in page (or tells a
# signed-in person without access that they cannot use it: see test_admin.py).
ADMIN_SIGN_IN = Redirect("/admin/login/?next=", "/accounts/sign-in/?next=")
OK, FORBIDDEN, NOT_FOUND, NOT_ALLOWED = 200, 403, 404, 405


@dataclass
class World:
    """The records the routes are requested for.

    `group` is the Improving Outcomes subgroup (`group_chair` chairs it, `member` sits on it);
    `meeting` is its next meeting, with `item` on the agenda and `paper` for the item; `action`
    is its action owned by `member`. `other_meeting` and `other_action` belong to the Child
    Death Overview Panel (`cdop_member` sits on it and owns the action). `plan` is this year's
    business plan; `priority` is led by the Improving Outcomes subgroup and has no owner.
    `issue` is an open, High-rated register issue owned by `member`; `escalation` escalates
    another issue (owned by someone else) and awaits the Board's decision; `good_practice` is
    an entry in the good-practice register.

    Case review (tests/casereview/matrix_casereview.py): `draft` is `agency_staff`'s draft
    notification, with `draft_attachment`; `notification` is their submitted one (their agency's),
    with `attachment`; `considered` is another agency's case awaiting the board chair's decision,
    with `considered_attachment`; `review` is held on a third agency's decided case, with its
    final report, a `milestone`, an `agency_report`, a `recommendation` whose `plan_action` is
    owned by `member`, and a `lesson`. `duplicate` flags two other submitted notifications as
    possibly about the same child.

    Agency visibility: `member` is their agency's named safeguarding lead. `colleague_notification`
    (with `colleague_attachment`) and `colleague_death` were sent by a colleague of
    `agency_staff`; `lead_notification` (with `lead_attachment`) and `lead_death` by a colleague
    of `member`. The child's details on them are for the notifier and the agency's leads only.

    Child deaths (tests/cdop/matrix_cdop.py): `death` was notified by `agency_staff` and is
    listed for the panel's meeting (`other_meeting`), with `death_report` (information asked of
    an agency), `death_duplicate` (it may be the same child as another death) and the panel's
    `death_review`, which has a `factor` and a `panel_recommendation`. `referral` refers
    another death out to Bedford Borough's panel. `annual_report` is made (its PDF and CSV
    stored); `queued_report` waits to be made.
    """

    group: Group
    inactive: Group
    users: dict[str, User]
    meeting: Meeting
    item: AgendaItem
    paper: Paper
    action: Action
    other_meeting: Meeting
    other_action: Action
    plan: BusinessPlan
    priority: Priority
    issue: Issue
    escalation: Escalation
    good_practice: GoodPractice
    draft: Notification
    draft_attachment: Attachment
    notification: Notification
    attachment: Attachment
    considered: Notification
    considered_attachment: Attachment
    review: Review
    milestone: Milestone
    agency_report: AgencyReport
    recommendation: Recommendation
    plan_action: PlanAction
    lesson: Lesson
    duplicate: PossibleDuplicate
    death: ChildDeath
    death_report: AgencyInformation
    death_duplicate: DeathDuplicate
    death_review: PanelReview
    factor: Factor
    panel_recommendation: PanelRecommendation
    referral: Referral
    annual_report: AnnualReport
    queued_report: AnnualReport
    colleague_notification: Notification
    colleague_attachment: Attachment
    lead_notification: Notification
    lead_attachment: Attachment
    colleague_death: ChildDeath
    lead_death: ChildDeath
    uidb64: str = "MQ"
    token: str = "set-password"


# An outcome or a text may depend on the records (a redirect to a record's page, its reference).
Expect = int | Redirect | Callable[[World], int | Redirect]
Text = str | Callable[[World], str]


@dataclass
class Case:
    path: Callable[[World], str] | str
    expect: dict[str, Expect]
    contains: dict[str, Text] = field(default_factory=dict)  # role (or "*") -> text on a 200 page
    lacks: dict[str, Text] = field(default_factory=dict)  # role (or "*") -> text not on a 200 page

    def url(self, world: World) -> str:
        return self.path(world) if callable(self.path) else self.path

    def expected(self, role: str, world: World) -> int | Redirect:
        outcome = self.expect[role]
        return outcome(world) if callable(outcome) else outcome

    def text(self, role: str, world: World) -> str | None:
        text = self.contains.get(role, self.contains.get("*"))
        return text(world) if callable(text) else text

    def absent(self, role: str, world: World) -> str | None:
        text = self.lacks.get(role, self.lacks.get("*"))
        return text(world) if callable(text) else text


def everyone(outcome, anonymous=SIGN_IN, **overrides) -> dict[str, Expect]:
    return {"anonymous": anonymous, **dict.fromkeys(SIGNED_IN, outcome), **overrides}


def admin_only(secretariat) -> dict[str, Expect]:
    """Admin pages: the secretariat gets `secretariat`; everyone else the admin's sign-in page."""
    return everyone(ADMIN_SIGN_IN, anonymous=ADMIN_SIGN_IN, secretariat=secretariat)
