"""What the agenda pages do: adding and moving items, uploading and downloading papers,
sending the papers, recording attendance and writing minutes."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.html import escape

from hscb.models import (
    AgendaItem,
    Attendance,
    Meeting,
    MeetingStatus,
    MembershipRole,
    Paper,
)
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
from tests.hscb.meeting_helpers import page

pytestmark = pytest.mark.django_db


def checked(text: str, name: str) -> str | None:
    """The value of the radio button of `name` that is checked, if any."""
    found = re.search(rf'id="id_{name}_\d+"\s+value="(\w+)"\s+checked', text)
    return found[1] if found else None


def started_meeting(group, hours_ago: int = 1) -> Meeting:
    now = timezone.now()
    return MeetingFactory(
        group=group,
        starts_at=now - datetime.timedelta(hours=hours_ago),
        ends_at=now - datetime.timedelta(hours=hours_ago) + datetime.timedelta(hours=2),
    )


# Agenda items ----------------------------------------------------------------------------------


def test_adding_an_item_with_a_linked_action(client, io, secretariat, member):
    meeting = MeetingFactory(group=io)
    AgendaItemFactory(meeting=meeting, title="Apologies", order=1)
    action = ActionFactory(group=io, title="Audit the referral forms")
    ActionFactory(group=GroupFactory(), title="Another group's action")
    text = page(client, secretariat, f"/meetings/{meeting.pk}/items/new/")
    assert "Audit the referral forms" in text
    assert "Another group&#x27;s action" not in text
    assert "A number from 1 (first) to 2" in text
    response = client.post(
        f"/meetings/{meeting.pk}/items/new/",
        {
            "title": "Referral audit",
            "presenter": str(member.pk),
            "minutes_allotted": "20",
            "position": "1",
            "linked": f"hscb.action:{action.pk}",
        },
    )
    assert response.status_code == 302
    item = meeting.items.order_by("order").first()
    assert item.title == "Referral audit"
    assert item.presenter == member
    assert item.linked == action
    assert item.minutes_allotted == 20
    text = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert f'About: <a class="govuk-link" href="/actions/{action.pk}/">' in text


def test_an_older_record_is_linked_by_its_reference(client, io, secretariat, monkeypatch):
    from hscb.services import meetings as services

    monkeypatch.setattr(services, "LINK_CHOICES", 2)
    meeting = MeetingFactory(group=io)
    older = ActionFactory(group=io, title="Audit the referral forms")
    ActionFactory.create_batch(2, group=io)
    theirs = ActionFactory(group=GroupFactory())
    text = page(client, secretariat, f"/meetings/{meeting.pk}/items/new/")
    assert "Audit the referral forms" not in text
    assert "Or the reference of a record not in the list (optional)" in text
    url = f"/meetings/{meeting.pk}/items/new/"
    for typed, message in [
        (
            f"Action {theirs.pk}",
            f"No record this item can be about has the reference “Action {theirs.pk}”",
        ),
        ("IO-99999", "No record this item can be about has the reference “IO-99999”"),
        ("x" * 41, "A reference is 40 characters or fewer"),
    ]:
        response = client.post(url, {"title": "Referral audit", "linked_reference": typed})
        text = response.content.decode()
        assert message in text and 'href="#id_linked_reference"' in text, typed
        assert escape(typed) in text
    newest = io.actions.order_by("-pk").first()
    response = client.post(
        url,
        {
            "title": "Referral audit",
            "linked": f"hscb.action:{newest.pk}",
            "linked_reference": str(older.pk),
        },
    )
    assert (
        "Choose a record from the list or type a reference, not both" in response.content.decode()
    )
    assert not AgendaItem.objects.exists()
    response = client.post(
        url,
        {
            "title": "Referral audit",
            "minutes_allotted": "10",
            "linked_reference": f"  action {older.pk} ",
        },
    )
    assert response.status_code == 302
    assert AgendaItem.objects.get().linked == older


def test_a_reference_typed_replaces_an_items_current_link(client, io, secretariat):
    meeting = MeetingFactory(group=io)
    first, second = ActionFactory.create_batch(2, group=io)
    item = AgendaItemFactory(meeting=meeting, title="Actions", order=1, minutes_allotted=10)
    item.linked = first
    item.save()
    client.force_login(secretariat)
    url = f"/meetings/{meeting.pk}/items/{item.pk}/change/"
    data = {"title": "Actions", "minutes_allotted": "10", "position": "1"}
    data["linked"] = f"hscb.action:{first.pk}"
    response = client.post(url, {**data, "linked_reference": f"Action {second.pk}"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.linked == second


def test_a_presenter_and_a_name_together_are_refused_keeping_input(client, io, secretariat, member):
    meeting = MeetingFactory(group=io)
    client.force_login(secretariat)
    response = client.post(
        f"/meetings/{meeting.pk}/items/new/",
        {
            "title": "Strategy",
            "presenter": str(member.pk),
            "presenter_name": "Dr Guest",
            "minutes_allotted": "10",
        },
    )
    text = response.content.decode()
    assert "Choose a presenter from the list or type a name, not both" in text
    assert 'href="#id_presenter_name"' in text
    assert 'value="Dr Guest"' in text
    assert f'value="{member.pk}" selected' in text
    assert not AgendaItem.objects.exists()


def test_editing_an_item_prefills_and_moves_it(client, io, secretariat):
    meeting = MeetingFactory(group=io)
    first = AgendaItemFactory(meeting=meeting, title="First", order=1)
    second = AgendaItemFactory(meeting=meeting, title="Second", order=2, presenter_name="Dr Who")
    text = page(client, secretariat, f"/meetings/{meeting.pk}/items/{second.pk}/change/")
    assert 'value="Dr Who"' in text
    assert "Leave empty to put it where it is" in text
    response = client.post(
        f"/meetings/{meeting.pk}/items/{second.pk}/change/",
        {"title": "Second, now first", "minutes_allotted": "15", "position": "1"},
    )
    assert response.status_code == 302
    assert [i.pk for i in meeting.items.order_by("order")] == [second.pk, first.pk]


def test_an_item_is_reached_only_through_its_own_meeting(client, io, secretariat):
    item = AgendaItemFactory(meeting=MeetingFactory(group=io))
    other = MeetingFactory(group=io)
    client.force_login(secretariat)
    for suffix in ["change/", "minutes/", "papers/new/"]:
        assert client.get(f"/meetings/{other.pk}/items/{item.pk}/{suffix}").status_code == 404


# Papers ----------------------------------------------------------------------------------------


def upload_url(item) -> str:
    return f"/meetings/{item.meeting_id}/items/{item.pk}/papers/new/"


def test_uploading_a_paper(client, io, secretariat):
    item = AgendaItemFactory(meeting=MeetingFactory(group=io))
    client.force_login(secretariat)
    response = client.post(
        upload_url(item),
        {"title": "Q3 report", "file": SimpleUploadedFile("q3.pdf", PDF_BYTES)},
    )
    assert response.status_code == 302
    paper = Paper.objects.get()
    assert (paper.title, paper.original_name, paper.uploaded_by) == (
        "Q3 report",
        "q3.pdf",
        secretariat,
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("setup.exe", b"MZ\x90\x00program", "must be a PDF, Word or Excel file"),
        ("report.pdf", b"This is only text pretending", "is not a real PDF file"),
        ("notes.docx", PDF_BYTES, "is not a real Word file"),
        ("empty.pdf", b"", "The selected file is empty"),
    ],
)
def test_a_refused_file_keeps_the_title(client, io, secretariat, name, content, message):
    item = AgendaItemFactory(meeting=MeetingFactory(group=io))
    client.force_login(secretariat)
    response = client.post(
        upload_url(item), {"title": "Q3 report", "file": SimpleUploadedFile(name, content)}
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert message in text
    assert 'href="#id_file"' in text
    assert 'value="Q3 report"' in text
    assert not Paper.objects.exists()


def test_a_file_over_the_limit_is_refused(client, io, secretariat, settings):
    settings.PAPER_MAX_BYTES = 20
    item = AgendaItemFactory(meeting=MeetingFactory(group=io))
    client.force_login(secretariat)
    response = client.post(
        upload_url(item), {"title": "Big", "file": SimpleUploadedFile("big.pdf", PDF_BYTES)}
    )
    assert "The selected file must be smaller than 20" in response.content.decode()
    assert not Paper.objects.exists()


def test_a_paper_downloads_under_its_own_name_and_never_cached(client, io, member, secretariat):
    item = AgendaItemFactory(meeting=MeetingFactory(group=io))
    paper = PaperFactory(
        item=item, original_name="Neglect strategy v2.pdf", uploaded_by=secretariat
    )
    client.force_login(member)
    response = client.get(f"/papers/{paper.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="Neglect strategy v2.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_a_paper_is_not_found_for_those_who_may_not_see_its_meeting(client, io, cdop_member):
    paper = PaperFactory(item=AgendaItemFactory(meeting=MeetingFactory(group=io)))
    client.force_login(cdop_member)
    assert client.get(f"/papers/{paper.pk}/").status_code == 404


def test_a_paper_whose_file_is_missing_is_not_found_rather_than_an_error(client, io, secretariat):
    paper = PaperFactory(item=AgendaItemFactory(meeting=MeetingFactory(group=io)))
    paper.file.storage.delete(paper.file.name)
    client.force_login(secretariat)
    assert client.get(f"/papers/{paper.pk}/").status_code == 404


# Sending the papers ----------------------------------------------------------------------------


def test_sending_papers_lists_who_gets_what_then_sends(
    client, io, secretariat, member, group_chair, mailoutbox, django_capture_on_commit_callbacks
):
    meeting = MeetingFactory(group=io)
    item = AgendaItemFactory(meeting=meeting, title="Neglect strategy")
    PaperFactory(item=item, title="Strategy draft")
    text = page(client, secretariat, f"/meetings/{meeting.pk}/send-papers/")
    assert escape(member.get_full_name()) in text
    assert escape(group_chair.get_full_name()) in text
    assert "Neglect strategy: Strategy draft" in text
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/meetings/{meeting.pk}/send-papers/", {"submit": "Send"})
    assert response.status_code == 302
    assert sorted(m.to[0] for m in mailoutbox) == sorted([member.email, group_chair.email])
    text = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert "are being sent to the group" in text
    meeting.refresh_from_db()
    assert meeting.papers_sent_at is not None


def test_sending_papers_for_an_empty_agenda_is_refused_with_a_message(
    client, io, secretariat, mailoutbox
):
    meeting = MeetingFactory(group=io)
    client.force_login(secretariat)
    response = client.post(f"/meetings/{meeting.pk}/send-papers/", follow=True)
    assert "Add at least one item to the agenda" in response.content.decode()
    assert not mailoutbox


# Attendance ------------------------------------------------------------------------------------


@pytest.fixture
def attendance_meeting(io, group_chair, member):
    io.quorum_members = 2
    io.save()
    return started_meeting(io)


def test_attendance_lists_the_members_on_the_day_and_records_it(
    client, attendance_meeting, secretariat, group_chair, member
):
    url = f"/meetings/{attendance_meeting.pk}/attendance/"
    text = page(client, secretariat, url)
    assert escape(f"{group_chair}, {group_chair.agency.name}") in text
    assert escape(f"{member}, {member.agency.name}") in text
    assert "Quorum: at least 2 members" in text
    guest = UserFactory(agency=AgencyFactory(name="Local charity"))
    # A substitute comes from the agency of the member they stand in for.
    colleague = UserFactory(agency=member.memberships.get().agency)
    response = client.post(
        url,
        {
            f"status_{group_chair.pk}": "present",
            f"status_{member.pk}": "apologies",
            f"substitute_{member.pk}": str(colleague.pk),
            "guest_1": str(guest.pk),
        },
    )
    assert response.status_code == 302
    attendance_meeting.refresh_from_db()
    assert attendance_meeting.status == MeetingStatus.HELD
    assert attendance_meeting.quorate is True
    rows = {a.person_id: a for a in attendance_meeting.attendance.all()}
    assert rows[colleague.pk].substitute_for == member
    assert rows[colleague.pk].agency == member.memberships.get().agency
    assert rows[guest.pk].is_member is False
    detail = client.get(f"/meetings/{attendance_meeting.pk}/").content.decode()
    assert "Quorate: 2 members were present" in detail

    # The form opens again with what was saved.
    text = page(client, secretariat, url)
    assert checked(text, f"status_{member.pk}") == "apologies"
    assert checked(text, f"status_{group_chair.pk}") == "present"
    assert f'<option value="{colleague.pk}" selected>' in text
    assert f'<option value="{guest.pk}" selected>' in text


def test_a_refused_attendance_keeps_the_choices_and_names_the_row(
    client, attendance_meeting, secretariat, group_chair, member
):
    url = f"/meetings/{attendance_meeting.pk}/attendance/"
    client.force_login(secretariat)
    # The member works for the chair's agency, so is offered as the chair's substitute.
    type(member).objects.filter(pk=member.pk).update(agency=group_chair.agency)
    response = client.post(
        url,
        {
            f"status_{group_chair.pk}": "apologies",
            f"status_{member.pk}": "present",
            f"substitute_{group_chair.pk}": str(member.pk),
        },
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert f'href="#id_substitute_{group_chair.pk}"' in text
    assert "is a member of the Improving Outcomes subgroup" in text
    assert f'<option value="{member.pk}" selected>' in text
    assert not Attendance.objects.exists()


def test_attendance_needs_every_members_status(client, attendance_meeting, secretariat, member):
    client.force_login(secretariat)
    response = client.post(f"/meetings/{attendance_meeting.pk}/attendance/", {})
    text = response.content.decode()
    assert escape(f"Choose whether {member} was present, sent apologies or was absent") in text
    # The summary links to the first choice of the member's radios.
    assert f'href="#id_status_{member.pk}_1"' in text
    assert f'id="id_status_{member.pk}_1"' in text


def test_attendance_before_the_meeting_starts_says_so(client, io, secretariat, member):
    meeting = MeetingFactory(group=io)
    text = page(client, secretariat, f"/meetings/{meeting.pk}/attendance/")
    assert "The meeting has not started yet" in text
    assert "Save attendance" not in text
    response = client.post(
        f"/meetings/{meeting.pk}/attendance/", {f"status_{member.pk}": "present"}, follow=True
    )
    text = response.content.decode()
    assert "You can record attendance once the meeting has started" in text
    assert "The meeting has not started yet" in text
    assert not Attendance.objects.exists()


def test_attendance_labels_escape_peoples_names(client, io, secretariat):
    meeting = started_meeting(io)
    MembershipFactory(group=io, user=UserFactory(first_name="<b>Bold</b>", last_name="O'Neil"))
    text = page(client, secretariat, f"/meetings/{meeting.pk}/attendance/")
    assert "<b>Bold</b>" not in text
    assert "&lt;b&gt;Bold&lt;/b&gt;" in text


def test_members_whose_seat_ended_before_the_meeting_are_not_listed(client, io, secretariat):
    meeting = started_meeting(io, hours_ago=24 * 3)
    former = MembershipFactory(
        group=io,
        role=MembershipRole.MEMBER,
        end_date=timezone.localdate() - datetime.timedelta(days=10),
        start_date=timezone.localdate() - datetime.timedelta(days=100),
        user=UserFactory(last_name="Formerly"),
    )
    current = MembershipFactory(group=io).user
    text = page(client, secretariat, f"/meetings/{meeting.pk}/attendance/")
    assert f'name="status_{former.user.pk}"' not in text
    assert f'name="status_{current.pk}"' in text


def test_a_substitute_is_offered_from_the_members_agency_only(
    client, attendance_meeting, secretariat, member
):
    colleague = UserFactory(agency=member.memberships.get().agency)
    stranger = UserFactory()
    text = page(client, secretariat, f"/meetings/{attendance_meeting.pk}/attendance/")
    select = text[text.index(f'name="substitute_{member.pk}"') :]
    select = select[: select.index("</select>")]
    assert f'value="{colleague.pk}"' in select
    assert f'value="{stranger.pk}"' not in select


# Minutes ---------------------------------------------------------------------------------------


def test_minutes_are_written_after_the_meeting_starts(client, io, secretariat, member):
    meeting = started_meeting(io)
    item = AgendaItemFactory(meeting=meeting, title="Neglect strategy")
    url = f"/meetings/{meeting.pk}/items/{item.pk}/minutes/"
    assert "Save minutes" in page(client, secretariat, url)
    response = client.post(url, {"minutes": "Discussed.", "decisions": "Agreed to adopt it."})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.decisions == "Agreed to adopt it."
    assert "Agreed to adopt it." in page(client, member, f"/meetings/{meeting.pk}/")


def test_minutes_before_the_meeting_are_refused(client, io, secretariat):
    item = AgendaItemFactory(meeting=MeetingFactory(group=io))
    url = f"/meetings/{item.meeting_id}/items/{item.pk}/minutes/"
    assert "The meeting has not started yet" in page(client, secretariat, url)
    response = client.post(url, {"minutes": "Too early"}, follow=True)
    assert "You can record minutes once the meeting has started" in response.content.decode()
    item.refresh_from_db()
    assert item.minutes == ""
