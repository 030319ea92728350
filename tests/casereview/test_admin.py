"""The secretariat's admin for case review: review types edited as data, notifications looked at
(and every look logged) with only their case officer assigned here, the rest view-only."""

from __future__ import annotations

import datetime

import pytest
from auditlog.models import LogEntry
from django.utils import timezone
from django.utils.html import escape

from casereview.models import (
    Clock,
    ClockKind,
    ClockUnit,
    Decision,
    Notification,
    NotificationStatus,
    ReviewType,
)
from tests.casereview.factories import (
    AttachmentFactory,
    ConsiderationFactory,
    DecisionFactory,
    DraftFactory,
    NotificationFactory,
    PlanActionFactory,
    RecommendationFactory,
    ReviewFactory,
    ensure_review_types,
    review_type,
)
from tests.hscb.factories import UserFactory

pytestmark = pytest.mark.django_db

REVIEW_TYPE_FIELDS = [
    "name",
    "regime",
    "outcome",
    "description",
    "order",
    "needs_criteria_met",
    "reasons_required",
    "is_active",
    "clock_name",
    "clock_length",
    "clock_unit",
    "clock_from",
    "notify_panel_within",
]


@pytest.fixture
def admin_client(client, secretariat):
    ensure_review_types()
    client.force_login(secretariat)
    return client


def review_type_data(review_type: ReviewType, **changes) -> dict[str, str]:
    data = {}
    for name in REVIEW_TYPE_FIELDS:
        value = getattr(review_type, name)
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = "" if value is None else str(value)
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data


def change_page_data(response) -> dict[str, str]:
    """What the change page would send back untouched: its editable fields and the management
    forms of its (read-only) inlines."""
    form = response.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form.initial.get(name)
        data[name] = "" if value is None else str(getattr(value, "pk", value))
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = str(management.initial.get(name, ""))
    return data


def accesses(obj, actor) -> int:
    return (
        LogEntry.objects.get_for_object(obj)
        .filter(action=LogEntry.Action.ACCESS, actor=actor)
        .count()
    )


# Review types


def test_the_secretariat_edits_a_review_type_and_its_history_is_kept(admin_client, secretariat):
    lcspr = review_type("lcspr")
    url = f"/admin/casereview/reviewtype/{lcspr.pk}/change/"
    response = admin_client.post(
        url, review_type_data(lcspr, clock_length="7", clock_name="Review published")
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    lcspr.refresh_from_db()
    assert (lcspr.clock_length, lcspr.clock_name, lcspr.code) == (7, "Review published", "lcspr")
    entry = (
        LogEntry.objects.get_for_object(lcspr)
        .filter(action=LogEntry.Action.UPDATE)
        .latest("timestamp")
    )
    assert entry.actor == secretariat
    assert entry.changes_dict["clock_length"] == ["6", "7"]
    history = admin_client.get(f"/admin/casereview/reviewtype/{lcspr.pk}/auditlog/")
    assert "Review published" in history.content.decode()


def test_the_review_types_list_shows_each_clock_rule_and_can_make_one_inactive(admin_client):
    text = admin_client.get("/admin/casereview/reviewtype/").content.decode()
    assert "Review completed and published: within 6 months of the day of the decision" in text
    assert 'name="form-0-is_active"' in text


def test_the_code_of_a_review_type_is_fixed_once_it_exists(admin_client):
    lcspr = review_type("lcspr")
    url = f"/admin/casereview/reviewtype/{lcspr.pk}/change/"
    response = admin_client.post(url, {**review_type_data(lcspr), "code": "renamed"})
    assert response.status_code == 302
    assert ReviewType.objects.get(pk=lcspr.pk).code == "lcspr"


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        # A clock half set: a length with no unit or starting point.
        ({"clock_unit": "", "clock_from": ""}, {"clock_unit", "clock_from"}),
        ({"clock_length": ""}, {"clock_length"}),
        ({"clock_length": "0"}, {"clock_length"}),
        ({"clock_length": "six"}, {"clock_length"}),
        ({"clock_length": "401"}, {"clock_length"}),
        ({"clock_unit": "fortnights"}, {"clock_unit"}),
        ({"name": ""}, {"name"}),
        ({"name": "x" * 121}, {"name"}),
        ({"name": "Review\x00"}, {"name"}),
        ({"regime": "1999"}, {"regime"}),
        # Only the rapid review has a deadline for notifying the national panel.
        ({"notify_panel_within": "5"}, {"notify_panel_within"}),
        # A decision's clock runs from the decision; a type cannot want the criteria both ways.
        ({"clock_from": "aware"}, {"clock_from"}),
        ({"needs_criteria_not_met": "on"}, {"needs_criteria_not_met"}),
    ],
)
def test_bad_input_to_a_review_type_is_refused_with_a_message(admin_client, changes, fields):
    lcspr = review_type("lcspr")
    before = ReviewType.objects.values().get(pk=lcspr.pk)
    response = admin_client.post(
        f"/admin/casereview/reviewtype/{lcspr.pk}/change/", review_type_data(lcspr, **changes)
    )
    assert response.status_code == 200
    assert set(response.context["adminform"].form.errors) == fields
    assert "Please correct the error" in response.content.decode()
    assert ReviewType.objects.values().get(pk=lcspr.pk) == before


def test_a_new_review_type_with_half_a_clock_is_not_added(admin_client):
    data = {
        "code": "thematic",
        "name": "Thematic review",
        "regime": "current",
        "outcome": "review",
        "order": "60",
        "is_active": "on",
        "clock_length": "3",
    }
    response = admin_client.post("/admin/casereview/reviewtype/add/", data)
    assert response.status_code == 200
    assert "A clock needs its length, its unit and when it runs from." in (
        response.content.decode()
    )
    assert not ReviewType.objects.filter(code="thematic").exists()
    data.update(clock_name="Review completed", clock_unit=ClockUnit.MONTHS, clock_from="decision")
    assert admin_client.post("/admin/casereview/reviewtype/add/", data).status_code == 302
    assert ReviewType.objects.get(code="thematic").clock_description == (
        "Review completed: within 3 months of the day of the decision"
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"notify_panel_within": ""}, "notify_panel_within"),
        ({"clock_length": "", "clock_unit": "", "clock_from": ""}, "clock_length"),
        ({"clock_from": "decision"}, "clock_from"),
    ],
)
def test_the_rapid_review_needs_its_deadlines(admin_client, changes, field):
    rapid = review_type("rapid_review")
    response = admin_client.post(
        f"/admin/casereview/reviewtype/{rapid.pk}/change/", review_type_data(rapid, **changes)
    )
    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    rapid.refresh_from_db()
    assert (rapid.notify_panel_within, rapid.clock_length, rapid.clock_from) == (
        5,
        15,
        "panel_notified",
    )


def test_a_review_type_a_decision_uses_cannot_be_deleted(admin_client, board):
    decision = DecisionFactory(review_type=review_type("learning_review"))
    used = decision.review_type
    assert admin_client.get(f"/admin/casereview/reviewtype/{used.pk}/delete/").status_code == 403
    response = admin_client.post(f"/admin/casereview/reviewtype/{used.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert ReviewType.objects.filter(pk=used.pk).exists()
    # Through the list's bulk action too: refused with a page, not an error.
    response = admin_client.post(
        "/admin/casereview/reviewtype/",
        {"action": "delete_selected", "_selected_action": [used.pk]},
    )
    assert response.status_code == 200
    assert ReviewType.objects.filter(pk=used.pk).exists()
    assert Decision.objects.filter(pk=decision.pk).exists()


def test_an_unused_review_type_can_be_deleted(admin_client):
    unused = review_type("scr")
    url = f"/admin/casereview/reviewtype/{unused.pk}/delete/"
    assert admin_client.get(url).status_code == 200
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert not ReviewType.objects.filter(pk=unused.pk).exists()


# Notifications


@pytest.fixture
def notification(board, agency_staff):
    ensure_review_types()
    return NotificationFactory(notifier=agency_staff, first_name="Amelia", last_name="O'Brien")


def test_opening_a_notification_in_the_admin_is_logged(admin_client, secretariat, notification):
    AttachmentFactory(notification=notification)
    response = admin_client.get(f"/admin/casereview/notification/{notification.pk}/change/")
    text = response.content.decode()
    assert response.status_code == 200
    assert escape("O'Brien") in text and "strategy-meeting.pdf" in text
    assert "Notify the national panel and Ofsted" in text
    assert f"/case-review/cases/{notification.pk}/" in text
    assert accesses(notification, secretariat) == 1


def test_reading_a_notifications_history_in_the_admin_is_logged(
    admin_client, secretariat, notification
):
    response = admin_client.get(f"/admin/casereview/notification/{notification.pk}/auditlog/")
    assert response.status_code == 200
    assert accesses(notification, secretariat) == 1


def test_changing_the_case_officer_makes_the_running_clocks_chase_them(
    admin_client, secretariat, case_review_member, notification
):
    running = notification.clocks.get(kind=ClockKind.PANEL_NOTIFICATION)
    Clock.objects.filter(pk=running.pk).update(reminder_last_sent=-7, reminder_next_on=None)
    met = Clock.objects.create(
        notification=notification,
        kind=ClockKind.RAPID_REVIEW,
        name="Rapid review completed",
        rule="within 15 working days of the national panel being notified",
        starts_on=timezone.localdate() - datetime.timedelta(days=30),
        due_on=timezone.localdate() - datetime.timedelta(days=5),
        unit=ClockUnit.WORKING_DAYS,
        met_on=timezone.localdate() - datetime.timedelta(days=6),
    )
    url = f"/admin/casereview/notification/{notification.pk}/change/"
    data = change_page_data(admin_client.get(url))
    assert set(data) - {k for k in data if "-" in k} == {"case_officer"}

    response = admin_client.post(url, {**data, "case_officer": str(case_review_member.pk)})

    assert response.status_code == 302, response.context["adminform"].form.errors
    notification.refresh_from_db()
    assert notification.case_officer == case_review_member
    running.refresh_from_db()
    assert running.owner == case_review_member
    assert running.reminder_last_sent is None and running.reminder_next_on is not None
    met.refresh_from_db()
    assert met.owner is None and met.reminder_next_on is None
    entry = LogEntry.objects.get_for_object(notification).filter(action=LogEntry.Action.UPDATE)
    assert entry.latest("timestamp").actor == secretariat
    assert "case_officer" in entry.latest("timestamp").changes_dict


def test_nothing_but_the_case_officer_is_changed_in_the_admin(
    admin_client, case_review_member, notification
):
    url = f"/admin/casereview/notification/{notification.pk}/change/"
    data = change_page_data(admin_client.get(url))
    response = admin_client.post(
        url,
        {
            **data,
            "first_name": "Changed",
            "status": NotificationStatus.DECIDED,
            "reference": "SIN-1999-00001",
        },
    )
    assert response.status_code == 302
    notification.refresh_from_db()
    assert (notification.first_name, notification.status) == ("Amelia", "submitted")
    assert notification.reference != "SIN-1999-00001"


def test_only_the_case_team_can_be_made_case_officer(
    admin_client, secretariat, case_review_member, outsider, member, notification
):
    url = f"/admin/casereview/notification/{notification.pk}/change/"
    page = admin_client.get(url)
    choices = page.context["adminform"].form.fields["case_officer"].queryset
    assert set(choices) == {secretariat, case_review_member}
    data = change_page_data(page)
    for someone in (outsider, member):
        response = admin_client.post(url, {**data, "case_officer": str(someone.pk)})
        assert response.status_code == 200
        assert "case_officer" in response.context["adminform"].form.errors
    assert admin_client.post(url, {**data, "case_officer": "x\x00"}).status_code == 200
    notification.refresh_from_db()
    assert notification.case_officer is None


def test_a_case_officer_who_has_left_the_case_team_does_not_stop_the_page_saving(
    admin_client, member, notification
):
    Notification.objects.filter(pk=notification.pk).update(case_officer=member)
    url = f"/admin/casereview/notification/{notification.pk}/change/"
    data = change_page_data(admin_client.get(url))
    assert data["case_officer"] == str(member.pk)
    assert admin_client.post(url, data).status_code == 302
    assert Notification.objects.get(pk=notification.pk).case_officer == member


def test_drafts_are_not_shown_in_the_admin(admin_client, notification, agency_staff):
    draft = DraftFactory(notifier=agency_staff, last_name="Drafted")
    response = admin_client.get("/admin/casereview/notification/")
    assert list(response.context["cl"].result_list) == [notification]
    change = admin_client.get(f"/admin/casereview/notification/{draft.pk}/change/")
    assert change.status_code == 302 and change["Location"] == "/admin/"
    assert admin_client.get(f"/admin/casereview/notification/{draft.pk}/auditlog/").status_code == (
        404
    )
    assert not LogEntry.objects.get_for_object(draft).filter(action=LogEntry.Action.ACCESS)


def test_the_notification_list_names_no_child_and_is_searched_by_reference(
    admin_client, notification
):
    text = admin_client.get("/admin/casereview/notification/").content.decode()
    assert notification.reference in text
    assert escape("O'Brien") not in text and "Amelia" not in text
    by_name = admin_client.get("/admin/casereview/notification/", {"q": "Amelia"})
    assert list(by_name.context["cl"].result_list) == []
    by_reference = admin_client.get(
        "/admin/casereview/notification/", {"q": notification.reference.lower()}
    )
    assert list(by_reference.context["cl"].result_list) == [notification]


def test_notifications_are_neither_added_nor_deleted_in_the_admin(admin_client, notification):
    assert admin_client.get("/admin/casereview/notification/add/").status_code == 403
    url = f"/admin/casereview/notification/{notification.pk}/delete/"
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    assert Notification.objects.filter(pk=notification.pk).exists()


def test_the_notification_list_runs_a_fixed_number_of_queries(
    admin_client, board, django_assert_max_num_queries
):
    def grow():
        for _ in range(3):
            AttachmentFactory(notification=NotificationFactory(case_officer=UserFactory()))

    grow()
    with django_assert_max_num_queries(40) as few:
        admin_client.get("/admin/casereview/notification/")
    grow()
    with django_assert_max_num_queries(len(few.captured_queries)):
        admin_client.get("/admin/casereview/notification/")


# The subgroup's consideration, the decision and the review: view-only, views logged


@pytest.fixture
def review(board, case_review_member):
    ensure_review_types()
    decided = ConsiderationFactory(recorded_by=case_review_member).notification
    DecisionFactory(notification=decided)
    return ReviewFactory(notification=decided)


@pytest.mark.parametrize("model", ["consideration", "decision", "review"])
def test_a_part_of_a_childs_record_is_view_only_and_opening_it_is_logged(
    admin_client, secretariat, review, model
):
    obj = {
        "consideration": review.notification.consideration,
        "decision": review.notification.decision,
        "review": review,
    }[model]
    url = f"/admin/casereview/{model}/{obj.pk}/change/"
    response = admin_client.get(url)
    assert response.status_code == 200
    assert review.notification.reference in response.content.decode()
    assert accesses(obj, secretariat) == 1
    assert admin_client.post(url, {}).status_code == 403
    assert admin_client.get(f"/admin/casereview/{model}/add/").status_code == 403
    assert admin_client.get(f"/admin/casereview/{model}/{obj.pk}/delete/").status_code == 403


def test_an_action_plan_action_is_view_only_with_its_page_linked(admin_client, review):
    action = PlanActionFactory(recommendation=RecommendationFactory(review=review))
    url = f"/admin/casereview/planaction/{action.pk}/change/"
    text = admin_client.get(url).content.decode()
    assert "Issue a joint protocol for sharing injury concerns." in text
    assert f"/case-review/plan-actions/{action.pk}/" in text
    assert admin_client.post(url, {}).status_code == 403


# Who may use it


@pytest.mark.parametrize(
    "role", ["board_chair", "group_chair", "member", "agency_staff", "case_review_member"]
)
def test_no_one_but_the_secretariat_uses_the_case_review_admin(
    client, request, board, role, notification
):
    client.force_login(request.getfixturevalue(role))
    for url in [
        "/admin/casereview/notification/",
        f"/admin/casereview/notification/{notification.pk}/change/",
        "/admin/casereview/reviewtype/",
    ]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
        assert client.get(url, follow=True).status_code == 403
    assert not LogEntry.objects.get_for_object(notification).filter(action=LogEntry.Action.ACCESS)
