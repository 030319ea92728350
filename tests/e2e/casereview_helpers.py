"""Helpers for the browser tests of case review: notifications, the Case Review subgroup's
cases, the board chair's decisions, action plans and lessons learnt.

The records a test starts from are made with the app's own services (as agency staff, the
subgroup and the board chair would through the pages), so they are exactly what the pages
make: a submitted notification has its reference and clocks, a decision its review. Like
`business.py`, the page helpers only find things and fill in forms; moving to another page is
left to `follow` and `visit`.
"""

from __future__ import annotations

import datetime

from playwright.sync_api import Locator, Page

from casereview.models import (
    AbuseOrNeglect,
    Answer,
    Ethnicity,
    Harm,
    LegalStatus,
    Notification,
    Review,
    ReviewType,
    Sex,
)
from casereview.services import cases, notifications
from hscb.models import Agency, Area, User
from tests.casereview.factories import ensure_review_types
from tests.e2e.business import in_days
from tests.hscb.factories import PDF_BYTES, AgencyFactory

POLICE = "Hertfordshire Constabulary"
DESCRIPTION = "Admitted to hospital with a head injury that the parents could not explain."
SAFETY = "A strategy meeting was held the same day; the baby's brother is staying with family."
ASSESSMENT = "Physical abuse is suspected and the agencies did not share what they knew."
RATIONALE = "The criteria are met and there is learning for every agency."


def case_review_ready() -> dict[str, ReviewType]:
    """The review types (the live server's flush removes the migration's rows) and a second
    partner agency for the notifications to name."""
    types = ensure_review_types()
    AgencyFactory(name=POLICE, short_name="Police")
    return types


def police() -> Agency:
    return Agency.objects.get(name=POLICE)


def pdf(name: str = "strategy-meeting.pdf") -> dict[str, object]:
    """A small PDF for a file input."""
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF_BYTES}


def notify(
    by: User,
    *,
    first_name: str = "Ruby",
    last_name: str = "Ashworth",
    incident: datetime.date | None = None,
    harm: str = Harm.SERIOUS_HARM,
) -> Notification:
    """A notification written and submitted through the services, as its notifier would."""
    incident = incident or in_days(-6)
    draft = notifications.notification_start(by=by)
    steps = {
        "child": {
            "first_name": first_name,
            "last_name": last_name,
            "other_names": "",
            "date_of_birth": incident - datetime.timedelta(days=300),
            "age_years": None,
            "nhs_number": "",
        },
        "circumstances": {
            "sex": Sex.FEMALE,
            "ethnicity": Ethnicity.WHITE_BRITISH,
            "home_area": Area.objects.get(is_home=True),
            "legal_status": LegalStatus.CHILD_IN_NEED,
        },
        "incident": {
            "incident_date": incident,
            "incident_description": DESCRIPTION,
            "aware_date": incident + datetime.timedelta(days=1),
            "harm": harm,
            "abuse_or_neglect": AbuseOrNeglect.SUSPECTED,
            "in_custody": False,
        },
        "agencies": {
            "agencies_involved": [by.agency, police()],
            "safety_action": SAFETY,
            "notifier_phone": "01632 960 001",
        },
    }
    for step, data in steps.items():
        notifications.notification_save_step(notification=draft, step=step, data=data, by=by)
    return notifications.notification_submit(notification=draft, by=by)


def consider(notification: Notification, *, by: User, criteria_met: bool) -> Notification:
    """The subgroup's consideration, recommending a local child safeguarding practice review
    (or, with the criteria not met, a learning review)."""
    types = ensure_review_types()
    cases.case_consider(
        notification=notification,
        by=by,
        abuse_or_neglect=Answer.YES,
        child_died=Answer.NO,
        seriously_harmed=Answer.YES,
        concern_working_together=Answer.YES if criteria_met else Answer.NO,
        died_in_custody=Answer.NO,
        assessment=ASSESSMENT,
        recommendation=types["lcspr" if criteria_met else "learning_review"],
        rationale=RATIONALE,
    )
    notification.refresh_from_db()
    return notification


def decided_review(*, notifier: User, member: User, board_chair: User) -> Review:
    """A notification considered and decided for a local child safeguarding practice review,
    which opens the review."""
    notification = consider(notify(notifier), by=member, criteria_met=True)
    cases.case_decide(
        notification=notification,
        review_type=ensure_review_types()["lcspr"],
        reasons="There is learning about how agencies shared information.",
        override_reason="",
        decided_on=in_days(0),
        by=board_chair,
    )
    return Review.objects.get(notification=notification)


def radio_group(page: Page, legend: str) -> Locator:
    return page.get_by_role("group", name=legend, exact=True)


def table_rows(page: Page, caption: str | object) -> Locator:
    """The body rows of the table named by its caption."""
    return page.get_by_role("table", name=caption).locator("tbody > tr")
