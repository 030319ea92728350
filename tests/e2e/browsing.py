"""How the browser tests move around the site, with axe-core checking every page they load.

Each browser page carries an `AxeGuard` (attached by `tests/e2e/conftest.py`) that hears every
document the page loads. `check_accessibility(page)` runs axe-core on the page in front of it
and tells the guard the page was checked. The helpers below (`visit`, `follow`, `sign_in`,
`sign_out`) check every page they arrive at, so a test written with them never has to think
about it; a test that loads a page some other way and moves on without checking it fails.
"""

from __future__ import annotations

import base64
import contextlib
import time
from collections.abc import Callable

import pytest
from axe_playwright_python.sync_playwright import Axe
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Locator, Page, Response, expect

# WCAG 2.0, 2.1 and 2.2 at levels A and AA: what DESIGN.md §8 promises. No rule is disabled.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}

_axe = Axe()


class AxeGuard:
    """Hears every document a page loads and remembers which ones axe has not checked yet."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.unchecked: list[str] = []
        self.problems: list[str] = []
        page.on("load", self._loaded)
        page.on("pageerror", lambda error: self.problems.append(f"JavaScript error: {error}"))
        page.on("response", self._responded)
        page.axe_guard = self  # found again by check_accessibility()

    def _loaded(self, page: Page) -> None:
        self.unchecked.append(page.url)

    def _responded(self, response: Response) -> None:
        # A page may be a 403 or 404 on purpose; its stylesheet and scripts never should.
        if response.status >= 400 and response.request.resource_type != "document":
            self.problems.append(f"{response.status} for {response.url}")

    def mark_checked(self) -> None:
        """The page in front of the browser has just been checked. Anything loaded before it
        and not checked was passed by without a check: that is the test's mistake."""
        # Axe ran after the current document's load, so its load event has been heard by now.
        skipped = self.unchecked[:-1]
        self.unchecked.clear()
        if skipped:
            pytest.fail(unchecked_message(skipped), pytrace=False)

    def left_unchecked(self) -> list[str]:
        """Pages loaded and never checked; call when the test is over."""
        if not self.page.is_closed():
            # A round trip, so every load event has arrived; a crashed page has none to send.
            with contextlib.suppress(Exception):
                self.page.evaluate("0")
        return list(self.unchecked)


def unchecked_message(urls: list[str]) -> str:
    listed = "\n".join(f"  - {url}" for url in urls)
    return (
        "These pages were loaded but axe-core never checked them:\n"
        f"{listed}\n"
        "Move around with visit()/follow() from tests/e2e/browsing.py, or call "
        "check_accessibility(page) after anything that loads a page."
    )


def check_accessibility(page: Page) -> None:
    """Run axe-core on the page as it is now; fail with a readable list of WCAG violations."""
    guard: AxeGuard | None = getattr(page, "axe_guard", None)
    if guard is None:
        raise RuntimeError("This page has no AxeGuard: open pages from the `context` fixture.")
    page.wait_for_load_state("load")
    # Without its styles a page cannot be judged (colour contrast, focus, hidden text).
    styled = page.evaluate("[...document.styleSheets].some(sheet => sheet.cssRules.length > 0)")
    results = _axe.run(page, options=AXE_OPTIONS)
    guard.mark_checked()
    problems, guard.problems = guard.problems, []
    if not styled:
        problems.append("the page has no stylesheet")
    report = []
    if problems:
        report.append(f"{page.url} did not load cleanly:\n" + "\n".join(f"- {p}" for p in problems))
    violations = results.response["violations"]
    if violations:
        report.append(violations_report(page.url, violations))
    if report:
        pytest.fail("\n\n".join(report), pytrace=False)


def violations_report(url: str, violations: list[dict]) -> str:
    lines = [f"axe-core found {len(violations)} WCAG 2.2 A/AA violation(s) on {url}:"]
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']}")
        lines.append(f"  {v['helpUrl']}")
        for node in v["nodes"]:
            target = ", ".join(" >> ".join(t) if isinstance(t, list) else t for t in node["target"])
            lines.append(f"    at {target}")
            summary = node.get("failureSummary")
            if summary:
                lines.extend(f"       {line}" for line in summary.splitlines())
    return "\n".join(lines)


def visit(page: Page, path: str) -> Response | None:
    """Open a page by its address (relative to the live server) and check it with axe."""
    response = page.goto(path)
    check_accessibility(page)
    return response


def follow(page: Page, target: Locator | Callable[[], object]) -> None:
    """Click a link or button (or do anything else) that loads a new page; wait for it and
    check it with axe."""
    with page.expect_navigation():
        if isinstance(target, Locator):
            target.click()
        else:
            target()
    check_accessibility(page)


def sign_in(page: Page, email: str, password: str) -> None:
    """Sign in through the real sign-in form and arrive, checked, on the home page. Someone
    with an authenticator app types the code it shows now; someone who must have one and has
    not sets it up from the key on the page, as a person with a phone would."""
    visit(page, "/accounts/sign-in/")
    fill_sign_in_form(page, email, password)
    follow(page, page.get_by_role("button", name="Sign in"))
    give_second_factor(page, email)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def give_second_factor(page: Page, email: str) -> None:
    """Take the second-factor step the page in front asks for, if any."""
    heading = page.get_by_role("heading", level=1).inner_text()
    if heading == "Check your authenticator app":
        device = TOTPDevice.objects.get(user__email=email, confirmed=True)
        page.get_by_label("Code from your authenticator app").fill(fresh_code(device))
        follow(page, page.get_by_role("button", name="Continue"))
    elif heading == "Set up an authenticator app":
        key = page.locator("#secret-key").inner_text().replace(" ", "")
        page.get_by_label("Code from your authenticator app").fill(code_from_key(key))
        follow(page, page.get_by_role("button", name="Continue"))
        expect(page.get_by_role("heading", level=1)).to_have_text("Save your backup codes")
        follow(page, page.get_by_role("button", name="I have saved my backup codes"))


def code_from_key(key: str, *, at: float | None = None) -> str:
    """The code an authenticator app given this key (base32, as the set-up page shows it)
    would show now."""
    padded = key + "=" * (-len(key) % 8)
    totp = TOTP(base64.b32decode(padded), 30, 0, 6, 0)
    totp.time = time.time() if at is None else at
    return f"{totp.token():06d}"


def fresh_code(device: TOTPDevice) -> str:
    """A code the app will show that the server has not seen used: a code works once, so a
    second sign-in within the same 30 seconds takes the next one (the server accepts one step
    ahead), or waits for it."""
    device.refresh_from_db()
    now = time.time()
    step = max(int(now - device.t0) // device.step, device.last_t + 1)
    ahead = step * device.step + device.t0 - now
    if ahead > device.step:  # more than one step ahead: wait until it is only one
        time.sleep(ahead - device.step + 0.5)
    return code_from_key(
        base64.b32encode(device.bin_key).decode(), at=step * device.step + device.t0 + 1
    )


def fill_sign_in_form(page: Page, email: str, password: str) -> None:
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)


def sign_out(page: Page) -> None:
    follow(page, page.get_by_role("navigation", name="Menu").get_by_role("button", name="Sign out"))
    expect(page.get_by_role("heading", level=1, name="Sign in")).to_be_visible()


def summary_value(scope: Page | Locator, key: str) -> Locator:
    """The value beside `key` in a GOV.UK summary list (a `<dt>` and its `<dd>`)."""
    return scope.locator(f"xpath=.//dt[normalize-space()='{key}']/following-sibling::dd[1]")
