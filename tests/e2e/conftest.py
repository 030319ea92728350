"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server.

Running them
- Every test in this folder is marked `e2e` (`pytest -m "not e2e"` leaves them out).
- The browser is `/usr/bin/chromium` (`apt-get install -y chromium`); pytest-playwright cannot
  download one here. Without it the tests are skipped, unless `CI=1`, when they fail.
- One browser for the whole session; each test gets a fresh context (no cookies carried over).
- `base_url` is the live server, so `page.goto("/board/")` works. Using the live server makes
  each test transactional: the role fixtures' rows are committed, so the server thread sees
  them, and the tables are emptied after each test.
- Playwright's sync API runs an event loop in the test's thread, so Django's ORM calls in
  fixtures would be refused as "async unsafe": `DJANGO_ALLOW_ASYNC_UNSAFE` lets them through
  (the ORM is only ever used from this thread and the server's own thread).

How every page is checked with axe-core (WCAG 2.2 A and AA)
- Every page the tests open comes from the `context` fixture below, which gives each page an
  `AxeGuard` (see `browsing.py`). The guard listens to the page's `load` event, so it hears every
  document the browser loads, however it got there: `goto`, a link, a form submission, a
  redirect after a POST.
- The helpers in `browsing.py` (`visit`, `follow`, `sign_in`, `sign_out`) run axe on each page
  they arrive at; `check_accessibility(page)` does it by hand.
- If a page is loaded and the test moves on to another page without checking it, the next
  check fails naming the skipped page; if the test ends with a page loaded and not checked, the
  test fails at teardown. So a passing browser test has had axe run on every page it loaded.
- Same-document changes (following the skip link to `#main-content`) load no new document and
  are not checked again.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page

from tests.e2e.browsing import AxeGuard, unchecked_message

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
HERE = Path(__file__).parent
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

_call_report = pytest.StashKey[pytest.TestReport]()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    no_browser = pytest.mark.skip(
        reason=f"Chromium is not installed at {CHROMIUM} (apt-get install -y chromium)"
    )
    for item in items:
        if not item.path.is_relative_to(HERE):
            continue
        item.add_marker(pytest.mark.e2e)
        if not CHROMIUM.exists() and not IN_CI:
            item.add_marker(no_browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> pytest.TestReport:
    report = yield
    if report.when == "call":
        item.stash[_call_report] = report
    return report


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    if not CHROMIUM.exists():
        pytest.fail(f"CI=1 and Chromium is not installed at {CHROMIUM}", pytrace=False)
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    # axe-core is injected into the page; our Content-Security-Policy would refuse it.
    return {**browser_context_args, "bypass_csp": True, "locale": "en-GB"}


@pytest.fixture(scope="session")
def base_url(live_server) -> str:
    return live_server.url


@pytest.fixture
def context(context: BrowserContext, request: pytest.FixtureRequest) -> Iterator[BrowserContext]:
    """Playwright's context, with an AxeGuard on every page opened in it (see the docstring)."""
    guards: list[AxeGuard] = []
    context.on("page", lambda page: guards.append(AxeGuard(page)))
    yield context
    report = request.node.stash.get(_call_report, None)
    if report is None or not report.passed:
        return  # the test has already failed (or never ran): say nothing more
    skipped = [url for guard in guards for url in guard.left_unchecked()]
    if skipped:
        pytest.fail(unchecked_message(skipped), pytrace=False)


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()
