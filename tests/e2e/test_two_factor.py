"""Two-factor sign-in and the timeout warning, in the browser, with axe-core on every page."""

from __future__ import annotations

import datetime
import json

from django_otp.plugins.otp_static.models import StaticDevice
from playwright.sync_api import Page, Route, expect

from tests.clients import app_for
from tests.e2e.browsing import (
    check_accessibility,
    code_from_key,
    fill_sign_in_form,
    follow,
    fresh_code,
    sign_in,
    sign_out,
    visit,
)


def test_a_panel_member_sets_up_an_app_then_signs_in_with_its_codes(
    page: Page, cdop_member, password
):
    visit(page, "/cdop/")  # asks to sign in, then comes back here
    fill_sign_in_form(page, cdop_member.email, password)
    follow(page, page.get_by_role("button", name="Sign in"))

    expect(page.get_by_role("heading", level=1)).to_have_text("Set up an authenticator app")
    qr = page.get_by_role("img", name="QR code to add")
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.naturalWidth") > 100  # the server's SVG drew
    key = page.locator("#secret-key").inner_text().replace(" ", "")
    # A wrong code first: the error summary names it and takes the reader to the field.
    page.get_by_label("Code from your authenticator app").fill("000000")
    follow(page, page.get_by_role("button", name="Continue"))
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("The code is not right")
    page.get_by_label("Code from your authenticator app").fill(code_from_key(key))
    follow(page, page.get_by_role("button", name="Continue"))

    expect(page.get_by_role("heading", level=1)).to_have_text("Save your backup codes")
    codes = page.get_by_role("list", name="Your backup codes").get_by_role("listitem")
    expect(codes).to_have_count(10)
    first_code = codes.first.inner_text()
    follow(page, page.get_by_role("button", name="I have saved my backup codes"))
    expect(page).to_have_url(f"{page.url.split('/cdop/')[0]}/cdop/")
    sign_out(page)

    # Next time: the password, then a backup code (the phone is elsewhere today).
    visit(page, "/accounts/sign-in/")
    fill_sign_in_form(page, cdop_member.email, password)
    follow(page, page.get_by_role("button", name="Sign in"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your authenticator app")
    follow(page, page.get_by_role("link", name="use a backup code"))
    page.get_by_label("Backup code").fill(first_code)
    follow(page, page.get_by_role("button", name="Continue"))
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    assert StaticDevice.objects.get(user=cdop_member).token_set.count() == 9


def test_the_code_page_works_from_the_keyboard(page: Page, secretariat, password):
    device = app_for(secretariat)
    visit(page, "/accounts/sign-in/")
    fill_sign_in_form(page, secretariat.email, password)
    follow(page, page.get_by_role("button", name="Sign in"))
    code = page.get_by_label("Code from your authenticator app")
    expect(code).to_have_attribute("autocomplete", "one-time-code")
    expect(code).to_have_attribute("inputmode", "numeric")
    code.focus()
    page.keyboard.type(fresh_code(device))
    follow(page, lambda: page.keyboard.press("Enter"))
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    follow(page, page.get_by_role("link", name="Administration", exact=True))
    expect(page.get_by_role("heading", name="Board secretariat")).to_be_visible()


def test_the_timeout_warning_offers_to_stay_signed_in(page: Page, member, password, settings):
    page.clock.install(time=datetime.datetime.now(datetime.UTC))
    sign_in(page, member.email, password)
    visit(page, "/board/")
    extended = []

    def status(route: Route) -> None:
        # The server keeps its own clock: say what it would say two minutes before the end.
        route.fulfill(
            status=200,
            content_type="application/json",
            body=json.dumps({"signed_in": True, "seconds_left": 100}),
        )

    page.route("**/accounts/session/", status)
    page.on(
        "request",
        lambda request: (
            extended.append(request.url)
            if request.url.endswith("/accounts/session/extend/")
            else None
        ),
    )
    idle = settings.SESSION_IDLE_MINUTES * 60
    warning = settings.SESSION_IDLE_WARNING_MINUTES * 60
    page.clock.run_for((idle - warning + 1) * 1000)

    dialog = page.get_by_role("dialog", name="You’re about to be signed out")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("we will sign you out in 2 minutes")
    # The dialog holds the focus: the first thing in it has it.
    expect(dialog.get_by_role("button", name="Stay signed in")).to_be_focused()
    check_accessibility(page)

    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    assert extended, "Stay signed in told the server"

    # Escape means "stay signed in" too.
    page.clock.run_for((idle - warning + 1) * 1000)
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert len(extended) == 2
