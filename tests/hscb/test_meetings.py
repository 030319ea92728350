"""Meeting services: scheduling in London time, overlaps, cancelling, agendas, papers and sending
them, attendance and quorum; the agenda pack PDF and the calendar file."""

from __future__ import annotations

import datetime
from smtplib import SMTPException
from unittest import mock

import icalendar
import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from hscb.forms.meetings import parse_time
from hscb.lib.calendar import CalendarEvent, event_ics, uid_for
from hscb.lib.pdf import html_to_pdf, render_pdf
from hscb.models import (
    Action,
    Agency,
    AgendaItem,
    Attendance,
    AttendanceStatus,
    Meeting,
    MeetingStatus,
    MembershipRole,
    Paper,
)
from hscb.rules import roles_of
from hscb.selectors import meetings as selectors
from hscb.services import meetings as services
from hscb.services.meetings import AttendanceRow
from hscb.tasks import send_meeting_papers
from tests.hscb.factories import (
    PDF_BYTES,
    ActionFactory,
    AgencyFactory,
    AgendaItemFactory,
    GroupFactory,
    MeetingFactory,
    MembershipFactory,
    PaperFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


def london(year, month, day, hour=10, minute=0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(year, month, day, hour, minute))


def in_days(days: int, hour: int = 10) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


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


def errors_of(excinfo) -> dict[str, list[str]]:
    return excinfo.value.message_dict


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


# Agenda items ----------------------------------------------------------------------------------


def test_items_go_last_by_default_and_can_be_put_anywhere(board, secretariat):
    meeting = MeetingFactory()
    first = services.item_save(
        meeting=meeting, by=secretariat, title="Apologies", minutes_allotted=5
    )
    second = services.item_save(
        meeting=meeting, by=secretariat, title="Minutes", minutes_allotted=10
    )
    top = services.item_save(
        meeting=meeting, by=secretariat, title="Welcome", minutes_allotted=5, position=1
    )
    assert [i.title for i in meeting.items.order_by("order")] == ["Welcome", "Apologies", "Minutes"]
    assert list(meeting.items.order_by("order").values_list("order", flat=True)) == [1, 2, 3]
    services.item_save(
        meeting=meeting, item=top, by=secretariat, title="Welcome", minutes_allotted=5, position=3
    )
    assert [i.pk for i in meeting.items.order_by("order")] == [first.pk, second.pk, top.pk]
    # A changed item without a position stays where it is.
    services.item_save(meeting=meeting, item=first, by=secretariat, title="Apologies for absence")
    assert meeting.items.order_by("order").first().title == "Apologies for absence"


def test_changing_an_item_from_a_stale_copy_keeps_the_minutes_written_meanwhile(board, secretariat):
    meeting = MeetingFactory(starts_at=in_days(-1), ends_at=in_days(-1, 12))
    item = AgendaItemFactory(meeting=meeting, title="Budget", order=1)
    loaded = AgendaItem.objects.get(pk=item.pk)
    AgendaItem.objects.filter(pk=item.pk).update(
        minutes="The budget was discussed.", decisions="The budget was agreed."
    )
    services.item_save(
        meeting=meeting, item=loaded, by=secretariat, title="Budget 2027", minutes_allotted=20
    )
    item.refresh_from_db()
    assert (item.title, item.minutes_allotted) == ("Budget 2027", 20)
    assert item.minutes == "The budget was discussed."
    assert item.decisions == "The budget was agreed."


def test_an_item_position_beyond_the_end_is_refused(board, secretariat):
    meeting = MeetingFactory()
    with pytest.raises(ValidationError) as excinfo:
        services.item_save(meeting=meeting, by=secretariat, title="X", position=3)
    assert errors_of(excinfo)["position"] == ["The position must be between 1 and 1"]
    assert not meeting.items.exists()


def test_an_item_has_a_presenter_or_a_presenter_name_not_both(board, secretariat, member):
    meeting = MeetingFactory()
    with pytest.raises(ValidationError) as excinfo:
        services.item_save(
            meeting=meeting, by=secretariat, title="X", presenter=member, presenter_name="Guest"
        )
    assert "not both" in errors_of(excinfo)["presenter_name"][0]
    guest = services.item_save(
        meeting=meeting, by=secretariat, title="X", presenter_name="Dr Ada Guest"
    )
    assert guest.presenter_label == "Dr Ada Guest"


def test_an_item_may_link_an_action_of_its_group_only(board, secretariat):
    meeting = MeetingFactory()
    ours = ActionFactory(group=meeting.group, title="Audit the referral forms")
    theirs = ActionFactory(title="Someone else's action")
    item = services.item_save(meeting=meeting, by=secretariat, title="Actions", linked=ours)
    item.refresh_from_db()
    assert item.linked == ours
    with pytest.raises(ValidationError) as excinfo:
        services.item_save(meeting=meeting, by=secretariat, title="Actions", linked=theirs)
    assert "linked" in errors_of(excinfo)
    labels = dict(services.link_choices(meeting))
    option = (services.link_value(ours), f"Action {ours.pk}: Audit the referral forms")
    assert option in labels["Actions of this group"]
    assert all(value != services.link_value(theirs) for value, _ in labels["Actions of this group"])


@pytest.fixture
def agencies_linkable():
    """Agencies as a stand-in for a later app's records about a child: their names play the
    part of a child's name, which must never reach the agenda. Registered with the defaults
    (a number for a label; nobody may see them); `register(**options)` changes them."""

    def register(**options) -> None:
        services.register_linkable(
            Agency, heading="Agencies", records=lambda m: Agency.objects.all(), **options
        )

    register()
    yield register
    services.LINKABLE.pop("hscb.agency", None)


def test_a_later_app_can_register_records_items_may_point_to(board, secretariat, agencies_linkable):
    meeting = MeetingFactory()
    agency = AgencyFactory(name="Hertfordshire Constabulary")
    assert services.link_resolve(meeting, f"hscb.agency:{agency.pk}") == agency
    item = services.item_save(meeting=meeting, by=secretariat, title="Police", linked=agency)
    assert AgendaItem.objects.get(pk=item.pk).linked == agency
    # The form lists them by the safe label, not by their names.
    assert (services.link_value(agency), f"Agency {agency.pk}") in dict(
        services.link_choices(meeting)
    )["Agencies"]
    services.LINKABLE.pop("hscb.agency")
    with pytest.raises(ValidationError):
        services.link_resolve(meeting, f"hscb.agency:{agency.pk}")
    with pytest.raises(ValidationError):
        services.link_resolve(meeting, "nonsense")


def linked_item(meeting, record) -> AgendaItem:
    item = AgendaItemFactory(meeting=meeting)
    item.linked = record
    item.save()
    return item


def test_those_who_may_see_a_linked_action_get_its_label_and_address(board, member, outsider):
    meeting = MeetingFactory(group=board["improving_outcomes"])
    action = ActionFactory(group=meeting.group, title="Audit the referral forms")
    linked_item(meeting, action)
    AgendaItemFactory(meeting=meeting)
    items = selectors.agenda_of(meeting)
    services.linked_records_for(member, items)
    assert items[0].link == services.LinkedRecord(
        kind="action",
        visible=True,
        label=f"Action {action.pk}: Audit the referral forms",
        url=f"/actions/{action.pk}/",
    )
    assert items[1].link is None
    services.linked_records_for(outsider, items)
    assert items[0].link == services.LinkedRecord(kind="action")


def test_a_record_is_shown_to_nobody_unless_its_kind_says_who_may_see_it(
    board, secretariat, agencies_linkable
):
    meeting = MeetingFactory()
    child = AgencyFactory(name="Jane Doe, born 1 May 2015")
    linked_item(meeting, child)
    items = selectors.agenda_of(meeting)
    services.linked_records_for(secretariat, items)
    assert items[0].link == services.LinkedRecord(kind="agency")

    agencies_linkable(can_see=lambda user, record: user.is_staff)
    services.linked_records_for(secretariat, items)
    assert items[0].link.visible
    assert items[0].link.label == f"Agency {child.pk}"  # the default label: kind and number
    assert "Jane" not in repr(items[0].link)

    agencies_linkable(
        can_see=lambda user, record: True, label=lambda record: f"Case {record.pk} (redacted)"
    )
    services.linked_records_for(secretariat, items)
    assert items[0].link.label == f"Case {child.pk} (redacted)"


def test_a_record_of_a_kind_no_longer_registered_or_since_deleted_is_not_shown(board, secretariat):
    meeting = MeetingFactory()
    gone = ActionFactory(group=meeting.group)
    item = linked_item(meeting, gone)
    unknown = linked_item(meeting, AgencyFactory(name="Jane Doe"))
    AgendaItem.objects.filter(pk=item.pk).update(linked_id=gone.pk + 1000)
    items = selectors.agenda_of(meeting)
    services.linked_records_for(secretariat, items)
    by_pk = {i.pk: i.link for i in items}
    assert by_pk[item.pk] is None
    assert by_pk[unknown.pk] == services.LinkedRecord(kind="agency")


def test_linked_records_not_yet_loaded_are_read_one_query_per_kind(
    board, board_chair, agencies_linkable, django_assert_num_queries
):
    meeting = MeetingFactory(group=board["improving_outcomes"])
    for _ in range(3):
        linked_item(meeting, ActionFactory(group=meeting.group))
        linked_item(meeting, AgencyFactory())
    items = list(AgendaItem.objects.filter(meeting=meeting))
    roles_of(board_chair)  # read once a request, before the page is built
    for model in (Action, Agency):
        ContentType.objects.get_for_model(model)  # kept in memory once read
    # The actions, their groups (which `can_see` reads) and the agencies.
    with django_assert_num_queries(3):
        services.linked_records_for(board_chair, items)
    assert sum(1 for i in items if i.link.visible) == 3


def test_item_start_times_add_up_the_time_allotted(board):
    meeting = MeetingFactory(starts_at=london(2027, 2, 3, 10), ends_at=london(2027, 2, 3, 10, 40))
    AgendaItemFactory(meeting=meeting, order=1, minutes_allotted=15)
    AgendaItemFactory(meeting=meeting, order=2, minutes_allotted=30)
    AgendaItemFactory(meeting=meeting, order=3, minutes_allotted=None)
    AgendaItemFactory(meeting=meeting, order=4, minutes_allotted=5)
    page = selectors.meeting_page(meeting)
    starts = [i.planned_start for i in page.items]
    assert starts[:3] == [
        london(2027, 2, 3, 10),
        london(2027, 2, 3, 10, 15),
        london(2027, 2, 3, 10, 45),
    ]
    assert starts[3] is None  # unknown once an item has no time
    assert page.agenda_ends is None


def test_an_agenda_that_runs_over_the_meeting_is_noticed(board):
    meeting = MeetingFactory(starts_at=london(2027, 2, 3, 10), ends_at=london(2027, 2, 3, 10, 30))
    AgendaItemFactory(meeting=meeting, minutes_allotted=20)
    AgendaItemFactory(meeting=meeting, minutes_allotted=20)
    assert selectors.meeting_page(meeting).runs_over


def test_minutes_are_refused_before_the_meeting_starts(board, secretariat):
    item = AgendaItemFactory(meeting=MeetingFactory())
    with pytest.raises(ValidationError, match="once the meeting has started"):
        services.item_minutes_record(item=item, minutes="Discussed", decisions="", by=secretariat)
    started = AgendaItemFactory(
        meeting=MeetingFactory(
            starts_at=in_days(0) - datetime.timedelta(hours=30),
            ends_at=in_days(0) - datetime.timedelta(hours=28),
        )
    )
    services.item_minutes_record(
        item=started, minutes="  Discussed the audit.  ", decisions="Agreed.", by=secretariat
    )
    started.refresh_from_db()
    assert (started.minutes, started.decisions) == ("Discussed the audit.", "Agreed.")


# Papers ----------------------------------------------------------------------------------------


def test_a_paper_keeps_its_original_name_size_and_uploader(board, secretariat):
    item = AgendaItemFactory()
    upload = SimpleUploadedFile("Q3 report.pdf", PDF_BYTES, content_type="application/pdf")
    paper = services.paper_add(item=item, title="Quarter 3", upload=upload, by=secretariat)
    paper.refresh_from_db()
    assert paper.original_name == "Q3 report.pdf"
    assert paper.size == len(PDF_BYTES)
    assert paper.uploaded_by == secretariat
    assert "Q3" not in paper.file.name  # stored under a name that gives nothing away
    assert paper.file.read() == PDF_BYTES


def test_a_paper_that_is_not_what_it_says_is_refused(board, secretariat):
    item = AgendaItemFactory()
    fake = SimpleUploadedFile("report.pdf", b"just some text", content_type="application/pdf")
    with pytest.raises(ValidationError) as excinfo:
        services.paper_add(item=item, title="Report", upload=fake, by=secretariat)
    assert "not a real PDF file" in errors_of(excinfo)["file"][0]
    assert not Paper.objects.exists()


def test_deleting_a_paper_removes_its_file(board, django_capture_on_commit_callbacks):
    paper = PaperFactory()
    storage, name = paper.file.storage, paper.file.name
    assert storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        services.paper_delete(paper=paper)
    assert not storage.exists(name)
    assert not Paper.objects.exists()


# Sending the papers ----------------------------------------------------------------------------


@pytest.fixture
def papers_meeting(board, member, group_chair, secretariat):
    """A meeting of Improving Outcomes with two items, one paper, and a member whose account
    is closed (who must not be emailed)."""
    meeting = MeetingFactory(group=board["improving_outcomes"])
    item = AgendaItemFactory(meeting=meeting, title="Neglect strategy", order=1)
    AgendaItemFactory(meeting=meeting, title="Any other business", order=2)
    PaperFactory(item=item, title="Neglect strategy draft", uploaded_by=secretariat)
    closed = MembershipFactory(group=meeting.group).user
    closed.is_active = False
    closed.save()
    return meeting


def test_sending_the_papers_emails_each_member_once(
    papers_meeting, secretariat, member, group_chair, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_papers_send(meeting=papers_meeting, by=secretariat)
    papers_meeting.refresh_from_db()
    assert papers_meeting.papers_sent_at == papers_meeting.papers_requested_at is not None
    assert sorted(m.to[0] for m in mailoutbox) == sorted([member.email, group_chair.email])
    message = mailoutbox[0]
    assert message.subject.startswith("Papers for the Improving Outcomes subgroup meeting")
    paper = Paper.objects.get()
    assert "1. Neglect strategy" in message.body
    assert f"/papers/{paper.pk}/" in message.body
    assert f"/meetings/{papers_meeting.pk}/" in message.body
    assert not message.attachments
    html = message.alternatives[0][0]
    assert "Neglect strategy draft</a>" in html

    # The task run again (a duplicate delivery) sends nothing more.
    assert send_meeting_papers(papers_meeting.pk) == 0
    assert len(mailoutbox) == 2


def test_asking_again_later_sends_the_papers_again(
    papers_meeting, secretariat, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_papers_send(meeting=papers_meeting, by=secretariat)
    with (
        time_machine.travel(timezone.now() + datetime.timedelta(minutes=5)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.meeting_papers_send(meeting=papers_meeting, by=secretariat)
    assert len(mailoutbox) == 4


def test_a_failed_send_gives_the_claim_back_so_a_retry_sends(papers_meeting, mailoutbox):
    Meeting.objects.filter(pk=papers_meeting.pk).update(papers_requested_at=timezone.now())
    with (
        mock.patch(
            "hscb.services.meetings.send_templated_email", side_effect=SMTPException("down")
        ),
        pytest.raises(SMTPException),
    ):
        services.meeting_papers_email(meeting_pk=papers_meeting.pk)
    assert Meeting.objects.get(pk=papers_meeting.pk).papers_sent_at is None
    assert services.meeting_papers_email(meeting_pk=papers_meeting.pk) == 2
    assert len(mailoutbox) == 2
    assert services.meeting_papers_email(meeting_pk=papers_meeting.pk) == 0


def test_papers_are_not_sent_for_a_cancelled_meeting_or_an_empty_agenda(
    papers_meeting, secretariat, mailoutbox
):
    empty = MeetingFactory(group=papers_meeting.group)
    with pytest.raises(ValidationError, match="Add at least one item"):
        services.meeting_papers_send(meeting=empty, by=secretariat)
    Meeting.objects.filter(pk=papers_meeting.pk).update(papers_requested_at=timezone.now())
    services.meeting_cancel(meeting=papers_meeting, by=secretariat)
    with pytest.raises(ValidationError, match="cancelled"):
        services.meeting_papers_send(meeting=papers_meeting, by=secretariat)
    assert services.meeting_papers_email(meeting_pk=papers_meeting.pk) == 0
    assert not mailoutbox


# Attendance and quorum -------------------------------------------------------------------------


@pytest.fixture
def panel(board):
    """A group whose quorum is 3 members with the police present, a meeting of it that started
    an hour ago, four members (police, health, two council), an adviser and a guest."""
    police = AgencyFactory(name="Hertfordshire Constabulary")
    health = AgencyFactory(name="NHS Hertfordshire and West Essex ICB")
    council = AgencyFactory(name="Hertfordshire County Council")
    group = GroupFactory(name="Quorum test panel", quorum_members=3)
    group.quorum_agencies.add(police)
    now = timezone.now()
    meeting = MeetingFactory(
        group=group,
        starts_at=now - datetime.timedelta(hours=1),
        ends_at=now + datetime.timedelta(hours=1),
    )

    def seat(agency, role=MembershipRole.MEMBER):
        return MembershipFactory(group=group, role=role, user=UserFactory(agency=agency)).user

    return {
        "meeting": meeting,
        "police": police,
        "health": health,
        "council": council,
        "officer": seat(police, MembershipRole.CHAIR),
        "nurse": seat(health),
        "social_worker": seat(council),
        "manager": seat(council),
        "adviser": seat(council, MembershipRole.ADVISER),
        "guest": UserFactory(agency=AgencyFactory(name="Guest charity")),
        "deputy": UserFactory(agency=council),
    }


def rows(p, **statuses) -> list[AttendanceRow]:
    return [AttendanceRow(person=p[name], status=status) for name, status in statuses.items()]


PRESENT, APOLOGIES, ABSENT = (
    AttendanceStatus.PRESENT,
    AttendanceStatus.APOLOGIES,
    AttendanceStatus.ABSENT,
)


def test_attendance_with_enough_members_and_the_police_is_quorate(panel, secretariat):
    meeting = services.attendance_record(
        meeting=panel["meeting"],
        rows=rows(
            panel,
            officer=PRESENT,
            nurse=PRESENT,
            social_worker=PRESENT,
            manager=APOLOGIES,
            adviser=PRESENT,
            guest=PRESENT,
        ),
        by=secretariat,
    )
    assert meeting.quorate is True
    assert meeting.quorum_summary == (
        "Quorate: 3 members were present, 3 needed; every agency that must attend was represented."
    )
    assert meeting.status == MeetingStatus.HELD
    records = {a.person_id: a for a in meeting.attendance.all()}
    assert records[panel["guest"].pk].is_member is False
    assert records[panel["guest"].pk].agency.name == "Guest charity"
    assert records[panel["nurse"].pk].is_member is True


def test_too_few_members_and_no_police_is_not_quorate_and_says_why(panel, secretariat):
    meeting = services.attendance_record(
        meeting=panel["meeting"],
        rows=rows(
            panel,
            officer=APOLOGIES,
            nurse=PRESENT,
            social_worker=PRESENT,
            manager=ABSENT,
            adviser=PRESENT,  # advisers attend but do not count
        ),
        by=secretariat,
    )
    assert meeting.quorate is False
    assert meeting.quorum_summary == (
        "Not quorate: 2 of 3 members needed were present; Hertfordshire Constabulary not present."
    )


def test_enough_members_without_a_required_agency_is_not_quorate(panel, secretariat):
    meeting = services.attendance_record(
        meeting=panel["meeting"],
        rows=rows(panel, officer=APOLOGIES, nurse=PRESENT, social_worker=PRESENT, manager=PRESENT),
        by=secretariat,
    )
    assert meeting.quorate is False
    assert meeting.quorum_summary.endswith("Hertfordshire Constabulary not present.")


def test_a_substitute_counts_and_represents_the_members_agency(panel, secretariat):
    substitute = UserFactory(agency=panel["council"])  # a council officer standing in for police
    meeting = services.attendance_record(
        meeting=panel["meeting"],
        rows=[
            *rows(panel, officer=APOLOGIES, nurse=PRESENT, social_worker=PRESENT, manager=ABSENT),
            AttendanceRow(person=substitute, status=PRESENT, substitute_for=panel["officer"]),
        ],
        by=secretariat,
    )
    assert meeting.quorate is True
    assert "(including 1 substitute)" in meeting.quorum_summary
    record = meeting.attendance.get(person=substitute)
    assert record.agency == panel["police"]
    assert record.substitute_for == panel["officer"]
    assert record.is_member is False


def test_recording_again_replaces_the_attendance(panel, secretariat):
    services.attendance_record(
        meeting=panel["meeting"],
        rows=rows(panel, officer=PRESENT, nurse=PRESENT, guest=PRESENT),
        by=secretariat,
    )
    meeting = services.attendance_record(
        meeting=panel["meeting"],
        rows=rows(panel, officer=PRESENT, nurse=APOLOGIES, social_worker=PRESENT),
        by=secretariat,
    )
    statuses = dict(meeting.attendance.values_list("person_id", "status"))
    assert statuses == {
        panel["officer"].pk: PRESENT,
        panel["nurse"].pk: APOLOGIES,
        panel["social_worker"].pk: PRESENT,
    }
    assert meeting.status == MeetingStatus.HELD


@pytest.mark.parametrize(
    ("make_rows", "message"),
    [
        (
            lambda p: [*rows(p, nurse=PRESENT), AttendanceRow(person=p["nurse"], status=ABSENT)],
            "is in the list more than once",
        ),
        (
            lambda p: [
                *rows(p, officer=APOLOGIES, nurse=PRESENT),
                AttendanceRow(person=p["nurse"], status=PRESENT, substitute_for=p["officer"]),
            ],
            "is a member of the Quorum test panel",
        ),
        (
            lambda p: [
                AttendanceRow(person=p["deputy"], status=PRESENT, substitute_for=p["deputy"])
            ],
            "cannot stand in for themselves",
        ),
        (
            lambda p: [
                *rows(p, officer=PRESENT),
                AttendanceRow(person=p["deputy"], status=PRESENT, substitute_for=p["officer"]),
            ],
            "was present, so nobody can stand in for them",
        ),
        (
            lambda p: [
                AttendanceRow(person=p["deputy"], status=PRESENT, substitute_for=p["guest"])
            ],
            "was not a member of the group",
        ),
    ],
    ids=["twice", "member as substitute", "self", "for someone present", "for a non-member"],
)
def test_impossible_attendance_is_refused(panel, secretariat, make_rows, message):
    with pytest.raises(ValidationError, match=message):
        services.attendance_record(meeting=panel["meeting"], rows=make_rows(panel), by=secretariat)
    assert not Attendance.objects.exists()
    assert Meeting.objects.get(pk=panel["meeting"].pk).status == MeetingStatus.SCHEDULED


def test_errors_are_named_by_the_rows_key(panel, secretariat):
    with pytest.raises(ValidationError) as excinfo:
        services.attendance_record(
            meeting=panel["meeting"],
            rows=[
                AttendanceRow(
                    person=panel["deputy"],
                    status=PRESENT,
                    substitute_for=panel["deputy"],
                    key="guest_1",
                )
            ],
            by=secretariat,
        )
    assert list(errors_of(excinfo)) == ["guest_1"]


def test_attendance_is_refused_before_the_meeting_starts(board, secretariat, member):
    meeting = MeetingFactory(group=board["improving_outcomes"])
    with pytest.raises(ValidationError, match="once the meeting has started"):
        services.attendance_record(
            meeting=meeting, rows=[AttendanceRow(person=member, status=PRESENT)], by=secretariat
        )
    assert meeting.attendance.count() == 0


def test_a_guest_without_an_agency_is_refused(panel, secretariat, outsider):
    with pytest.raises(ValidationError, match="has no agency recorded"):
        services.attendance_record(
            meeting=panel["meeting"],
            rows=[AttendanceRow(person=outsider, status=PRESENT)],
            by=secretariat,
        )


def test_a_group_without_a_rule_is_quorate_with_anyone(board, secretariat, member):
    now = timezone.now()
    meeting = MeetingFactory(
        group=board["improving_outcomes"],
        starts_at=now - datetime.timedelta(hours=2),
        ends_at=now - datetime.timedelta(hours=1),
    )
    meeting = services.attendance_record(
        meeting=meeting, rows=[AttendanceRow(person=member, status=PRESENT)], by=secretariat
    )
    assert meeting.quorate is True
    assert meeting.quorum_summary == (
        "Quorate: 1 member was present; the group sets no minimum number."
    )


@pytest.mark.parametrize("role", [MembershipRole.ADVISER, MembershipRole.SECRETARIAT])
def test_a_required_agency_is_not_represented_by_someone_who_does_not_count(
    panel, secretariat, role
):
    police_adviser = MembershipFactory(
        group=panel["meeting"].group, role=role, user=UserFactory(agency=panel["police"])
    ).user
    meeting = services.attendance_record(
        meeting=panel["meeting"],
        rows=[
            *rows(panel, officer=APOLOGIES, nurse=PRESENT, social_worker=PRESENT, manager=PRESENT),
            AttendanceRow(person=police_adviser, status=PRESENT),
        ],
        by=secretariat,
    )
    assert meeting.quorate is False
    assert meeting.quorum_summary == (
        "Not quorate: 3 members were present, 3 needed; Hertfordshire Constabulary not present."
    )


def test_a_substitute_for_an_adviser_does_not_represent_a_required_agency(panel, secretariat):
    police_adviser = MembershipFactory(
        group=panel["meeting"].group,
        role=MembershipRole.ADVISER,
        user=UserFactory(agency=panel["police"]),
    ).user
    stand_in = UserFactory(agency=panel["police"])
    meeting = services.attendance_record(
        meeting=panel["meeting"],
        rows=[
            *rows(panel, officer=APOLOGIES, nurse=PRESENT, social_worker=PRESENT, manager=PRESENT),
            AttendanceRow(person=police_adviser, status=APOLOGIES),
            AttendanceRow(person=stand_in, status=PRESENT, substitute_for=police_adviser),
        ],
        by=secretariat,
    )
    assert meeting.quorate is False
    assert meeting.quorum_summary.endswith("Hertfordshire Constabulary not present.")
    assert "substitute" not in meeting.quorum_summary  # nor do they count towards the number


@pytest.mark.parametrize("guest_present", [False, True], ids=["nobody", "only a guest"])
def test_a_group_without_a_rule_is_not_quorate_with_no_member_present(
    board, secretariat, member, guest_present
):
    now = timezone.now()
    meeting = MeetingFactory(
        group=board["improving_outcomes"],
        starts_at=now - datetime.timedelta(hours=2),
        ends_at=now - datetime.timedelta(hours=1),
    )
    attendance = [AttendanceRow(person=member, status=APOLOGIES)]
    if guest_present:
        attendance.append(AttendanceRow(person=UserFactory(), status=PRESENT))
    meeting = services.attendance_record(meeting=meeting, rows=attendance, by=secretariat)
    assert meeting.quorate is False
    assert meeting.quorum_summary == "Not quorate: no members were present."


# The agenda pack and the calendar file ---------------------------------------------------------


def pdf_text(html: str) -> str:
    """The words WeasyPrint lays out for `html`, in page order."""
    from weasyprint import HTML

    document = HTML(string=html).render()
    words: list[str] = []

    def walk(box) -> None:
        text = getattr(box, "text", None)
        if isinstance(text, str):
            words.append(text)
        for child in getattr(box, "children", ()):
            walk(child)

    for page in document.pages:
        walk(page._page_box)
    return " ".join(" ".join(words).split())


def test_the_agenda_pack_has_the_cover_agenda_papers_and_attendance(board, member, secretariat):
    from django.template.loader import render_to_string

    meeting = MeetingFactory(
        group=board["improving_outcomes"],
        starts_at=london(2027, 7, 14, 10),
        ends_at=london(2027, 7, 14, 12),
        online_link="https://meet.example.org/io",
    )
    item = AgendaItemFactory(meeting=meeting, title="Neglect strategy", presenter=member)
    PaperFactory(item=item, title="Neglect strategy draft")
    Attendance.objects.create(
        meeting=meeting, person=member, agency=member.agency, status=APOLOGIES, is_member=True
    )
    context = {
        "meeting": meeting,
        "page": selectors.meeting_page(meeting),
        "board_name": "Hertfordshire Safeguarding Children Board",
        "site_url": "https://board.example",
    }
    pdf = render_pdf("pdf/agenda_pack.html", context)
    assert pdf.startswith(b"%PDF-")
    text = pdf_text(render_to_string("pdf/agenda_pack.html", context))
    for expected in [
        "Hertfordshire Safeguarding Children Board",
        "Improving Outcomes subgroup meeting",
        "Wednesday 14 July 2027",
        "10am to midday (UK time)",
        "Committee Room 1, County Hall, Hertford",
        "https://meet.example.org/io",
        "Neglect strategy",
        "Neglect strategy draft (PDF",
        "Apologies",
        member.get_full_name(),
    ]:
        assert expected in text, expected


def test_the_agenda_pack_shows_a_linked_record_only_to_those_who_may_see_it(
    board, member, outsider, agencies_linkable
):
    from django.template.loader import render_to_string

    meeting = MeetingFactory(group=board["improving_outcomes"])
    action = ActionFactory(group=meeting.group, title="Audit the referral forms")
    linked_item(meeting, action)
    linked_item(meeting, AgencyFactory(name="Jane Doe, born 1 May 2015"))
    page = selectors.meeting_page(meeting)

    def pack_for(user) -> str:
        services.linked_records_for(user, page.items)
        context = {"meeting": meeting, "page": page, "board_name": "Board", "site_url": ""}
        return pdf_text(render_to_string("pdf/agenda_pack.html", context))

    text = pack_for(member)
    assert f"About: Action {action.pk}: Audit the referral forms" in text
    assert "A linked agency you do not have access to" in text
    assert "Jane Doe" not in text
    text = pack_for(outsider)
    assert "A linked action you do not have access to" in text
    assert "Audit the referral forms" not in text


def test_pdfs_load_nothing_from_outside(tmp_path):
    from PIL import Image

    picture = tmp_path / "secret.png"
    Image.new("RGB", (40, 40), "red").save(picture)
    html = f'<html><body><p>Hello</p><img src="file://{picture}"></body></html>'
    from weasyprint import HTML

    assert b"/Image" in HTML(string=html).write_pdf()  # the control: WeasyPrint would load it
    refused = html_to_pdf(html)
    assert refused.startswith(b"%PDF-")
    assert b"/Image" not in refused


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
