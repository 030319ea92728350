"""Chairs' dashboards and the business plan in a browser: a group chair chases an overdue
action, the board chair reads across the board, and a lead group's chair rates a priority."""

from __future__ import annotations

import datetime
import re

from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from hscb.models import AttendanceStatus, MeetingStatus, Rag
from tests.e2e.browsing import follow, sign_in, sign_out, summary_value, visit
from tests.e2e.business import (
    error_summary,
    important_banner,
    improving_outcomes,
    in_days,
    long_date,
    menu,
    menu_link,
    success_banner,
)
from tests.hscb.factories import (
    ActionFactory,
    AgendaItemFactory,
    AttendanceFactory,
    BusinessPlanFactory,
    MeetingFactory,
    PriorityFactory,
    TargetFactory,
)

GROUP = "Improving Outcomes subgroup"
LATE = "Send the audit findings to partner agencies"
SOON = "Book the multi-agency audit workshop"
PRIORITY = "Children are safe online"


def _figures(page: Page, table: str) -> list[list[str]]:
    """The rows of a chart's data table: the row's header, then its figures."""
    rows = page.get_by_role("table", name=table).locator("tbody > tr")
    return [
        [cell.inner_text().strip() for cell in row.locator("th, td").all()] for row in rows.all()
    ]


def test_a_group_chair_chases_an_overdue_action_from_their_dashboard(
    page: Page, group_chair, member, password
):
    group = improving_outcomes()
    starts = timezone.make_aware(datetime.datetime.combine(in_days(12), datetime.time(10)))
    meeting = MeetingFactory(group=group, starts_at=starts)
    AgendaItemFactory(meeting=meeting, title="Audit programme")
    held_at = timezone.make_aware(datetime.datetime.combine(in_days(-20), datetime.time(14)))
    held = MeetingFactory(group=group, starts_at=held_at, status=MeetingStatus.HELD, quorate=False)
    AttendanceFactory(meeting=held, person=member)
    AttendanceFactory(meeting=held, person=group_chair, status=AttendanceStatus.APOLOGIES)
    ActionFactory(group=group, owner=member, due_date=in_days(-10), title=LATE)
    ActionFactory(group=group, owner=group_chair, due_date=in_days(5), title=SOON)
    mail.outbox.clear()

    sign_in(page, group_chair.email, password)
    follow(page, menu_link(page, "Dashboard"))

    expect(page).to_have_url(re.compile(r"/board/improving-outcomes/dashboard/$"))
    expect(menu(page).locator("[aria-current=page]")).to_have_text("Dashboard")
    expect(page.locator(".govuk-caption-l")).to_have_text(GROUP)
    expect(page.get_by_role("heading", level=1)).to_have_text("Group dashboard")

    next_meetings = page.get_by_role(
        "table", name="The group's next meetings, their agendas and papers"
    )
    expect(next_meetings.locator("tbody td")).to_have_text(
        [
            f"{long_date(in_days(12))}, 10am",
            "Committee Room 1, County Hall, Hertford",
            "1",
            re.compile(r"Not sent\s+0 papers"),
        ]
    )

    # The chart's figures, in a table for those who cannot see the chart.
    assert _figures(page, f"Actions of the {GROUP} by status: the figures") == [
        ["Open", "1"],
        ["In progress", "0"],
        ["Overdue", "1"],
        ["Done in the last 90 days", "0"],
    ]
    canvas = page.locator("canvas[data-chart]").first
    expect(canvas).to_have_attribute("role", "img")
    expect(canvas).to_have_attribute("aria-label", re.compile(r"\S"))
    assert _figures(page, "Attendance at the last meeting held: the figures") == [
        [long_date(in_days(-20)), "1", "1", "0", "Not quorate"]
    ]

    overdue = page.get_by_role("table", name="The group's overdue actions, longest overdue first")
    expect(overdue.locator("tbody > tr")).to_have_count(1)
    row = overdue.locator("tbody > tr").first
    expect(row.locator("td").nth(0)).to_have_text(LATE)
    expect(row.locator("td").nth(1)).to_have_text(str(member))
    expect(row.locator("td").nth(2)).to_have_text(long_date(in_days(-10)))
    expect(row.locator("td").nth(3)).to_have_text("10")
    expect(row.locator("td").nth(4)).to_have_text("Not yet")
    due_soon = page.get_by_role(
        "table", name="The group's actions due in the next 14 days, soonest first"
    )
    expect(due_soon.locator("tbody td").first).to_have_text(SOON)

    follow(page, row.get_by_role("button", name=f"Chase the owner of “{LATE}”"))

    expect(page).to_have_url(re.compile(r"/board/improving-outcomes/dashboard/$"))
    expect(success_banner(page)).to_have_text(
        f"{member.get_full_name()} has been sent a reminder about “{LATE}”."
    )
    expect(row.locator("td").nth(4)).to_have_text(long_date(timezone.localdate()))
    assert [message.to for message in mail.outbox] == [[member.email]]
    assert LATE in mail.outbox[0].body

    # A second chase the same day sends nothing more.
    follow(page, row.get_by_role("button", name=f"Chase the owner of “{LATE}”"))
    expect(important_banner(page)).to_have_text(
        f"“{LATE}” was already chased today: {member.get_full_name()} has had today's reminder."
    )
    assert len(mail.outbox) == 1


def test_the_board_chair_reads_every_groups_actions_on_the_board_dashboard(
    page: Page, board_chair, group_chair, member, password
):
    ActionFactory(group=improving_outcomes(), owner=member, due_date=in_days(-3), title=LATE)
    ActionFactory(group=improving_outcomes(), owner=member, due_date=in_days(30), title=SOON)

    sign_in(page, board_chair.email, password)
    follow(page, menu_link(page, "Dashboard"))

    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Board dashboard")
    expect(page.locator(".app-figure")).to_have_text(["2", "1"])
    expect(page.get_by_role("main")).to_contain_text("2 open actions")
    figures = _figures(page, "Open and overdue actions by group: the figures")
    assert [GROUP, "2", "1"] in figures
    assert ["Strategic Board", "0", "0"] in figures
    overdue = page.get_by_role("table", name="Overdue actions, longest overdue first")
    expect(overdue.locator("tbody td")).to_have_text(
        [LATE, GROUP, str(member), long_date(in_days(-3)), "3"]
    )
    expect(page.get_by_role("main")).to_contain_text("There is no business plan for this year yet.")

    chart_table = page.get_by_role("table", name="Open and overdue actions by group: the figures")
    follow(page, chart_table.get_by_role("link", name=GROUP))
    expect(page.get_by_role("heading", level=1)).to_have_text("Group dashboard")
    expect(page.locator(".govuk-caption-l")).to_have_text(GROUP)
    breadcrumbs = page.get_by_role("navigation", name="Breadcrumb").get_by_role("link")
    expect(breadcrumbs).to_have_text(["Home", "Board dashboard", GROUP])


def test_the_chair_of_a_lead_group_rates_a_priority_of_the_business_plan(
    page: Page, group_chair, member, password
):
    plan = BusinessPlanFactory()
    priority = PriorityFactory(
        plan=plan, number=1, title=PRIORITY, rag=Rag.AMBER, commentary="Waiting for data."
    )
    priority.groups.add(improving_outcomes())
    TargetFactory(priority=priority)
    PriorityFactory(plan=plan, number=2, title="Neglect is spotted early", rag=Rag.GREEN)

    # A member reads the plan but may not rate its priorities.
    sign_in(page, member.email, password)
    follow(page, menu_link(page, "Business plan"))
    expect(page).to_have_url(re.compile(rf"/plan/{plan.year}/$"))
    expect(page.locator(".govuk-caption-l")).to_have_text(f"Business plan {plan.period}")
    expect(page.get_by_role("heading", level=1)).to_have_text("The board's business plan")
    section = page.get_by_role("region", name=re.compile(PRIORITY))
    expect(summary_value(section, "Progress")).to_contain_text("Amber")
    expect(summary_value(section, "Lead group")).to_have_text(GROUP)
    expect(
        section.get_by_role("table", name="Key targets and measures of priority 1")
    ).to_contain_text("Every partner agency has an online safety lead")
    expect(page.get_by_role("link", name=re.compile("^Update progress"))).to_have_count(0)
    sign_out(page)

    sign_in(page, group_chair.email, password)
    follow(page, menu_link(page, "Business plan"))
    section = page.get_by_role("region", name=re.compile(PRIORITY))
    # Only the priority the group leads can be rated by its chair.
    expect(page.get_by_role("link", name=re.compile("^Update progress"))).to_have_count(1)
    follow(page, section.get_by_role("link", name="Update progress of priority 1"))

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Update progress: {PRIORITY}")
    progress = page.get_by_role("group", name="How is the priority going?")
    expect(progress.get_by_label("Amber", exact=True)).to_be_checked()
    progress.get_by_label("Red", exact=True).check()
    follow(page, page.get_by_role("button", name="Save progress"))
    expect(error_summary(page)).to_be_focused()
    expect(error_summary(page).get_by_role("link")).to_have_text("Enter a short commentary")
    expect(progress.get_by_label("Red", exact=True)).to_be_checked()

    page.get_by_label("Commentary").fill(
        "Two agencies still have no online safety lead; we need the board to write to them."
    )
    follow(page, page.get_by_role("button", name="Save progress"))

    expect(page).to_have_url(re.compile(rf"/plan/{plan.year}/#priority-1$"))
    expect(success_banner(page)).to_have_text(f"Progress on priority 1, {PRIORITY}, is now red.")
    section = page.get_by_role("region", name=re.compile(PRIORITY))
    expect(summary_value(section, "Progress")).to_contain_text("Red")
    expect(summary_value(section, "Progress")).to_contain_text("Off track: needs the board's help")
    expect(summary_value(section, "Commentary")).to_have_text(
        "Two agencies still have no online safety lead; we need the board to write to them."
    )
    expect(summary_value(section, "Last updated")).to_have_text(
        f"{long_date(timezone.localdate())}, by {group_chair}"
    )
    priority.refresh_from_db()
    assert priority.rag == Rag.RED

    follow(page, menu_link(page, "Dashboard"))
    priorities = page.get_by_role("table", name="Priorities the group leads and their progress")
    expect(priorities.locator("tbody > tr")).to_have_count(1)
    expect(priorities.locator("tbody td").nth(1)).to_have_text("Red")
    expect(priorities.locator("tbody td").nth(2)).to_have_text(
        "Two agencies still have no online safety lead; we need the board to write to them."
    )

    follow(page, priorities.get_by_role("link", name="Update progress of priority 1"))
    history = page.get_by_role("table", name="Every rating of priority 1, newest first")
    expect(history.locator("tbody > tr").first.locator("td")).to_have_text(
        [long_date(timezone.localdate()), str(group_chair), "Red", re.compile("^Two agencies")]
    )
    visit(page, "/plan/")
    expect(page.get_by_role("heading", level=1)).to_have_text("The board's business plan")
