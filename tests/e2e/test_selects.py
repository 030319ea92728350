"""Selects in a browser look, size and behave like GOV.UK selects: 40 pixels high (well over
WCAG 2.2's 24-pixel target), a 2-pixel black border, red when the answer is wrong. The
selects `QuickSelect` draws (areas, organisations, people) used to be the browser's bare
18-pixel boxes beside styled fields. axe-core checks every page."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from playwright.sync_api import Page, expect

from tests.e2e.browsing import follow, sign_in, visit
from tests.e2e.business import error_summary
from tests.hscb.factories import MeetingFactory

GOVUK_SELECT_HEIGHT = 40  # GOV.UK Frontend's 2.5rem
BORDER = "2px solid"
BLACK = "rgb(11, 12, 12)"  # $govuk-input-border-colour, #0b0c0c
RED = "rgb(202, 53, 53)"  # $govuk-error-colour, #ca3535

# Selects that the people autocomplete hides (tests/e2e/test_people_search.py) are not measured.
MEASURE = """selects => selects.filter(select => select.offsetParent !== null).map(select => {
    const style = getComputedStyle(select);
    return {
        name: select.name,
        height: select.getBoundingClientRect().height,
        border: `${style.borderTopWidth} ${style.borderTopStyle}`,
        colour: style.borderTopColor,
        invalid: select.getAttribute("aria-invalid") === "true",
    };
})"""


def assert_govuk_selects(page: Page, *names: str) -> list[dict]:
    """Every select in the page's main part measured: GOV.UK's height and border, red only
    when in error. `names` must be among them."""
    selects = page.get_by_role("main").locator("select").evaluate_all(MEASURE)
    assert {s["name"] for s in selects} >= set(names)
    for select in selects:
        assert select["height"] >= GOVUK_SELECT_HEIGHT, select
        assert select["border"] == BORDER, select
        assert select["colour"] == (RED if select["invalid"] else BLACK), select
    return selects


@pytest.fixture
def fresh_rate_limit():
    cache.clear()  # the public form's rate limit starts afresh


def test_the_public_child_death_forms_selects_are_govuk_selects(page: Page, fresh_rate_limit):
    visit(page, "/report-a-child-death/")
    quick = ("place_area", "residence_area", "looked_after_by")
    assert_govuk_selects(page, *quick, "ethnicity")

    # Sent with nothing chosen: the areas are wanted, and their selects say so in red.
    follow(page, page.get_by_role("button", name="Send the notification"))
    expect(error_summary(page)).to_contain_text("Select the area where the child died")
    selects = assert_govuk_selects(page, *quick)
    assert {s["name"] for s in selects if s["invalid"]} >= {"place_area", "residence_area"}


def test_a_signed_in_forms_quick_selects_are_govuk_selects(
    page: Page, board, group_chair, password
):
    meeting = MeetingFactory(group=board["improving_outcomes"])
    sign_in(page, group_chair.email, password)
    visit(page, f"/meetings/{meeting.pk}/actions/new/")
    assert_govuk_selects(page, "agenda_item")

    follow(page, page.get_by_role("button", name="Save action"))
    expect(error_summary(page)).to_be_visible()
    assert_govuk_selects(page, "agenda_item")
    # The owner is chosen through the autocomplete, which shows the error beside it.
    expect(page.get_by_role("main")).to_contain_text("Error: Choose the owner of the action")
    expect(page.get_by_role("combobox", name="Owner")).to_be_visible()
