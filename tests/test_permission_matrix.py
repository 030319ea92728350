"""Every route the project defines, requested by every role, with the outcome each should get.

Routes are keyed by their pattern, as Django's URL resolver lists them, so unnamed routes count
too. A route that is added without an entry here fails `test_every_route_has_an_entry`.

Admin routes are generated from the admin registry: the secretariat's rights over each model are
written out in SECRETARIAT_ADMIN (what the board intends, not read back from the database), and
everyone else is sent to the admin sign-in page.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from auditlog.mixins import AuditlogHistoryAdminMixin
from auditlog.models import LogEntry
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group as PermissionGroup
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.urls import URLResolver, get_resolver
from django.utils import timezone
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)

from casereview.models import MatchReason, PossibleDuplicate, ReviewStatus
from hscb.models import (
    Agency,
    Area,
    DigestSent,
    Group,
    GroupFunction,
    Membership,
    Objective,
    SentReminder,
    User,
)
from subgroups.models import Escalation, GoodPractice, Issue, RiskRating
from tests.casereview import matrix_casereview
from tests.casereview.factories import (
    AgencyReportFactory,
    AttachmentFactory,
    ConsiderationFactory,
    DecisionFactory,
    DraftFactory,
    LessonFactory,
    MilestoneFactory,
    NotificationFactory,
    PlanActionFactory,
    RecommendationFactory,
    ReviewFactory,
    ensure_review_types,
)
from tests.cdop import matrix_cdop
from tests.clients import BoardClient
from tests.conftest import ROLES
from tests.hscb import matrix_actions, matrix_dashboards, matrix_meetings, matrix_plan
from tests.hscb.factories import (
    ActionFactory,
    AgencyFactory,
    AgendaItemFactory,
    BusinessPlanFactory,
    GroupFactory,
    MeetingFactory,
    PaperFactory,
    PriorityFactory,
)
from tests.matrix import (
    ADMIN_SIGN_IN,
    FORBIDDEN,
    NOT_ALLOWED,
    NOT_FOUND,
    OK,
    SIGN_IN,
    SIGNED_IN,
    Case,
    Expect,
    Redirect,
    World,
    admin_only,
    everyone,
)
from tests.subgroups import matrix_escalations, matrix_issues, matrix_lists
from tests.subgroups.factories import (
    EscalationFactory,
    GoodPracticeFactory,
    IssueFactory,
    ensure_ratings,
)

pytestmark = pytest.mark.django_db

MATRIX: dict[str, list[Case]] = {
    "": [Case("/", everyone(OK), {"*": "Your roles"})],
    "board/": [Case("/board/", everyone(OK), {"*": "Identify operational priorities"})],
    "board/<slug:slug>/": [
        Case(lambda w: f"/board/{w.group.slug}/", everyone(OK), {"*": "Overall objectives"}),
        Case(
            lambda w: f"/board/{w.inactive.slug}/",
            everyone(NOT_FOUND, secretariat=OK),
            {"secretariat": "This group is no longer active"},
        ),
        Case("/board/no-such-group/", everyone(NOT_FOUND)),
    ],
    "board/<slug:slug>/remit/": [
        Case(
            lambda w: f"/board/{w.group.slug}/remit/",
            everyone(FORBIDDEN, secretariat=OK, group_chair=OK),
            {"*": "Change the remit"},
        ),
        Case(
            lambda w: f"/board/{w.inactive.slug}/remit/",
            everyone(NOT_FOUND, secretariat=OK),
            {"*": "Change the remit"},
        ),
    ],
    "account/": [Case("/account/", everyone(OK), {"*": "Your memberships"})],
    # Finding people for the fields that choose one: the board's members and secretariat.
    "people/search/": [
        Case(
            "/people/search/?q=a",
            everyone(OK, agency_staff=FORBIDDEN, outsider=FORBIDDEN),
            {"*": '"results": ['},
        )
    ],
    "health/": [Case("/health/", everyone(OK, anonymous=OK), {"*": '"status": "ok"'})],
    "accounts/sign-in/": [
        Case("/accounts/sign-in/", everyone(Redirect("/"), anonymous=OK), {"*": "Sign in"})
    ],
    "accounts/sign-out/": [Case("/accounts/sign-out/", everyone(NOT_ALLOWED))],
    # Someone signed in fully owes no code: the code pages send them on.
    "accounts/sign-in/code/": [Case("/accounts/sign-in/code/", everyone(Redirect("/")))],
    "accounts/sign-in/backup-code/": [
        Case("/accounts/sign-in/backup-code/", everyone(Redirect("/")))
    ],
    "accounts/two-factor/set-up/": [
        Case("/accounts/two-factor/set-up/", everyone(OK), {"*": "Set up an authenticator app"})
    ],
    # Backup codes are shown once, straight after they are made: otherwise, "Your account".
    "accounts/two-factor/backup-codes/": [
        Case("/accounts/two-factor/backup-codes/", everyone(Redirect("/account/")))
    ],
    # New backup codes are for those with an app: in the world, those who must have one.
    "accounts/two-factor/new-backup-codes/": [
        Case(
            "/accounts/two-factor/new-backup-codes/",
            everyone(
                Redirect("/account/"),
                secretariat=OK,
                board_chair=OK,
                cdop_member=OK,
                case_review_member=OK,
            ),
            {"*": "Get new backup codes"},
        )
    ],
    # Only someone who chose a second factor may turn it off; nobody in the world has.
    "accounts/two-factor/turn-off/": [
        Case("/accounts/two-factor/turn-off/", everyone(Redirect("/account/")))
    ],
    "accounts/session/": [
        Case(
            "/accounts/session/",
            everyone(OK, anonymous=OK),
            {"*": '"signed_in": true', "anonymous": '"signed_in": false'},
        )
    ],
    "accounts/session/extend/": [Case("/accounts/session/extend/", everyone(NOT_ALLOWED))],
    "accounts/password/change/": [
        Case("/accounts/password/change/", everyone(OK), {"*": "Change your password"})
    ],
    "accounts/password/change/done/": [
        Case("/accounts/password/change/done/", everyone(OK), {"*": "has been changed"})
    ],
    "accounts/password/reset/": [
        Case("/accounts/password/reset/", everyone(OK, anonymous=OK), {"*": "Reset your password"})
    ],
    "accounts/password/reset/sent/": [
        Case("/accounts/password/reset/sent/", everyone(OK, anonymous=OK), {"*": "Check your"})
    ],
    "accounts/password/reset/<uidb64>/<token>/": [
        Case(
            "/accounts/password/reset/MQ/not-a-token/",
            everyone(OK, anonymous=OK),
            {"*": "This link has expired"},
        )
    ],
    "accounts/password/reset/done/": [
        Case("/accounts/password/reset/done/", everyone(OK, anonymous=OK), {"*": "changed"})
    ],
    "accounts/welcome/<uidb64>/<token>/": [
        Case(
            "/accounts/welcome/MQ/not-a-token/",
            everyone(OK, anonymous=OK),
            {"*": "This link has expired"},
        )
    ],
    "accounts/welcome/done/": [
        Case("/accounts/welcome/done/", everyone(OK, anonymous=OK), {"*": "Your password is set"})
    ],
    # The admin's own pages.
    "admin/": [Case("/admin/", admin_only(OK), {"*": "Board secretariat"})],
    "admin/login/": [
        Case(
            "/admin/login/?next=/admin/hscb/",
            everyone(FORBIDDEN, anonymous=SIGN_IN, secretariat=Redirect("/admin/")),
            {"*": "for the board's business unit"},
        )
    ],
    # Signing out is a POST; the admin sends anyone without access back to its index first.
    "admin/logout/": [
        Case(
            "/admin/logout/",
            everyone(Redirect("/admin/"), anonymous=ADMIN_SIGN_IN, secretariat=NOT_ALLOWED),
        )
    ],
    # The admin hands password changes to the service's own page.
    "admin/password_change/": [
        Case("/admin/password_change/", admin_only(Redirect("/accounts/password/change/")))
    ],
    "admin/password_change/done/": [
        Case("/admin/password_change/done/", admin_only(Redirect("/account/")))
    ],
    "admin/autocomplete/": [
        Case(
            "/admin/autocomplete/?app_label=hscb&model_name=membership&field_name=user&term=a",
            admin_only(OK),
            {"*": '"results"'},
        )
    ],
    "admin/jsi18n/": [Case("/admin/jsi18n/", admin_only(OK))],
    "admin/r/<path:content_type_id>/<path:object_id>/": [
        Case(
            lambda w: f"/admin/r/{ContentType.objects.get_for_model(Group).pk}/{w.group.pk}/",
            admin_only(Redirect("http://testserver/board/improving-outcomes/")),
        )
    ],
    # The admin's app pages, keyed by the pattern listing the app labels in registration order.
    "admin/^(?P<app_label>auth|axes|django_celery_beat|hscb|auditlog|subgroups|casereview"
    "|cdop)/$": [
        Case("/admin/hscb/", admin_only(OK), {"*": "Memberships"}),
        Case("/admin/cdop/", admin_only(OK), {"*": "Death categories"}),
    ],
    "admin/(?P<url>.*)$": [Case("/admin/no-such-page/", admin_only(NOT_FOUND))],
}

# What the secretariat may do with each model in the admin. People, agencies, areas, groups and
# memberships are closed or ended, never deleted, so that nothing about them is lost.
VIEW, ADD, CHANGE, DELETE = "view", "add", "change", "delete"
SECRETARIAT_ADMIN: dict[type, set[str]] = {
    User: {VIEW, ADD, CHANGE},
    Agency: {VIEW, ADD, CHANGE},
    Area: {VIEW, ADD, CHANGE},
    Group: {VIEW, ADD, CHANGE},
    Objective: {VIEW, ADD, CHANGE, DELETE},
    Membership: {VIEW, ADD, CHANGE},
    PermissionGroup: {VIEW},
    LogEntry: {VIEW},
    AccessAttempt: {VIEW, DELETE},
    AccessLog: {VIEW},
    AccessFailureLog: {VIEW},
    PeriodicTask: {VIEW, CHANGE},  # a task, its arguments, adding and deleting: superusers
    CrontabSchedule: {VIEW, ADD, CHANGE, DELETE},
    IntervalSchedule: {VIEW, ADD, CHANGE, DELETE},
    SolarSchedule: {VIEW, ADD, CHANGE, DELETE},
    ClockedSchedule: {VIEW, ADD, CHANGE, DELETE},
    SentReminder: {VIEW},
    DigestSent: {VIEW},
    **matrix_meetings.ADMIN,
    **matrix_actions.ADMIN,
    **matrix_plan.ADMIN,
    **matrix_dashboards.ADMIN,
    RiskRating: {VIEW, ADD, CHANGE, DELETE},
    Issue: {VIEW},
    Escalation: {VIEW},
    GoodPractice: {VIEW, ADD, CHANGE, DELETE},
    **matrix_lists.ADMIN,
    **matrix_issues.ADMIN,
    **matrix_escalations.ADMIN,
    **matrix_casereview.ADMIN,
    **matrix_cdop.ADMIN,
}


def _admin_cases() -> dict[str, list[Case]]:
    cases: dict[str, list[Case]] = {}
    for model, model_admin in admin.site._registry.items():
        rights = SECRETARIAT_ADMIN.get(model, set())
        base = f"admin/{model._meta.app_label}/{model._meta.model_name}/"

        def obj_url(suffix: str, model=model, base=base) -> Callable[[World], str]:
            return lambda w: f"/{base}{_instance(model, w).pk}/{suffix}"

        def secretariat(right: str, rights=rights) -> dict[str, Expect]:
            return admin_only(OK if right in rights else FORBIDDEN)

        cases[base] = [Case(f"/{base}", secretariat(VIEW))]
        cases[f"{base}add/"] = [Case(f"/{base}add/", secretariat(ADD))]
        cases[f"{base}<path:object_id>/change/"] = [Case(obj_url("change/"), secretariat(VIEW))]
        cases[f"{base}<path:object_id>/delete/"] = [Case(obj_url("delete/"), secretariat(DELETE))]
        cases[f"{base}<path:object_id>/history/"] = [Case(obj_url("history/"), secretariat(VIEW))]
        cases[f"{base}<path:object_id>/"] = [Case(obj_url(""), admin_only(Redirect(f"/{base}")))]
        if isinstance(model_admin, AuditlogHistoryAdminMixin):
            cases[f"{base}<path:object_id>/auditlog/"] = [
                Case(obj_url("auditlog/"), secretariat(VIEW))
            ]
    # Only a superuser may type in someone else's password: the secretariat sends an invitation.
    cases["admin/hscb/user/<id>/password/"] = [
        Case(
            lambda w: f"/admin/hscb/user/{w.users['member'].pk}/password/",
            admin_only(FORBIDDEN),
        )
    ]
    return cases


ALL_CASES = {
    **MATRIX,
    **matrix_meetings.CASES,
    **matrix_actions.CASES,
    **matrix_plan.CASES,
    **matrix_dashboards.CASES,
    **matrix_lists.CASES,
    **matrix_issues.CASES,
    **matrix_escalations.CASES,
    **matrix_casereview.CASES,
    **matrix_cdop.CASES,
    **_admin_cases(),
}


def _routes(patterns, prefix: str = "") -> list[str]:
    routes = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            routes += _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            routes.append(prefix + str(pattern.pattern))
    return routes


def _instance(model: type, world: World):
    if model is User:
        return world.users["member"]
    if model in matrix_casereview.ADMIN_INSTANCES:
        return matrix_casereview.ADMIN_INSTANCES[model](world)
    if model in matrix_cdop.ADMIN_INSTANCES:
        return matrix_cdop.ADMIN_INSTANCES[model](world)
    return model.objects.order_by("pk").first()


def _case_review(users: dict[str, User]) -> dict[str, object]:
    """The case review records of the world (see tests/casereview/matrix_casereview.py)."""
    ensure_review_types()
    staff, team = users["agency_staff"], users["case_review_member"]
    draft = DraftFactory(notifier=staff, first_name="Poppy", last_name="Drafton")
    notification = NotificationFactory(
        notifier=staff, reference="SIN-2026-70001", first_name="Ava", last_name="Whitlock"
    )
    considered = ConsiderationFactory(
        notification=NotificationFactory(
            reference="SIN-2026-70002", first_name="Leo", last_name="Ashcombe"
        ),
        recorded_by=team,
    ).notification
    decided = ConsiderationFactory(
        notification=NotificationFactory(
            reference="SIN-2026-70003", first_name="Mia", last_name="Fairbrook"
        ),
        recorded_by=team,
    ).notification
    DecisionFactory(notification=decided, decided_by=users["board_chair"])
    review = ReviewFactory(
        notification=decided,
        status=ReviewStatus.REPORT_RECEIVED,
        final_report_name="final-report.pdf",
        final_report_received_on=timezone.localdate(),
    )
    review.final_report.save("final-report.pdf", ContentFile(b"%PDF-1.4\n%test\n"))
    recommendation = RecommendationFactory(review=review, number=1)
    earlier = NotificationFactory(
        reference="SIN-2026-70004", first_name="Noah", last_name="Pembury"
    )
    later = NotificationFactory(reference="SIN-2026-70005", first_name="Noah", last_name="Pembury")
    return {
        "draft": draft,
        "draft_attachment": AttachmentFactory(
            notification=draft,
            original_name="chronology.pdf",
            file__filename="chronology.pdf",
        ),
        "notification": notification,
        "attachment": AttachmentFactory(notification=notification),
        "considered": considered,
        "considered_attachment": AttachmentFactory(notification=considered),
        "review": review,
        "milestone": MilestoneFactory(review=review),
        "agency_report": AgencyReportFactory(
            review=review, agency=AgencyFactory(name="Hertfordshire Constabulary")
        ),
        "recommendation": recommendation,
        "plan_action": PlanActionFactory(
            recommendation=recommendation,
            owner=users["member"],
            lead_agency=users["member"].agency,
        ),
        "lesson": LessonFactory(review=review, recorded_by=team),
        "duplicate": PossibleDuplicate.objects.create(
            notification=later, match=earlier, reason=MatchReason.NAME_AND_DOB
        ),
    }


@pytest.fixture
def world(request, board) -> World:
    users = {role: request.getfixturevalue(role) for role in SIGNED_IN}
    inactive = GroupFactory(name="Former task group", slug="former-task-group", is_active=False)
    now = timezone.now()
    AccessAttempt.objects.create(
        username="x@example.org", ip_address="127.0.0.9", failures_since_start=1, attempt_time=now
    )
    AccessLog.objects.create(username="x@example.org", ip_address="127.0.0.9", attempt_time=now)
    AccessFailureLog.objects.create(
        username="x@example.org", ip_address="127.0.0.9", attempt_time=now, locked_out=False
    )
    IntervalSchedule.objects.create(every=1, period=IntervalSchedule.DAYS)
    SolarSchedule.objects.create(event="sunrise", latitude=51.8, longitude=-0.2)
    ClockedSchedule.objects.create(clocked_time=now)
    Agency.objects.create(name="Unused agency", sector="other")
    group = board[GroupFunction.IMPROVING_OUTCOMES]
    cdop = board[GroupFunction.CHILD_DEATH_OVERVIEW]
    meeting = MeetingFactory(group=group)
    item = AgendaItemFactory(meeting=meeting, title="Review of the issues register")
    priority = PriorityFactory(plan=BusinessPlanFactory(), title="Neglect is spotted early")
    priority.groups.add(group)
    action = ActionFactory(group=group, owner=users["member"], title="Write to the schools")
    SentReminder.objects.create(
        recipient=action.owner,
        content_type=ContentType.objects.get_for_model(action),
        object_id=action.pk,
        rung=-7,
        due_date=action.due_date,
        sent_at=now,
    )
    DigestSent.objects.create(recipient=users["group_chair"], week_starting=now.date())
    ensure_ratings()
    other_meeting = MeetingFactory(group=cdop)
    return World(
        group=group,
        inactive=inactive,
        users=users,
        meeting=meeting,
        item=item,
        paper=PaperFactory(item=item, title="Register report", uploaded_by=users["secretariat"]),
        action=action,
        other_meeting=other_meeting,
        other_action=ActionFactory(group=cdop, owner=users["cdop_member"]),
        plan=priority.plan,
        priority=priority,
        issue=IssueFactory(owner=users["member"], title="Missed health appointments"),
        escalation=EscalationFactory(),
        good_practice=GoodPracticeFactory(title="Joint visits in neglect cases"),
        **_case_review(users),
        **matrix_cdop.records(users, other_meeting),
        **matrix_casereview.agency_records(users),
    )


def test_every_route_has_an_entry():
    routes = set(_routes(get_resolver().url_patterns))
    missing = sorted(routes - set(ALL_CASES))
    stale = sorted(set(ALL_CASES) - routes)
    assert not missing, f"Routes with no entry in the permission matrix: {missing}"
    assert not stale, f"Matrix entries for routes that no longer exist: {stale}"


def test_every_role_has_an_expectation_in_every_case():
    for route, cases in ALL_CASES.items():
        for case in cases:
            assert set(case.expect) == set(ROLES), route


ROUTES = sorted(ALL_CASES)
# Building the world takes a couple of seconds: the routes are checked in batches, each batch on
# a world of its own, and a failure names its route.
BATCHES = 24


def _batch(number: int) -> list[str]:
    return ROUTES[number * len(ROUTES) // BATCHES : (number + 1) * len(ROUTES) // BATCHES]


@pytest.mark.parametrize("batch", range(BATCHES), ids=lambda n: f"from {_batch(n)[0] or '/'}")
def test_routes_give_each_role_the_expected_outcome(batch, world):
    failures = []
    # Each role signs in once a batch: the routes are only read (GET), and each request's
    # outcome is checked, so a session a page changed would show as a failure.
    clients = {role: BoardClient() for role in ROLES}
    for role, client in clients.items():
        if role != "anonymous":
            client.force_login(world.users[role])
    for case in (case for route in _batch(batch) for case in ALL_CASES[route]):
        url = case.url(world)
        for role in ROLES:
            response = clients[role].get(url)
            expected = case.expected(role, world)
            got = _outcome(response)
            if isinstance(expected, Redirect):
                ok = isinstance(got, Redirect) and expected.matches(got.to[0])
            else:
                ok = got == expected
            if ok and got == OK:
                body = _body(response)
                text = case.text(role, world)
                if text and text not in body:
                    failures.append(f"{role} {url}: 200 but without “{text}”")
                absent = case.absent(role, world)
                if absent and absent in body:
                    failures.append(f"{role} {url}: 200 but with “{absent}”")
            elif not ok:
                failures.append(f"{role} {url}: expected {expected}, got {got}")
    assert not failures, "\n".join(failures)


def _outcome(response) -> int | Redirect:
    if response.status_code in (301, 302):
        return Redirect(response["Location"])
    return response.status_code


def _body(response) -> str:
    """The page's text; a streamed export read to its end. A workbook (a zip) reads as nothing."""
    # A stream read to its end is closed by the test client, which keeps the test's connection.
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode(errors="replace") if not content.startswith(b"PK") else ""
