"""The board's pages in a browser: structure, a group, the account page and the error pages."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Page, expect

from hscb.management.commands.load_board import FIXTURE
from tests.e2e.browsing import follow, sign_in, summary_value, visit

BOARD = json.loads(FIXTURE.read_text(encoding="utf-8"))


def test_the_board_structure_shows_every_group_its_objectives_and_its_chair(
    page: Page, board_chair, password
):
    sign_in(page, board_chair.email, password)
    follow(
        page,
        page.get_by_role("navigation", name="Menu").get_by_role("link", name="Board structure"),
    )

    expect(page.get_by_role("heading", level=1)).to_have_text("Board structure")
    current = page.get_by_role("navigation", name="Menu").locator("[aria-current=page]")
    expect(current).to_have_text("Board structure")
    contents = page.get_by_role("main").locator("ul.govuk-list").first.get_by_role("link")
    expect(contents).to_have_text([g["name"] for g in BOARD["groups"]])

    sections = page.locator("section.app-group")
    expect(sections).to_have_count(len(BOARD["groups"]))
    for group, section in zip(BOARD["groups"], sections.all(), strict=True):
        expect(section.get_by_role("heading", level=2)).to_have_text(group["name"])
        # Every objective, word for word, one bullet each, in the seed's order.
        expect(section.locator(".app-objectives li")).to_have_text(group["objectives"])

    board = page.get_by_role("region", name="Strategic Board")
    chair = summary_value(board, "Chair")
    expect(chair).to_contain_text(f"{board_chair.get_full_name()}, {board_chair.agency.label}")
    expect(chair).to_contain_text("Independent chair")
    # Members are counted with a link to the group's own page, which lists them.
    expect(
        board.get_by_role("link", name=re.compile(r"^\d+ current members? of the Strategic Board$"))
    ).to_be_visible()
    case_review = page.get_by_role("region", name="Case Review subgroup")
    expect(case_review).to_contain_text("The chair of the Strategic Board")
    audit = page.get_by_role("region", name="Audit subgroup")
    expect(summary_value(audit, "Chair")).to_have_text("Vacant")
    # Contact details are for a group's own members, on the group's own page.
    expect(page.get_by_role("link", name=board_chair.email)).to_have_count(0)

    follow(page, page.get_by_role("link", name="Case Review subgroup", exact=True).last)
    expect(page.get_by_role("heading", level=1)).to_have_text("Case Review subgroup")


def test_a_group_page_shows_its_members_with_contacts_to_a_member(
    page: Page, member, group_chair, password
):
    sign_in(page, member.email, password)
    visit(page, "/board/improving-outcomes/")

    expect(page).to_have_title(re.compile(r"^Improving Outcomes subgroup – "))
    expect(page.locator(".govuk-caption-l")).to_have_text("Subgroup")
    expect(page.get_by_role("heading", level=1)).to_have_text("Improving Outcomes subgroup")
    breadcrumbs = page.get_by_role("navigation", name="Breadcrumb").get_by_role("link")
    expect(breadcrumbs).to_have_text(["Home", "Board structure"])
    members = page.get_by_role("table", name="Members of the Improving Outcomes subgroup")
    expect(members.locator("thead th")).to_have_text(["Name", "Agency", "Role", "Email"])
    expect(members.locator("tbody tr")).to_have_count(2)
    expect(members.locator("tbody tr").first).to_contain_text(group_chair.get_full_name())
    expect(members.locator("tbody tr").first).to_contain_text("Chair")
    expect(members.get_by_role("link", name=member.email)).to_have_attribute(
        "href", f"mailto:{member.email}"
    )
    objectives = next(g for g in BOARD["groups"] if g["slug"] == "improving-outcomes")
    expect(page.locator(".app-objectives li")).to_have_text(objectives["objectives"])
    expect(page.get_by_role("link", name=re.compile("^Change the remit"))).to_have_count(0)

    follow(page, page.get_by_role("link", name="Strategic Board"))
    groups_below = page.get_by_role("heading", name="Groups accountable to the Strategic Board")
    expect(groups_below.locator("xpath=following-sibling::ul[1]/li")).to_have_count(8)


def test_a_group_page_hides_contacts_from_someone_not_on_the_group(
    page: Page, agency_staff, member, password
):
    sign_in(page, agency_staff.email, password)
    visit(page, "/board/improving-outcomes/")

    members = page.get_by_role("table", name="Members of the Improving Outcomes subgroup")
    expect(members.locator("thead th")).to_have_text(["Name", "Agency", "Role"])
    expect(members).to_contain_text(member.get_full_name())
    expect(page.get_by_role("link", name=member.email)).to_have_count(0)


def test_the_account_page_shows_the_persons_details_and_memberships(page: Page, member, password):
    sign_in(page, member.email, password)
    follow(
        page, page.get_by_role("navigation", name="Menu").get_by_role("link", name="Your account")
    )

    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
    expect(summary_value(page, "Name")).to_have_text(member.get_full_name())
    expect(summary_value(page, "Email address")).to_have_text(member.email)
    expect(summary_value(page, "Agency")).to_have_text(str(member.agency))
    expect(summary_value(page, "Job title")).to_have_text("Practitioner")
    expect(summary_value(page, "Board secretariat")).to_have_text("No")
    memberships = page.get_by_role("table", name="Your memberships, current and past")
    expect(memberships.locator("tbody tr")).to_have_count(1)
    expect(memberships.locator("tbody tr td")).to_have_text(
        [
            "Improving Outcomes subgroup",
            "Member",
            str(member.agency),
            re.compile(r"\d+ \w+ \d{4}"),
            "Continuing",
        ]
    )

    follow(page, page.get_by_role("link", name="Change your password"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Change your password")
    expect(page.get_by_label("Old password")).to_be_visible()


def test_an_unknown_address_shows_the_page_not_found_page(page: Page, member, password):
    sign_in(page, member.email, password)

    response = visit(page, "/board/no-such-group/")

    assert response is not None
    assert response.status == 404
    expect(page).to_have_title(re.compile(r"^Page not found – "))
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    follow(page, page.get_by_role("link", name="Go to your home page"))
    expect(page.get_by_role("heading", name="Your groups")).to_be_visible()


def test_agency_staff_changing_a_remit_get_the_cannot_do_this_page(
    page: Page, agency_staff, password
):
    sign_in(page, agency_staff.email, password)

    response = visit(page, "/board/improving-outcomes/remit/")

    assert response is not None
    assert response.status == 403
    expect(page).to_have_title(re.compile(r"^You cannot do this – "))
    expect(page.get_by_role("heading", level=1)).to_have_text("You cannot do this")
    expect(page.get_by_role("main")).to_contain_text(
        "Only the group's chair and the secretariat can change this."
    )
    expect(page.get_by_role("textbox")).to_have_count(0)


@pytest.mark.parametrize("path", ["/", "/board/", "/board/improving-outcomes/", "/account/"])
def test_every_page_asks_a_signed_out_visitor_to_sign_in(page: Page, transactional_db, path):
    visit(page, path)

    expect(page).to_have_url(re.compile(r"/accounts/sign-in/\?next="))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(page.get_by_role("navigation", name="Menu")).to_have_count(0)
