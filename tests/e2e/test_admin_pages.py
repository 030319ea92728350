"""The admin pages the secretariat uses, in a browser, each checked by axe-core (WCAG 2.2 A and
AA) as `visit` does: the index and, for each model, its list with a filter applied, its add
page where the secretariat may add, a record's change page and its history.

The admin's own templates and widgets had failures that the board's repairs now fix
(templates/admin/, static/css/admin.css, static/js/admin.js): unlabelled inputs in inlines and
in lists edited in place, links in text told apart by colour only (breadcrumbs), filter links
under 24 pixels, autocomplete boxes with no name, help icons with a label they may not have,
and the date and time inputs of a date-and-time field with no labels."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from auditlog.models import LogEntry
from django.db.models import Model
from django_celery_beat.models import IntervalSchedule, PeriodicTask
from playwright.sync_api import Page, expect

from casereview.models import ReviewType
from cdop.models import DeathCategory
from hscb.models import Agency, Area, GroupFunction, Membership
from subgroups.models import RiskRating
from tests.casereview.factories import NotificationFactory, ensure_review_types
from tests.cdop.factories import ChildDeathFactory, ensure_categories
from tests.clients import app_for
from tests.e2e.browsing import sign_in, visit
from tests.hscb.factories import (
    ActionFactory,
    BusinessPlanFactory,
    GroupResourceFactory,
    MeetingFactory,
    PriorityFactory,
    TargetFactory,
)
from tests.subgroups.factories import GoodPracticeFactory, IssueFactory, ensure_ratings


@dataclass(frozen=True)
class AdminModel:
    """A model's admin pages: `path` is "app/model", `applied` a query that applies one of
    its list's filters (empty when the list has none), `record` the record whose change page
    and history are opened."""

    path: str
    applied: str
    record: Callable[[], Model]
    # Whether to open the record's history too: the page is the same for every model, so each
    # test opens one.
    history: bool = False


def check_pages(page: Page, model: AdminModel) -> None:
    """Open each of the model's pages with `visit`, which fails on any axe violation."""
    base = f"/admin/{model.path}/"
    visit(page, base + model.applied)
    if model.applied:  # the filter was taken, not refused
        expect(page.get_by_role("link", name=re.compile("Clear all filters"))).to_be_visible()
    if page.locator(".object-tools a.addlink").count():
        visit(page, base + "add/")
        expect(page.locator("#content form")).to_be_visible()
    record = model.record()
    visit(page, f"{base}{record.pk}/change/")
    expect(page.locator("#content")).to_contain_text(str(record)[:40])
    if model.history:
        visit(page, f"{base}{record.pk}/auditlog/")
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Audit log: {record}")


@pytest.fixture
def signed_in(page: Page, secretariat, password) -> Page:
    app_for(secretariat)  # set up already: the set-up pages are tested in test_two_factor.py
    sign_in(page, secretariat.email, password)
    return page


def test_the_admin_index_and_the_boards_structure(signed_in: Page, board, member):
    visit(signed_in, "/admin/")
    expect(signed_in.get_by_role("table", name=re.compile("^Board"))).to_be_visible()
    io = board[GroupFunction.IMPROVING_OUTCOMES]
    for model in [
        AdminModel("hscb/user", "?is_active__exact=1", lambda: member, True),
        AdminModel("hscb/agency", "?sector__exact=police", lambda: Agency.objects.first()),
        AdminModel("hscb/area", "?is_home__exact=1", lambda: Area.objects.first()),
        # A group's change page has its objectives as an inline table.
        AdminModel("hscb/group", "?kind__exact=subgroup", lambda: io),
        AdminModel("hscb/membership", "?current=yes", lambda: Membership.objects.get(user=member)),
    ]:
        check_pages(signed_in, model)


def test_the_admin_pages_of_meetings_actions_and_the_business_plan(signed_in: Page, board):
    io = board[GroupFunction.IMPROVING_OUTCOMES]
    meeting = MeetingFactory(group=io)
    action = ActionFactory(group=io, meeting=meeting)
    plan = BusinessPlanFactory()
    priority = PriorityFactory(plan=plan)
    TargetFactory(priority=priority)
    GroupResourceFactory(plan=plan, group=io)
    for model in [
        AdminModel("hscb/meeting", "?status__exact=scheduled", lambda: meeting, True),
        AdminModel("hscb/action", "?status__exact=open", lambda: action),
        # Its priorities and the groups' resources are inline tables, owners autocomplete.
        AdminModel("hscb/businessplan", "", lambda: plan),
        AdminModel("hscb/priority", "?rag__exact=red", lambda: priority),
    ]:
        check_pages(signed_in, model)


def test_the_admin_pages_of_the_registers(signed_in: Page, board):
    ensure_ratings()
    issue = IssueFactory()
    practice = GoodPracticeFactory()
    for model in [
        AdminModel("subgroups/issue", "?status__exact=open", lambda: issue, True),
        AdminModel("subgroups/goodpractice", "?scope__exact=local", lambda: practice),
        # Its list is edited in place.
        AdminModel("subgroups/riskrating", "", lambda: RiskRating.objects.first()),
    ]:
        check_pages(signed_in, model)


def test_the_admin_pages_of_child_records(signed_in: Page, board):
    ensure_review_types()
    ensure_categories()
    notification = NotificationFactory()
    death = ChildDeathFactory()
    for model in [
        AdminModel("casereview/notification", "?status=submitted", lambda: notification, True),
        AdminModel(
            "casereview/reviewtype", "?regime__exact=2015", lambda: ReviewType.objects.first()
        ),
        AdminModel("cdop/childdeath", "?status__exact=notified", lambda: death),
        AdminModel(
            "cdop/deathcategory", "?is_active__exact=1", lambda: DeathCategory.objects.first()
        ),
    ]:
        check_pages(signed_in, model)


def test_the_admin_pages_of_schedules_and_the_change_log(signed_in: Page, board):
    task = PeriodicTask.objects.create(
        name="Nightly reminders",
        task="hscb.tasks.send_due_reminders",
        interval=IntervalSchedule.objects.create(every=1, period=IntervalSchedule.DAYS),
    )
    for model in [
        # A schedule's start is a date-and-time field: two inputs, each labelled.
        AdminModel("django_celery_beat/periodictask", "?enabled__exact=1", lambda: task),
        # Every record made above is in the change log.
        AdminModel("auditlog/logentry", "?action__exact=0", LogEntry.objects.first),
    ]:
        check_pages(signed_in, model)
