"""Helpers for the browser tests of the Improving Outcomes register and its escalations.

The records a test starts from are made with the register's own services (as a member or the
chair would through the pages), so that they are exactly what the pages make: a raised issue
has its "Raised on the register." update, an escalation sits on the Board's agenda and its
emails have gone. Like `business.py`, the page helpers only find things and fill in forms;
moving to another page is left to `follow` and `visit`.
"""

from __future__ import annotations

import datetime

from django.utils import timezone
from playwright.sync_api import Locator, Page

from hscb.models import Agency, Group, GroupFunction, Meeting, User
from subgroups.models import Escalation, Issue, IssueSource, IssueStatus
from subgroups.services import register as services
from tests.e2e.business import in_days
from tests.hscb.factories import AgencyFactory, MeetingFactory
from tests.subgroups.factories import ensure_ratings

TRUST = "Hertfordshire Community NHS Trust"
POLICE = "Hertfordshire Constabulary"
TITLE = "Missed health appointments are not shared with children's social care"
DESCRIPTION = (
    "Two health trusts do not tell children's social care when a child on a plan misses "
    "health appointments."
)
IMPROVEMENT = "A data-sharing agreement signed by both trusts, with a weekly report."
RATIONALE = "Every district of the county is affected and the trusts have not moved in a year."
RECOMMENDATIONS = "The Board asks both trusts' chief executives to sign the agreement by March."


def register_ready() -> list[Agency]:
    """The risk ratings (the live server's flush removes the migration's rows) and the two
    partner agencies the issues name."""
    ensure_ratings()
    return [AgencyFactory(name=TRUST, short_name="HCT"), AgencyFactory(name=POLICE, short_name="")]


def board_meeting(board: dict[str, Group], days: int = 14) -> Meeting:
    """A Strategic Board meeting `days` from today, 10am to midday in London."""
    starts = timezone.make_aware(datetime.datetime.combine(in_days(days), datetime.time(10)))
    return MeetingFactory(
        group=board[GroupFunction.STRATEGIC_BOARD],
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
    )


def raise_issue(
    *,
    by: User,
    agencies: list[Agency],
    title: str = TITLE,
    likelihood: int = 4,
    impact: int = 4,
    owner: User | None = None,
) -> Issue:
    return services.issue_raise(
        by=by,
        title=title,
        description=DESCRIPTION,
        source=IssueSource.PERFORMANCE_DATA,
        agencies=agencies,
        is_countywide=False,
        priority=None,
        likelihood=likelihood,
        impact=impact,
        owner=owner or by,
        proposed_improvement=IMPROVEMENT,
        review_date=in_days(45),
    )


def monitor(issue: Issue, *, by: User) -> Issue:
    services.issue_progress(
        issue=issue,
        by=by,
        text="The trusts have agreed to share the data; we are watching the figures.",
        status=IssueStatus.MONITORING,
        seen_status=issue.status,
    )
    return issue


def escalate(issue: Issue, *, by: User) -> Escalation:
    return services.escalation_propose(
        issue=issue,
        by=by,
        countywide_or_national=True,
        beyond_remit=False,
        lack_of_cooperation=False,
        uncooperative_agencies=[],
        rationale=RATIONALE,
        recommendations=RECOMMENDATIONS,
    )


def person(user: User) -> str:
    """A person as the owner selects and the issue page name them: "Name, Agency"."""
    return f"{user.get_full_name()}, {user.agency.label}"


def status_tag(page: Page) -> Locator:
    """The issue's status tag under its heading."""
    return page.locator("main h1 + p .govuk-tag").first


def rating_tag(page: Page) -> Locator:
    """The issue's rating tag under its heading."""
    return page.locator("main h1 + p .govuk-tag").nth(1)


def fill_date_in(scope: Locator, legend: str, day: datetime.date) -> None:
    """Like `business.fill_date`, inside `scope` (a form with several dates of one name)."""
    fieldset = scope.get_by_role("group", name=legend, exact=True)
    fieldset.get_by_label("Day").fill(str(day.day))
    fieldset.get_by_label("Month").fill(str(day.month))
    fieldset.get_by_label("Year").fill(str(day.year))


def progress_entries(page: Page) -> Locator:
    """The issue's progress updates, newest first as the page lists them."""
    heading = page.get_by_role("heading", level=2, name="Progress")
    return heading.locator("xpath=following-sibling::ol[1]/li")
