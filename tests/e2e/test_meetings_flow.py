"""Meetings in a browser: the secretariat schedules one and builds its agenda with a paper,
records a past meeting's attendance, quorum, minutes and an action; a failed form keeps what
was typed; a member reads the forward plan and downloads the agenda pack and invitation."""

from __future__ import annotations

import datetime
import re

from django.core import mail
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from icalendar import Calendar
from playwright.sync_api import Page, expect

from hscb.models import Action, AttendanceStatus, GroupFunction, Meeting, MeetingStatus
from tests.e2e.browsing import follow, sign_in, sign_out, summary_value, visit
from tests.e2e.business import (
    choose_person,
    error_summary,
    fill_date,
    improving_outcomes,
    in_days,
    long_date,
    menu_link,
    success_banner,
)
from tests.hscb.factories import PDF_BYTES, AgendaItemFactory, MeetingFactory, UserFactory

GROUP = "Improving Outcomes subgroup"
MEETING = "Improving Outcomes subgroup meeting"
AGENDA_TABLE = "Agenda, in order, with the time each item starts"


def _fill_meeting(
    page: Page, *, day: datetime.date, start: str, end: str, venue: str, held: bool = False
) -> None:
    page.get_by_label("Group", exact=True).select_option(label=GROUP)
    fill_date(page, "Date", day)
    page.get_by_label("Start time").fill(start)
    page.get_by_label("End time").fill(end)
    page.get_by_label("Venue").fill(venue)
    if held:
        page.get_by_label("This meeting has already taken place").check()


def _schedule_through_the_forward_plan(page: Page) -> None:
    follow(page, menu_link(page, "Meetings"))
    follow(page, page.get_by_role("button", name="Schedule a meeting"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Schedule a meeting")


def _add_item(page: Page, *, title: str, minutes: int, presenter: str = "", guest: str = ""):
    follow(page, page.get_by_role("link", name="Add an agenda item"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Add an agenda item")
    page.get_by_label("Title").fill(title)
    if presenter:
        choose_person(page, "Presenter (optional)", presenter)
    if guest:
        page.get_by_label("Or the name of a presenter without an account").fill(guest)
    page.get_by_label("Time allotted, in minutes").fill(str(minutes))
    follow(page, page.get_by_role("button", name="Save item"))
    expect(success_banner(page)).to_have_text(f"“{title}” has been added to the agenda.")


def test_the_secretariat_schedules_a_meeting_and_builds_its_agenda_with_a_paper(
    page: Page, secretariat, group_chair, member, password, tmp_path
):
    day = in_days(21)
    sign_in(page, secretariat.email, password)
    _schedule_through_the_forward_plan(page)
    _fill_meeting(
        page, day=day, start="10am", end="12:30pm", venue="Committee Room 2, County Hall, Hertford"
    )
    follow(page, page.get_by_role("button", name="Save meeting"))

    expect(success_banner(page)).to_have_text(f"The {MEETING} has been scheduled.")
    expect(page.locator(".govuk-caption-l")).to_have_text(GROUP)
    expect(page.get_by_role("heading", level=1)).to_have_text(MEETING)
    expect(page.get_by_role("main").locator(".govuk-tag").first).to_have_text("Scheduled")
    expect(summary_value(page, "When")).to_have_text(f"{long_date(day)}, 10am to 12:30pm")
    expect(summary_value(page, "Venue")).to_have_text("Committee Room 2, County Hall, Hertford")
    expect(summary_value(page, "Papers sent")).to_have_text("Not yet")
    expect(page.get_by_role("main")).to_contain_text("There are no items on the agenda yet.")
    meeting = Meeting.objects.get()
    assert timezone.localtime(meeting.starts_at).date() == day
    assert timezone.localtime(meeting.starts_at).time() == datetime.time(10)
    assert timezone.localtime(meeting.ends_at).time() == datetime.time(12, 30)

    chair = f"{group_chair.get_full_name()}, {group_chair.agency.label}"
    _add_item(page, title="Quarterly performance report", minutes=20, presenter=chair)
    _add_item(page, title="Neglect strategy", minutes=30, guest="Dr Amara Osei")
    agenda = page.get_by_role("table", name=AGENDA_TABLE)
    rows = agenda.locator("tbody > tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0).locator("td")).to_have_text(
        [
            "1",
            re.compile(r"^\s*Quarterly performance report\s"),
            group_chair.get_full_name(),
            "10am",
            "20",
        ]
    )
    expect(rows.nth(1).locator("td")).to_have_text(
        ["2", re.compile(r"^\s*Neglect strategy\s"), "Dr Amara Osei", "10:20am", "30"]
    )

    # A file that is not a PDF, Word or Excel file is refused; the title typed is kept.
    follow(
        page,
        page.get_by_role("link", name="Add a paper to item 1, Quarterly performance report"),
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Add a paper to “Quarterly performance report”"
    )
    notes = tmp_path / "notes.txt"
    notes.write_text("Not a paper the board accepts.\n", encoding="utf-8")
    page.get_by_label("Title").fill("Performance report, quarter 2")
    page.get_by_label("File").set_input_files(notes)
    follow(page, page.get_by_role("button", name="Upload paper"))

    expect(page).to_have_title(re.compile(r"^Error: Add a paper to “Quarterly performance report”"))
    expect(error_summary(page)).to_be_focused()
    expect(error_summary(page).get_by_role("link")).to_have_text(
        "The selected file must be a PDF, Word or Excel file"
    )
    expect(page.locator(".govuk-error-message")).to_have_text(
        "Error: The selected file must be a PDF, Word or Excel file"
    )
    expect(page.get_by_label("Title")).to_have_value("Performance report, quarter 2")

    report = tmp_path / "performance-report-q2.pdf"
    content = PDF_BYTES + b"%" + b"0" * 2000 + b"\n"
    report.write_bytes(content)
    page.get_by_label("File").set_input_files(report)
    follow(page, page.get_by_role("button", name="Upload paper"))

    expect(success_banner(page)).to_have_text(
        "“Performance report, quarter 2” has been added to “Quarterly performance report”."
    )
    first_item = page.get_by_role("table", name=AGENDA_TABLE).locator("tbody > tr").first
    paper = first_item.get_by_role("link", name="Performance report, quarter 2")
    expect(paper).to_be_visible()
    size = filesizeformat(len(content)).replace("\xa0", " ")
    expect(paper.locator("xpath=..")).to_have_text(f"Performance report, quarter 2 (PDF, {size})")

    download = page.request.get(paper.get_attribute("href"))
    assert download.status == 200
    assert download.headers["content-type"] == "application/pdf"
    assert 'filename="performance-report-q2.pdf"' in download.headers["content-disposition"]
    assert download.body() == content

    # The papers go to the group's members: one email each, with a link, never an attachment.
    mail.outbox.clear()
    follow(page, page.get_by_role("link", name="Send the papers"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Send the papers")
    recipients = page.get_by_role("heading", name="Who will get them").locator(
        "xpath=following-sibling::ul[1]/li"
    )
    by_surname = sorted([group_chair, member], key=lambda u: (u.last_name, u.first_name, u.pk))
    expect(recipients).to_have_text([f"{u}, {u.agency.name}" for u in by_surname])
    expect(page.locator("ol.govuk-list--number > li")).to_have_text(
        [
            "Quarterly performance report: Performance report, quarter 2",
            "Neglect strategy (no papers)",
        ]
    )
    follow(page, page.get_by_role("button", name="Send the papers"))
    expect(success_banner(page)).to_have_text(
        f"The papers for the {MEETING} are being sent to the group's members."
    )
    expect(summary_value(page, "Papers sent")).to_have_text(long_date(timezone.localdate()))
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [group_chair.email, member.email]
    )
    assert all(not message.attachments for message in mail.outbox)


def test_the_secretariat_records_a_past_meeting_its_quorum_minutes_and_an_action(
    page: Page, secretariat, group_chair, member, password
):
    group = improving_outcomes()
    group.quorum_members = 2
    group.save(update_fields=["quorum_members"])
    colleague = UserFactory(
        agency=member.agency, first_name="Priya", last_name="Sharma", email="priya@agency.example"
    )
    held_on, due = in_days(-3), in_days(30)

    sign_in(page, secretariat.email, password)
    _schedule_through_the_forward_plan(page)
    _fill_meeting(page, day=held_on, start="2pm", end="4pm", venue="Room 4, Hertford", held=True)
    follow(page, page.get_by_role("button", name="Save meeting"))
    expect(success_banner(page)).to_have_text(f"The {MEETING} has been scheduled.")
    expect(page.get_by_role("main").locator(".govuk-tag").first).to_have_text(
        "Attendance not recorded"
    )
    expect(summary_value(page, "When")).to_have_text(f"{long_date(held_on)}, 2pm to 4pm")
    # A meeting that has taken place has no papers to send.
    expect(page.get_by_role("link", name="Send the papers")).to_have_count(0)
    _add_item(page, title="Neglect strategy update", minutes=30, guest="Dr Amara Osei")

    # Attendance: the chair came; the member sent apologies and a colleague stood in.
    follow(page, page.get_by_role("link", name="Record attendance"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Record attendance")
    expect(page.get_by_role("main")).to_contain_text(
        "Quorum: at least 2 members (chairs, vice-chairs and members, or their substitutes) "
        "present."
    )
    chair_seat = page.get_by_role("group", name=f"{group_chair}, {group_chair.agency.name}")
    chair_seat.get_by_label("Present", exact=True).check()
    member_seat = page.get_by_role("group", name=f"{member}, {member.agency.name}")
    member_seat.get_by_label("Sent apologies", exact=True).check()
    page.get_by_label(f"Substitute who attended in place of {member} (optional)").select_option(
        label=f"{colleague}, {member.agency.label}"
    )
    follow(page, page.get_by_role("button", name="Save attendance"))

    reason = "Quorate: 2 members were present (including 1 substitute), 2 needed."
    expect(success_banner(page)).to_have_text(f"Attendance has been saved. {reason}")
    expect(page.get_by_role("main").locator(".govuk-tag").first).to_have_text("Held")
    quorum = page.locator(".govuk-inset-text")
    expect(quorum.locator(".govuk-tag")).to_have_text("Quorate")
    expect(quorum).to_contain_text(reason)
    attendance = page.get_by_role("table", name="2 present, 1 sent apologies, 0 absent")
    expect(attendance.locator("tbody > tr")).to_have_count(3)
    rows = attendance.locator("tbody > tr")
    expect(rows.filter(has_text=colleague.get_full_name()).locator("td")).to_have_text(
        [str(colleague), member.agency.name, "Present", str(member)]
    )
    expect(rows.filter(has_text="Sent apologies").locator("td")).to_have_text(
        [str(member), member.agency.name, "Sent apologies", ""]
    )
    expect(rows.filter(has_text=str(group_chair)).locator("td")).to_have_text(
        [str(group_chair), group_chair.agency.name, "Present", ""]
    )
    meeting = Meeting.objects.get()
    assert meeting.status == MeetingStatus.HELD
    assert meeting.quorate is True
    substitute = meeting.attendance.get(person=colleague)
    assert (substitute.status, substitute.substitute_for) == (AttendanceStatus.PRESENT, member)

    # Minutes and a decision for the item.
    follow(
        page,
        page.get_by_role("link", name="Minutes and decisions of item 1, Neglect strategy update"),
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Minutes and decisions: Neglect strategy update"
    )
    expect(page.get_by_role("main")).to_contain_text("Presented by Dr Amara Osei.")
    page.get_by_label("Minutes").fill(
        "Dr Osei presented the draft strategy.\n\nPartners asked for a section on adolescents."
    )
    page.get_by_label("Decisions").fill("The strategy goes to the Strategic Board in March.")
    follow(page, page.get_by_role("button", name="Save minutes"))

    expect(success_banner(page)).to_have_text(
        "The minutes of “Neglect strategy update” have been saved."
    )
    minutes = page.get_by_role("heading", level=2, name="Minutes and decisions")
    expect(minutes).to_be_visible()
    expect(page.get_by_role("heading", level=3, name="1. Neglect strategy update")).to_be_visible()
    main = page.get_by_role("main")
    expect(main).to_contain_text("Dr Osei presented the draft strategy.")
    expect(main).to_contain_text("Partners asked for a section on adolescents.")
    expect(main).to_contain_text("The strategy goes to the Strategic Board in March.")

    # An action arising, owned by the member.
    expect(main).to_contain_text("No actions have been recorded from this meeting.")
    follow(page, page.get_by_role("link", name="Create an action arising from this meeting"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Record an action")
    page.get_by_label("Action", exact=True).fill("Add a section on adolescents to the strategy")
    page.get_by_label("Details (optional)").fill("Ask the Youth Justice Service for figures.")
    # Sent without an owner: the autocomplete shows the error, and reads it with its hint.
    follow(page, page.get_by_role("button", name="Save action"))
    owner = page.get_by_role("combobox", name="Owner", exact=True)
    expect(owner).to_have_class(re.compile(r"\bapp-autocomplete__input--error\b"))
    expect(owner).to_have_accessible_description(re.compile("Choose the owner of the action"))
    choose_person(page, "Owner", f"{member.get_full_name()}, {member.agency.label}")
    fill_date(page, "Due date", due)
    page.get_by_label("Agenda item it arose from (optional)").select_option(
        label="Neglect strategy update"
    )
    follow(page, page.get_by_role("button", name="Save action"))

    expect(page.get_by_role("heading", level=1)).to_have_text(MEETING)
    expect(success_banner(page)).to_have_text(
        "The action “Add a section on adolescents to the strategy” has been recorded."
    )
    arising = page.get_by_role("table", name="Actions arising from this meeting")
    expect(arising.locator("tbody > tr")).to_have_count(1)
    expect(arising.locator("tbody > tr > td")).to_have_text(
        ["Add a section on adolescents to the strategy", str(member), long_date(due), "Open"]
    )
    action = Action.objects.get()
    assert (action.owner, action.meeting, action.due_date) == (member, meeting, due)
    assert action.agenda_item.title == "Neglect strategy update"

    follow(page, arising.get_by_role("link", name="Add a section on adolescents to the strategy"))
    expect(summary_value(page, "Meeting it arose from")).to_have_text(str(meeting))
    expect(summary_value(page, "Agenda item")).to_have_text("Neglect strategy update")

    # The owner finds it under "Your actions" (tests/e2e/test_actions_flow.py goes on from here).
    sign_out(page)
    sign_in(page, member.email, password)
    follow(page, menu_link(page, "Your actions"))
    mine = page.get_by_role("table", name="Open and in progress").locator("tbody > tr")
    expect(mine).to_have_count(1)
    expect(mine.locator("td").nth(0)).to_have_text("Add a section on adolescents to the strategy")
    expect(mine.locator("td").nth(1).get_by_role("link")).to_have_text(str(meeting))


def test_a_meeting_form_with_the_end_before_the_start_keeps_what_was_typed(
    page: Page, secretariat, password
):
    day = in_days(10)
    sign_in(page, secretariat.email, password)
    _schedule_through_the_forward_plan(page)
    page.get_by_label("Title (optional)").fill("Extraordinary meeting")
    _fill_meeting(page, day=day, start="11am", end="9am", venue="The Old Court, Hertford")
    follow(page, page.get_by_role("button", name="Save meeting"))

    expect(page).to_have_title(re.compile(r"^Error: Schedule a meeting – "))
    summary = error_summary(page)
    expect(summary).to_be_focused()
    link = summary.get_by_role("link")
    expect(link).to_have_text("The end time must be after the start time")
    expect(page.locator(".govuk-error-message")).to_have_text(
        "Error: The end time must be after the start time"
    )
    link.click()  # moves focus within the page: no new document
    expect(page.get_by_label("End time")).to_be_focused()

    expect(page.get_by_label("Group", exact=True).locator("option:checked")).to_have_text(GROUP)
    expect(page.get_by_label("Title (optional)")).to_have_value("Extraordinary meeting")
    date = page.get_by_role("group", name="Date", exact=True)
    expect(date.get_by_label("Day")).to_have_value(str(day.day))
    expect(date.get_by_label("Month")).to_have_value(str(day.month))
    expect(date.get_by_label("Year")).to_have_value(str(day.year))
    expect(page.get_by_label("Start time")).to_have_value("11am")
    expect(page.get_by_label("End time")).to_have_value("9am")
    expect(page.get_by_label("Venue")).to_have_value("The Old Court, Hertford")
    assert not Meeting.objects.exists()

    page.get_by_label("End time").fill("1pm")
    follow(page, page.get_by_role("button", name="Save meeting"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Extraordinary meeting")
    expect(summary_value(page, "When")).to_have_text(f"{long_date(day)}, 11am to 1pm")


def test_a_member_reads_the_forward_plan_and_downloads_the_agenda_pack_and_invitation(
    page: Page, board, member, group_chair, cdop_member, password
):
    day = in_days(10)
    starts = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))
    meeting = MeetingFactory(
        group=improving_outcomes(),
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        venue="Committee Room 1, County Hall, Hertford",
    )
    AgendaItemFactory(
        meeting=meeting,
        order=1,
        title="Welcome and apologies",
        minutes_allotted=10,
        presenter=group_chair,
    )
    AgendaItemFactory(
        meeting=meeting,
        order=2,
        title="Child exploitation profile",
        minutes_allotted=30,
        presenter_name="Dr Amara Osei",
    )
    MeetingFactory(group=improving_outcomes(), starts_at=starts - datetime.timedelta(days=40))
    MeetingFactory(group=board[GroupFunction.CHILD_DEATH_OVERVIEW], starts_at=starts)

    sign_in(page, member.email, password)
    follow(page, menu_link(page, "Meetings"))

    expect(page.get_by_role("heading", level=1)).to_have_text("Forward plan: coming meetings")
    main = page.get_by_role("main")
    expect(main).to_contain_text("Meetings of the groups you sit on.")
    expect(page.get_by_role("button", name="Schedule a meeting")).to_have_count(0)
    cards = page.locator(".app-card")
    expect(cards).to_have_count(1)  # not the past meeting, not the panel's meeting
    card = cards.first
    expect(card.get_by_role("heading", level=2)).to_have_text(MEETING)
    expect(summary_value(card, "When")).to_have_text(f"{long_date(day)}, 10am to midday")
    expect(summary_value(card, "Where")).to_have_text("Committee Room 1, County Hall, Hertford")
    agenda = card.get_by_role("table", name=f"Agenda of the {MEETING}, {long_date(day)}")
    expect(agenda.locator("tbody > tr").nth(0).locator("td")).to_have_text(
        ["10am", "1. Welcome and apologies", group_chair.get_full_name()]
    )
    expect(agenda.locator("tbody > tr").nth(1).locator("td")).to_have_text(
        ["10:10am", "2. Child exploitation profile", "Dr Amara Osei"]
    )

    # The files are fetched with the browser's session rather than opened as pages.
    # Each link's name ends with the meeting (hidden text), which Chromium reads after a space.
    suffix = rf"\s*: {MEETING}, {long_date(day)}$"
    ics_link = card.get_by_role(
        "link", name=re.compile(r"^Add to your calendar \(\.ics\)" + suffix)
    )
    invitation = page.request.get(ics_link.get_attribute("href"))
    assert invitation.status == 200
    assert invitation.headers["content-type"] == "text/calendar; charset=utf-8"
    assert (
        f'filename="meeting-improving-outcomes-{day:%Y-%m-%d}.ics"'
        in invitation.headers["content-disposition"]
    )
    (event,) = Calendar.from_ical(invitation.body()).walk("VEVENT")
    assert str(event["SUMMARY"]) == MEETING
    assert event.decoded("DTSTART") == meeting.starts_at
    assert event.decoded("DTEND") == meeting.ends_at
    assert str(event["LOCATION"]) == "Committee Room 1, County Hall, Hertford"
    assert "1. Welcome and apologies\n2. Child exploitation profile" in str(event["DESCRIPTION"])

    pdf_link = card.get_by_role(
        "link", name=re.compile(r"^Download the agenda pack \(PDF\)" + suffix)
    )
    pack = page.request.get(pdf_link.get_attribute("href"))
    assert pack.status == 200
    assert pack.headers["content-type"] == "application/pdf"
    assert (
        f'filename="agenda-improving-outcomes-{day:%Y-%m-%d}.pdf"'
        in pack.headers["content-disposition"]
    )
    assert pack.body().startswith(b"%PDF-")

    follow(page, card.get_by_role("link", name=re.compile("^Meeting details and papers" + suffix)))
    expect(page.get_by_role("heading", level=1)).to_have_text(MEETING)
    expect(page.get_by_role("heading", name="Manage this meeting")).to_have_count(0)
    expect(page.get_by_role("link", name="Add an agenda item")).to_have_count(0)

    # Someone on another group is not shown the meeting, and may not open it.
    page.context.clear_cookies()
    sign_in(page, cdop_member.email, password)
    response = visit(page, meeting.get_absolute_url())
    assert response is not None
    assert response.status == 404
    refused = page.request.get(f"/meetings/{meeting.pk}/invitation.ics")
    assert refused.status == 404
