"""Helpers for the browser tests of the board's business: meetings, actions, dashboards, plan.

They only find things and fill in forms; moving to another page is left to `follow` and
`visit` (tests/e2e/browsing.py), so that axe-core checks every page the tests load.
"""

from __future__ import annotations

import datetime

from django.template.defaultfilters import date as date_filter
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from hscb.models import Group, GroupFunction


def menu(page: Page) -> Locator:
    return page.get_by_role("navigation", name="Menu")


def menu_link(page: Page, name: str) -> Locator:
    return menu(page).get_by_role("link", name=name, exact=True)


def success_banner(page: Page) -> Locator:
    """The green "Success" notification banner a completed form leaves on the next page."""
    return page.locator(".govuk-notification-banner--success .govuk-notification-banner__heading")


def important_banner(page: Page) -> Locator:
    """The blue "Important" notification banner (information and warnings)."""
    return page.locator(
        ".govuk-notification-banner:not(.govuk-notification-banner--success) "
        ".govuk-notification-banner__heading"
    )


def error_summary(page: Page) -> Locator:
    return page.locator(".govuk-error-summary")


def in_days(days: int) -> datetime.date:
    """A day counted from today in London, the board's time zone."""
    return timezone.localdate() + datetime.timedelta(days=days)


def long_date(day: datetime.date) -> str:
    """A date as the pages show it: "27 November 2026"."""
    return date_filter(day)


def fill_date(page: Page, legend: str, day: datetime.date) -> None:
    """Type a date into the GOV.UK day, month and year inputs of the fieldset named `legend`."""
    fieldset = page.get_by_role("group", name=legend, exact=True)
    fieldset.get_by_label("Day").fill(str(day.day))
    fieldset.get_by_label("Month").fill(str(day.month))
    fieldset.get_by_label("Year").fill(str(day.year))


def improving_outcomes() -> Group:
    return Group.objects.get(function=GroupFunction.IMPROVING_OUTCOMES)


def choose_person(scope: Page | Locator, label: str, person: str) -> None:
    """Choose someone in a field that chooses a person (the accessible autocomplete of
    static/js/people-search.js): type their name, then pick them from the list."""
    box = scope.get_by_role("combobox", name=label, exact=True)
    box.fill(person.split(",")[0])
    page = scope.page if isinstance(scope, Locator) else scope
    page.get_by_role("option", name=person, exact=True).click()
    expect(box).to_have_value(person)
