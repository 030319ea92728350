"""Recording the national notification and a deadline met: the services' rules, each also
refused through its form with an error summary, and who may do it."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from casereview.models import Clock, ClockKind, Notification, NotificationStatus
from casereview.services import cases as services
from casereview.services.clocks import clock_start_decision, clock_start_rapid_review
from tests.casereview.factories import (
    ConsiderationFactory,
    DecisionFactory,
    NotificationFactory,
    review_type,
)
from tests.hscb.test_bad_input import assert_error_page

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2027, 3, 10)  # a Wednesday
AWARE = datetime.date(2027, 3, 8)  # the Monday before


def at(day: datetime.date):
    return time_machine.travel(
        timezone.make_aware(datetime.datetime.combine(day, datetime.time(10))), tick=False
    )


@pytest.fixture
def wednesday():
    with at(TODAY):
        yield


@pytest.fixture
def case(board, wednesday):
    return NotificationFactory(aware_date=AWARE, incident_date=AWARE)


def date_parts(prefix: str, on: datetime.date | None = None, /, **parts: str) -> dict[str, str]:
    """The day, month and year inputs of a date field: of `on`, or the `parts` given."""
    data = {}
    if on is not None:
        data = {f"{prefix}_0": str(on.day), f"{prefix}_1": str(on.month)}
        data[f"{prefix}_2"] = str(on.year)
    for part, value in parts.items():
        data[f"{prefix}_{'dmy'.index(part[0])}"] = value
    return data


def clock(notification, kind) -> Clock:
    return Clock.objects.get(notification=notification, kind=kind)


# The national notification: the service --------------------------------------------------------


def test_recording_the_national_notification_meets_its_clock_and_starts_the_rapid_review(
    case, secretariat, case_review_member
):
    Notification.objects.filter(pk=case.pk).update(case_officer=case_review_member)
    services.case_record_panel_notified(notification=case, notified_on=TODAY, by=secretariat)
    case.refresh_from_db()
    assert case.panel_notified_on == TODAY
    assert clock(case, ClockKind.PANEL_NOTIFICATION).met_on == TODAY
    assert clock(case, ClockKind.PANEL_NOTIFICATION).reminder_next_on is None
    rapid = clock(case, ClockKind.RAPID_REVIEW)
    assert rapid.starts_on == TODAY
    # 15 working days after Wednesday 10 March 2027, over Good Friday and Easter Monday.
    assert rapid.due_on == datetime.date(2027, 4, 2)
    assert rapid.met_on is None
    assert rapid.owner == case_review_member
    assert rapid.reminder_next_on is not None


def test_the_national_notification_across_christmas_gives_the_rapid_review_in_late_january(
    board, secretariat
):
    with at(datetime.date(2027, 1, 6)):
        notification = NotificationFactory(
            aware_date=datetime.date(2026, 12, 24), incident_date=datetime.date(2026, 12, 23)
        )
        assert clock(notification, ClockKind.PANEL_NOTIFICATION).due_on == datetime.date(2027, 1, 5)
        services.case_record_panel_notified(
            notification=notification, notified_on=datetime.date(2027, 1, 5), by=secretariat
        )
    assert clock(notification, ClockKind.RAPID_REVIEW).due_on == datetime.date(2027, 1, 26)


@pytest.mark.parametrize(
    ("notified_on", "message"),
    [
        (None, "Enter the date the national panel and Ofsted were notified"),
        (TODAY + datetime.timedelta(days=1), "must be today or in the past"),
        (AWARE - datetime.timedelta(days=1), "must be on or after the day the agency became aware"),
    ],
)
def test_the_national_notification_date_is_checked(case, secretariat, notified_on, message):
    with pytest.raises(ValidationError) as refused:
        services.case_record_panel_notified(
            notification=case, notified_on=notified_on, by=secretariat
        )
    assert message in refused.value.message_dict["notified_on"][0]
    case.refresh_from_db()
    assert case.panel_notified_on is None
    assert not Clock.objects.filter(notification=case, kind=ClockKind.RAPID_REVIEW).exists()


def test_the_national_notification_is_recorded_once(case, case_review_member):
    services.case_record_panel_notified(notification=case, notified_on=AWARE, by=case_review_member)
    with pytest.raises(ValidationError, match="cannot be recorded twice"):
        services.case_record_panel_notified(
            notification=case, notified_on=TODAY, by=case_review_member
        )
    assert Notification.objects.get(pk=case.pk).panel_notified_on == AWARE


def test_the_national_notification_is_refused_outside_the_case_team(case, board_chair, member):
    for user in (board_chair, member):
        with pytest.raises(PermissionDenied):
            services.case_record_panel_notified(notification=case, notified_on=TODAY, by=user)


def test_the_national_notification_of_a_merged_case_is_refused(case, secretariat):
    other = NotificationFactory()
    Notification.objects.filter(pk=case.pk).update(
        status=NotificationStatus.MERGED, merged_into=other
    )
    with pytest.raises(ValidationError, match=f"merged into {other.reference}"):
        services.case_record_panel_notified(notification=case, notified_on=TODAY, by=secretariat)


def test_the_national_notification_needs_a_rapid_review_rule(case, secretariat):
    review_type("rapid_review")
    from casereview.models import ReviewType

    ReviewType.objects.filter(code="rapid_review").update(is_active=False)
    with pytest.raises(ValidationError, match="no active rapid review type"):
        services.case_record_panel_notified(notification=case, notified_on=TODAY, by=secretariat)
    assert Notification.objects.get(pk=case.pk).panel_notified_on is None


# The national notification: the page ----------------------------------------------------------


def panel_url(notification) -> str:
    return f"/case-review/cases/{notification.pk}/panel-notified/"


def test_the_page_records_the_national_notification(client, case, secretariat):
    client.force_login(secretariat)
    page = client.get(panel_url(case)).content.decode()
    assert "within 5 working days of the day the agency became aware" in page
    assert "15 March 2027" in page
    response = client.post(panel_url(case), date_parts("notified_on", TODAY), follow=True)
    assert "The rapid review is due by 2 April 2027" in response.content.decode()
    assert Notification.objects.get(pk=case.pk).panel_notified_on == TODAY


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Enter the date the national panel and Ofsted were notified"),
        (date_parts("notified_on", day="3", month="13", year="2027"), "must be a real date"),
        (date_parts("notified_on", day="x", month="3", year="2027"), "must be a real date"),
        (date_parts("notified_on", day="\x00", month="3", year="2027"), "must be a real date"),
        (
            date_parts("notified_on", day="99999999999", month="3", year="2027"),
            "must be a real date",
        ),
        (date_parts("notified_on", day="10", month="3"), "must include a year"),
        (date_parts("notified_on", datetime.date(2027, 3, 11)), "must be today or in the past"),
        (date_parts("notified_on", datetime.date(2027, 3, 5)), "on or after the day the agency"),
    ],
)
def test_the_page_refuses_a_bad_date_and_keeps_what_was_typed(
    client, case, secretariat, data, message
):
    client.force_login(secretariat)
    text = assert_error_page(client.post(panel_url(case), data))
    assert 'href="#id_notified_on' in text
    assert message in text
    if "notified_on_2" in data and data["notified_on_2"].isdigit():
        assert f'value="{data["notified_on_2"]}"' in text
    assert Notification.objects.get(pk=case.pk).panel_notified_on is None


def test_the_page_says_when_the_national_notification_is_already_recorded(
    client, case, secretariat
):
    services.case_record_panel_notified(notification=case, notified_on=AWARE, by=secretariat)
    client.force_login(secretariat)
    assert "cannot be recorded twice" in client.get(panel_url(case)).content.decode()
    text = assert_error_page(client.post(panel_url(case), date_parts("notified_on", TODAY)))
    assert "cannot be recorded twice" in text
    assert Notification.objects.get(pk=case.pk).panel_notified_on == AWARE


def test_the_national_notification_page_is_for_the_case_team(
    client, case, board_chair, member, case_review_member
):
    considered = ConsiderationFactory().notification
    client.force_login(case_review_member)
    assert client.get(panel_url(case)).status_code == 200
    client.force_login(board_chair)
    assert client.get(panel_url(considered)).status_code == 403
    assert client.post(panel_url(considered), date_parts("notified_on", TODAY)).status_code == 403
    assert client.get(panel_url(case)).status_code == 404
    client.force_login(member)
    assert client.get(panel_url(case)).status_code == 404
    assert Notification.objects.get(pk=considered.pk).panel_notified_on is None


# A deadline met: the service ----------------------------------------------------------------------


@pytest.fixture
def rapid(case):
    clock_start_rapid_review(notification=case, notified_on=AWARE)
    return clock(case, ClockKind.RAPID_REVIEW)


def test_a_rapid_review_recorded_as_met_stops_its_reminders(case, rapid, case_review_member):
    met = services.clock_record_met(
        notification=case, kind=ClockKind.RAPID_REVIEW, met_on=TODAY, by=case_review_member
    )
    assert met.met_on == TODAY
    assert met.reminder_next_on is None


def test_the_no_review_clock_is_met_when_the_panel_is_told(board, secretariat):
    with at(TODAY):
        decided = DecisionFactory(review_type=review_type("no_review_2015"), decided_on=AWARE)
        clock_start_decision(
            notification=decided.notification, review_type=decided.review_type, decided_on=AWARE
        )
        decision_clock = clock(decided.notification, ClockKind.DECISION)
        assert decision_clock.due_on == AWARE + datetime.timedelta(days=14)
        services.clock_record_met(
            notification=decided.notification,
            kind=ClockKind.DECISION,
            met_on=TODAY,
            by=secretariat,
        )
    assert clock(decided.notification, ClockKind.DECISION).met_on == TODAY


@pytest.mark.parametrize(
    ("met_on", "message"),
    [
        (None, "Enter the date it was met"),
        (TODAY + datetime.timedelta(days=1), "must be today or in the past"),
        (AWARE - datetime.timedelta(days=1), "on or after the day the deadline started"),
    ],
)
def test_a_deadline_met_date_is_checked(case, rapid, secretariat, met_on, message):
    with pytest.raises(ValidationError) as refused:
        services.clock_record_met(
            notification=case, kind=ClockKind.RAPID_REVIEW, met_on=met_on, by=secretariat
        )
    assert message in refused.value.message_dict["met_on"][0]
    assert clock(case, ClockKind.RAPID_REVIEW).met_on is None


def test_a_deadline_is_recorded_as_met_once(case, rapid, secretariat):
    services.clock_record_met(
        notification=case, kind=ClockKind.RAPID_REVIEW, met_on=AWARE, by=secretariat
    )
    with pytest.raises(ValidationError, match="cannot be recorded twice"):
        services.clock_record_met(
            notification=case, kind=ClockKind.RAPID_REVIEW, met_on=TODAY, by=secretariat
        )
    assert clock(case, ClockKind.RAPID_REVIEW).met_on == AWARE


def test_a_deadline_that_is_not_running_or_not_a_deadline_is_refused(case, secretariat, member):
    with pytest.raises(ValidationError, match="no deadline of this kind"):
        services.clock_record_met(
            notification=case, kind=ClockKind.RAPID_REVIEW, met_on=TODAY, by=secretariat
        )
    with pytest.raises(ValidationError, match="no such deadline"):
        services.clock_record_met(notification=case, kind="bedtime", met_on=TODAY, by=secretariat)
    with pytest.raises(ValidationError, match="on its own page"):
        services.clock_record_met(
            notification=case, kind=ClockKind.PANEL_NOTIFICATION, met_on=TODAY, by=secretariat
        )
    with pytest.raises(PermissionDenied):
        services.clock_record_met(
            notification=case, kind=ClockKind.RAPID_REVIEW, met_on=TODAY, by=member
        )


# A deadline met: the page ---------------------------------------------------------------------


def met_url(notification, kind: str) -> str:
    return f"/case-review/cases/{notification.pk}/deadlines/{kind}/met/"


def test_the_page_records_a_rapid_review_met(client, case, rapid, case_review_member):
    client.force_login(case_review_member)
    page = client.get(met_url(case, "rapid_review")).content.decode()
    assert "Rapid review completed" in page
    response = client.post(met_url(case, "rapid_review"), date_parts("met_on", TODAY), follow=True)
    assert "is recorded as met on 10 March 2027" in response.content.decode()
    assert clock(case, ClockKind.RAPID_REVIEW).met_on == TODAY


def test_the_page_for_the_national_deadline_records_the_national_notification(
    client, case, secretariat
):
    client.force_login(secretariat)
    assert client.get(met_url(case, "panel_notification")).status_code == 200
    response = client.post(met_url(case, "panel_notification"), date_parts("met_on", TODAY))
    assert response.status_code == 302
    assert Notification.objects.get(pk=case.pk).panel_notified_on == TODAY
    assert clock(case, ClockKind.RAPID_REVIEW).due_on == datetime.date(2027, 4, 2)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Enter the date it was met"),
        (date_parts("met_on", day="31", month="2", year="2027"), "must be a real date"),
        (date_parts("met_on", datetime.date(2027, 3, 11)), "must be today or in the past"),
        (date_parts("met_on", datetime.date(2027, 3, 5)), "on or after the day the deadline"),
    ],
)
def test_the_met_page_refuses_a_bad_date(client, case, rapid, secretariat, data, message):
    client.force_login(secretariat)
    text = assert_error_page(client.post(met_url(case, "rapid_review"), data))
    assert 'href="#id_met_on' in text
    assert message in text
    assert clock(case, ClockKind.RAPID_REVIEW).met_on is None


def test_the_met_page_refuses_a_bad_kind_or_a_deadline_not_running(client, case, secretariat):
    client.force_login(secretariat)
    assert client.get(met_url(case, "bedtime")).status_code == 404
    assert client.get(met_url(case, "rapid_review")).status_code == 404
    assert client.post(met_url(case, "decision"), date_parts("met_on", TODAY)).status_code == 404


def test_the_met_page_says_when_a_deadline_is_already_met(client, case, rapid, secretariat):
    services.clock_record_met(
        notification=case, kind=ClockKind.RAPID_REVIEW, met_on=AWARE, by=secretariat
    )
    client.force_login(secretariat)
    page = client.get(met_url(case, "rapid_review")).content.decode()
    assert "was recorded as met on 8 March 2027" in page
    assert "cannot be recorded twice" in page
    text = assert_error_page(
        client.post(met_url(case, "rapid_review"), date_parts("met_on", TODAY))
    )
    assert "cannot be recorded twice" in text


def test_the_met_page_is_for_the_case_team(client, case, board_chair, agency_staff):
    considered = ConsiderationFactory().notification
    client.force_login(board_chair)
    assert client.get(met_url(considered, "panel_notification")).status_code == 403
    client.force_login(agency_staff)
    assert client.get(met_url(case, "panel_notification")).status_code == 404
