"""Permission-matrix cases for the Child Death Overview Panel (see tests/test_permission_matrix.py),
following the access contract of issue 6.

The records (tests/matrix.py `World`, built by `records` below): `death` (CDOP-2026-80001, Freya
Hollingsworth) was notified by `agency_staff` from their account; it is listed for the panel's
meeting (`other_meeting`), has information asked of an NHS trust (`death_report`), may duplicate
another death (`death_duplicate`, of CDOP-2026-80002), and the panel's review (`death_review`) has
a `factor` and a `panel_recommendation`. `referral` refers CDOP-2026-80003, a child who lived in
Bedford Borough and died here, out to that area's panel (sent, awaiting its acknowledgement).
`annual_report` (last year's) is made, with its PDF and CSV; `queued_report` waits to be made.

Agency visibility: `member` is their agency's named safeguarding lead. `colleague_death`
(CDOP-2026-80004, Rufus Penhaligon) was notified by a colleague of `agency_staff`, who sees its
reference and status but not the child; `lead_death` (CDOP-2026-80005, Elowen Trevanion) by a
colleague of `member`, who as a lead sees the child. Everyone else finds nothing (404).

Who is who: the panel team is the secretariat and `cdop_member`. Child-level data is theirs alone:
the case pages answer 404 to everyone else, the board chair included; the panel's lists 403.
Statistics and reports are aggregates: the board chair sees them too. Everyone but `outsider`
works for an agency and may notify a death; the public form needs no sign-in at all.
"""

from __future__ import annotations

import datetime

from django.core.files.base import ContentFile
from django.utils import timezone

from cdop.models import (
    AnnualReport,
    ChildDeath,
    DeathCategory,
    DeathDuplicate,
    DeathStatus,
    MatchReason,
    PanelReview,
    Referral,
    ReportStatus,
)
from hscb.models import Meeting, User
from tests.cdop.factories import (
    AgencyInformationFactory,
    AnnualReportFactory,
    ChildDeathFactory,
    FactorFactory,
    PanelRecommendationFactory,
    PanelReviewFactory,
    ReferralFactory,
    ensure_categories,
    other_area,
)
from tests.hscb.factories import PDF_BYTES, AgencyFactory, UserFactory
from tests.matrix import (
    FORBIDDEN,
    NOT_ALLOWED,
    NOT_FOUND,
    OK,
    SIGN_IN,
    Case,
    Redirect,
    everyone,
)

PANEL_TEAM = {"secretariat": OK, "cdop_member": OK}
# Child-level pages: the panel team's alone; anyone else finds nothing.
CASE_PAGE = everyone(NOT_FOUND, **PANEL_TEAM)
# The panel's lists: refused to anyone else signed in.
PANEL_LIST = everyone(FORBIDDEN, **PANEL_TEAM)
# POST-only routes: a GET is not allowed to those who may use them; anyone else finds nothing.
POST_ONLY = everyone(NOT_FOUND, secretariat=NOT_ALLOWED, cdop_member=NOT_ALLOWED)
# Aggregates: the panel team and the board chair.
STATISTICS = everyone(FORBIDDEN, board_chair=OK, **PANEL_TEAM)
A_REPORT = everyone(NOT_FOUND, board_chair=OK, **PANEL_TEAM)
# Everyone who works for an agency (all but the outsider) may notify.
NOTIFIERS = everyone(OK, outsider=FORBIDDEN)
TO_FORM = Redirect("/report-a-child-death/")

DEATH_REF = "CDOP-2026-80001"
MATCH_REF = "CDOP-2026-80002"
REFERRED_REF = "CDOP-2026-80003"
COLLEAGUE_DEATH_REF, COLLEAGUE_CHILD = "CDOP-2026-80004", "Penhaligon"
LEAD_DEATH_REF, LEAD_CHILD = "CDOP-2026-80005", "Trevanion"
CHILD = "Hollingsworth"
TRUST = "East and North Hertfordshire NHS Trust"
FACTOR = "Baby sleeping in an adult bed"
RECOMMENDATION = "Repeat the safer sleep campaign with health visitors."
REPORT_YEAR = timezone.localdate().year - 1


def records(users: dict[str, User], panel_meeting: Meeting) -> dict[str, object]:
    """The child death records of the world (see the module's docstring)."""
    ensure_categories()
    staff = users["agency_staff"]
    born = timezone.localdate() - datetime.timedelta(days=200)
    death = ChildDeathFactory(
        reference=DEATH_REF,
        notifier=staff,
        first_name="Freya",
        last_name=CHILD,
        date_of_birth=born,
        status=DeathStatus.PANEL,
        panel_meeting=panel_meeting,
    )
    match = ChildDeathFactory(
        reference=MATCH_REF, first_name="Freya", last_name=CHILD, date_of_birth=born
    )
    review = PanelReviewFactory(death=death, updated_by=users["cdop_member"])
    referred = ChildDeathFactory(
        reference=REFERRED_REF,
        first_name="Oliver",
        last_name="Tremayne",
        residence_area=other_area(),
    )
    made = AnnualReportFactory(
        year=REPORT_YEAR,
        status=ReportStatus.DONE,
        progress=100,
        stage="Ready to download",
        requested_by=users["cdop_member"],
        finished_at=timezone.now(),
    )
    made.pdf.save("cdop-annual-report.pdf", ContentFile(PDF_BYTES), save=False)
    made.csv.save("cdop-annual-report.csv", ContentFile(b"measure,category,year,value\r\n"))
    lead = users["member"]
    lead.is_safeguarding_lead = True
    lead.save(update_fields=["is_safeguarding_lead"])
    return {
        "colleague_death": ChildDeathFactory(
            reference=COLLEAGUE_DEATH_REF,
            notifier=UserFactory(agency=staff.agency),
            first_name="Rufus",
            last_name=COLLEAGUE_CHILD,
        ),
        "lead_death": ChildDeathFactory(
            reference=LEAD_DEATH_REF,
            notifier=UserFactory(agency=lead.agency),
            first_name="Elowen",
            last_name=LEAD_CHILD,
        ),
        "death": death,
        "death_report": AgencyInformationFactory(death=death, agency=AgencyFactory(name=TRUST)),
        "death_duplicate": DeathDuplicate.objects.create(
            death=death, match=match, reason=MatchReason.NAME_AND_DOB
        ),
        "death_review": review,
        "factor": FactorFactory(review=review, description=FACTOR),
        "panel_recommendation": PanelRecommendationFactory(
            review=review, text=RECOMMENDATION, added_by=users["cdop_member"]
        ),
        "referral": ReferralFactory(death=referred, owner=users["cdop_member"]),
        "annual_report": made,
        "queued_report": AnnualReportFactory(
            year=REPORT_YEAR - 1, requested_by=users["secretariat"]
        ),
    }


def _death(suffix: str):
    return lambda w: f"/cdop/deaths/{w.death.pk}/{suffix}"


def _case_page(suffix: str, text: str | None) -> list[Case]:
    """A page of the case: the panel team's alone."""
    return [
        Case(_death(suffix), CASE_PAGE, {"*": text} if text else {}),
        Case(f"/cdop/deaths/999999/{suffix}", everyone(NOT_FOUND)),
    ]


def _referral(suffix: str):
    return lambda w: f"/cdop/referrals/{w.referral.pk}/{suffix}"


def _referral_page(suffix: str, text: str) -> list[Case]:
    return [
        Case(_referral(suffix), CASE_PAGE, {"*": text}),
        Case(f"/cdop/referrals/999999/{suffix}", everyone(NOT_FOUND)),
    ]


def _report(suffix: str, record: str = "annual_report"):
    return lambda w: f"/cdop/reports/{getattr(w, record).pk}/{suffix}"


NOTIFY: dict[str, list[Case]] = {
    # The one part of the system that needs no sign-in.
    "report-a-child-death/": [
        Case(
            "/report-a-child-death/",
            everyone(OK, anonymous=OK),
            {"*": "Tell the panel about a child’s death"},
        ),
    ],
    # Shows the reference just made in this browser session, once; with none, back to the form.
    "report-a-child-death/sent/": [
        Case(
            "/report-a-child-death/sent/",
            everyone(TO_FORM, anonymous=TO_FORM),
        ),
    ],
    "child-deaths/notify/": [
        Case("/child-deaths/notify/", NOTIFIERS, {"*": "Notify a child’s death"}),
    ],
    "child-deaths/notify/sent/": [
        Case(
            "/child-deaths/notify/sent/",
            everyone(Redirect("/child-deaths/notify/"), anonymous=SIGN_IN),
        ),
    ],
    # An agency's own notifications: references and status only.
    "child-deaths/": [
        Case(
            "/child-deaths/",
            NOTIFIERS,
            {
                "*": "Your agency has not notified any child deaths.",
                "agency_staff": DEATH_REF,
                "member": LEAD_DEATH_REF,
            },
            lacks={"*": CHILD, "agency_staff": COLLEAGUE_CHILD, "member": LEAD_CHILD},
        ),
    ],
    # One of them: the child's details for its notifier and the agency's safeguarding leads,
    # the reference and status for the others at the agency, nothing for anyone else.
    "child-deaths/<int:pk>/": [
        Case(
            lambda w: f"/child-deaths/{w.death.pk}/",
            everyone(NOT_FOUND, agency_staff=OK),
            {"*": CHILD},
        ),
        Case(
            lambda w: f"/child-deaths/{w.colleague_death.pk}/",
            everyone(NOT_FOUND, agency_staff=OK),
            {"*": COLLEAGUE_DEATH_REF},
            lacks={"*": COLLEAGUE_CHILD},
        ),
        Case(
            lambda w: f"/child-deaths/{w.lead_death.pk}/",
            everyone(NOT_FOUND, member=OK),
            {"*": LEAD_CHILD},
        ),
        Case("/child-deaths/999999/", everyone(NOT_FOUND)),
    ],
}

CASES_PAGES: dict[str, list[Case]] = {
    "cdop/": [Case("/cdop/", PANEL_LIST, {"*": DEATH_REF})],
    "cdop/deaths/<int:pk>/": _case_page("", CHILD),
    "cdop/deaths/<int:pk>/joint-agency-response/": _case_page(
        "joint-agency-response/", "The joint agency response to the unexpected death"
    ),
    "cdop/deaths/<int:pk>/agency-information/new/": _case_page(
        "agency-information/new/", f"Already asked: {TRUST}"
    ),
    "cdop/agency-information/<int:pk>/": [
        Case(
            lambda w: f"/cdop/agency-information/{w.death_report.pk}/",
            CASE_PAGE,
            {"*": f"Information received from {TRUST}"},
        ),
        Case("/cdop/agency-information/999999/", everyone(NOT_FOUND)),
    ],
    "cdop/deaths/<int:pk>/review-meeting/": _case_page(
        "review-meeting/", "The multi-professional meeting that reviews the death"
    ),
    "cdop/deaths/<int:pk>/panel-meeting/": _case_page(
        "panel-meeting/", "Choose another meeting to move it"
    ),
    "cdop/duplicates/<int:pk>/dismiss/": [
        Case(lambda w: f"/cdop/duplicates/{w.death_duplicate.pk}/dismiss/", POST_ONLY),
        Case("/cdop/duplicates/999999/dismiss/", everyone(NOT_FOUND)),
    ],
    "cdop/referrals/": [Case("/cdop/referrals/", PANEL_LIST, {"*": REFERRED_REF})],
    "cdop/referrals/inbound/new/": [
        Case(
            "/cdop/referrals/inbound/new/",
            PANEL_LIST,
            {"*": "Record the death and the referral"},
        ),
    ],
    "cdop/referrals/<int:pk>/": _referral_page("", f"{REFERRED_REF} referred to Bedford Borough"),
    "cdop/referrals/<int:pk>/acknowledged/": _referral_page(
        "acknowledged/", "Record the acknowledgement"
    ),
    "cdop/referrals/<int:pk>/agreed/": _referral_page(
        "agreed/", "Record which panel reviews the death"
    ),
    "cdop/referrals/<int:pk>/outcome/": _referral_page("outcome/", "Record the outcome reported"),
    # Emailing a referral to the other panel is a POST.
    "cdop/referrals/<int:pk>/send/": [
        Case(_referral("send/"), POST_ONLY),
        Case("/cdop/referrals/999999/send/", everyone(NOT_FOUND)),
    ],
}

REVIEW_PAGES: dict[str, list[Case]] = {
    "cdop/deaths/<int:pk>/review/": _case_page("review/", FACTOR),
    "cdop/deaths/<int:pk>/factors/new/": _case_page("factors/new/", "Add the factor"),
    "cdop/factors/<int:pk>/remove/": [
        Case(lambda w: f"/cdop/factors/{w.factor.pk}/remove/", POST_ONLY),
        Case("/cdop/factors/999999/remove/", everyone(NOT_FOUND)),
    ],
    "cdop/deaths/<int:pk>/recommendations/new/": _case_page(
        "recommendations/new/", "Add the recommendation"
    ),
    "cdop/recommendations/<int:pk>/action/": [
        Case(
            lambda w: f"/cdop/recommendations/{w.panel_recommendation.pk}/action/",
            CASE_PAGE,
            {"*": RECOMMENDATION},
        ),
        Case("/cdop/recommendations/999999/action/", everyone(NOT_FOUND)),
    ],
    "cdop/deaths/<int:pk>/close/": _case_page("close/", "The case cannot be closed yet"),
    "cdop/deaths/<int:pk>/refer-to-case-review/": _case_page(
        "refer-to-case-review/", "The case cannot be referred yet"
    ),
}

STATISTICS_PAGES: dict[str, list[Case]] = {
    "cdop/statistics/": [
        Case("/cdop/statistics/", STATISTICS, {"*": "Completed reviews by category of death"}),
        Case(
            "/cdop/statistics/?published=1",
            STATISTICS,
            {"*": "You are looking at the published figures."},
        ),
    ],
    "cdop/reports/": [
        # Only the panel team may ask for a report: the board chair is not offered the form.
        Case(
            "/cdop/reports/",
            STATISTICS,
            {"*": "Make a report", "board_chair": f"{REPORT_YEAR}<span"},
        ),
    ],
    "cdop/reports/<int:pk>/": [
        Case(_report(""), A_REPORT, {"*": f"Annual report {REPORT_YEAR} (PDF)"}),
        Case(_report("", "queued_report"), A_REPORT, {"*": "Waiting to start"}),
        Case("/cdop/reports/999999/", everyone(NOT_FOUND)),
    ],
    "cdop/reports/<int:pk>/progress/": [
        Case(_report("progress/"), A_REPORT, {"*": '"status": "done", "progress": 100'}),
        Case(_report("progress/", "queued_report"), A_REPORT, {"*": '"status": "queued"'}),
        Case("/cdop/reports/999999/progress/", everyone(NOT_FOUND)),
    ],
    # The files are served once the report is made; what they hold is checked in test_reports.
    "cdop/reports/<int:pk>/report.pdf": [
        Case(_report("report.pdf"), A_REPORT),
        Case(_report("report.pdf", "queued_report"), everyone(NOT_FOUND)),
    ],
    "cdop/reports/<int:pk>/report.csv": [
        Case(_report("report.csv"), A_REPORT),
        Case(_report("report.csv", "queued_report"), everyone(NOT_FOUND)),
    ],
}

CASES: dict[str, list[Case]] = {**NOTIFY, **CASES_PAGES, **REVIEW_PAGES, **STATISTICS_PAGES}

# What the secretariat may do in the admin with each model of this area. The categories of
# death are reference data: one no review uses may be deleted (see test_admin.py for one in
# use). Deaths, reviews and referrals are view-only here, written through the panel's pages
# where the rules are applied; annual reports are asked for on the statistics pages.
VIEW, ADD, CHANGE, DELETE = "view", "add", "change", "delete"
ADMIN: dict[type, set[str]] = {
    DeathCategory: {VIEW, ADD, CHANGE, DELETE},
    ChildDeath: {VIEW},
    PanelReview: {VIEW},
    Referral: {VIEW},
    AnnualReport: {VIEW},
}

# The record each admin page is requested for: the first category (no review uses it), and the
# world's own death, review, referral and report.
ADMIN_INSTANCES = {
    DeathCategory: lambda w: DeathCategory.objects.get(number=1),
    ChildDeath: lambda w: w.death,
    PanelReview: lambda w: w.death_review,
    Referral: lambda w: w.referral,
    AnnualReport: lambda w: w.annual_report,
}
