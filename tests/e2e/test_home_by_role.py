"""Each role signs in through the real form and sees its own home page (DESIGN.md §1)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.browsing import follow, sign_in, sign_out, summary_value, visit

MEMBER_OF = {
    "board_chair": ("Strategic Board", "Chair"),
    "group_chair": ("Improving Outcomes subgroup", "Chair"),
    "member": ("Improving Outcomes subgroup", "Member"),
    "cdop_member": ("Child Death Overview Panel", "Member"),
    "case_review_member": ("Case Review subgroup", "Member"),
}


def _main(page: Page) -> Locator:
    return page.get_by_role("main")


def _nav(page: Page) -> Locator:
    return page.get_by_role("navigation", name="Menu")


def _your_groups(page: Page) -> Locator:
    return _main(page).get_by_role("table", name="Groups you sit on")


@pytest.mark.parametrize("role", list(MEMBER_OF))
def test_a_member_of_a_group_sees_it_under_your_groups(page: Page, request, password, role):
    user = request.getfixturevalue(role)
    group, seat = MEMBER_OF[role]
    sign_in(page, user.email, password)

    expect(page).to_have_title(re.compile(r"^Home – "))
    expect(_main(page).get_by_role("heading", level=1)).to_have_text(user.get_full_name())
    expect(_main(page).get_by_role("heading", name="Your groups")).to_be_visible()
    row = _your_groups(page).get_by_role("row").filter(has_text=group)
    expect(row).to_have_count(1)
    expect(row.get_by_role("cell").nth(1)).to_have_text(seat)
    expect(_main(page).get_by_role("listitem").filter(has_text=f"{seat}, {group}")).to_be_visible()
    expect(_nav(page).get_by_role("link", name="Administration")).to_have_count(0)
    expect(_main(page).get_by_role("heading", name="Board secretariat")).to_have_count(0)

    follow(page, row.get_by_role("link", name=group, exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text(group)


@pytest.mark.parametrize("role", ["agency_staff", "outsider"])
def test_someone_with_no_seat_sees_no_groups_and_no_administration(
    page: Page, request, password, role
):
    user = request.getfixturevalue(role)
    sign_in(page, user.email, password)

    expect(_main(page)).to_contain_text("with no seat on any of the board's groups")
    expect(_main(page).get_by_role("heading", name="Your groups")).to_have_count(0)
    expect(_main(page).get_by_role("heading", name=re.compile("^You chair"))).to_have_count(0)
    expect(_main(page).get_by_role("heading", name="The board's groups")).to_have_count(0)
    expect(_nav(page).get_by_role("link", name="Administration")).to_have_count(0)
    # Staff of a partner agency notify serious incidents; someone with no agency cannot.
    notify = ["Notifications"] if user.agency else []
    links = ["Home", "Meetings", "Your actions", "Business plan", *notify, "Board structure"]
    expect(_nav(page).get_by_role("link")).to_have_text([*links, "Your account"])
    caption = _main(page).locator(".govuk-caption-l")
    expect(caption).to_have_text(str(user.agency) if user.agency else "No agency recorded")


def test_the_secretariat_sees_its_summary_and_the_administration_link(
    page: Page, secretariat, password
):
    sign_in(page, secretariat.email, password)

    main = _main(page)
    expect(main.get_by_role("heading", level=2, name="Board secretariat")).to_be_visible()
    expect(main.get_by_role("listitem").filter(has_text="Board secretariat")).to_be_visible()
    expect(main.get_by_text("active groups")).to_contain_text("9")
    # The loaded board has nobody in the chair yet, so every group is listed as without one.
    without_chair = main.get_by_role("heading", name="Groups without a chair").locator(
        "xpath=following-sibling::ul[1]/li"
    )
    expect(without_chair).to_have_count(9)
    expect(main.get_by_role("link", name="Go to the administration pages")).to_be_visible()
    expect(_nav(page).get_by_role("link", name="Administration")).to_have_attribute(
        "href", "/admin/"
    )
    expect(
        main.get_by_role("table", name="The board's groups, their chairs and members")
    ).to_be_visible()


def test_the_board_chair_sees_the_boards_groups_with_their_chairs(
    page: Page, board_chair, password
):
    sign_in(page, board_chair.email, password)

    main = _main(page)
    expect(
        main.get_by_role("listitem").filter(has_text="Chair of the Strategic Board")
    ).to_be_visible()
    expect(main.get_by_role("heading", name="The board's groups")).to_be_visible()
    table = main.get_by_role("table", name="The board's groups, their chairs and members")
    body_rows = table.locator("tbody tr")
    expect(body_rows).to_have_count(9)
    board_row = body_rows.filter(has_text="Strategic Board")
    expect(board_row.get_by_role("cell")).to_have_text(
        [
            "Strategic Board",
            f"{board_chair.get_full_name()} (independent)",
            "1",
            "Dashboard of the Strategic Board",
        ]
    )
    expect(body_rows.filter(has_text="Audit subgroup").get_by_role("cell").nth(1)).to_have_text(
        "Vacant"
    )
    expect(_nav(page).get_by_role("link", name="Administration")).to_have_count(0)
    expect(main.get_by_role("heading", name="Board secretariat")).to_have_count(0)


def test_a_group_chair_changes_the_remit_from_the_home_page(page: Page, group_chair, password):
    sign_in(page, group_chair.email, password)

    main = _main(page)
    card = main.locator(".app-card").filter(
        has=page.get_by_role("heading", name="You chair the Improving Outcomes subgroup")
    )
    expect(card).to_contain_text("1 current member.")
    follow(page, card.get_by_role("link", name="Change the group's remit"))

    expect(page).to_have_url(re.compile(r"/board/improving-outcomes/remit/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Change the remit")
    remit = page.get_by_label("Remit")
    expect(remit).not_to_be_empty()
    new_remit = "Keeps the register of multi-agency issues.\n\nMeets every six weeks."
    remit.fill(new_remit)
    follow(page, page.get_by_role("button", name="Save remit"))

    expect(page).to_have_url(re.compile(r"/board/improving-outcomes/$"))
    banner = page.get_by_role("alert")
    expect(banner).to_contain_text("Success")
    expect(banner).to_contain_text("The remit of the Improving Outcomes subgroup has been saved.")
    expect(summary_value(main, "Remit").locator("p")).to_have_text(
        ["Keeps the register of multi-agency issues.", "Meets every six weeks."]
    )


def test_a_group_chair_cannot_save_an_empty_remit(page: Page, group_chair, password):
    sign_in(page, group_chair.email, password)
    follow(page, page.get_by_role("link", name="Change the group's remit"))

    page.get_by_label("Remit").fill("")
    follow(page, page.get_by_role("button", name="Save remit"))

    expect(page).to_have_title(re.compile(r"^Error: Change the remit"))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link", name="Enter the group's remit")).to_be_visible()
    follow(page, page.get_by_role("link", name="Back to the Improving Outcomes subgroup"))
    expect(page.get_by_role("alert")).to_have_count(0)


def test_signing_out_from_the_navigation_ends_the_session(page: Page, member, password):
    sign_in(page, member.email, password)
    sign_out(page)

    expect(page).to_have_url(re.compile(r"/accounts/sign-in/$"))
    expect(page.get_by_role("navigation", name="Menu")).to_have_count(0)
    visit(page, "/account/")
    expect(page).to_have_url(re.compile(r"/accounts/sign-in/\?next=/account/$"))
