"""Permission-matrix cases for case review (see tests/test_permission_matrix.py), following the
access contract of issue 5.

The records (tests/matrix.py `World`): `agency_staff` has a draft (`draft`, child Poppy Drafton,
with `draft_attachment`) and a submitted notification of their agency (`notification`,
SIN-2026-70001, Ava Whitlock, with `attachment`). `considered` (SIN-2026-70002, Leo Ashcombe,
another agency's) awaits the board chair's decision. `review` is held on a third agency's decided
case (SIN-2026-70003, Mia Fairbrook), its final report received; its action plan's only action
is owned by `member`. `duplicate` flags SIN-2026-70005 as possibly the same child as
SIN-2026-70004.

Agency visibility (`agency_records`): `member` is their agency's named safeguarding lead.
`colleague_notification` (SIN-2026-70006, Ivo Marchbank, with `colleague_attachment`) was sent by
a colleague of `agency_staff`, who sees its reference and status but not the child or the
document; `lead_notification` (SIN-2026-70007, Tamsin Holloway, with `lead_attachment`) by a
colleague of `member`, who as a lead sees the child and the document. To everyone else at
another agency, the leads included, the notifications are not found.

Who is who: the case team is the secretariat and `case_review_member`; the board chair sees a
case once it is put to them (considered or decided) and alone decides. Everyone but `outsider`
works for an agency. Someone who may not see a record gets 404; someone who may see it but not
do this, 403. A draft is its notifier's alone: 404 for everyone else, the secretariat included.
"""

from __future__ import annotations

from casereview.models import (
    Consideration,
    Decision,
    Lesson,
    Notification,
    PlanAction,
    PossibleDuplicate,
    Review,
    ReviewType,
)
from hscb.models import User
from tests.casereview.factories import AttachmentFactory, NotificationFactory
from tests.hscb.factories import UserFactory
from tests.matrix import (
    FORBIDDEN,
    NOT_ALLOWED,
    NOT_FOUND,
    OK,
    Case,
    Redirect,
    admin_only,
    everyone,
)

CASE_TEAM = {"secretariat": OK, "case_review_member": OK}
# The case team sees a case but does not decide on it.
MAY_NOT_DECIDE = {"secretariat": FORBIDDEN, "case_review_member": FORBIDDEN}
# Everyone who works for an agency (all but the outsider) may notify.
NOTIFIERS = everyone(OK, outsider=FORBIDDEN)
# The notifier's own draft, and their agency's submitted notification.
NOTIFIER_ONLY = everyone(NOT_FOUND, agency_staff=OK)
# A seat on a group, or the secretariat: lessons learnt.
SEATED = everyone(FORBIDDEN, board_chair=OK, group_chair=OK, member=OK, cdop_member=OK, **CASE_TEAM)

DRAFT_CHILD = "Drafton"
SUBMITTED_CHILD = "Whitlock"
COLLEAGUE_REF, COLLEAGUE_CHILD = "SIN-2026-70006", "Marchbank"
LEAD_REF, LEAD_CHILD = "SIN-2026-70007", "Holloway"
SUBMITTED_REF = "SIN-2026-70001"
CONSIDERED_REF = "SIN-2026-70002"
DECIDED_REF = "SIN-2026-70003"
DUPLICATE_REF = "SIN-2026-70005"
ACTION = "Issue a joint protocol for sharing injury concerns."
LCSPR = "Local child safeguarding practice review"


def agency_records(users: dict[str, User]) -> dict[str, object]:
    """The notifications that show who at an agency sees the child (see the module's
    docstring): one from a colleague of `agency_staff`, one from a colleague of `member`, who
    is made their agency's named safeguarding lead."""
    lead = users["member"]
    lead.is_safeguarding_lead = True
    lead.save(update_fields=["is_safeguarding_lead"])
    colleague = NotificationFactory(
        notifier=UserFactory(agency=users["agency_staff"].agency),
        reference=COLLEAGUE_REF,
        first_name="Ivo",
        last_name=COLLEAGUE_CHILD,
    )
    leads = NotificationFactory(
        notifier=UserFactory(agency=lead.agency),
        reference=LEAD_REF,
        first_name="Tamsin",
        last_name=LEAD_CHILD,
    )
    return {
        "colleague_notification": colleague,
        "colleague_attachment": AttachmentFactory(notification=colleague),
        "lead_notification": leads,
        "lead_attachment": AttachmentFactory(notification=leads),
    }


def _to_detail(w):
    return Redirect(f"/notifications/{w.notification.pk}/")


def _to_check(w):
    return Redirect(f"/notifications/{w.draft.pk}/check/")


# The notifier of a submitted notification is sent to its page; everyone else finds nothing.
SUBMITTED_TO_DETAIL = everyone(NOT_FOUND, agency_staff=_to_detail)
# The notifier of a draft is sent to check their answers; everyone else finds nothing.
DRAFT_TO_CHECK = everyone(NOT_FOUND, agency_staff=_to_check)


def _draft(suffix: str):
    return lambda w: f"/notifications/{w.draft.pk}/{suffix}"


def _submitted(suffix: str):
    return lambda w: f"/notifications/{w.notification.pk}/{suffix}"


def _case(suffix: str, record: str = "notification"):
    return lambda w: f"/case-review/cases/{getattr(w, record).pk}/{suffix}"


def _review(suffix: str):
    return lambda w: f"/case-review/reviews/{w.review.pk}/{suffix}"


NOTIFY: dict[str, list[Case]] = {
    "notifications/": [
        Case(
            "/notifications/",
            NOTIFIERS,
            {"*": "/notifications/new/", "agency_staff": SUBMITTED_REF},
        )
    ],
    "notifications/new/": [
        Case("/notifications/new/", NOTIFIERS, {"*": "Notify a serious incident"}),
    ],
    "notifications/<int:pk>/": [
        # The agency's view of what it sent: never the secretariat's (they use the case page).
        # The notifier sees the child.
        Case(_submitted(""), NOTIFIER_ONLY, {"*": SUBMITTED_REF, "agency_staff": SUBMITTED_CHILD}),
        # A colleague's: its reference and status, not the child.
        Case(
            lambda w: f"/notifications/{w.colleague_notification.pk}/",
            NOTIFIER_ONLY,
            {"*": COLLEAGUE_REF},
            lacks={"*": COLLEAGUE_CHILD},
        ),
        # Seen by the agency's safeguarding lead, child and all; another agency's staff (the
        # notifier of `notification` included) find nothing.
        Case(
            lambda w: f"/notifications/{w.lead_notification.pk}/",
            everyone(NOT_FOUND, member=OK),
            {"*": LEAD_CHILD},
        ),
        Case(lambda w: f"/notifications/{w.considered.pk}/", everyone(NOT_FOUND)),
        Case(_draft(""), DRAFT_TO_CHECK),
        Case("/notifications/999999/", everyone(NOT_FOUND)),
    ],
    "notifications/<int:pk>/check/": [
        Case(_draft("check/"), NOTIFIER_ONLY, {"*": DRAFT_CHILD}),
        Case(_submitted("check/"), SUBMITTED_TO_DETAIL),
        Case("/notifications/999999/check/", everyone(NOT_FOUND)),
    ],
    "notifications/<int:pk>/submitted/": [
        Case(_submitted("submitted/"), NOTIFIER_ONLY, {"*": SUBMITTED_REF}),
        Case(_draft("submitted/"), DRAFT_TO_CHECK),
        Case(lambda w: f"/notifications/{w.considered.pk}/submitted/", everyone(NOT_FOUND)),
    ],
    "notifications/<int:pk>/delete/": [
        Case(
            _draft("delete/"), NOTIFIER_ONLY, {"*": "Are you sure you want to delete this draft?"}
        ),
        Case(_submitted("delete/"), SUBMITTED_TO_DETAIL),
        Case("/notifications/999999/delete/", everyone(NOT_FOUND)),
    ],
    # Removing a document is a POST: a GET is refused (405) to the draft's notifier only.
    "notifications/<int:pk>/documents/<int:attachment_pk>/remove/": [
        Case(
            lambda w: f"/notifications/{w.draft.pk}/documents/{w.draft_attachment.pk}/remove/",
            everyone(NOT_FOUND, agency_staff=NOT_ALLOWED),
        ),
        # Another notification's document, through the draft: nothing to remove.
        Case(
            lambda w: f"/notifications/{w.draft.pk}/documents/{w.attachment.pk}/remove/",
            everyone(NOT_FOUND),
        ),
        Case(
            lambda w: f"/notifications/{w.notification.pk}/documents/{w.attachment.pk}/remove/",
            SUBMITTED_TO_DETAIL,
        ),
    ],
    "notifications/<int:pk>/step/<slug:step>/": [
        Case(_draft("step/child/"), NOTIFIER_ONLY, {"*": DRAFT_CHILD}),
        Case(_draft("step/circumstances/"), NOTIFIER_ONLY, {"*": "circumstances"}),
        Case(
            _draft("step/incident/"),
            NOTIFIER_ONLY,
            {"*": "Admitted to hospital with injuries that the parents could not explain."},
        ),
        Case(_draft("step/agencies/"), NOTIFIER_ONLY, {"*": "A strategy meeting was held"}),
        Case(_draft("step/attachments/"), NOTIFIER_ONLY, {"*": "chronology.pdf"}),
        Case(_draft("step/no-such-step/"), everyone(NOT_FOUND)),
        Case(_submitted("step/child/"), SUBMITTED_TO_DETAIL),
        Case("/notifications/999999/step/child/", everyone(NOT_FOUND)),
    ],
}

CASES_PAGES: dict[str, list[Case]] = {
    "case-review/": [
        Case("/case-review/", everyone(FORBIDDEN, **CASE_TEAM), {"*": SUBMITTED_REF}),
    ],
    "case-review/cases/<int:pk>/": [
        # Not yet put to the board chair: the case team only, with the child's details.
        Case(_case(""), everyone(NOT_FOUND, **CASE_TEAM), {"*": "Whitlock"}),
        Case(
            _case("", "considered"),
            everyone(NOT_FOUND, board_chair=OK, **CASE_TEAM),
            {"*": CONSIDERED_REF},
        ),
        Case(
            lambda w: f"/case-review/cases/{w.review.notification.pk}/",
            everyone(NOT_FOUND, board_chair=OK, **CASE_TEAM),
            {"*": DECIDED_REF},
        ),
        Case(_case("", "draft"), everyone(NOT_FOUND)),
        Case("/case-review/cases/999999/", everyone(NOT_FOUND)),
    ],
    "case-review/cases/<int:pk>/panel-notified/": [
        Case(
            _case("panel-notified/"),
            everyone(NOT_FOUND, **CASE_TEAM),
            {"*": "Record the national notification"},
        ),
        Case(
            _case("panel-notified/", "considered"),
            everyone(NOT_FOUND, board_chair=FORBIDDEN, **CASE_TEAM),
            {"*": "Record the national notification"},
        ),
        Case(_case("panel-notified/", "draft"), everyone(NOT_FOUND)),
    ],
    "case-review/cases/<int:pk>/deadlines/<slug:kind>/met/": [
        Case(
            _case("deadlines/panel_notification/met/"),
            everyone(NOT_FOUND, **CASE_TEAM),
            {"*": "Record as met: Notify the national panel and Ofsted"},
        ),
        Case(
            _case("deadlines/panel_notification/met/", "considered"),
            everyone(NOT_FOUND, board_chair=FORBIDDEN, **CASE_TEAM),
            {"*": "Record as met: Notify the national panel and Ofsted"},
        ),
        Case(_case("deadlines/no-such-clock/met/"), everyone(NOT_FOUND)),
        Case(_case("deadlines/panel_notification/met/", "draft"), everyone(NOT_FOUND)),
    ],
    "case-review/cases/<int:pk>/consideration/": [
        Case(
            _case("consideration/"),
            everyone(NOT_FOUND, **CASE_TEAM),
            {"*": "Record the subgroup", "case_review_member": LCSPR},
        ),
        Case(
            _case("consideration/", "considered"),
            everyone(NOT_FOUND, board_chair=FORBIDDEN, **CASE_TEAM),
            {"*": LCSPR},
        ),
        Case(_case("consideration/", "draft"), everyone(NOT_FOUND)),
    ],
    "case-review/cases/<int:pk>/decision/": [
        Case(
            _case("decision/", "considered"),
            everyone(NOT_FOUND, board_chair=OK, **MAY_NOT_DECIDE),
            {"*": "Decide whether a review is held"},
        ),
        # Not yet put to the board chair: they cannot see it; the case team may not decide.
        Case(
            _case("decision/"),
            everyone(NOT_FOUND, **MAY_NOT_DECIDE),
        ),
        Case(_case("decision/", "draft"), everyone(NOT_FOUND)),
    ],
    # Documents are files: what they hold is checked in the cases' own tests.
    "case-review/documents/<int:pk>/": [
        Case(
            lambda w: f"/case-review/documents/{w.attachment.pk}/",
            everyone(NOT_FOUND, agency_staff=OK, **CASE_TEAM),
        ),
        Case(
            lambda w: f"/case-review/documents/{w.considered_attachment.pk}/",
            everyone(NOT_FOUND, board_chair=OK, **CASE_TEAM),
        ),
        Case(
            lambda w: f"/case-review/documents/{w.draft_attachment.pk}/",
            everyone(NOT_FOUND, agency_staff=OK),
        ),
        # A document may name the child: not for the notifier's colleague; for the lead.
        Case(
            lambda w: f"/case-review/documents/{w.colleague_attachment.pk}/",
            everyone(NOT_FOUND, **CASE_TEAM),
        ),
        Case(
            lambda w: f"/case-review/documents/{w.lead_attachment.pk}/",
            everyone(NOT_FOUND, member=OK, **CASE_TEAM),
        ),
        Case("/case-review/documents/999999/", everyone(NOT_FOUND)),
    ],
    "case-review/decisions/": [
        Case(
            "/case-review/decisions/",
            everyone(FORBIDDEN, board_chair=OK, secretariat=OK),
            {"*": CONSIDERED_REF},
        ),
    ],
    "case-review/duplicates/": [
        Case("/case-review/duplicates/", everyone(FORBIDDEN, secretariat=OK), {"*": DUPLICATE_REF}),
    ],
    "case-review/duplicates/<int:pk>/": [
        Case(
            lambda w: f"/case-review/duplicates/{w.duplicate.pk}/",
            everyone(NOT_FOUND, secretariat=OK, case_review_member=FORBIDDEN),
            {"*": DUPLICATE_REF},
        ),
        Case("/case-review/duplicates/999999/", everyone(NOT_FOUND)),
    ],
}


def _review_page(suffix: str, text: str | None) -> list[Case]:
    """A page of the review: the case team's alone."""
    return [
        Case(_review(suffix), everyone(NOT_FOUND, **CASE_TEAM), {"*": text} if text else {}),
        Case(f"/case-review/reviews/999999/{suffix}", everyone(NOT_FOUND)),
    ]


SEES_THE_ACTION = everyone(NOT_FOUND, member=OK, **CASE_TEAM)

REVIEWS: dict[str, list[Case]] = {
    "case-review/reviews/": [
        Case("/case-review/reviews/", everyone(FORBIDDEN, **CASE_TEAM), {"*": DECIDED_REF}),
    ],
    "case-review/reviews/<int:pk>/": _review_page("", "Jane Reviewer"),
    "case-review/reviews/<int:pk>/change/": _review_page("change/", "Jane Reviewer"),
    "case-review/reviews/<int:pk>/milestones/new/": _review_page(
        "milestones/new/", "Add a milestone"
    ),
    "case-review/milestones/<int:pk>/": [
        Case(
            lambda w: f"/case-review/milestones/{w.milestone.pk}/",
            everyone(NOT_FOUND, **CASE_TEAM),
            {"*": "Practitioner learning event"},
        ),
        Case("/case-review/milestones/999999/", everyone(NOT_FOUND)),
    ],
    "case-review/reviews/<int:pk>/agency-reports/new/": _review_page(
        "agency-reports/new/", "Ask an agency for a report"
    ),
    "case-review/agency-reports/<int:pk>/": [
        Case(
            lambda w: f"/case-review/agency-reports/{w.agency_report.pk}/",
            everyone(NOT_FOUND, **CASE_TEAM),
            {"*": "Hertfordshire Constabulary"},
        ),
        Case("/case-review/agency-reports/999999/", everyone(NOT_FOUND)),
    ],
    "case-review/reviews/<int:pk>/report/": _review_page("report/", "Upload the final report"),
    # The report is a file: what it holds is checked in the reviews' own tests.
    "case-review/reviews/<int:pk>/report/download/": _review_page("report/download/", None),
    "case-review/reviews/<int:pk>/adopted/": _review_page(
        "adopted/", "adoption of the final report"
    ),
    "case-review/reviews/<int:pk>/published/": _review_page(
        "published/", "Record the publication of the report"
    ),
    "case-review/reviews/<int:pk>/recommendations/new/": _review_page(
        "recommendations/new/", "Add recommendation 2"
    ),
    "case-review/recommendations/<int:pk>/actions/new/": [
        Case(
            lambda w: f"/case-review/recommendations/{w.recommendation.pk}/actions/new/",
            everyone(NOT_FOUND, **CASE_TEAM),
            {"*": "Agencies share concerns about a child"},
        ),
        Case("/case-review/recommendations/999999/actions/new/", everyone(NOT_FOUND)),
    ],
    "case-review/reviews/<int:pk>/lessons/new/": _review_page(
        "lessons/new/", "Record a lesson learnt"
    ),
    "case-review/lessons/<int:pk>/change/": [
        Case(
            lambda w: f"/case-review/lessons/{w.lesson.pk}/change/",
            everyone(NOT_FOUND, **CASE_TEAM),
            {"*": "Change a lesson learnt"},
        ),
        Case("/case-review/lessons/999999/change/", everyone(NOT_FOUND)),
    ],
    # The secretariat's decision on a lesson, in the admin. The world's lesson is approved
    # already: the approve page sends back to the lesson; it may still be sent back.
    "admin/casereview/lesson/<path:object_id>/approve/": [
        Case(
            lambda w: f"/admin/casereview/lesson/{w.lesson.pk}/approve/",
            admin_only(lambda w: Redirect(f"/admin/casereview/lesson/{w.lesson.pk}/change/")),
        ),
    ],
    "admin/casereview/lesson/<path:object_id>/send-back/": [
        Case(
            lambda w: f"/admin/casereview/lesson/{w.lesson.pk}/send-back/",
            admin_only(OK),
            {"secretariat": "Why is the lesson sent back?"},
        ),
        Case("/admin/casereview/lesson/999999/send-back/", admin_only(NOT_FOUND)),
    ],
    # Everyone signed in has the page: owners see their own actions, the case team all.
    "case-review/plan-actions/": [
        Case(
            "/case-review/plan-actions/",
            everyone(OK),
            {
                "*": "Your review actions",
                "member": ACTION,
                "secretariat": ACTION,
                "case_review_member": ACTION,
            },
        ),
    ],
    "case-review/plan-actions/<int:pk>/": [
        Case(
            lambda w: f"/case-review/plan-actions/{w.plan_action.pk}/",
            SEES_THE_ACTION,
            {"*": ACTION},
        ),
        Case("/case-review/plan-actions/999999/", everyone(NOT_FOUND)),
    ],
    "case-review/plan-actions/<int:pk>/update/": [
        Case(
            lambda w: f"/case-review/plan-actions/{w.plan_action.pk}/update/",
            SEES_THE_ACTION,
            {"*": "Issue a joint protocol for sharing injury concerns"},
        ),
        Case("/case-review/plan-actions/999999/update/", everyone(NOT_FOUND)),
    ],
    "lessons/": [Case("/lessons/", SEATED, {"*": "Sharing injury concerns"})],
}

CASES: dict[str, list[Case]] = {**NOTIFY, **CASES_PAGES, **REVIEWS}

# What the secretariat may do in the admin with each model of this area. Review types are data:
# one no decision, consideration or review uses may be deleted (see test_admin.py for one in
# use). A notification is changed only in its case officer; everything else is view-only here,
# written through the app's pages where the rules are applied.
VIEW, ADD, CHANGE, DELETE = "view", "add", "change", "delete"
ADMIN: dict[type, set[str]] = {
    ReviewType: {VIEW, ADD, CHANGE, DELETE},
    Notification: {VIEW, CHANGE},
    Consideration: {VIEW},
    Decision: {VIEW},
    Review: {VIEW},
    PlanAction: {VIEW},
    Lesson: {VIEW},
    PossibleDuplicate: {VIEW},
}

# The record each admin page is requested for, where the first by primary key will not do:
# the draft comes first but is not shown in the admin; the serious case review type is unused.
ADMIN_INSTANCES = {
    Notification: lambda w: w.notification,
    ReviewType: lambda w: ReviewType.objects.get(code="scr"),
}
