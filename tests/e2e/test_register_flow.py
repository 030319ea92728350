"""The Improving Outcomes register in a browser: a member raises a multi-agency issue (the
subgroup's rule refuses a single-agency one, keeping what was typed) and its owner moves it to
monitoring; the chair escalates it onto the Strategic Board's next agenda; the board chair
records the Board's decision, which goes back to the issue; the chair filters the register,
reads the heat map and downloads the CSV; the board chair may not open the register."""

from __future__ import annotations

import csv
import datetime
import io
import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from hscb.models import Action, ActionStatus, Agency, GroupFunction
from subgroups.models import Escalation, EscalationDecision, Issue, IssueStatus, IssueUpdate
from tests.e2e.browsing import follow, sign_in, sign_out, summary_value, visit
from tests.e2e.business import (
    choose_person,
    error_summary,
    fill_date,
    in_days,
    long_date,
    menu_link,
    success_banner,
)
from tests.e2e.register_helpers import (
    DESCRIPTION,
    IMPROVEMENT,
    POLICE,
    RATIONALE,
    RECOMMENDATIONS,
    TITLE,
    TRUST,
    board_meeting,
    escalate,
    fill_date_in,
    monitor,
    person,
    progress_entries,
    raise_issue,
    rating_tag,
    register_ready,
    status_tag,
)
from tests.hscb.factories import MembershipFactory

MULTI_AGENCY_ERROR = (
    "The Improving Outcomes subgroup only takes multi-agency issues. Choose two or more "
    f"agencies, or say that the issue is countywide. This one names only {TRUST}."
)
NO_CRITERION_ERROR = (
    "Choose at least one reason: countywide or national implications, beyond the remit of the "
    "Strategic Board, or a serious lack of co-operation"
)
COUNTYWIDE = "It has countywide or national implications"
BOARD_ACTION = "Write to both trusts' chief executives about the data-sharing agreement"
MONITORING_NOTE = "Both trusts now send the data weekly. We will watch the figures for 3 months."


@pytest.fixture
def agencies(board) -> list[Agency]:
    """The ratings and the two agencies the issues name (emptied after every browser test):
    the trust has a seat on the subgroup, so its form offers it; the police are typed by name."""
    ready = register_ready()
    MembershipFactory(group=board[GroupFunction.IMPROVING_OUTCOMES], agency=ready[0])
    return ready


def _open_register(page: Page) -> None:
    follow(page, menu_link(page, "Issues register"))
    expect(page.get_by_role("heading", level=1)).to_have_text("The issues register")


def _fill_issue(page: Page, *, agencies: list[str], owner: str, review: datetime.date) -> None:
    page.get_by_label("Title", exact=True).fill(TITLE)
    page.get_by_label("Description", exact=True).fill(DESCRIPTION)
    source = page.get_by_role("group", name="Where did the issue come from?")
    source.get_by_label("Performance data", exact=True).check()
    named = page.get_by_role("group", name="Agencies involved")
    for agency in agencies:
        named.get_by_label(agency, exact=True).check()
    likelihood = page.get_by_role("group", name="How likely is the risk to happen?")
    likelihood.get_by_label("4: Likely", exact=True).check()
    impact = page.get_by_role("group", name="How great would its impact be?")
    impact.get_by_label("4: Major", exact=True).check()
    choose_person(page, "Owner", owner)
    page.get_by_label("Proposed improvement", exact=True).fill(IMPROVEMENT)
    fill_date(page, "Review date", review)


def test_a_member_raises_a_multi_agency_issue_and_its_owner_moves_it_to_monitoring(
    page: Page, member, password, agencies
):
    review = in_days(60)
    sign_in(page, member.email, password)
    _open_register(page)
    expect(page.get_by_role("main")).to_contain_text("No issues match these filters.")
    follow(page, page.get_by_role("button", name="Raise an issue"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Raise an issue")

    # One agency and not countywide: the subgroup's rule refuses it, and keeps what was typed.
    _fill_issue(page, agencies=[TRUST], owner=person(member), review=review)
    follow(page, page.get_by_role("button", name="Save issue"))

    expect(page).to_have_title(re.compile(r"^Error: Raise an issue – "))
    expect(error_summary(page)).to_be_focused()
    expect(error_summary(page).get_by_role("link")).to_have_text(MULTI_AGENCY_ERROR)
    expect(page.locator(".govuk-error-message")).to_have_text(f"Error: {MULTI_AGENCY_ERROR}")
    expect(page.get_by_label("Title", exact=True)).to_have_value(TITLE)
    expect(page.get_by_label("Description", exact=True)).to_have_value(DESCRIPTION)
    expect(page.get_by_label("Performance data", exact=True)).to_be_checked()
    named = page.get_by_role("group", name="Agencies involved")
    expect(named.get_by_label(TRUST, exact=True)).to_be_checked()
    # The police have no seat on the subgroup: not listed, but found by the name typed.
    expect(named.get_by_label(POLICE, exact=True)).to_have_count(0)
    expect(page.get_by_label("4: Likely", exact=True)).to_be_checked()
    expect(page.get_by_label("4: Major", exact=True)).to_be_checked()
    # The owner's select is behind the people autocomplete, which shows the one chosen.
    expect(page.get_by_role("combobox", name="Owner", exact=True)).to_have_value(person(member))
    expect(page.get_by_label("Proposed improvement", exact=True)).to_have_value(IMPROVEMENT)
    date = page.get_by_role("group", name="Review date", exact=True)
    expect(date.get_by_label("Day")).to_have_value(str(review.day))
    expect(date.get_by_label("Month")).to_have_value(str(review.month))
    expect(date.get_by_label("Year")).to_have_value(str(review.year))
    assert not Issue.objects.exists()

    # Two agencies: it goes on the register, scored 4 times 4, 16, and rated Very high.
    page.get_by_label("Other agencies involved (optional)").fill("hertfordshire constabulary")
    follow(page, page.get_by_role("button", name="Save issue"))

    issue = Issue.objects.get()
    reference = issue.reference
    expect(success_banner(page)).to_have_text(f"{reference} “{TITLE}” is on the register.")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.locator(".govuk-caption-l")).to_have_text(
        f"{reference} on the register of the Improving Outcomes subgroup"
    )
    expect(summary_value(page, "Reference")).to_have_text(reference)
    expect(status_tag(page)).to_have_text("Open")
    expect(rating_tag(page)).to_have_text("Very high")
    expect(rating_tag(page)).to_have_class(re.compile(r"\bgovuk-tag--red\b"))
    expect(summary_value(page, "Risk")).to_have_text(
        re.compile(r"^\s*Very high\s*Score 16 \(likelihood 4 × impact 4\)\s*$")
    )
    expect(summary_value(page, "Source")).to_have_text("Performance data")
    expect(summary_value(page, "Agencies involved").locator("li")).to_have_text([TRUST, POLICE])
    expect(summary_value(page, "Owner")).to_have_text(person(member))
    expect(summary_value(page, "Review date")).to_have_text(long_date(review))
    expect(progress_entries(page)).to_have_count(1)
    expect(progress_entries(page).first).to_contain_text("Raised on the register.")
    assert (issue.score, issue.rating.name, issue.status) == (16, "Very high", IssueStatus.OPEN)
    assert sorted(a.name for a in issue.agencies.all()) == [TRUST, POLICE]
    assert (issue.owner, issue.created_by, issue.review_date) == (member, member, review)
    # A member may not escalate: that is the chair's.
    expect(page.get_by_role("link", name="Escalate to the Strategic Board")).to_have_count(0)

    # The owner records that improvements are in place: the issue moves to monitoring.
    follow(page, page.get_by_role("link", name="Add a progress update"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a progress update")
    expect(summary_value(page, "Status now")).to_have_text("Open")
    status = page.get_by_role("group", name="Status", exact=True)
    expect(status.get_by_label("No change: it stays open")).to_be_checked()
    status.get_by_label("Monitoring: improvements are in place").check()
    page.get_by_label("Progress update").fill(MONITORING_NOTE)
    follow(page, page.get_by_role("button", name="Save update"))

    expect(success_banner(page)).to_have_text(
        "Your update has been saved: the issue is now monitoring."
    )
    expect(status_tag(page)).to_have_text("Monitoring")
    expect(summary_value(page, "Status")).to_have_text("Monitoring")
    entries = progress_entries(page)
    expect(entries).to_have_count(2)
    latest = entries.first
    expect(latest.get_by_role("heading", level=3)).to_contain_text(member.get_full_name())
    expect(latest).to_contain_text("Status: Open → Monitoring")
    expect(latest).to_contain_text(MONITORING_NOTE)
    issue.refresh_from_db()
    assert issue.status == IssueStatus.MONITORING
    update = IssueUpdate.objects.filter(issue=issue).latest("written_at", "pk")
    assert (update.author, update.status_from, update.status_to) == (
        member,
        IssueStatus.OPEN,
        IssueStatus.MONITORING,
    )
    assert update.text == MONITORING_NOTE


def test_the_chair_escalates_an_issue_onto_the_boards_next_agenda_and_the_board_is_told(
    page: Page, board, group_chair, member, board_chair, secretariat, password, agencies
):
    meeting = board_meeting(board, days=14)
    board_meeting(board, days=42)  # a later one: the escalation goes to the next
    issue = monitor(raise_issue(by=member, agencies=agencies), by=member)
    reference = issue.reference
    mail.outbox.clear()

    sign_in(page, group_chair.email, password)
    _open_register(page)
    follow(page, page.get_by_role("link", name=f"{reference}: {TITLE}"))
    expect(status_tag(page)).to_have_text("Monitoring")
    follow(page, page.get_by_role("link", name="Escalate to the Strategic Board"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Escalate the issue to the Strategic Board"
    )
    expect(page.locator(".govuk-caption-l")).to_have_text(f"{reference}: {TITLE}")
    expect(summary_value(page, "Risk")).to_have_text(re.compile(r"^\s*Very high\s+score 16\s*$"))

    # No criterion ticked: refused, with the subgroup's words, and what was typed is kept.
    page.get_by_label("Rationale", exact=True).fill(RATIONALE)
    page.get_by_label("Recommendations for action", exact=True).fill(RECOMMENDATIONS)
    follow(page, page.get_by_role("button", name="Escalate to the Strategic Board"))

    expect(page).to_have_title(re.compile(r"^Error: Escalate IO-\d+ to the Strategic Board – "))
    expect(error_summary(page)).to_be_focused()
    expect(error_summary(page).get_by_role("link")).to_have_text(NO_CRITERION_ERROR)
    expect(page.get_by_label("Rationale", exact=True)).to_have_value(RATIONALE)
    expect(page.get_by_label("Recommendations for action", exact=True)).to_have_value(
        RECOMMENDATIONS
    )
    assert not Escalation.objects.exists()
    assert mail.outbox == []

    criteria = page.get_by_role("group", name="Why must the Strategic Board consider it?")
    criteria.get_by_label(COUNTYWIDE, exact=True).check()
    follow(page, page.get_by_role("button", name="Escalate to the Strategic Board"))

    escalation = Escalation.objects.get()
    expect(success_banner(page)).to_have_text(
        f"{reference} has been escalated. It is on the agenda of the Strategic Board's meeting "
        f"on {long_date(in_days(14))}; the board chair and the secretariat have been told."
    )
    expect(page).to_have_url(re.compile(rf"/escalations/{escalation.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{reference}: {TITLE}")
    expect(page.locator("main h1 + p .govuk-tag")).to_have_text("On the Board's agenda")
    expect(summary_value(page, "Status of the issue")).to_have_text("Escalated")
    expect(summary_value(page, "Criteria met")).to_have_text(COUNTYWIDE)
    expect(summary_value(page, "Rationale")).to_have_text(RATIONALE)
    expect(summary_value(page, "Recommendations for action")).to_have_text(RECOMMENDATIONS)
    item_title = f"Escalation from the Improving Outcomes subgroup: {TITLE}"
    on_agenda = summary_value(page, "Board meeting")
    # The chair does not sit on the Board: its meeting is named, not linked.
    expect(on_agenda).to_contain_text(str(meeting))
    expect(on_agenda.get_by_role("link")).to_have_count(0)
    expect(on_agenda).to_contain_text(f"Agenda item: {item_title}")
    assert (escalation.meeting, escalation.agenda_item.title) == (meeting, item_title)
    assert escalation.countywide_or_national and escalation.proposed_by == group_chair

    # The board chair and the secretariat have each had an email.
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [board_chair.email, secretariat.email]
    )
    for message in mail.outbox:
        assert message.subject == f"Escalated to the Strategic Board: {TITLE} ({reference})"
        assert f"{reference}: {TITLE}" in message.body
        assert f"/escalations/{escalation.pk}/" in message.body

    # The issue says where it is and can be escalated no further.
    follow(page, summary_value(page, "Reference").get_by_role("link"))
    expect(status_tag(page)).to_have_text("Escalated")
    expect(page.get_by_role("main")).to_contain_text("The issue is with the Strategic Board.")
    expect(page.get_by_role("link", name="Escalate to the Strategic Board")).to_have_count(0)
    escalations = page.get_by_role("table", name="Escalations of this issue and the Board's")
    expect(escalations.locator("tbody td")).to_have_text(
        [
            long_date(timezone.localdate()),
            f"On the Strategic Board's agenda: {meeting}",
            "Not decided yet",
        ]
    )
    expect(progress_entries(page).first).to_contain_text("Status: Monitoring → Escalated")

    # The secretariat finds it on the Board meeting's agenda.
    sign_out(page)
    sign_in(page, secretariat.email, password)
    visit(page, escalation.get_absolute_url())
    follow(page, summary_value(page, "Board meeting").get_by_role("link", name=str(meeting)))
    expect(page).to_have_url(re.compile(rf"/meetings/{meeting.pk}/$"))
    agenda = page.get_by_role("table", name="Agenda, in order, with the time each item starts")
    item = agenda.locator("tbody > tr").filter(has_text=item_title)
    expect(item).to_have_count(1)
    expect(item).to_contain_text(RECOMMENDATIONS)
    expect(item.get_by_role("link", name=f"Escalation of {reference}: {TITLE}")).to_have_attribute(
        "href", escalation.get_absolute_url()
    )


def test_the_board_chair_accepts_an_escalation_with_an_action_and_the_issue_is_open_again(
    page: Page, board, group_chair, member, board_chair, password, agencies
):
    meeting = board_meeting(board, days=7)
    issue = raise_issue(by=member, agencies=agencies)
    escalation = escalate(issue, by=group_chair)
    reference, today, due = issue.reference, timezone.localdate(), in_days(60)

    sign_in(page, board_chair.email, password)
    expect(menu_link(page, "Issues register")).to_have_count(0)
    follow(page, menu_link(page, "Dashboard"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Board dashboard")
    panel = page.get_by_role("region", name="Escalations waiting for the Board's decision")
    expect(panel).to_contain_text(
        "1 escalation from the Improving Outcomes subgroup is waiting for the Board's decision."
    )
    expect(panel.locator("tbody > tr")).to_have_count(1)
    expect(panel.locator("tbody > tr > td")).to_have_text(
        [f"{reference}: {TITLE}", "Very high", long_date(today), str(meeting)]
    )
    follow(page, panel.get_by_role("link", name=f"{reference}: {TITLE}"))

    expect(page.get_by_role("heading", level=1)).to_have_text(f"{reference}: {TITLE}")
    # The board chair sees escalations, not the register: the reference is not a link.
    expect(summary_value(page, "Reference")).to_have_text(reference)
    expect(summary_value(page, "Reference").get_by_role("link")).to_have_count(0)
    follow(page, page.get_by_role("link", name="Record the Board's decision"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Record the Board's decision")
    expect(page.get_by_role("main")).to_contain_text(RECOMMENDATIONS)

    decision = page.get_by_role("group", name="What did the Board decide?")
    decision.get_by_label("Accept: the Board takes action", exact=True).check()
    decided_on = page.get_by_role("group", name="Date of the decision", exact=True)
    expect(decided_on.get_by_label("Day")).to_have_value(str(today.day))
    expect(decided_on.get_by_label("Year")).to_have_value(str(today.year))
    first = page.get_by_role("group", name="Action 1", exact=True)
    first.get_by_label("Action", exact=True).fill(BOARD_ACTION)
    choose_person(first, "Owner", person(board_chair))
    fill_date_in(first, "Due date", due)
    follow(page, page.get_by_role("button", name="Record the decision"))

    expect(success_banner(page)).to_have_text(
        "The Board's decision has been recorded: Accepted: the Board takes action."
    )
    expect(page).to_have_url(re.compile(rf"/escalations/{escalation.pk}/$"))
    expect(page.locator("main h1 + p .govuk-tag")).to_have_text("Accepted: the Board takes action")
    expect(page.get_by_role("heading", level=2, name="The Board's decision")).to_be_visible()
    expect(summary_value(page, "Decision")).to_have_text("Accepted: the Board takes action")
    expect(summary_value(page, "Date of the decision")).to_have_text(long_date(today))
    expect(summary_value(page, "Recorded by")).to_have_text(board_chair.get_full_name())
    expect(summary_value(page, "Status of the issue")).to_have_text("Open")
    actions = page.get_by_role("table", name="The Strategic Board's actions from this escalation")
    expect(actions.locator("tbody > tr")).to_have_count(1)
    expect(actions.locator("tbody td")).to_have_text(
        [BOARD_ACTION, str(board_chair), long_date(due), "Open"]
    )
    expect(page.get_by_role("link", name="Record the Board's decision")).to_have_count(0)
    escalation.refresh_from_db()
    assert (escalation.decision, escalation.decided_on, escalation.decided_by) == (
        EscalationDecision.ACCEPT,
        today,
        board_chair,
    )
    action = Action.objects.get()
    assert action.group.function == GroupFunction.STRATEGIC_BOARD
    assert (action.title, action.owner, action.due_date) == (BOARD_ACTION, board_chair, due)
    assert (action.meeting, action.agenda_item) == (meeting, escalation.agenda_item)
    assert action.status == ActionStatus.OPEN

    # The decision goes back to the issue, which is open on the register again.
    sign_out(page)
    sign_in(page, member.email, password)
    _open_register(page)
    follow(page, page.get_by_role("link", name=f"{reference}: {TITLE}"))
    expect(status_tag(page)).to_have_text("Open")
    expect(page.get_by_role("main")).not_to_contain_text("The issue is with the Strategic Board.")
    latest = progress_entries(page).first
    expect(latest).to_contain_text("Status: Escalated → Open")
    expect(latest).to_contain_text(
        f"The Strategic Board's decision on {long_date(today)}: Accepted: the Board takes action."
    )
    expect(latest.get_by_role("heading", level=3)).to_contain_text(board_chair.get_full_name())
    escalations = page.get_by_role("table", name="Escalations of this issue and the Board's")
    expect(escalations.locator("tbody td").nth(2)).to_have_text(
        f"Accepted: the Board takes action, {long_date(today)}"
    )
    issue.refresh_from_db()
    assert issue.status == IssueStatus.OPEN


def test_the_chair_filters_the_register_reads_the_heat_map_and_downloads_the_csv(
    page: Page, group_chair, member, password, agencies
):
    first = raise_issue(by=member, agencies=agencies)
    second = raise_issue(
        by=group_chair,
        agencies=agencies,
        title="Children missing education are not reported to the police",
    )
    medium = raise_issue(
        by=member,
        agencies=agencies,
        title="Return home interviews are late",
        likelihood=2,
        impact=3,
    )
    assert (medium.score, medium.rating.name) == (6, "Medium")

    sign_in(page, group_chair.email, password)
    _open_register(page)
    table = page.get_by_role("table", name="3 issues")
    rows = table.locator("tbody > tr")
    expect(rows.locator("td:first-child")).to_have_text(
        [f"{i.reference}: {i.title}" for i in (first, second, medium)]
    )
    expect(rows.first.locator("td")).to_have_text(
        [
            f"{first.reference}: {TITLE}",
            "Very high",
            "16",
            "Open",
            "HCT, Hertfordshire Constabulary",
            member.get_full_name(),
            long_date(first.review_date),
        ]
    )
    expect(rows.nth(2).locator("td").nth(1)).to_have_text("Medium")

    # Filter by rating: only the two Very high issues are left, and the filter is kept.
    page.get_by_label("Rating", exact=True).select_option(label="Very high")
    follow(page, page.get_by_role("button", name="Apply filters"))
    expect(page).to_have_url(re.compile(rf"[?&]rating={first.rating_id}(&|$)"))
    expect(page.get_by_label("Rating", exact=True).locator("option:checked")).to_have_text(
        "Very high"
    )
    filtered = page.get_by_role("table", name="2 issues").locator("tbody > tr")
    expect(filtered.locator("td:first-child")).to_have_text(
        [f"{first.reference}: {TITLE}", f"{second.reference}: {second.title}"]
    )
    expect(page.get_by_role("main")).not_to_contain_text(medium.title)

    # The CSV answers the same filters, fetched with the browser's session.
    csv_link = page.get_by_role("link", name=re.compile(r"^Download as CSV"))
    expect(csv_link).to_have_attribute("href", re.compile(rf"rating={first.rating_id}"))
    download = page.request.get(csv_link.get_attribute("href"))
    assert download.status == 200
    assert download.headers["content-type"] == "text/csv; charset=utf-8"
    assert (
        f'filename="improving-outcomes-register-{timezone.localdate():%Y-%m-%d}.csv"'
        in download.headers["content-disposition"]
    )
    header, *records = list(csv.reader(io.StringIO(download.body().decode("utf-8-sig"))))
    assert header[:4] == ["Reference", "Title", "Status", "Source"]
    column = {name: n for n, name in enumerate(header)}
    assert [r[column["Reference"]] for r in records] == [first.reference, second.reference]
    row = records[0]
    assert row[column["Title"]] == TITLE
    assert row[column["Rating"]] == "Very high"
    assert row[column["Score"]] == "16"
    assert row[column["Agencies"]] == f"{TRUST}; {POLICE}"
    assert row[column["Owner"]] == member.get_full_name()
    assert row[column["Review date"]] == first.review_date.isoformat()

    # The heat map counts the live issues in their cells; a cell lists its issues.
    follow(page, page.get_by_role("link", name="Heat map and trends"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Heat map and trends")
    heat_map = page.get_by_role("table", name=re.compile(r"^3 live issues: likelihood"))
    very_high = heat_map.locator("[data-cell='4-4']")
    expect(very_high).to_have_text("2 issues, score 16, Very high")
    expect(very_high.locator(".govuk-tag")).to_have_class(re.compile(r"\bgovuk-tag--red\b"))
    expect(heat_map.locator("[data-cell='2-3']")).to_have_text("1 issue, score 6, Medium")
    expect(heat_map.locator("[data-cell='1-1']")).to_have_text("0 issues, score 1, Low")
    follow(page, very_high)
    expect(page.get_by_role("heading", level=1)).to_have_text("The issues register")
    cell = page.get_by_role("table", name="2 issues").locator("tbody > tr td:first-child")
    expect(cell).to_have_text(
        [f"{first.reference}: {TITLE}", f"{second.reference}: {second.title}"]
    )


def test_the_board_chair_is_refused_the_register(page: Page, board_chair, password, agencies):
    sign_in(page, board_chair.email, password)
    expect(menu_link(page, "Issues register")).to_have_count(0)

    response = visit(page, "/register/")

    assert response is not None
    assert response.status == 403
    expect(page).to_have_title(re.compile(r"^You cannot do this – "))
    expect(page.get_by_role("heading", level=1)).to_have_text("You cannot do this")
    expect(page.get_by_role("main")).to_contain_text(
        "The register is for the Improving Outcomes subgroup."
    )
    expect(page.get_by_role("table")).to_have_count(0)
    refused = page.request.get("/register/export.csv")
    assert refused.status == 403
    assert "text/csv" not in refused.headers["content-type"]
