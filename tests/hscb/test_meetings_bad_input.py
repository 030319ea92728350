"""The meeting forms answer bad input with a message beside the field and an error summary:
never a 500, never anything saved, never the user's input dropped."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from hscb.models import AgendaItem, Attendance, Meeting, Paper
from tests.hscb.factories import PDF_BYTES, AgendaItemFactory, MeetingFactory
from tests.hscb.test_bad_input import assert_error_page

pytestmark = pytest.mark.django_db

LONG = "x" * 25000


@dataclass
class Records:
    meeting: Meeting  # coming
    item: AgendaItem
    held: Meeting  # started an hour ago
    held_item: AgendaItem
    member_pk: int


@dataclass
class MeetingFormCase:
    name: str
    url: Callable[[Records], str]
    valid: Callable[[Records], dict[str, str]]
    # The field named first in the error summary when every text field is too long.
    first_too_long: str
    # The field names the error summary links to when nothing is sent.
    required: Callable[[Records], list[str]]


def _future_date() -> dict[str, str]:
    day = timezone.localdate() + datetime.timedelta(days=30)
    return {"date_0": str(day.day), "date_1": str(day.month), "date_2": str(day.year)}


FORMS = [
    MeetingFormCase(
        "schedule",
        lambda r: "/meetings/new/",
        lambda r: {
            "group": str(r.meeting.group_id),
            "title": "Extra",
            **_future_date(),
            "start_time": "10:00",
            "end_time": "11:00",
            "venue": "Room 1",
            "online_link": "",
        },
        "title",
        lambda r: ["group", "date", "start_time", "end_time"],
    ),
    MeetingFormCase(
        "change meeting",
        lambda r: f"/meetings/{r.meeting.pk}/change/",
        lambda r: {
            "group": str(r.meeting.group_id),
            "title": "Extra",
            **_future_date(),
            "start_time": "10:00",
            "end_time": "11:00",
            "venue": "Room 1",
        },
        "title",
        lambda r: ["group", "date", "start_time", "end_time"],
    ),
    MeetingFormCase(
        "agenda item",
        lambda r: f"/meetings/{r.meeting.pk}/items/new/",
        lambda r: {"title": "Budget", "description": "About money", "minutes_allotted": "15"},
        "title",
        lambda r: ["title", "minutes_allotted"],
    ),
    MeetingFormCase(
        "change item",
        lambda r: f"/meetings/{r.meeting.pk}/items/{r.item.pk}/change/",
        lambda r: {"title": "Budget", "minutes_allotted": "15"},
        "title",
        lambda r: ["title", "minutes_allotted"],
    ),
    MeetingFormCase(
        "minutes",
        lambda r: f"/meetings/{r.held.pk}/items/{r.held_item.pk}/minutes/",
        lambda r: {"minutes": "Discussed.", "decisions": "Agreed."},
        "minutes",
        lambda r: ["minutes"],
    ),
    MeetingFormCase(
        "attendance",
        lambda r: f"/meetings/{r.held.pk}/attendance/",
        lambda r: {f"status_{r.member_pk}": "present"},
        "",
        lambda r: [f"status_{r.member_pk}_1"],
    ),
]


@pytest.fixture
def records(board, member, secretariat, client) -> Records:
    group = board["improving_outcomes"]
    meeting = MeetingFactory(group=group)
    now = timezone.now()
    held = MeetingFactory(
        group=group,
        starts_at=now - datetime.timedelta(hours=1),
        ends_at=now + datetime.timedelta(hours=1),
    )
    client.force_login(secretariat)
    return Records(
        meeting=meeting,
        item=AgendaItemFactory(meeting=meeting, title="Original title"),
        held=held,
        held_item=AgendaItemFactory(meeting=held, title="Held item"),
        member_pk=member.pk,
    )


def nothing_saved(records: Records) -> None:
    assert Meeting.objects.count() == 2
    assert AgendaItem.objects.count() == 2
    records.item.refresh_from_db()
    assert records.item.title == "Original title"
    records.held_item.refresh_from_db()
    assert records.held_item.minutes == ""
    assert not Attendance.objects.exists()
    assert not Paper.objects.exists()


@pytest.mark.parametrize("case", FORMS, ids=lambda c: c.name)
def test_the_valid_data_used_here_is_accepted(client, records, case):
    response = client.post(case.url(records), case.valid(records))
    assert response.status_code == 302, response.content.decode()[:3000]


@pytest.mark.parametrize("case", FORMS, ids=lambda c: c.name)
def test_missing_fields_are_named_in_the_error_summary(client, records, case):
    response = client.post(case.url(records), {})
    assert_error_page(response, *case.required(records))
    nothing_saved(records)


@pytest.mark.parametrize("case", [c for c in FORMS if c.name != "attendance"], ids=lambda c: c.name)
def test_over_long_text_is_refused_and_kept(client, records, case):
    data = case.valid(records)
    for name in ("title", "description", "venue", "minutes", "decisions", "presenter_name"):
        if name in data:
            data[name] = LONG
    text = assert_error_page(client.post(case.url(records), data), case.first_too_long)
    assert "characters or fewer" in text
    nothing_saved(records)


@pytest.mark.parametrize("case", FORMS, ids=lambda c: c.name)
def test_null_characters_are_refused(client, records, case):
    data = dict.fromkeys(case.valid(records), "abc\x00\x01\ufffe")
    response = client.post(case.url(records), data)
    text = assert_error_page(response)
    if case.name == "attendance":  # radios only: the value is not one of the choices
        assert "was present, sent apologies or was absent" in text
    else:
        assert "Null characters are not allowed." in text
    nothing_saved(records)


@pytest.mark.parametrize("case", FORMS, ids=lambda c: c.name)
def test_repeated_fields_count_as_their_last_value(client, records, case):
    data = {name: ["1", "2", "[object Object]"] for name in case.valid(records)}
    response = client.post(case.url(records), data)
    if case.name == "minutes":  # any text is a minute: the last value is the one saved
        assert response.status_code == 302
        records.held_item.refresh_from_db()
        assert records.held_item.minutes == "[object Object]"
        return
    assert_error_page(response)
    nothing_saved(records)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("group", "999999", "Choose a group from the list"),
        ("group", "abc", "Choose a group from the list"),
        ("date_0", "abc", "Enter the day as a number"),
        ("date_1", "13", "The date of the meeting must be a real date"),
        ("date_0", "31", None),
        ("date_2", "27", "Enter the year as 4 numbers, like 2027"),
        ("start_time", "ten o'clock", "Enter the start time as a real time"),
        ("start_time", "2", "Enter the start time as a real time"),
        ("end_time", "24:00", "Enter the end time as a real time"),
        ("online_link", "javascript:alert(1)", "Enter the link as a web address"),
        ("online_link", "not a link", "Enter the link as a web address"),
    ],
)
def test_wrong_values_in_the_meeting_form_are_refused_and_kept(
    client, records, field, value, message
):
    data = {**FORMS[0].valid(records), field: value}
    if field == "date_0" and value == "31":
        data.update({"date_1": "2", "date_2": str(timezone.localdate().year + 1)})
        message = "The date of the meeting must be a real date"
    text = assert_error_page(client.post("/meetings/new/", data))
    assert message in text
    if field != "group":  # a select shows its choices, not what was sent
        assert f'value="{value}"'.replace("'", "&#x27;") in text
    nothing_saved(records)


@pytest.mark.parametrize(
    ("day", "month", "year", "message"),
    [
        ("99999999999999999999", "1", "2027", "The date of the meeting must be a real date"),
        ("1", "99999999999999999999", "2027", "The date of the meeting must be a real date"),
        ("1", "1", "99999999999999999999", "Enter the year as 4 numbers, like 2027"),
        ("9999", "1", "2027", "The date of the meeting must be a real date"),
        ("-1", "1", "2027", "Enter the day as a number"),
        ("1", "-1", "2027", "Enter the month as a number"),
        ("1", "1", "-2027", "Enter the year as a number"),
        ("1", "1", "0", "Enter the year as 4 numbers, like 2027"),
        ("1", "1", "0000", "The year must be between 2000 and 2099"),
        ("0", "0", "2027", "The date of the meeting must be a real date"),
        # Far enough ahead that adding up an agenda's times would run off the calendar.
        ("31", "12", "9999", "The year must be between 2000 and 2099"),
        ("1", "1", "1999", "The year must be between 2000 and 2099"),
    ],
)
@pytest.mark.parametrize("url", ["/meetings/new/", "change"])
def test_impossible_dates_in_the_meeting_forms_are_refused_not_crashed(
    client, records, url, day, month, year, message
):
    if url == "change":
        url = f"/meetings/{records.meeting.pk}/change/"
    data = {**FORMS[0].valid(records), "date_0": day, "date_1": month, "date_2": year}
    data["already_held"] = "on"  # so that a date in the past is not refused for that reason
    text = assert_error_page(client.post(url, data))
    assert 'href="#id_date' in text  # the summary links to the date (or the part that is wrong)
    assert message in text
    for value in (day, month, year):
        assert f'value="{value}"' in text
    nothing_saved(records)
    assert records.meeting.starts_at == Meeting.objects.get(pk=records.meeting.pk).starts_at


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("minutes_allotted", "ten", "Enter the time allotted as a whole number of minutes"),
        ("minutes_allotted", "0", "must be at least 1 minute"),
        ("minutes_allotted", "481", "must be 480 minutes or fewer"),
        ("minutes_allotted", "1e3", "Enter the time allotted as a whole number"),
        ("position", "x", "Enter the position as a whole number"),
        ("position", "0", "The position must be 1 or more"),
        ("position", "9", "The position must be between 1 and 2"),
        ("presenter", "abc", "Choose a presenter from the list"),
        ("presenter", "999999", "Choose a presenter from the list"),
        ("linked", "hscb.action:999999", "Choose a linked record from the list"),
        ("linked", "auth.user:1", "Choose a linked record from the list"),
    ],
)
def test_wrong_values_in_the_item_form_are_refused(client, records, field, value, message):
    data = {"title": "Budget", "minutes_allotted": "15", field: value}
    text = assert_error_page(client.post(f"/meetings/{records.meeting.pk}/items/new/", data))
    assert message in text
    assert 'value="Budget"' in text
    nothing_saved(records)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("status", "maybe", "was present, sent apologies or was absent"),
        ("substitute", "abc", "Choose a substitute from the list"),
        ("substitute", "999999", "Choose a substitute from the list"),
        ("guest_1", "abc", "Choose an attendee from the list"),
    ],
)
def test_wrong_values_in_the_attendance_form_are_refused(client, records, field, value, message):
    data = {f"status_{records.member_pk}": "present"}
    name = field if field.startswith("guest") else f"{field}_{records.member_pk}"
    data[name] = value
    text = assert_error_page(client.post(f"/meetings/{records.held.pk}/attendance/", data))
    assert message in text
    nothing_saved(records)


def test_a_paper_form_without_a_file_or_with_text_for_a_file_is_refused(client, records):
    url = f"/meetings/{records.meeting.pk}/items/{records.item.pk}/papers/new/"
    text = assert_error_page(client.post(url, {}), "title", "file")
    assert "Select a file" in text
    text = assert_error_page(client.post(url, {"title": "Report", "file": "not a file"}), "file")
    assert 'value="Report"' in text
    text = assert_error_page(client.post(url, {"title": LONG, "file": "x"}), "title")
    nothing_saved(records)


def test_a_paper_named_with_control_characters_is_stored_with_a_clean_name(client, records):
    url = f"/meetings/{records.meeting.pk}/items/{records.item.pk}/papers/new/"
    upload = SimpleUploadedFile("bad\x07name\x1b.pdf", PDF_BYTES)
    assert client.post(url, {"title": "Report", "file": upload}).status_code == 302
    assert Paper.objects.get().original_name == "badname.pdf"


def test_a_paper_with_a_very_long_name_keeps_a_shortened_name_and_its_type(client, records):
    url = f"/meetings/{records.meeting.pk}/items/{records.item.pk}/papers/new/"
    upload = SimpleUploadedFile("x" * 300 + ".pdf", PDF_BYTES)
    assert client.post(url, {"title": "Report", "file": upload}).status_code == 302
    name = Paper.objects.get().original_name
    assert len(name) <= 255
    assert name.endswith(".pdf")


@pytest.mark.parametrize(
    "query",
    [
        "?group=abc",
        "?group=999999",
        "?page=abc",
        "?page=-1",
        "?when=<script>",
        "?group=1&group=2&group=[object Object]",
        "?group=%00",
    ],
)
def test_the_forward_plan_survives_odd_addresses(client, records, query):
    response = client.get(f"/meetings/{query}")
    assert response.status_code == 200
    assert "<script>" not in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/meetings/999999/change/",
        "/meetings/999999/items/new/",
        "/meetings/999999/attendance/",
        "/meetings/999999/agenda.pdf",
        "/meetings/999999/invitation.ics",
        "/papers/999999/",
    ],
)
def test_records_that_do_not_exist_are_not_found(client, records, url):
    assert client.get(url).status_code == 404


def test_cancelling_and_sending_accept_only_get_and_post(client, records):
    for url in [
        f"/meetings/{records.meeting.pk}/cancel/",
        f"/meetings/{records.meeting.pk}/send-papers/",
    ]:
        assert client.put(url).status_code == 405
        assert client.delete(url).status_code == 405
    assert client.post(f"/meetings/{records.meeting.pk}/").status_code == 405
    assert client.post(f"/papers/{records.meeting.pk}/").status_code == 405
