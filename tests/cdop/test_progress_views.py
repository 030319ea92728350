"""A case's progress through its pages: the joint agency response, information asked of an
agency and received, the child death review meeting and the panel meeting. Each rule is
refused through the form with a GOV.UK error summary and what was typed kept; each page logs
the view; only the panel team gets them."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from auditlog.models import LogEntry
from django.utils import timezone

from cdop.models import AgencyInformation, ChildDeath, DeathStatus, Expectation
from hscb.models import GroupFunction, MeetingStatus
from tests.cdop.factories import AgencyInformationFactory, ChildDeathFactory
from tests.hscb.factories import AgencyFactory, MeetingFactory
from tests.hscb.test_bad_input import assert_error_page

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2027, 3, 10)  # a Wednesday
DIED = datetime.date(2027, 3, 7)
LONG = "x" * 10001
OTHERS = ["board_chair", "group_chair", "member", "agency_staff", "case_review_member", "outsider"]


@pytest.fixture(autouse=True)
def wednesday():
    with time_machine.travel(
        timezone.make_aware(datetime.datetime.combine(TODAY, datetime.time(10))), tick=False
    ):
        yield


@pytest.fixture
def death(board):
    return ChildDeathFactory(died_on=DIED)


def date_parts(prefix: str, on: datetime.date | None = None, /, **parts: str) -> dict[str, str]:
    """The day, month and year inputs of a date field: of `on`, or the `parts` given."""
    data = {}
    if on is not None:
        data = {
            f"{prefix}_0": str(on.day),
            f"{prefix}_1": str(on.month),
            f"{prefix}_2": str(on.year),
        }
    for part, value in parts.items():
        data[f"{prefix}_{'dmy'.index(part[0])}"] = value
    return data


def accesses(obj, user) -> int:
    return (
        LogEntry.objects.get_for_object(obj)
        .filter(action=LogEntry.Action.ACCESS, actor=user)
        .count()
    )


def jar_url(death) -> str:
    return f"/cdop/deaths/{death.pk}/joint-agency-response/"


def request_url(death) -> str:
    return f"/cdop/deaths/{death.pk}/agency-information/new/"


def received_url(report) -> str:
    return f"/cdop/agency-information/{report.pk}/"


def review_url(death) -> str:
    return f"/cdop/deaths/{death.pk}/review-meeting/"


def panel_url(death) -> str:
    return f"/cdop/deaths/{death.pk}/panel-meeting/"


def jar_data(**overrides) -> dict[str, str]:
    data = {
        **date_parts("started_on", DIED),
        "lead": "Dr A Patel, designated doctor",
        "summary": "Home visit with the police the same day.",
    }
    data.update(overrides)
    return data


def panel_meeting(board, *, days: int = 7, **kwargs):
    starts = timezone.make_aware(
        datetime.datetime.combine(TODAY + datetime.timedelta(days=days), datetime.time(10))
    )
    return MeetingFactory(
        group=board[GroupFunction.CHILD_DEATH_OVERVIEW],
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        **kwargs,
    )


# Who may ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", OTHERS)
def test_the_progress_pages_are_not_found_outside_the_panel_team(client, request, death, role):
    report = AgencyInformationFactory(death=death)
    user = request.getfixturevalue(role)
    client.force_login(user)
    for url in (
        jar_url(death),
        request_url(death),
        received_url(report),
        review_url(death),
        panel_url(death),
    ):
        assert client.get(url).status_code == 404, url
        assert client.post(url, jar_data()).status_code == 404, url
    assert accesses(death, user) == 0
    death.refresh_from_db()
    assert death.jar_started_on is None and death.status == DeathStatus.NOTIFIED


@pytest.mark.parametrize("role", ["secretariat", "cdop_member"])
def test_the_panel_team_opens_each_progress_page_and_each_view_is_logged(
    client, request, death, role
):
    report = AgencyInformationFactory(death=death)
    user = request.getfixturevalue(role)
    client.force_login(user)
    urls = (jar_url(death), request_url(death), received_url(report), review_url(death))
    for url in (*urls, panel_url(death)):
        response = client.get(url)
        assert response.status_code == 200, url
        assert death.reference in response.content.decode()
    assert accesses(death, user) == 5
    assert accesses(report, user) == 1


def test_a_missing_case_is_not_found(client, secretariat):
    client.force_login(secretariat)
    assert client.get("/cdop/deaths/999999/joint-agency-response/").status_code == 404
    assert client.get("/cdop/agency-information/999999/").status_code == 404


# The joint agency response ----------------------------------------------------------------------


def test_the_joint_agency_response_is_saved_and_shown(client, cdop_member, death):
    client.force_login(cdop_member)
    response = client.post(jar_url(death), jar_data())
    assert response.status_code == 302 and response["Location"] == f"/cdop/deaths/{death.pk}/"
    death.refresh_from_db()
    assert death.jar_started_on == DIED
    assert death.jar_lead == "Dr A Patel, designated doctor"
    text = client.get(response["Location"]).content.decode()
    assert "The joint agency response to" in text
    assert "Home visit with the police the same day." in text
    # Opened again, the form holds what was saved, to correct it.
    assert 'value="Dr A Patel, designated doctor"' in client.get(jar_url(death)).content.decode()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"lead": "", "summary": ""}, "lead", "Enter who led the response"),
        ({"summary": LONG}, "summary", "10,000 characters or fewer"),
        ({"lead": "x" * 201}, "lead", "200 characters or fewer"),
        ({"summary": "a\x00b"}, "summary", "Null characters are not allowed"),
        (date_parts("started_on", TODAY + datetime.timedelta(days=1)), "started_on", "today or"),
        (
            date_parts("started_on", DIED - datetime.timedelta(days=1)),
            "started_on",
            "date of death",
        ),
        (date_parts("started_on", day="31", month="2", year="2027"), "started_on", "real date"),
        ({"started_on_0": "", "started_on_1": "", "started_on_2": ""}, "started_on", "Enter the"),
        ({"started_on_0": "9" * 30}, "started_on", "must be a real date"),
    ],
)
def test_a_bad_joint_agency_response_is_refused_with_an_error_summary(
    client, cdop_member, death, overrides, field, message
):
    client.force_login(cdop_member)
    text = assert_error_page(client.post(jar_url(death), jar_data(**overrides)))
    assert f'href="#id_{field}' in text
    assert message in text
    death.refresh_from_db()
    assert death.jar_started_on is None


def test_the_form_keeps_what_was_typed(client, cdop_member, death):
    client.force_login(cdop_member)
    text = assert_error_page(
        client.post(jar_url(death), jar_data(summary="", lead="Dr O'Neill & <b>team</b>"))
    )
    assert "Dr O&#x27;Neill &amp; &lt;b&gt;team&lt;/b&gt;" in text


def test_an_expected_death_is_refused_a_joint_agency_response_through_the_form(
    client, cdop_member, board
):
    expected = ChildDeathFactory(died_on=DIED, expectation=Expectation.EXPECTED)
    client.force_login(cdop_member)
    assert "only for an unexpected death" in client.get(jar_url(expected)).content.decode()
    text = assert_error_page(client.post(jar_url(expected), jar_data()))
    assert "was expected: a joint agency response is only for an unexpected death" in text
    assert ChildDeath.objects.get(pk=expected.pk).jar_started_on is None


# Information from agencies ----------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["Hertfordshire Constabulary", "herts police", "constab"])
def test_asking_an_agency_starts_the_gathering(client, cdop_member, death, typed):
    police = AgencyFactory(name="Hertfordshire Constabulary", short_name="Herts Police")
    AgencyFactory(name="East and North Hertfordshire NHS Trust")
    client.force_login(cdop_member)
    response = client.post(
        request_url(death), {"agency": typed, **date_parts("requested_on", TODAY)}
    )
    assert response.status_code == 302
    death.refresh_from_db()
    assert death.status == DeathStatus.GATHERING
    assert AgencyInformation.objects.get(death=death).agency == police
    text = client.get(response["Location"]).content.decode()
    assert "The request to Hertfordshire Constabulary" in text
    assert "Gathering information" in text


def test_the_same_agency_asked_twice_is_refused_by_name(client, cdop_member, death):
    police = AgencyFactory(name="Hertfordshire Constabulary")
    AgencyInformationFactory(death=death, agency=police, requested_on=DIED)
    client.force_login(cdop_member)
    text = assert_error_page(
        client.post(
            request_url(death),
            {"agency": "Hertfordshire Constabulary", **date_parts("requested_on", TODAY)},
        ),
        "agency",
    )
    assert "Hertfordshire Constabulary was already asked for information on 7 March 2027" in text
    assert AgencyInformation.objects.filter(death=death).count() == 1


@pytest.mark.parametrize(
    ("agency", "field", "message"),
    [
        ("", "agency", "Enter the agency asked for information"),
        ("abc", "agency", "No agency taking part is called “abc”"),
        ("99999999999999999999999", "agency", "No agency taking part is called"),
        ("Old Constabulary", "agency", "No agency taking part is called “Old Constabulary”"),
        ("Hertfordshire", "agency", "could be more than one agency"),
        ("x" * 201, "agency", "200 characters or fewer"),
        ("a\x00b", "agency", "Null characters are not allowed"),
    ],
)
def test_an_agency_not_taking_part_is_refused(client, cdop_member, death, agency, field, message):
    AgencyFactory(name="Old Constabulary", is_active=False)
    AgencyFactory(name="Hertfordshire Constabulary")
    AgencyFactory(name="East and North Hertfordshire NHS Trust")
    client.force_login(cdop_member)
    text = assert_error_page(
        client.post(request_url(death), {"agency": agency, **date_parts("requested_on", TODAY)}),
        field,
    )
    assert message in text
    assert not AgencyInformation.objects.exists()


@pytest.mark.parametrize(
    ("on", "message"),
    [
        (TODAY + datetime.timedelta(days=1), "must be today or in the past"),
        (DIED - datetime.timedelta(days=1), "on or after the date of death, 7 March 2027"),
    ],
)
def test_a_request_dated_wrongly_is_refused(client, cdop_member, death, on, message):
    client.force_login(cdop_member)
    text = assert_error_page(
        client.post(
            request_url(death), {"agency": AgencyFactory().name, **date_parts("requested_on", on)}
        )
    )
    assert message in text
    assert ChildDeath.objects.get(pk=death.pk).status == DeathStatus.NOTIFIED


def test_the_request_form_lists_no_agency_however_many_there_are(client, cdop_member, death):
    AgencyFactory(name="Bedfordshire Police")
    client.force_login(cdop_member)
    text = client.get(request_url(death)).content.decode()
    assert "Bedfordshire Police" not in text
    assert "<select" not in text
    assert 'name="agency"' in text


def test_information_received_is_recorded_once(client, cdop_member, death):
    report = AgencyInformationFactory(death=death, requested_on=DIED)
    client.force_login(cdop_member)
    response = client.post(received_url(report), date_parts("received_on", TODAY))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.received_on == TODAY
    assert (
        "recorded as received on 10 March 2027" in client.get(response["Location"]).content.decode()
    )
    assert "cannot be recorded twice" in client.get(received_url(report)).content.decode()
    text = assert_error_page(
        client.post(
            received_url(report), date_parts("received_on", DIED + datetime.timedelta(days=1))
        )
    )
    assert "already recorded as received on 10 March 2027" in text
    report.refresh_from_db()
    assert report.received_on == TODAY


def test_information_received_before_it_was_asked_for_is_refused(client, cdop_member, death):
    report = AgencyInformationFactory(death=death, requested_on=TODAY)
    client.force_login(cdop_member)
    text = assert_error_page(
        client.post(received_url(report), date_parts("received_on", DIED)), "received_on"
    )
    assert "on or after the date it was asked for, 10 March 2027" in text


# The child death review meeting and the panel meeting --------------------------------------------


def test_the_review_meeting_is_recorded_once(client, cdop_member, death):
    client.force_login(cdop_member)
    response = client.post(review_url(death), date_parts("held_on", TODAY))
    assert response.status_code == 302
    death.refresh_from_db()
    assert death.status == DeathStatus.REVIEW_MEETING
    assert death.review_meeting_on == TODAY
    assert "cannot be recorded twice" in client.get(review_url(death)).content.decode()
    text = assert_error_page(client.post(review_url(death), date_parts("held_on", TODAY)))
    assert "already recorded as held on 10 March 2027" in text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Enter the date of the meeting"),
        (date_parts("held_on", TODAY + datetime.timedelta(days=1)), "today or in the past"),
        (date_parts("held_on", DIED - datetime.timedelta(days=1)), "on or after the date of death"),
        (date_parts("held_on", day="1", month="3"), "must include a year"),
        (date_parts("held_on", day="\x00", month="3", year="2027"), "must be a real date"),
    ],
)
def test_a_bad_review_meeting_date_is_refused(client, cdop_member, death, data, message):
    client.force_login(cdop_member)
    text = assert_error_page(client.post(review_url(death), data))
    assert 'href="#id_held_on' in text
    assert message in text
    assert ChildDeath.objects.get(pk=death.pk).status == DeathStatus.NOTIFIED


def test_the_review_meeting_after_the_panel_is_refused_in_order(client, cdop_member, board):
    listed = ChildDeathFactory(died_on=DIED, status=DeathStatus.PANEL)
    client.force_login(cdop_member)
    text = assert_error_page(client.post(review_url(listed), date_parts("held_on", TODAY)))
    assert "already listed for the panel" in text


def test_a_case_changed_meanwhile_is_refused_with_a_message(client, cdop_member, death):
    client.force_login(cdop_member)
    assert client.get(review_url(death)).status_code == 200
    ChildDeath.objects.filter(pk=death.pk).update(status=DeathStatus.CLOSED)
    text = assert_error_page(client.post(review_url(death), date_parts("held_on", TODAY)))
    assert "is closed" in text


def test_a_case_is_listed_for_a_panel_meeting(client, cdop_member, board):
    meeting = panel_meeting(board)
    cancelled = panel_meeting(board, days=14, status=MeetingStatus.CANCELLED)
    before = panel_meeting(board, days=-30)
    gathering = ChildDeathFactory(
        died_on=DIED, status=DeathStatus.REVIEW_MEETING, review_meeting_on=TODAY
    )
    client.force_login(cdop_member)
    text = client.get(panel_url(gathering)).content.decode()
    assert f'value="{meeting.pk}"' in text
    assert f'value="{cancelled.pk}"' not in text
    assert f'value="{before.pk}"' not in text
    response = client.post(panel_url(gathering), {"meeting": meeting.pk})
    assert response.status_code == 302
    gathering.refresh_from_db()
    assert gathering.status == DeathStatus.PANEL and gathering.panel_meeting == meeting
    text = client.get(response["Location"]).content.decode()
    assert "is listed for the Child Death Overview Panel meeting" in text


@pytest.mark.parametrize("choice", ["", "abc", "cancelled", "other_group", "999999"])
def test_a_meeting_not_in_the_list_is_refused(client, cdop_member, board, choice):
    gathering = ChildDeathFactory(died_on=DIED, status=DeathStatus.REVIEW_MEETING)
    value = {
        "cancelled": lambda: panel_meeting(board, status=MeetingStatus.CANCELLED).pk,
        "other_group": lambda: MeetingFactory(group=board[GroupFunction.AUDIT]).pk,
    }.get(choice, lambda: choice)()
    client.force_login(cdop_member)
    text = assert_error_page(client.post(panel_url(gathering), {"meeting": value}), "meeting")
    assert "Choose" in text
    assert ChildDeath.objects.get(pk=gathering.pk).status == DeathStatus.REVIEW_MEETING


@pytest.mark.parametrize("status", [DeathStatus.NOTIFIED, DeathStatus.GATHERING])
def test_a_case_before_its_review_meeting_is_not_listed(client, cdop_member, board, status):
    death = ChildDeathFactory(died_on=DIED, status=status)
    client.force_login(cdop_member)
    text = client.get(death.get_absolute_url()).content.decode()
    assert "It can be listed once its child death review meeting has been held" in text
    assert panel_url(death) not in text
    text = assert_error_page(client.post(panel_url(death), {"meeting": panel_meeting(board).pk}))
    assert "Record the child death review meeting on" in text
    assert "listed for the panel only after its child death review meeting" in text
    death.refresh_from_db()
    assert death.panel_meeting is None and death.status == status
