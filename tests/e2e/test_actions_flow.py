"""Actions in a browser: the owner finds their action under "Your actions", updates it, and
sees it move to the right section of the list."""

from __future__ import annotations

import datetime
import re

from django.utils import timezone
from playwright.sync_api import Page, expect

from hscb.models import ActionStatus, MeetingStatus
from tests.e2e.browsing import follow, sign_in, summary_value
from tests.e2e.business import (
    error_summary,
    improving_outcomes,
    in_days,
    long_date,
    menu,
    menu_link,
    success_banner,
)
from tests.hscb.factories import ActionFactory, MeetingFactory

TITLE = "Write to schools about the neglect toolkit"
LATE = "Send the audit findings to partner agencies"


def _status_options(page: Page) -> list[str]:
    group = page.get_by_role("group", name="Status", exact=True)
    return [label.inner_text().strip() for label in group.locator("label").all()]


def test_the_owner_finds_their_action_updates_it_and_sees_it_move(
    page: Page, member, group_chair, password
):
    group = improving_outcomes()
    held = timezone.make_aware(datetime.datetime.combine(in_days(-7), datetime.time(14)))
    meeting = MeetingFactory(group=group, starts_at=held, status=MeetingStatus.HELD)
    due = in_days(21)
    action = ActionFactory(
        group=group,
        meeting=meeting,
        owner=member,
        due_date=due,
        title=TITLE,
        description="Every primary school, by email, with the toolkit attached.",
        created_by=group_chair,
    )
    ActionFactory(group=group, owner=member, due_date=in_days(-4), title=LATE)

    sign_in(page, member.email, password)
    follow(page, menu_link(page, "Your actions"))

    expect(page.get_by_role("heading", level=1)).to_have_text("Your actions")
    expect(menu(page).locator("[aria-current=page]")).to_have_text("Your actions")
    figures = page.locator(".app-figure")
    expect(figures).to_have_text(["1", "1", "0"])
    overdue = page.get_by_role("table", name="Overdue")
    expect(overdue.locator("tbody > tr")).to_have_count(1)
    expect(overdue.locator("tbody td").first).to_have_text(LATE)
    expect(overdue.locator("tbody td").nth(2)).to_contain_text("4 days overdue")
    current = page.get_by_role("table", name="Open and in progress")
    expect(current.locator("tbody > tr")).to_have_count(1)
    cells = current.locator("tbody > tr").first.locator("td")
    expect(cells.nth(0)).to_have_text(TITLE)
    expect(cells.nth(1)).to_contain_text("Improving Outcomes subgroup")
    expect(cells.nth(1).get_by_role("link")).to_have_text(str(meeting))
    expect(cells.nth(2)).to_have_text(f"{long_date(due)} due in 21 days", use_inner_text=True)
    expect(cells.nth(3)).to_have_text("Open")
    expect(page.get_by_role("table", name="Done or cancelled in the last 90 days")).to_have_count(0)

    follow(page, current.get_by_role("link", name=TITLE))
    expect(page.locator(".govuk-caption-l")).to_have_text(
        "Action for the Improving Outcomes subgroup"
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(summary_value(page, "Meeting it arose from")).to_have_text(str(meeting))
    expect(summary_value(page, "Owner")).to_have_text(
        f"{member.get_full_name()}, {member.agency.label}"
    )
    expect(summary_value(page, "Due")).to_have_text(
        f"{long_date(due)} due in 21 days", use_inner_text=True
    )
    expect(page.get_by_role("main")).to_contain_text(
        "Every primary school, by email, with the toolkit attached."
    )
    expect(page.get_by_role("main")).to_contain_text("No progress notes yet.")
    # The owner updates; chasing is for the group's chairs.
    expect(page.get_by_role("button", name=re.compile("^Chase the owner"))).to_have_count(0)

    follow(page, page.get_by_role("link", name="Update this action"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Update the action")
    assert _status_options(page) == [
        "No change: it stays open",
        "In progress: work has started",
        "Done",
        "Cancelled: it is no longer needed (say why in the note)",
    ]
    # The owner cannot move the due date or hand the action to someone else.
    expect(page.get_by_role("group", name="Due date")).to_have_count(0)
    expect(page.get_by_label("Owner")).to_have_count(0)

    # Every update needs a note: a failed form keeps the status chosen.
    page.get_by_label("In progress: work has started").check()
    follow(page, page.get_by_role("button", name="Save update"))
    expect(error_summary(page)).to_be_focused()
    expect(error_summary(page).get_by_role("link")).to_have_text("Enter a progress note")
    expect(page.get_by_label("In progress: work has started")).to_be_checked()

    page.get_by_label("Progress note").fill(
        "Drafted the letter; the head of education is checking it."
    )
    follow(page, page.get_by_role("button", name="Save update"))

    expect(success_banner(page)).to_have_text("Your update has been saved.")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.get_by_role("main").locator(".govuk-tag").first).to_have_text("In progress")
    notes = page.get_by_role("main").locator("ol.govuk-list > li")
    expect(notes).to_have_count(1)
    expect(notes.first.get_by_role("heading", level=3)).to_have_text(
        re.compile(
            rf"^{re.escape(long_date(timezone.localdate()))} at .+, {member.get_full_name()}$"
        )
    )
    expect(notes.first).to_contain_text("Status: Open → In progress")
    expect(notes.first).to_contain_text("Drafted the letter; the head of education is checking it.")

    follow(page, page.get_by_role("link", name="Update this action"))
    assert _status_options(page) == [
        "No change: it stays in progress",
        "Done",
        "Cancelled: it is no longer needed (say why in the note)",
    ]
    page.get_by_label("Done", exact=True).check()
    page.get_by_label("Progress note").fill("Sent to all 112 primary schools on Monday.")
    follow(page, page.get_by_role("button", name="Save update"))

    expect(success_banner(page)).to_have_text("Your update has been saved.")
    expect(page.get_by_role("main").locator(".govuk-tag").first).to_have_text("Done")
    expect(summary_value(page, "Done on")).to_have_text(long_date(timezone.localdate()))
    expect(notes).to_have_count(2)
    expect(page.get_by_role("main")).to_contain_text("Status: In progress → Done")
    expect(page.get_by_role("main")).to_contain_text("Sent to all 112 primary schools on Monday.")
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE
    assert action.completed_on == timezone.localdate()

    follow(
        page,
        page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Your actions"),
    )
    expect(figures).to_have_text(["1", "0", "1"])
    expect(page.get_by_role("table", name="Open and in progress")).to_have_count(0)
    expect(page.get_by_role("table", name="Overdue").locator("tbody > tr")).to_have_count(1)
    closed = page.get_by_role("table", name="Done or cancelled in the last 90 days")
    expect(closed.locator("thead th")).to_have_text(
        ["Action", "Group and meeting", "Closed", "Status"]
    )
    expect(closed.locator("tbody > tr")).to_have_count(1)
    cells = closed.locator("tbody > tr").first.locator("td")
    expect(cells.nth(0)).to_have_text(TITLE)
    expect(cells.nth(2)).to_have_text(long_date(timezone.localdate()))
    expect(cells.nth(3)).to_have_text("Done")
