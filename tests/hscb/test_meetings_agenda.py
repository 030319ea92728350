"""Meeting services for the agenda: items and the records they link to, minutes, papers and
sending them; the agenda pack PDF."""

from __future__ import annotations

import datetime
from smtplib import SMTPException
from unittest import mock

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from hscb.lib.pdf import html_to_pdf, render_pdf
from hscb.models import (
    Action,
    Agency,
    AgendaItem,
    Attendance,
    Meeting,
    Paper,
)
from hscb.rules import roles_of
from hscb.selectors import meetings as selectors
from hscb.services import meetings as services
from hscb.tasks import send_meeting_papers
from tests.hscb.factories import (
    PDF_BYTES,
    ActionFactory,
    AgencyFactory,
    AgendaItemFactory,
    MeetingFactory,
    MembershipFactory,
    PaperFactory,
)
from tests.hscb.meeting_helpers import APOLOGIES, errors_of, in_days, london

pytestmark = pytest.mark.django_db


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


def test_an_items_select_offers_a_fixed_number_of_records_and_keeps_the_one_linked(
    board, secretariat, monkeypatch
):
    monkeypatch.setattr(services, "LINK_CHOICES", 3)
    meeting = MeetingFactory()
    actions = [ActionFactory(group=meeting.group) for _ in range(5)]
    offered = dict(services.link_choices(meeting))["Actions of this group"]
    # The newest first, three of them.
    assert [value for value, _ in offered] == [
        services.link_value(a) for a in reversed(actions[2:])
    ]
    oldest = services.link_value(actions[0])
    kept = dict(services.link_choices(meeting, include=actions[0]))["Actions of this group"]
    assert [value for value, _ in kept][-1] == oldest and len(kept) == 4
    # A record the meeting may not link is not added, even when asked for.
    theirs = ActionFactory()
    others = dict(services.link_choices(meeting, include=theirs))["Actions of this group"]
    assert services.link_value(theirs) not in [value for value, _ in others]


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


def test_a_number_two_kinds_share_is_refused_naming_both_by_their_labels_only(
    board, secretariat, agencies_linkable
):
    meeting = MeetingFactory()
    action = ActionFactory(group=meeting.group, id=10**6)
    AgencyFactory(name="Jane Doe, born 1 May 2015", id=10**6)
    with pytest.raises(ValidationError) as excinfo:
        services.link_find(meeting, str(action.pk))
    message = excinfo.value.messages[0]
    assert f"could be more than one record (Action {action.pk}: " in message
    assert f"; Agency {action.pk})" in message
    assert "Jane Doe" not in message
    # Its kind's name says which is meant.
    assert services.link_find(meeting, f"action {action.pk}") == action
    assert services.link_find(meeting, f"Agency {action.pk}").pk == action.pk
    with pytest.raises(ValidationError, match="No record"):
        services.link_find(meeting, f"IO-{action.pk}")


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


# The agenda pack -------------------------------------------------------------------------------


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
