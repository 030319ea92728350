"""A case's progress, in the services: the joint agency response to an unexpected death,
information asked of each agency and received, the child death review meeting and the panel
meeting; each rule refused with a clear message, the case's order kept, and nothing recorded
twice."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django_fsm import TransitionNotAllowed

from cdop.models import (
    AgencyInformation,
    ChildDeath,
    DeathDuplicate,
    DeathStatus,
    Expectation,
    MatchReason,
)
from cdop.services import progress
from hscb.models import GroupFunction, MeetingStatus
from hscb.services.meetings import link_choices, link_find
from tests.cdop.factories import AgencyInformationFactory, ChildDeathFactory
from tests.hscb.factories import AgencyFactory, MeetingFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2027, 3, 10)  # a Wednesday
DIED = TODAY - datetime.timedelta(days=3)


@pytest.fixture(autouse=True)
def wednesday():
    with time_machine.travel(
        timezone.make_aware(datetime.datetime.combine(TODAY, datetime.time(10))), tick=False
    ):
        yield


@pytest.fixture
def death(board):
    return ChildDeathFactory(died_on=DIED)


def messages_of(error: ValidationError, field: str | None = None) -> str:
    if field is None:
        return " ".join(error.messages)
    return " ".join(error.message_dict[field])


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


# The joint agency response ------------------------------------------------------------------


def test_the_joint_agency_response_to_an_unexpected_death_is_recorded(death, cdop_member):
    progress.death_record_jar(
        death=death,
        started_on=DIED,
        lead="Dr A Patel, designated doctor",
        summary="Home visit with the police the same day.",
        by=cdop_member,
    )
    death.refresh_from_db()
    assert death.jar_started_on == DIED
    assert death.jar_lead == "Dr A Patel, designated doctor"
    assert death.jar_summary == "Home visit with the police the same day."


def test_an_expected_death_has_no_joint_agency_response(board, cdop_member):
    expected = ChildDeathFactory(died_on=DIED, expectation=Expectation.EXPECTED)
    with pytest.raises(ValidationError) as error:
        progress.death_record_jar(
            death=expected, started_on=DIED, lead="Dr Patel", summary="-", by=cdop_member
        )
    assert "was expected" in messages_of(error.value)
    expected.refresh_from_db()
    assert expected.jar_started_on is None


@pytest.mark.parametrize(
    ("started_on", "message"),
    [
        (None, "Enter the date the response started"),
        (TODAY + datetime.timedelta(days=1), "must be today or in the past"),
        (DIED - datetime.timedelta(days=1), "on or after the date of death, 7 March 2027"),
    ],
)
def test_the_joint_agency_response_date_is_checked(death, cdop_member, started_on, message):
    with pytest.raises(ValidationError) as error:
        progress.death_record_jar(
            death=death, started_on=started_on, lead="Dr Patel", summary="Visit", by=cdop_member
        )
    assert message in messages_of(error.value, "started_on")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("lead", "", "Enter who led the response"),
        ("lead", "x" * 201, "200 characters or fewer"),
        ("summary", "   ", "Enter a summary of the response"),
        ("summary", "x" * 10001, "10,000 characters or fewer"),
        ("summary", "a\x00b", "must not contain null characters"),
    ],
)
def test_the_joint_agency_response_text_is_checked(death, cdop_member, field, value, message):
    data = {"lead": "Dr Patel", "summary": "Visit", field: value}
    with pytest.raises(ValidationError) as error:
        progress.death_record_jar(death=death, started_on=DIED, by=cdop_member, **data)
    assert message in messages_of(error.value, field)


def test_only_the_panel_team_records_progress(death, member):
    with pytest.raises(PermissionDenied):
        progress.death_record_jar(
            death=death, started_on=DIED, lead="Dr Patel", summary="Visit", by=member
        )


def test_nothing_is_recorded_on_a_closed_case(board, cdop_member):
    closed = ChildDeathFactory(died_on=DIED, status=DeathStatus.CLOSED)
    with pytest.raises(ValidationError) as error:
        progress.agency_information_request(
            death=closed, agency=AgencyFactory(), requested_on=TODAY, by=cdop_member
        )
    assert "is closed" in messages_of(error.value)


# Information from agencies --------------------------------------------------------------------


def test_the_first_request_for_information_starts_the_gathering(death, secretariat):
    police = AgencyFactory(name="Hertfordshire Constabulary")
    report = progress.agency_information_request(
        death=death, agency=police, requested_on=TODAY, by=secretariat
    )
    assert report.agency == police and report.requested_on == TODAY
    death.refresh_from_db()
    assert death.status == DeathStatus.GATHERING
    # A second agency is asked: the case stays where it is.
    progress.agency_information_request(
        death=death, agency=AgencyFactory(), requested_on=TODAY, by=secretariat
    )
    death.refresh_from_db()
    assert death.status == DeathStatus.GATHERING
    assert death.agency_reports.count() == 2


def test_the_same_agency_is_not_asked_twice(death, cdop_member):
    police = AgencyFactory(name="Hertfordshire Constabulary")
    progress.agency_information_request(
        death=death, agency=police, requested_on=DIED, by=cdop_member
    )
    with pytest.raises(ValidationError) as error:
        progress.agency_information_request(
            death=death, agency=police, requested_on=TODAY, by=cdop_member
        )
    assert messages_of(error.value, "agency") == (
        "Hertfordshire Constabulary was already asked for information on 7 March 2027"
    )
    assert AgencyInformation.objects.filter(death=death).count() == 1


def test_an_agency_that_no_longer_takes_part_is_not_asked(death, cdop_member):
    gone = AgencyFactory(name="Old Trust", is_active=False)
    with pytest.raises(ValidationError) as error:
        progress.agency_information_request(
            death=death, agency=gone, requested_on=TODAY, by=cdop_member
        )
    assert "Old Trust no longer takes part" in messages_of(error.value, "agency")


@pytest.mark.parametrize(
    ("requested_on", "message"),
    [
        (None, "Enter the date the information was asked for"),
        (TODAY + datetime.timedelta(days=1), "must be today or in the past"),
        (DIED - datetime.timedelta(days=1), "on or after the date of death"),
    ],
)
def test_the_request_date_is_checked(death, cdop_member, requested_on, message):
    with pytest.raises(ValidationError) as error:
        progress.agency_information_request(
            death=death, agency=AgencyFactory(), requested_on=requested_on, by=cdop_member
        )
    assert message in messages_of(error.value, "requested_on")
    death.refresh_from_db()
    assert death.status == DeathStatus.NOTIFIED


def test_information_received_is_recorded_once(death, cdop_member):
    report = AgencyInformationFactory(death=death, requested_on=DIED)
    progress.agency_information_receive(report=report, received_on=TODAY, by=cdop_member)
    report.refresh_from_db()
    assert report.received_on == TODAY
    with pytest.raises(ValidationError) as error:
        progress.agency_information_receive(report=report, received_on=TODAY, by=cdop_member)
    assert "already recorded as received on 10 March 2027" in messages_of(error.value)


@pytest.mark.parametrize(
    ("received_on", "message"),
    [
        (None, "Enter the date the information was received"),
        (TODAY + datetime.timedelta(days=2), "must be today or in the past"),
        (DIED, "on or after the date it was asked for, 8 March 2027"),
    ],
)
def test_information_is_not_received_before_it_was_asked_for(
    death, cdop_member, received_on, message
):
    report = AgencyInformationFactory(death=death, requested_on=DIED + datetime.timedelta(days=1))
    with pytest.raises(ValidationError) as error:
        progress.agency_information_receive(report=report, received_on=received_on, by=cdop_member)
    assert message in messages_of(error.value, "received_on")


# The child death review meeting ---------------------------------------------------------------


def test_the_review_meeting_moves_the_case_on_once(death, cdop_member):
    progress.death_record_review_meeting(death=death, held_on=TODAY, by=cdop_member)
    death.refresh_from_db()
    assert death.status == DeathStatus.REVIEW_MEETING
    assert death.review_meeting_on == TODAY
    with pytest.raises(ValidationError) as error:
        progress.death_record_review_meeting(death=death, held_on=TODAY, by=cdop_member)
    assert "already recorded as held on 10 March 2027" in messages_of(error.value)


@pytest.mark.parametrize(
    ("held_on", "message"),
    [
        (None, "Enter the date of the meeting"),
        (TODAY + datetime.timedelta(days=1), "must be today or in the past"),
        (DIED - datetime.timedelta(days=1), "on or after the date of death"),
        (datetime.datetime(2027, 3, 9, 10), "must be a real date"),
    ],
)
def test_the_review_meeting_date_is_checked(death, cdop_member, held_on, message):
    with pytest.raises(ValidationError) as error:
        progress.death_record_review_meeting(death=death, held_on=held_on, by=cdop_member)
    assert message in messages_of(error.value, "held_on")


def test_the_review_meeting_comes_before_the_panel(board, cdop_member):
    listed = ChildDeathFactory(died_on=DIED, status=DeathStatus.PANEL)
    with pytest.raises(ValidationError) as error:
        progress.death_record_review_meeting(death=listed, held_on=TODAY, by=cdop_member)
    assert "already listed for the panel" in messages_of(error.value)


def test_a_stale_case_is_refused_with_a_message(death, cdop_member):
    """The page was read before someone else closed the case: the service reads it again."""
    ChildDeath.objects.filter(pk=death.pk).update(status=DeathStatus.CLOSED)
    with pytest.raises(ValidationError) as error:
        progress.death_record_review_meeting(death=death, held_on=TODAY, by=cdop_member)
    assert "is closed" in messages_of(error.value)


# The panel meeting -----------------------------------------------------------------------------


def test_a_case_is_listed_for_a_panel_meeting_and_shows_on_its_agenda_links(
    board, death, cdop_member
):
    meeting = panel_meeting(board)
    progress.agency_information_request(
        death=death, agency=AgencyFactory(), requested_on=TODAY, by=cdop_member
    )
    progress.death_record_review_meeting(death=death, held_on=TODAY, by=cdop_member)
    progress.death_list_for_panel(death=death, meeting=meeting, by=cdop_member)
    death.refresh_from_db()
    assert death.status == DeathStatus.PANEL
    assert death.panel_meeting == meeting
    labels = [label for _heading, options in link_choices(meeting) for _v, label in options]
    assert f"Child death {death.reference}" in labels
    # An item finds it by its reference too, whatever the case.
    assert link_find(meeting, f" {death.reference.lower()} ") == death
    with pytest.raises(ValidationError, match="No record this item can be about"):
        link_find(meeting, f"{death.reference}0")
    # Moved to a later meeting: still listed.
    later = panel_meeting(board, days=40)
    progress.death_list_for_panel(death=death, meeting=later, by=cdop_member)
    death.refresh_from_db()
    assert death.panel_meeting == later and death.status == DeathStatus.PANEL


@pytest.mark.parametrize("status", [DeathStatus.NOTIFIED, DeathStatus.GATHERING])
def test_a_case_is_listed_for_the_panel_only_after_its_review_meeting(board, cdop_member, status):
    death = ChildDeathFactory(died_on=DIED, status=status)
    with pytest.raises(ValidationError) as error:
        progress.death_list_for_panel(death=death, meeting=panel_meeting(board), by=cdop_member)
    assert (
        f"Record the child death review meeting on {death.reference} first: a case is listed "
        "for the panel only after its child death review meeting"
    ) in messages_of(error.value)
    death.refresh_from_db()
    assert death.status == status and death.panel_meeting is None


def test_the_transition_itself_skips_no_step(board):
    """Whatever calls it: a case gathering information cannot be listed for the panel."""
    death = ChildDeathFactory(died_on=DIED, status=DeathStatus.GATHERING)
    with pytest.raises(TransitionNotAllowed):
        death.list_for_panel()


def test_only_a_panel_meeting_not_cancelled_is_chosen(board, cdop_member):
    gathering = ChildDeathFactory(died_on=DIED, status=DeathStatus.REVIEW_MEETING)
    other_group = MeetingFactory(group=board[GroupFunction.CASE_REVIEW])
    with pytest.raises(ValidationError) as error:
        progress.death_list_for_panel(death=gathering, meeting=other_group, by=cdop_member)
    assert "meeting of the Child Death Overview Panel" in messages_of(error.value, "meeting")
    cancelled = panel_meeting(board, status=MeetingStatus.CANCELLED)
    with pytest.raises(ValidationError) as error:
        progress.death_list_for_panel(death=gathering, meeting=cancelled, by=cdop_member)
    assert "cancelled" in messages_of(error.value, "meeting")
    before = panel_meeting(board, days=-30)
    with pytest.raises(ValidationError) as error:
        progress.death_list_for_panel(death=gathering, meeting=before, by=cdop_member)
    assert "on or after the date of death" in messages_of(error.value, "meeting")
    with pytest.raises(ValidationError) as error:
        progress.death_list_for_panel(death=gathering, meeting=None, by=cdop_member)
    assert "Choose the panel meeting" in messages_of(error.value, "meeting")


def test_a_case_is_not_listed_twice_for_the_same_meeting(board, cdop_member):
    meeting = panel_meeting(board)
    listed = ChildDeathFactory(died_on=DIED, status=DeathStatus.PANEL, panel_meeting=meeting)
    with pytest.raises(ValidationError) as error:
        progress.death_list_for_panel(death=listed, meeting=meeting, by=cdop_member)
    assert "already listed for this meeting" in messages_of(error.value, "meeting")


# Possible duplicates ---------------------------------------------------------------------------


def test_a_possible_duplicate_is_dismissed_once(board, cdop_member):
    first = ChildDeathFactory(died_on=DIED)
    second = ChildDeathFactory(died_on=DIED)
    flag = DeathDuplicate.objects.create(death=second, match=first, reason=MatchReason.NAME_AND_DOB)
    progress.duplicate_dismiss(duplicate=flag, by=cdop_member)
    flag.refresh_from_db()
    assert flag.dismissed_at is not None
    with pytest.raises(ValidationError) as error:
        progress.duplicate_dismiss(duplicate=flag, by=cdop_member)
    assert "already dismissed on 10 March 2027" in messages_of(error.value)
