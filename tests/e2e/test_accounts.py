"""Signing in and out, with a keyboard too, and the emails that let people choose a password."""

from __future__ import annotations

import re

import pytest
from django.conf import settings as django_settings
from django.core import mail
from playwright.sync_api import Page, expect

from hscb.models import User
from hscb.services import board as services
from tests.e2e.browsing import check_accessibility, fill_sign_in_form, follow, sign_in, visit
from tests.hscb.factories import AgencyFactory

NEW_PASSWORD = "kingfisher-lantern-orchard-47"


def _link_in(message: mail.EmailMessage) -> str:
    match = re.search(r"https?://\S+/accounts/\S+/", message.body)
    assert match, f"no link in the email:\n{message.body}"
    return match.group(0)


def test_a_failed_sign_in_shows_the_error_summary_and_moves_focus_to_it(
    page: Page, member, password
):
    visit(page, "/accounts/sign-in/")
    fill_sign_in_form(page, member.email, "not-the-password")
    follow(page, page.get_by_role("button", name="Sign in"))

    expect(page).to_have_title(re.compile(r"^Error: Sign in – "))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading")).to_have_text("There is a problem")
    expect(summary.get_by_role("link")).to_have_text(
        "Enter a correct email address and password. The password is case-sensitive."
    )
    expect(page.get_by_label("Email address")).to_have_value(member.email)
    expect(page.get_by_label("Password")).to_have_value("")

    # The summary's link takes the person to the first field.
    summary.get_by_role("link").click()
    expect(page.get_by_label("Email address")).to_be_focused()
    fill_sign_in_form(page, member.email, password)
    follow(page, page.get_by_role("button", name="Sign in"))
    expect(page.get_by_role("heading", name="Your groups")).to_be_visible()


@pytest.mark.browser_context_args(bypass_csp=False)
def test_the_pages_scripts_run_under_the_real_content_security_policy(page: Page, member, password):
    """The other tests open pages with the CSP bypassed (axe-core is injected into them)."""
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    visit(page, "/accounts/sign-in/")
    # Set by the inline script, which runs only if its nonce is accepted.
    expect(page.locator("body")).to_have_class(re.compile(r"\bgovuk-frontend-supported\b"))
    follow(page, page.get_by_role("button", name="Sign in"))
    # Moved there by GOV.UK Frontend's module script.
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    sign_in(page, member.email, password)
    assert refused == []


def test_an_empty_sign_in_names_each_missing_field(page: Page, transactional_db):
    visit(page, "/accounts/sign-in/")
    follow(page, page.get_by_role("button", name="Sign in"))

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_text(
        ["Enter your email address", "Enter your password"]
    )
    expect(page.locator(".govuk-error-message")).to_have_text(
        ["Error: Enter your email address", "Error: Enter your password"]
    )


def _skip_to_main_content(page: Page) -> None:
    """The skip link is the first thing Tab reaches, and it takes focus to the main content."""
    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Skip to main content")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_visible()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main-content$"))
    expect(page.get_by_role("main")).to_be_focused()


def test_keyboard_only_sign_in_skip_link_and_sign_out(page: Page, member, password):
    visit(page, "/accounts/sign-in/")
    tab_stops = []
    for _ in range(3):
        page.keyboard.press("Tab")
        tab_stops.append(
            page.evaluate("document.activeElement.textContent || document.activeElement.id")
        )
    assert tab_stops == [
        "Skip to main content",
        django_settings.BOARD_NAME,  # the header's link to the home page
        "id_username",
    ]
    expect(page.get_by_label("Email address")).to_be_focused()
    page.keyboard.type(member.email)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type(password)
    follow(page, lambda: page.keyboard.press("Enter"))
    expect(page.get_by_role("heading", name="Your groups")).to_be_visible()

    _skip_to_main_content(page)
    # The navigation, with its Sign out button, comes just before the main content.
    page.keyboard.press("Shift+Tab")
    sign_out_button = page.get_by_role("navigation", name="Menu").get_by_role(
        "button", name="Sign out"
    )
    expect(sign_out_button).to_be_focused()
    follow(page, lambda: page.keyboard.press("Enter"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)


def test_an_invited_person_sets_a_password_from_the_email_and_signs_in(
    page: Page, board, live_server, settings
):
    settings.SITE_URL = live_server.url
    mail.outbox.clear()
    person = services.user_invite(
        user=User(
            email="New.Person@Agency.example ",
            first_name="Nadia",
            last_name="Okafor",
            agency=AgencyFactory(name="Hertfordshire Constabulary"),
        )
    )

    assert person.email == "new.person@agency.example"
    assert [m.to for m in mail.outbox] == [["new.person@agency.example"]]
    visit(page, _link_in(mail.outbox[0]))

    # The token moves out of the address into the session before the form is shown.
    expect(page).to_have_url(re.compile(r"/accounts/welcome/\w+/set-password/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Set your password")
    page.get_by_label("New password", exact=True).fill("short")
    page.get_by_label("New password confirmation").fill("short")
    follow(page, page.get_by_role("button", name="Save password"))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("at least 12 characters")

    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password confirmation").fill(NEW_PASSWORD)
    follow(page, page.get_by_role("button", name="Save password"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your password is set")

    follow(page, page.get_by_role("main").get_by_role("link", name="Sign in"))
    fill_sign_in_form(page, "new.person@agency.example", NEW_PASSWORD)
    follow(page, page.get_by_role("button", name="Sign in"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Nadia Okafor")
    expect(page.locator(".govuk-caption-l")).to_have_text("Hertfordshire Constabulary")

    # The link works once.
    page.context.clear_cookies()
    visit(page, _link_in(mail.outbox[0]))
    expect(page.get_by_role("heading", level=1)).to_have_text("This link has expired")


def test_a_person_resets_a_forgotten_password(page: Page, member, live_server, settings):
    settings.SITE_URL = live_server.url
    mail.outbox.clear()
    visit(page, "/accounts/sign-in/")
    follow(page, page.get_by_role("link", name="I have forgotten my password"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Reset your password")

    page.get_by_label("Email address").fill("not an address")
    follow(page, page.get_by_role("button", name="Send me a link"))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_text(
        "Enter an email address in the correct format, like name@example.com"
    )

    page.get_by_label("Email address").fill(member.email.upper())
    follow(page, page.get_by_role("button", name="Send me a link"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    assert [m.to for m in mail.outbox] == [[member.email]]

    visit(page, _link_in(mail.outbox[0]))
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password confirmation").fill(NEW_PASSWORD)
    follow(page, page.get_by_role("button", name="Save password"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your password has been changed")

    sign_in(page, member.email, NEW_PASSWORD)
    expect(page.get_by_role("heading", name="Your groups")).to_be_visible()


def test_asking_for_a_reset_for_an_unknown_address_reveals_nothing(page: Page, transactional_db):
    mail.outbox.clear()
    visit(page, "/accounts/password/reset/")
    page.get_by_label("Email address").fill("nobody@nowhere.example")
    follow(page, page.get_by_role("button", name="Send me a link"))

    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    expect(page.get_by_role("main")).to_contain_text("If there is an account with that address")
    assert mail.outbox == []
    check_accessibility(page)  # checking the same page twice is allowed
