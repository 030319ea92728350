"""What each role sees on the meeting pages and what the scheduling forms do: the forward
plan, the meeting's page, scheduling and cancelling, the agenda pack and calendar file, and the
admin; lists and the meeting page run a fixed number of queries. Agenda items, papers,
attendance and minutes are in test_meetings_agenda_views.py."""

from __future__ import annotations

import datetime

import icalendar
import pytest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import escape

from hscb.models import (
    Attendance,
    AttendanceStatus,
    Meeting,
    MeetingStatus,
    Paper,
)
from tests.hscb.factories import (
    ActionFactory,
    AgencyFactory,
    AgendaItemFactory,
    GroupFactory,
    MeetingFactory,
    PaperFactory,
    UserFactory,
)
from tests.hscb.meeting_helpers import in_days, page
from tests.hscb.test_bad_input import assert_error_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def cdop(board):
    return board["child_death_overview"]


# The forward plan ------------------------------------------------------------------------------


def test_forward_plan_shows_a_members_groups_with_agendas(client, io, cdop, member):
    meeting = MeetingFactory(group=io, starts_at=in_days(7, 14), ends_at=in_days(7, 16))
    AgendaItemFactory(meeting=meeting, title="Neglect strategy", presenter=member, order=1)
    AgendaItemFactory(meeting=meeting, title="Data dashboard", minutes_allotted=20, order=2)
    MeetingFactory(group=cdop, title="Panel meeting on deaths")
    text = page(client, member, "/meetings/")
    assert "Neglect strategy" in text
    assert escape(member.get_full_name()) in text
    assert "2:15pm" in text  # the second item starts after the first's 15 minutes
    assert f'href="/meetings/{meeting.pk}/agenda.pdf"' in text
    assert f'href="/meetings/{meeting.pk}/invitation.ics"' in text
    assert "Panel meeting on deaths" not in text
    assert "Schedule a meeting" not in text


def test_forward_plan_shows_active_groups_to_the_secretariat_and_board_chair(
    client, io, cdop, secretariat, board_chair
):
    MeetingFactory(group=io, title="IO meeting")
    MeetingFactory(group=cdop, title="CDOP meeting")
    MeetingFactory(group=GroupFactory(is_active=False), title="Disbanded group meeting")
    for user in (secretariat, board_chair):
        text = page(client, user, "/meetings/")
        assert "IO meeting" in text
        assert "Disbanded group meeting" not in text
    # The panel handles children's personal records: its meetings are for its members and the
    # secretariat only.
    assert "CDOP meeting" in page(client, secretariat, "/meetings/")
    assert "CDOP meeting" not in page(client, board_chair, "/meetings/")
    assert "Schedule a meeting" in page(client, secretariat, "/meetings/")
    assert "Schedule a meeting" not in page(client, board_chair, "/meetings/")


def test_forward_plan_filters_by_group_and_refuses_groups_not_followed(
    client, io, cdop, board, secretariat, member
):
    MeetingFactory(group=io, title="IO meeting")
    MeetingFactory(group=cdop, title="CDOP meeting")
    text = page(client, secretariat, f"/meetings/?group={cdop.slug}")
    assert "CDOP meeting" in text
    assert "IO meeting" not in text
    assert "showing the Child Death Overview Panel only" in text
    assert f'<option value="{cdop.slug}" selected>' in text

    text = page(client, member, f"/meetings/?group={cdop.slug}")
    assert "There is a problem" in text
    assert "Choose a group from the list" in text
    assert "CDOP meeting" not in text
    assert f'<option value="{cdop.slug}"' not in text  # only groups the member follows
    assert f'<option value="{io.slug}"' in text


def test_past_meetings_are_listed_latest_first_with_cancelled_ones(client, io, member):
    MeetingFactory(group=io, title="Next quarterly")
    MeetingFactory(
        group=io, title="Older meeting", starts_at=in_days(-60), ends_at=in_days(-60, 12)
    )
    MeetingFactory(group=io, title="Recent meeting", starts_at=in_days(-7), ends_at=in_days(-7, 12))
    MeetingFactory(group=io, title="Called off", status=MeetingStatus.CANCELLED)
    coming = page(client, member, "/meetings/")
    assert "Next quarterly" in coming
    assert "Called off" not in coming
    assert "Recent meeting" not in coming
    past = page(client, member, "/meetings/?when=past")
    assert "Past meetings" in past
    assert "Next quarterly" not in past
    assert past.index("Called off") < past.index("Recent meeting") < past.index("Older meeting")
    assert "Cancelled" in past
    assert "Attendance not recorded" in past
    assert 'name="when" value="past"' in past  # filtering keeps to past meetings


def test_forward_plan_is_paginated(client, io, member):
    for n in range(23):
        MeetingFactory(
            group=io,
            title=f"Meeting number {n:02}",
            starts_at=in_days(n + 1),
            ends_at=in_days(n + 1, 12),
        )
    first = page(client, member, "/meetings/")
    assert "Meeting number 00" in first
    assert "Meeting number 20" not in first
    assert "Page 1 of 2" in first
    second = page(client, member, "/meetings/?page=2")
    assert "Meeting number 22" in second
    assert "Meeting number 00" not in second
    assert "Page 2 of 2" in page(client, member, "/meetings/?page=99")


def test_forward_plan_runs_a_fixed_number_of_queries(
    client, io, cdop, member, secretariat, django_assert_max_num_queries
):
    def grow():
        for group in (io, cdop):
            meeting = MeetingFactory(group=group)
            AgendaItemFactory.create_batch(3, meeting=meeting, presenter=UserFactory())
            AgendaItemFactory(meeting=meeting, presenter_name="A guest")

    for user in (member, secretariat):
        client.force_login(user)
        grow()
        with django_assert_max_num_queries(30) as first:
            assert client.get("/meetings/").status_code == 200
        grow()
        grow()
        with django_assert_max_num_queries(len(first.captured_queries)):
            assert client.get("/meetings/").status_code == 200


# The meeting's page ----------------------------------------------------------------------------


@pytest.fixture
def held_meeting(io, member, group_chair, secretariat):
    """A meeting of Improving Outcomes that was held yesterday, with an agenda, a paper,
    attendance, minutes and an action."""
    meeting = MeetingFactory(group=io, starts_at=in_days(-1), ends_at=in_days(-1, 12))
    action = ActionFactory(group=io, title="Write to every school", owner=member, meeting=meeting)
    item = AgendaItemFactory(
        meeting=meeting,
        title="Neglect strategy",
        presenter=group_chair,
        minutes="The draft was discussed.",
        decisions="The strategy was agreed.",
        order=1,
    )
    item.linked = action
    item.save()
    AgendaItemFactory(meeting=meeting, title="Any other business", presenter_name="Dr Guest")
    PaperFactory(item=item, title="Neglect strategy draft", uploaded_by=secretariat)
    Attendance.objects.create(
        meeting=meeting,
        person=group_chair,
        agency=group_chair.agency,
        status=AttendanceStatus.PRESENT,
        is_member=True,
    )
    Attendance.objects.create(
        meeting=meeting,
        person=member,
        agency=member.agency,
        status=AttendanceStatus.APOLOGIES,
        is_member=True,
    )
    Meeting.objects.filter(pk=meeting.pk).update(
        status=MeetingStatus.HELD,
        quorate=False,
        quorum_summary="Not quorate: 1 of 3 members needed were present.",
    )
    meeting.refresh_from_db()
    return meeting


def test_meeting_page_shows_agenda_papers_minutes_attendance_and_actions(
    client, held_meeting, member, group_chair
):
    text = page(client, member, f"/meetings/{held_meeting.pk}/")
    paper = Paper.objects.get()
    assert "Neglect strategy" in text
    assert escape(group_chair.get_full_name()) in text
    assert "Dr Guest" in text
    assert f'href="/papers/{paper.pk}/"' in text
    assert "Neglect strategy draft</a> (PDF, " in text
    assert "The draft was discussed." in text
    assert "The strategy was agreed." in text
    assert "Not quorate: 1 of 3 members needed were present." in text
    assert "Sent apologies" in text
    assert "1 present, 1 sent apologies, 0 absent" in text
    action = held_meeting.actions.get()
    assert f'href="/actions/{action.pk}/"' in text
    assert "Write to every school" in text
    assert "Held" in text
    # Members see the meeting but do not manage it or create actions.
    assert "Record attendance" not in text
    assert f"/meetings/{held_meeting.pk}/actions/new/" not in text


def test_chairs_may_create_actions_and_the_secretariat_manages_everything(
    client, held_meeting, group_chair, secretariat
):
    chair = page(client, group_chair, f"/meetings/{held_meeting.pk}/")
    assert f'href="/meetings/{held_meeting.pk}/actions/new/"' in chair
    assert "Record attendance" not in chair
    staff = page(client, secretariat, f"/meetings/{held_meeting.pk}/")
    for url in [
        f"/meetings/{held_meeting.pk}/change/",
        f"/meetings/{held_meeting.pk}/items/new/",
        f"/meetings/{held_meeting.pk}/attendance/",
        f"/meetings/{held_meeting.pk}/actions/new/",
    ]:
        assert f'href="{url}"' in staff, url
    item = held_meeting.items.order_by("order").first()
    assert f'href="/meetings/{held_meeting.pk}/items/{item.pk}/papers/new/"' in staff
    assert f'href="/meetings/{held_meeting.pk}/items/{item.pk}/minutes/"' in staff
    # A held meeting cannot be cancelled, and its papers are no longer sent.
    assert f'href="/meetings/{held_meeting.pk}/cancel/"' not in staff
    assert f'href="/meetings/{held_meeting.pk}/send-papers/"' not in staff


def test_a_linked_action_is_shown_by_its_label_with_a_link(client, held_meeting, member):
    action = held_meeting.actions.get()
    text = page(client, member, f"/meetings/{held_meeting.pk}/")
    assert (
        f'About: <a class="govuk-link" href="/actions/{action.pk}/">Action {action.pk}: '
        "Write to every school</a>"
    ) in text


@pytest.fixture
def child_records():
    """Agencies standing in for a later app's records about a child, registered as linkable
    with a safe label and seen only by the secretariat. Their names play a child's name."""
    from hscb.models import Agency
    from hscb.services import meetings as services

    services.register_linkable(
        Agency,
        heading="Child records",
        records=lambda meeting: Agency.objects.all(),
        label=lambda record: f"Child record {record.pk}",
        can_see=lambda user, record: user.has_perm("hscb.manage_meetings"),
    )
    yield
    services.LINKABLE.pop("hscb.agency", None)


def test_a_linked_record_is_named_only_to_those_who_may_see_it(
    client, held_meeting, member, secretariat, child_records
):
    child = AgencyFactory(name="Jane O'Doe, born 1 May 2015")
    item = AgendaItemFactory(meeting=held_meeting, title="Rapid review")
    item.linked = child
    item.save()
    text = page(client, member, f"/meetings/{held_meeting.pk}/")
    assert "A linked agency you do not have access to" in text
    assert f"Child record {child.pk}" not in text
    assert "Doe" not in text
    text = page(client, secretariat, f"/meetings/{held_meeting.pk}/")
    assert f"About: Child record {child.pk}" in text
    assert "Doe" not in text  # even to those who may see it: only the safe label


def test_the_agenda_pack_is_built_for_the_person_downloading_it(
    client, held_meeting, member, child_records, monkeypatch
):
    child = AgencyFactory(name="Jane Doe")
    item = AgendaItemFactory(meeting=held_meeting, title="Rapid review")
    item.linked = child
    item.save()
    rendered = []
    monkeypatch.setattr(
        "hscb.views.meetings.render_pdf",
        lambda template, context: rendered.append(render_to_string(template, context)) or b"%PDF-",
    )
    client.force_login(member)
    assert client.get(f"/meetings/{held_meeting.pk}/agenda.pdf").status_code == 200
    action = held_meeting.actions.get()
    assert f"About: Action {action.pk}: Write to every school" in rendered[0]
    assert "A linked agency you do not have access to" in rendered[0]
    assert "Jane Doe" not in rendered[0]


def test_meeting_page_warns_of_overlaps(client, io, secretariat):
    first = MeetingFactory(group=io, title="First meeting")
    MeetingFactory(group=io, title="Second meeting", starts_at=first.starts_at)
    text = page(client, secretariat, f"/meetings/{first.pk}/")
    assert "This meeting overlaps" in text
    assert "Second meeting" in text


def test_meeting_page_runs_a_fixed_number_of_queries(
    client, held_meeting, secretariat, django_assert_max_num_queries
):
    def grow():
        item = AgendaItemFactory(meeting=held_meeting, presenter=UserFactory())
        item.linked = ActionFactory(group=held_meeting.group)
        item.save()
        PaperFactory.create_batch(2, item=item)
        ActionFactory(group=held_meeting.group, meeting=held_meeting)
        person = UserFactory()
        Attendance.objects.create(
            meeting=held_meeting, person=person, agency=person.agency, status="present"
        )

    client.force_login(secretariat)
    url = f"/meetings/{held_meeting.pk}/"
    grow()
    with django_assert_max_num_queries(30) as first:
        assert client.get(url).status_code == 200
    grow()
    grow()
    with django_assert_max_num_queries(len(first.captured_queries)):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("viewer", ["board_chair", "member"])
def test_meeting_page_with_linked_records_of_two_kinds_runs_a_fixed_number_of_queries(
    client, request, held_meeting, child_records, django_assert_max_num_queries, viewer
):
    def grow():
        for record in (ActionFactory(group=held_meeting.group), AgencyFactory()):
            item = AgendaItemFactory(meeting=held_meeting)
            item.linked = record
            item.save()

    client.force_login(request.getfixturevalue(viewer))
    url = f"/meetings/{held_meeting.pk}/"
    grow()
    with django_assert_max_num_queries(30) as first:
        text = client.get(url).content.decode()
    assert "A linked agency you do not have access to" in text
    grow()
    grow()
    with django_assert_max_num_queries(len(first.captured_queries)):
        text = client.get(url).content.decode()
    assert text.count("A linked agency you do not have access to") == 3
    assert text.count('About: <a class="govuk-link" href="/actions/') == 4


# Scheduling ------------------------------------------------------------------------------------


def meeting_data(group, **overrides) -> dict[str, str]:
    day = timezone.localdate() + datetime.timedelta(days=30)
    data = {
        "group": str(group.pk),
        "title": "",
        "date_0": str(day.day),
        "date_1": str(day.month),
        "date_2": str(day.year),
        "start_time": "10.30",
        "end_time": "12:30pm",
        "venue": "Council Chamber, County Hall",
        "online_link": "",
    }
    data.update(overrides)
    return data


def test_secretariat_schedules_a_meeting(client, io, secretariat):
    client.force_login(secretariat)
    response = client.post("/meetings/new/", meeting_data(io, online_link="meet.example.org/io"))
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/meetings/{meeting.pk}/"
    local = timezone.localtime(meeting.starts_at)
    assert (local.hour, local.minute) == (10, 30)
    assert timezone.localtime(meeting.ends_at).hour == 12
    assert meeting.online_link == "https://meet.example.org/io"
    assert meeting.created_by == secretariat
    text = client.get(response["Location"]).content.decode()
    assert "The Improving Outcomes subgroup meeting has been scheduled." in text


def test_a_refused_meeting_keeps_what_was_typed(client, io, secretariat):
    client.force_login(secretariat)
    response = client.post(
        "/meetings/new/",
        meeting_data(io, venue="", title="Extraordinary meeting", end_time="9am"),
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in text
    assert "Enter a venue, an online meeting link, or both" in text
    assert "The end time must be after the start time" in text
    assert 'value="Extraordinary meeting"' in text
    assert 'value="10.30"' in text
    assert 'value="9am"' in text
    assert not Meeting.objects.exists()


def test_nonsense_times_get_a_govuk_message(client, io, secretariat):
    client.force_login(secretariat)
    response = client.post("/meetings/new/", meeting_data(io, start_time="25:99"))
    text = response.content.decode()
    assert "Enter the start time as a real time, like 10:30 or 2pm" in text
    assert 'href="#id_start_time"' in text
    assert 'value="25:99"' in text


def test_a_past_meeting_can_be_recorded_when_ticked(client, io, secretariat):
    client.force_login(secretariat)
    last_week = timezone.localdate() - datetime.timedelta(days=7)
    past = {
        "date_0": str(last_week.day),
        "date_1": str(last_week.month),
        "date_2": str(last_week.year),
    }
    refused = client.post("/meetings/new/", meeting_data(io, **past)).content.decode()
    assert "The meeting must start in the future" in refused
    response = client.post("/meetings/new/", meeting_data(io, already_held="on", **past))
    assert response.status_code == 302
    assert Meeting.objects.get().is_past


def test_an_overlap_is_flagged_and_can_be_scheduled_anyway(client, io, secretariat):
    client.force_login(secretariat)
    client.post("/meetings/new/", meeting_data(io, title="Planning day"))
    response = client.post("/meetings/new/", meeting_data(io, start_time="11am", end_time="1pm"))
    text = response.content.decode()
    assert response.status_code == 200
    assert "This meeting would overlap another meeting of the same group" in text
    assert "Planning day" in text
    assert "Schedule it anyway" in text
    assert Meeting.objects.count() == 1
    response = client.post(
        "/meetings/new/",
        meeting_data(io, start_time="11am", end_time="1pm", schedule_anyway="on"),
    )
    assert response.status_code == 302
    assert Meeting.objects.count() == 2


def test_the_schedule_anyway_box_shows_only_when_there_is_an_overlap(client, io, secretariat):
    text = page(client, secretariat, "/meetings/new/")
    assert "Schedule it anyway" not in text
    assert "This meeting has already taken place" in text


def test_only_active_groups_can_be_chosen(client, secretariat, board):
    gone = GroupFactory(name="Disbanded group", is_active=False)
    text = page(client, secretariat, "/meetings/new/")
    assert "Disbanded group" not in text
    client.force_login(secretariat)
    response = client.post("/meetings/new/", meeting_data(gone))
    assert "Choose a group from the list" in response.content.decode()


def test_editing_prefills_the_form_in_london_time_and_saves(client, io, secretariat):
    meeting = MeetingFactory(
        group=io,
        starts_at=timezone.make_aware(datetime.datetime(2027, 7, 14, 14, 15)),
        ends_at=timezone.make_aware(datetime.datetime(2027, 7, 14, 16, 0)),
    )
    text = page(client, secretariat, f"/meetings/{meeting.pk}/change/")
    assert 'value="14:15"' in text
    assert 'value="16:00"' in text
    assert 'value="2027"' in text
    response = client.post(
        f"/meetings/{meeting.pk}/change/",
        meeting_data(
            io,
            date_0="14",
            date_1="7",
            date_2="2027",
            start_time="14:15",
            end_time="4pm",
            venue="Room 5",
            title="Summer meeting",
        ),
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.venue == "Room 5"
    assert meeting.title == "Summer meeting"
    assert meeting.starts_at == datetime.datetime(2027, 7, 14, 13, 15, tzinfo=datetime.UTC)


def test_a_meeting_with_an_agenda_cannot_be_moved_to_another_group(client, io, cdop, secretariat):
    meeting = MeetingFactory(group=io)
    AgendaItemFactory(meeting=meeting)
    local = timezone.localtime(meeting.starts_at)
    client.force_login(secretariat)
    response = client.post(
        f"/meetings/{meeting.pk}/change/",
        meeting_data(
            cdop,
            date_0=str(local.day),
            date_1=str(local.month),
            date_2=str(local.year),
            start_time=f"{local:%H:%M}",
        ),
    )
    text = assert_error_page(response, "group")
    assert ("This meeting cannot move to another group because it already has agenda items") in text
    assert Meeting.objects.get(pk=meeting.pk).group == io


def test_a_held_meeting_cannot_be_moved_into_the_future(client, held_meeting, secretariat):
    client.force_login(secretariat)
    response = client.post(f"/meetings/{held_meeting.pk}/change/", meeting_data(held_meeting.group))
    text = assert_error_page(response, "date")
    assert "This meeting has been held, so it cannot move to a time in the future" in text
    assert Meeting.objects.get(pk=held_meeting.pk).starts_at == held_meeting.starts_at


def test_cancelling_asks_first_then_cancels(client, io, secretariat):
    meeting = MeetingFactory(group=io)
    text = page(client, secretariat, f"/meetings/{meeting.pk}/cancel/")
    assert "Cancel this meeting?" in text
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.SCHEDULED
    response = client.post(f"/meetings/{meeting.pk}/cancel/", {"submit": "Cancel the meeting"})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CANCELLED
    text = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert "has been cancelled" in text
    assert f'href="/meetings/{meeting.pk}/change/"' not in text


def test_cancelling_a_held_meeting_is_answered_with_a_message(client, held_meeting, secretariat):
    client.force_login(secretariat)
    response = client.post(f"/meetings/{held_meeting.pk}/cancel/", follow=True)
    assert response.status_code == 200
    assert "Only a scheduled meeting can be cancelled. This one is held." in (
        response.content.decode()
    )
    assert Meeting.objects.get(pk=held_meeting.pk).status == MeetingStatus.HELD


def test_a_cancelled_meeting_cannot_be_edited_or_given_items(client, io, secretariat):
    meeting = MeetingFactory(group=io, status=MeetingStatus.CANCELLED)
    client.force_login(secretariat)
    for url in ["change/", "items/new/", "attendance/"]:
        response = client.get(f"/meetings/{meeting.pk}/{url}", follow=True)
        assert "cancelled" in response.content.decode(), url
        assert response.redirect_chain[-1][0] == f"/meetings/{meeting.pk}/"


# The agenda pack and calendar file -------------------------------------------------------------


def test_the_agenda_pack_downloads_as_a_pdf(client, io, member):
    meeting = MeetingFactory(group=io, starts_at=in_days(10), ends_at=in_days(10, 12))
    AgendaItemFactory(meeting=meeting, title="Neglect strategy")
    client.force_login(member)
    response = client.get(f"/meetings/{meeting.pk}/agenda.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    day = timezone.localtime(meeting.starts_at).date()
    assert response["Content-Disposition"] == (
        f'attachment; filename="agenda-improving-outcomes-{day:%Y-%m-%d}.pdf"'
    )
    assert response.content.startswith(b"%PDF-")


def test_the_calendar_file_describes_the_meeting(client, io, member, settings):
    settings.SITE_URL = "https://board.example.org"
    meeting = MeetingFactory(group=io, online_link="https://meet.example.org/io")
    AgendaItemFactory(meeting=meeting, title="Neglect strategy")
    client.force_login(member)
    response = client.get(f"/meetings/{meeting.pk}/invitation.ics")
    assert response["Content-Type"].startswith("text/calendar")
    (event,) = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    assert str(event["UID"]) == f"meeting-{meeting.pk}@board.example.org"
    assert event.decoded("DTSTART") == meeting.starts_at.astimezone(datetime.UTC)
    assert str(event["SUMMARY"]) == "Improving Outcomes subgroup meeting"
    assert "https://meet.example.org/io" in str(event["LOCATION"])
    assert "Committee Room 1" in str(event["LOCATION"])
    assert str(event["URL"]) == f"https://board.example.org/meetings/{meeting.pk}/"
    assert "1. Neglect strategy" in str(event["DESCRIPTION"])
    assert str(event["STATUS"]) == "CONFIRMED"
    Meeting.objects.filter(pk=meeting.pk).update(status=MeetingStatus.CANCELLED)
    response = client.get(f"/meetings/{meeting.pk}/invitation.ics")
    (event,) = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    assert str(event["STATUS"]) == "CANCELLED"


# The admin -------------------------------------------------------------------------------------


def test_the_meeting_admin_is_read_only_and_links_the_papers(admin_client, held_meeting):
    paper = Paper.objects.get()
    text = admin_client.get(f"/admin/hscb/meeting/{held_meeting.pk}/change/").content.decode()
    assert f'href="/papers/{paper.pk}/"' in text
    assert "Neglect strategy" in text
    assert f'href="/meetings/{held_meeting.pk}/"' in text
    assert 'name="venue"' not in text  # nothing to type into
    assert admin_client.get("/admin/hscb/meeting/add/").status_code == 403
    assert admin_client.get(f"/admin/hscb/meeting/{held_meeting.pk}/delete/").status_code == 403


def test_a_wrong_paper_can_be_deleted_in_the_admin_with_its_file(
    admin_client, held_meeting, django_capture_on_commit_callbacks
):
    paper = Paper.objects.get()
    storage, name = paper.file.storage, paper.file.name
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(f"/admin/hscb/paper/{paper.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Paper.objects.exists()
    assert not storage.exists(name)
    assert "/media/" not in admin_client.get("/admin/hscb/paper/").content.decode()


def test_the_meeting_and_paper_admin_lists_run_a_fixed_number_of_queries(
    admin_client, io, django_assert_max_num_queries
):
    def grow():
        for _ in range(3):
            meeting = MeetingFactory(group=GroupFactory())
            PaperFactory(item=AgendaItemFactory(meeting=meeting))

    for url in ["/admin/hscb/meeting/", "/admin/hscb/paper/"]:
        grow()
        with django_assert_max_num_queries(30) as first:
            assert admin_client.get(url).status_code == 200
        grow()
        with django_assert_max_num_queries(len(first.captured_queries)):
            assert admin_client.get(url).status_code == 200
