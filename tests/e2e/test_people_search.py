"""A field that chooses a person, in a browser: the select becomes GOV.UK's accessible
autocomplete, which finds the group's members and, over the people search, anyone else with an
account, without the page listing every account. axe-core checks every page and the open list."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from hscb.models import Action
from tests.e2e.browsing import check_accessibility, follow, sign_in, visit
from tests.e2e.business import fill_date, in_days, success_banner
from tests.hscb.factories import MeetingFactory, UserFactory


def test_a_chair_gives_an_action_to_someone_found_by_name(page: Page, board, group_chair, password):
    meeting = MeetingFactory(group=board["improving_outcomes"])
    outsider = UserFactory(first_name="Aaron", last_name="Aardvark")
    sign_in(page, group_chair.email, password)
    visit(page, f"/meetings/{meeting.pk}/actions/new/")
    # Nobody outside the group is written into the page.
    assert "Aardvark" not in page.content()

    page.get_by_label("Action", exact=True).fill("Share the audit with every GP practice")
    owner = page.get_by_role("combobox", name="Owner")
    owner.fill("aaron aard")
    choice = page.get_by_role("option", name=f"Aaron Aardvark, {outsider.agency.label}")
    expect(choice).to_be_visible()
    check_accessibility(page)
    choice.click()
    expect(owner).to_have_value(f"Aaron Aardvark, {outsider.agency.label}")
    fill_date(page, "Due date", in_days(30))
    follow(page, page.get_by_role("button", name="Save action"))

    expect(success_banner(page)).to_contain_text("has been recorded")
    assert Action.objects.get().owner == outsider


def test_someone_typed_but_not_found_is_not_chosen(page: Page, board, group_chair, password):
    meeting = MeetingFactory(group=board["improving_outcomes"])
    sign_in(page, group_chair.email, password)
    visit(page, f"/meetings/{meeting.pk}/actions/new/")
    owner = page.get_by_role("combobox", name="Owner")
    owner.fill("zzqx")
    expect(page.get_by_role("option", name="Nobody found with an account")).to_be_visible()
    page.get_by_label("Action", exact=True).fill("Share the audit")
    fill_date(page, "Due date", in_days(30))
    follow(page, page.get_by_role("button", name="Save action"))
    expect(page.get_by_role("alert")).to_contain_text("Choose the owner of the action")
    assert not Action.objects.exists()


def test_two_people_of_the_same_name_are_each_their_own_choice(
    page: Page, board, group_chair, password
):
    meeting = MeetingFactory(group=board["improving_outcomes"])
    first = UserFactory(first_name="Sam", last_name="Smith<b>x</b>")
    second = UserFactory(first_name="Sam", last_name="Smith<b>x</b>", agency=first.agency)
    label = f"Sam Smith<b>x</b>, {first.agency.label}"
    sign_in(page, group_chair.email, password)
    visit(page, f"/meetings/{meeting.pk}/actions/new/")
    owner = page.get_by_role("combobox", name="Owner")
    owner.fill("sam smith")
    # Both are offered, the name written as it is (not as markup), and the second is chosen.
    choices = page.get_by_role("option", name=label, exact=True)
    expect(choices).to_have_count(2)
    choices.nth(1).click()
    expect(owner).to_have_value(label)
    page.get_by_label("Action", exact=True).fill("Share the audit")
    # Sent without a due date: the person chosen is kept, and stays chosen when the field is
    # visited again and left.
    follow(page, page.get_by_role("button", name="Save action"))
    expect(page.get_by_role("alert")).to_contain_text("Enter the due date")
    owner = page.get_by_role("combobox", name="Owner")
    expect(owner).to_have_value(label)
    owner.focus()
    page.keyboard.press("Tab")
    expect(owner).to_have_value(label)
    fill_date(page, "Due date", in_days(30))
    follow(page, page.get_by_role("button", name="Save action"))
    expect(success_banner(page)).to_contain_text("has been recorded")
    assert Action.objects.get().owner == second
