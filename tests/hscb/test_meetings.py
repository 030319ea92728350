"""Meeting services: reading times, scheduling in London time, overlaps and cancelling; the
calendar file. Agendas and papers are in test_meetings_agenda.py, attendance and quorum in
test_attendance.py."""

from __future__ import annotations

import datetime

import icalendar
import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from hscb.forms.meetings import parse_time
from hscb.lib.calendar import CalendarEvent, event_ics, uid_for
from hscb.models import (
    Attendance,
    AttendanceStatus,
    Meeting,
    MeetingStatus,
)
from hscb.selectors import meetings as selectors
from hscb.services import meetings as services
from tests.hscb.factories import (
    ActionFactory,
    AgendaItemFactory,
    GroupFactory,
    MeetingFactory,
    UserFactory,
)
from tests.hscb.meeting_helpers import errors_of, in_days, london

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


def schedule(by, group, **overrides) -> Meeting:
    values = {
        "by": by,
        "group": group,
        "title": "",
        "date": (timezone.localdate() + datetime.timedelta(days=20)),
        "start": datetime.time(10, 0),
        "end": datetime.time(12, 0),
        "venue": "Council Chamber, County Hall",
        "online_link": "",
    }
    values.update(overrides)
    return services.meeting_schedule(**values)


# Reading times ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10:30", (10, 30)),
        ("10.30", (10, 30)),
        ("14:15", (14, 15)),
        ("2pm", (14, 0)),
        ("2:15pm", (14, 15)),
        ("2.15 p.m.", (14, 15)),
        ("12pm", (12, 0)),
        ("12:30am", (0, 30)),
        ("9 AM", (9, 0)),
        ("midday", (12, 0)),
        ("09:05", (9, 5)),
    ],
)
def test_times_are_read_as_people_type_them(text, expected):
    assert parse_time(text) == datetime.time(*expected)


@pytest.mark.parametrize(
    "text", ["2", "25:00", "10:75", "13pm", "0am", "ten", "10:3", "10:30:00", "-1:00", "2pn", ""]
)
def test_nonsense_times_are_refused(text):
    with pytest.raises(ValueError, match="Not a time"):
        parse_time(text)


# Scheduling ------------------------------------------------------------------------------------


def test_a_summer_meeting_is_stored_in_utc_an_hour_before_london_time(board, secretariat):
    group = GroupFactory()
    with time_machine.travel(london(2026, 1, 10), tick=False):
        summer = schedule(
            secretariat, group, date=datetime.date(2026, 7, 15), start=datetime.time(10, 30)
        )
        winter = schedule(
            secretariat,
            group,
            date=datetime.date(2026, 12, 1),
            start=datetime.time(10, 30),
            end=datetime.time(11, 30),
        )
    summer.refresh_from_db()
    winter.refresh_from_db()
    assert summer.starts_at == datetime.datetime(2026, 7, 15, 9, 30, tzinfo=UTC)
    assert summer.ends_at == datetime.datetime(2026, 7, 15, 11, 0, tzinfo=UTC)
    assert winter.starts_at == datetime.datetime(2026, 12, 1, 10, 30, tzinfo=UTC)
    assert timezone.localtime(summer.starts_at).hour == 10
    assert summer.created_by == secretariat


def test_a_time_the_clocks_skip_is_refused(board, secretariat):
    with (
        time_machine.travel(london(2026, 1, 10), tick=False),
        pytest.raises(ValidationError) as excinfo,
    ):
        schedule(
            secretariat,
            GroupFactory(),
            date=datetime.date(2026, 3, 29),
            start=datetime.time(1, 30),
            end=datetime.time(3, 0),
        )
    assert "clocks go forward" in errors_of(excinfo)["start_time"][0]
    assert not Meeting.objects.exists()


def test_a_meeting_must_end_after_it_starts(board, secretariat):
    with pytest.raises(ValidationError) as excinfo:
        schedule(secretariat, GroupFactory(), start=datetime.time(14), end=datetime.time(13))
    assert errors_of(excinfo)["end_time"] == ["The end time must be after the start time"]


def test_a_meeting_needs_a_venue_or_a_link(board, secretariat):
    with pytest.raises(ValidationError) as excinfo:
        schedule(secretariat, GroupFactory(), venue="  ", online_link="")
    assert "Enter a venue, an online meeting link, or both" in errors_of(excinfo)["venue"]
    online = schedule(secretariat, GroupFactory(), venue="", online_link="https://meet.example/a")
    assert online.venue == ""


def test_a_start_in_the_past_is_refused_unless_recording_a_past_meeting(board, secretariat):
    group = GroupFactory()
    last_week = timezone.localdate() - datetime.timedelta(days=7)
    with pytest.raises(ValidationError) as excinfo:
        schedule(secretariat, group, date=last_week)
    assert "must start in the future" in errors_of(excinfo)["date"][0]
    recorded = schedule(secretariat, group, date=last_week, recording_past=True)
    assert recorded.is_past
    assert recorded.status == MeetingStatus.SCHEDULED


def test_recording_a_past_meeting_with_a_future_date_is_refused(board, secretariat):
    with pytest.raises(ValidationError) as excinfo:
        schedule(secretariat, GroupFactory(), recording_past=True)
    assert "has not taken place yet" in errors_of(excinfo)["date"][0]


def test_a_held_meeting_in_the_past_can_have_its_details_changed(board, secretariat):
    meeting = MeetingFactory(starts_at=in_days(-3), ends_at=in_days(-3, 12))
    meeting.mark_held()
    meeting.save()
    local = timezone.localtime(meeting.starts_at)
    schedule(
        secretariat,
        meeting.group,
        meeting=meeting,
        date=local.date(),
        start=local.time(),
        end=datetime.time(12),
        venue="Room 2, Farnham House",
    )
    meeting.refresh_from_db()
    assert meeting.venue == "Room 2, Farnham House"
    assert meeting.status == MeetingStatus.HELD


def test_a_change_from_a_stale_copy_keeps_the_papers_sent_meanwhile(board, secretariat):
    meeting = MeetingFactory(title="Budget meeting")
    loaded = Meeting.objects.select_related("group").get(pk=meeting.pk)
    sent = timezone.now() - datetime.timedelta(minutes=5)
    Meeting.objects.filter(pk=meeting.pk).update(papers_requested_at=sent, papers_sent_at=sent)
    local = timezone.localtime(loaded.starts_at)
    schedule(
        secretariat,
        loaded.group,
        meeting=loaded,
        title="Extraordinary budget meeting",
        date=local.date(),
        start=local.time(),
        end=datetime.time(13),
    )
    meeting.refresh_from_db()
    assert meeting.title == "Extraordinary budget meeting"
    assert meeting.papers_requested_at == meeting.papers_sent_at == sent
    assert meeting.status == MeetingStatus.SCHEDULED


def test_a_change_from_a_stale_copy_keeps_the_quorum_recorded_meanwhile(board, secretariat):
    meeting = MeetingFactory(
        starts_at=in_days(-3), ends_at=in_days(-3, 12), status=MeetingStatus.HELD, quorate=False
    )
    loaded = Meeting.objects.select_related("group").get(pk=meeting.pk)
    # Attendance is recorded again while the details are being changed.
    Meeting.objects.filter(pk=meeting.pk).update(
        quorate=True, quorum_summary="Quorate: 3 members were present, 3 needed."
    )
    local = timezone.localtime(loaded.starts_at)
    schedule(
        secretariat,
        loaded.group,
        meeting=loaded,
        date=local.date(),
        start=local.time(),
        end=datetime.time(12),
        venue="Room 2, Farnham House",
    )
    meeting.refresh_from_db()
    assert meeting.venue == "Room 2, Farnham House"
    assert meeting.quorate is True
    assert meeting.quorum_summary == "Quorate: 3 members were present, 3 needed."
    assert meeting.status == MeetingStatus.HELD


def _with_business(meeting: Meeting, business: str) -> None:
    if business == "agenda items":
        AgendaItemFactory(meeting=meeting)
    elif business == "attendance":
        person = UserFactory()
        Attendance.objects.create(
            meeting=meeting, person=person, agency=person.agency, status=AttendanceStatus.PRESENT
        )
    else:
        ActionFactory(group=meeting.group, meeting=meeting)


@pytest.mark.parametrize("business", ["agenda items", "attendance", "actions"])
def test_a_meeting_with_business_cannot_move_to_another_group(board, secretariat, business):
    meeting = MeetingFactory()
    _with_business(meeting, business)
    local = timezone.localtime(meeting.starts_at)
    with pytest.raises(ValidationError) as excinfo:
        schedule(
            secretariat,
            GroupFactory(),
            meeting=Meeting.objects.get(pk=meeting.pk),
            date=local.date(),
            start=local.time(),
        )
    assert errors_of(excinfo) == {
        "group": [
            f"This meeting cannot move to another group because it already has {business}. "
            "Schedule a new meeting for the other group instead"
        ]
    }
    assert Meeting.objects.get(pk=meeting.pk).group_id == meeting.group_id


def test_the_refusal_to_move_names_everything_the_meeting_has(board, secretariat):
    meeting = MeetingFactory()
    for business in ("agenda items", "attendance", "actions"):
        _with_business(meeting, business)
    with pytest.raises(ValidationError) as excinfo:
        schedule(secretariat, GroupFactory(), meeting=meeting)
    assert "already has agenda items, attendance and actions." in errors_of(excinfo)["group"][0]


def test_a_meeting_with_nothing_on_it_yet_can_move_to_another_group(board, secretariat):
    meeting = MeetingFactory()
    other = GroupFactory()
    local = timezone.localtime(meeting.starts_at)
    schedule(secretariat, other, meeting=meeting, date=local.date(), start=local.time())
    assert Meeting.objects.get(pk=meeting.pk).group == other


def test_a_held_meeting_cannot_move_into_the_future(board, secretariat):
    meeting = MeetingFactory(
        starts_at=in_days(-3), ends_at=in_days(-3, 12), status=MeetingStatus.HELD
    )
    with pytest.raises(ValidationError) as excinfo:
        schedule(secretariat, meeting.group, meeting=meeting)  # 20 days ahead
    assert errors_of(excinfo) == {
        "date": [
            "This meeting has been held, so it cannot move to a time in the future. Enter the "
            "date and time it took place"
        ]
    }
    assert Meeting.objects.get(pk=meeting.pk).starts_at == in_days(-3)
    # Ticking “already taken place” does not add a second message.
    with pytest.raises(ValidationError) as excinfo:
        schedule(secretariat, meeting.group, meeting=meeting, recording_past=True)
    assert len(errors_of(excinfo)["date"]) == 1


def test_a_cancelled_meeting_cannot_be_changed(board, secretariat):
    meeting = MeetingFactory(status=MeetingStatus.CANCELLED)
    with pytest.raises(ValidationError, match="cancelled"):
        schedule(secretariat, meeting.group, meeting=meeting)


def test_an_overlapping_meeting_of_the_same_group_is_flagged_until_confirmed(board, secretariat):
    group = GroupFactory(name="Audit subgroup test")
    day = timezone.localdate() + datetime.timedelta(days=20)
    first = schedule(secretariat, group, date=day, start=datetime.time(10), end=datetime.time(12))
    with pytest.raises(services.MeetingOverlaps) as excinfo:
        schedule(secretariat, group, date=day, start=datetime.time(11), end=datetime.time(13))
    assert excinfo.value.meetings == [first]
    assert "Audit subgroup test meeting" in excinfo.value.messages[0]
    assert "10:00am to 12:00pm" in excinfo.value.messages[0]
    assert Meeting.objects.count() == 1

    second = schedule(
        secretariat,
        group,
        date=day,
        start=datetime.time(11),
        end=datetime.time(13),
        allow_overlap=True,
    )
    assert Meeting.objects.count() == 2
    assert selectors.meeting_page(second).overlaps == [first]


def test_meetings_that_only_touch_or_are_cancelled_or_of_other_groups_do_not_overlap(
    board, secretariat
):
    group = GroupFactory()
    day = timezone.localdate() + datetime.timedelta(days=20)
    first = schedule(secretariat, group, date=day, start=datetime.time(10), end=datetime.time(12))
    schedule(secretariat, group, date=day, start=datetime.time(12), end=datetime.time(13))
    schedule(secretariat, GroupFactory(), date=day, start=datetime.time(10), end=datetime.time(12))
    services.meeting_cancel(meeting=first, by=secretariat)
    schedule(secretariat, group, date=day, start=datetime.time(10), end=datetime.time(11))
    # Changing a meeting's own details does not flag it against itself.
    first_again = Meeting.objects.filter(group=group, status=MeetingStatus.SCHEDULED).first()
    schedule(
        secretariat,
        group,
        meeting=first_again,
        date=day,
        start=datetime.time(10),
        end=datetime.time(11),
        venue="Another room",
    )


# Cancelling ------------------------------------------------------------------------------------


def test_cancelling_keeps_the_agenda_and_refuses_a_second_time(board, secretariat):
    meeting = MeetingFactory()
    AgendaItemFactory(meeting=meeting)
    services.meeting_cancel(meeting=meeting, by=secretariat)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CANCELLED
    assert meeting.items.count() == 1
    with pytest.raises(ValidationError, match="Only a scheduled meeting can be cancelled"):
        services.meeting_cancel(meeting=meeting, by=secretariat)


def test_cancelling_a_stale_copy_is_refused_not_crashed(board, secretariat):
    meeting = MeetingFactory()
    stale = Meeting.objects.get(pk=meeting.pk)
    Meeting.objects.filter(pk=meeting.pk).update(status=MeetingStatus.HELD)
    with pytest.raises(ValidationError, match="Someone else changed"):
        services.meeting_cancel(meeting=stale, by=secretariat)
    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.HELD


# The calendar file -----------------------------------------------------------------------------


def test_the_calendar_file_reads_back_with_times_in_utc():
    event = CalendarEvent(
        uid=uid_for("meeting", 7, "https://board.example.org"),
        starts=london(2027, 7, 14, 10),
        ends=london(2027, 7, 14, 12),
        summary="Improving Outcomes subgroup meeting",
        location="County Hall, https://meet.example.org/io",
        url="https://board.example.org/meetings/7/",
        description_lines=["Agenda:", "1. Neglect strategy"],
        cancelled=True,
    )
    calendar = icalendar.Calendar.from_ical(event_ics(event))
    assert calendar["METHOD"] == "PUBLISH"
    (vevent,) = calendar.walk("VEVENT")
    assert str(vevent["UID"]) == "meeting-7@board.example.org"
    assert vevent.decoded("DTSTART") == datetime.datetime(2027, 7, 14, 9, 0, tzinfo=UTC)
    assert vevent.decoded("DTEND") == datetime.datetime(2027, 7, 14, 11, 0, tzinfo=UTC)
    assert "DTSTAMP" in vevent
    assert str(vevent["SUMMARY"]) == "Improving Outcomes subgroup meeting"
    assert str(vevent["LOCATION"]) == "County Hall, https://meet.example.org/io"
    assert str(vevent["URL"]) == "https://board.example.org/meetings/7/"
    assert "1. Neglect strategy" in str(vevent["DESCRIPTION"])
    assert str(vevent["STATUS"]) == "CANCELLED"
    assert b"DTSTART:20270714T090000Z" in event_ics(event)
