"""The Child Death Overview Panel in a browser: a professional without an account notifies the
death here of a child who lived in Luton through the public form, and once a panel member has
checked it the referral is emailed to Luton's panel; the panel's coordinator records that
panel's acknowledgement and agreement to review it; a panel member records the panel's review
and closes a case; the statistics are read, as all figures and as published, and the annual
report is made and downloaded. axe-core checks every page."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import Page, expect

from cdop.models import (
    AnnualReport,
    ChildDeath,
    DeathCategory,
    DeathStatus,
    Direction,
    Expectation,
    Modifiable,
    NotifiedVia,
    Referral,
    ReferralStatus,
    ReportStatus,
    ReviewingPanel,
)
from tests.cdop.factories import ChildDeathFactory, PanelReviewFactory
from tests.e2e.browsing import follow, sign_in, summary_value, visit
from tests.e2e.business import (
    error_summary,
    fill_date,
    in_days,
    long_date,
    menu_link,
    success_banner,
)
from tests.e2e.casereview_helpers import radio_group, table_rows
from tests.e2e.cdop_helpers import (
    NEIGHBOUR,
    NEIGHBOUR_PANEL,
    cdop_ready,
    fill_public_form,
    listed_for_panel,
    notify,
)

HOW_TOLD = "Luton's panel sends us its analysis form by secure email when its review ends."
FACTOR = "Stairgate left open on the landing"


@pytest.fixture
def neighbour(board):
    """The reference data and a neighbour with a panel email (emptied after every browser
    test); the public form's rate limit starts afresh."""
    cache.clear()
    return cdop_ready()


def test_a_public_notification_of_a_child_who_lived_elsewhere_is_referred_to_their_panel(
    page: Page, neighbour, cdop_member, password
):
    born = in_days(-6 * 365)
    died = in_days(-1)

    visit(page, "/report-a-child-death/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Tell the panel about a child’s death"
    )
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    fill_public_form(
        page,
        first_name="Maisie",
        last_name="O'Farrell",
        born=born,
        died=born - datetime.timedelta(days=10),
        lived=NEIGHBOUR,
    )
    follow(page, page.get_by_role("button", name="Send the notification"))

    # A date of death before the birth is refused, with everything typed kept.
    message = (
        f"The date of death must be the same as or after the date of birth ({long_date(born)})"
    )
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(error_summary(page)).to_be_focused()
    expect(error_summary(page).get_by_role("link")).to_have_text(message)
    expect(page.locator(".govuk-error-message")).to_have_text(f"Error: {message}")
    expect(page.get_by_label("Last name", exact=True)).to_have_value("O'Farrell")
    expect(page.get_by_label("Area where the child normally lived")).to_have_value(
        str(neighbour.pk)
    )
    assert not ChildDeath.objects.exists()

    fill_date(page, "Date of death", died)
    follow(page, page.get_by_role("button", name="Send the notification"))

    death = ChildDeath.objects.get()
    expect(page.get_by_role("heading", level=1)).to_have_text("Notification sent")
    expect(page.locator(".govuk-panel__body")).to_contain_text(death.reference)
    expect(page.get_by_role("main")).not_to_contain_text("O'Farrell")
    assert (death.via, death.last_name, death.died_on) == (
        NotifiedVia.PUBLIC_FORM,
        "O'Farrell",
        died,
    )
    assert death.residence_area == neighbour and death.reviewing_area == neighbour
    referral = Referral.objects.get(death=death)
    assert (referral.direction, referral.other_area, referral.status) == (
        Direction.OUTBOUND,
        neighbour,
        ReferralStatus.SENT,
    )
    assert referral.next_step_due is not None
    # Anyone can use the public form: nothing goes to Luton's panel until the panel here has
    # checked the notification. The panel is told the reference only.
    assert referral.emailed_at is None
    assert not [m for m in mail.outbox if m.to == [NEIGHBOUR_PANEL]]
    for message in mail.outbox:
        assert "Farrell" not in message.body and "Maisie" not in message.body

    # The reference is shown once: the page does not show it again.
    visit(page, "/report-a-child-death/sent/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Tell the panel about a child’s death"
    )

    # A member of the panel checks it, then emails the referral to Luton's panel.
    sign_in(page, cdop_member.email, password)
    visit(page, referral.get_absolute_url())
    expect(page.locator("main h1 + p")).to_contain_text("Not emailed")
    follow(
        page,
        page.get_by_role("button", name=f"Check the notification, then email {NEIGHBOUR}'s panel"),
    )
    expect(success_banner(page)).to_contain_text(
        f"The referral of {death.reference} is being emailed to {NEIGHBOUR}'s panel"
    )
    expect(page.locator("main h1 + p")).not_to_contain_text("Not emailed")
    (to_them,) = [m for m in mail.outbox if m.to == [NEIGHBOUR_PANEL]]
    assert death.reference in to_them.subject
    assert "Maisie O'Farrell" in to_them.body
    referral.refresh_from_db()
    assert referral.emailed_at is not None


def test_the_coordinator_records_the_other_panels_acknowledgement_and_agreement(
    page: Page, neighbour, agency_staff, cdop_member, password
):
    death = notify(agency_staff, first_name="Callum", last_name="Reddington", lived=neighbour)
    referral = Referral.objects.get(death=death)
    acknowledged, agreed = in_days(-8), in_days(-3)

    sign_in(page, cdop_member.email, password)
    follow(page, menu_link(page, "Child deaths"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Child deaths")
    follow(page, page.get_by_role("link", name="Cross-area referrals"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Cross-area referrals")
    rows = table_rows(page, re.compile(r"^1 referral, those awaiting a step first"))
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(f"{NEIGHBOUR}'s panel to acknowledge it")
    expect(rows.first).not_to_contain_text("Reddington")
    follow(page, rows.first.get_by_role("link", name=death.reference))

    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"{death.reference} referred to {NEIGHBOUR}"
    )
    follow(page, page.get_by_role("button", name="Record the acknowledgement"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Record that {NEIGHBOUR}'s panel acknowledged our referral"
    )
    fill_date(page, "When was it acknowledged?", acknowledged)
    follow(page, page.get_by_role("button", name="Record the acknowledgement"))
    expect(success_banner(page)).to_contain_text("The acknowledgement is recorded.")
    expect(page.locator("main h1 + p .govuk-tag")).to_have_text("Acknowledged")

    follow(page, page.get_by_role("button", name="Record which panel reviews"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Record which panel reviews the death"
    )
    choice = radio_group(page, "Which panel reviews the death?")
    # The rule proposes the panel of the area where the child lived.
    expect(choice.get_by_label(f"{NEIGHBOUR}'s panel")).to_be_checked()
    fill_date(page, "When did the panels agree?", agreed)
    follow(page, page.get_by_role("button", name="Record the agreement"))
    expect(error_summary(page)).to_be_focused()
    expect(error_summary(page).get_by_role("link")).to_have_text(
        "Enter how the other panel will be told the outcome"
    )
    expect(choice.get_by_label(f"{NEIGHBOUR}'s panel")).to_be_checked()
    assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.ACKNOWLEDGED

    page.get_by_label("How the other panel will be told the outcome").fill(HOW_TOLD)
    follow(page, page.get_by_role("button", name="Record the agreement"))
    expect(success_banner(page)).to_contain_text(
        f"{NEIGHBOUR}'s panel reviews {death.reference}: the case is handed over to it."
    )
    expect(summary_value(page, "Agreed")).to_contain_text(
        f"{NEIGHBOUR}'s panel reviews (agreed {long_date(agreed)})"
    )
    expect(summary_value(page, "How the other panel is told the outcome")).to_have_text(HOW_TOLD)
    steps = table_rows(page, "The referral's steps, in order, each dated")
    expect(steps.nth(1).locator("td").nth(1)).to_have_text(long_date(acknowledged))
    expect(steps.nth(2).locator("td").nth(1)).to_have_text(long_date(agreed))
    expect(steps.nth(2).locator("td").nth(2)).to_contain_text(cdop_member.get_full_name())

    follow(page, page.get_by_role("main").get_by_role("link", name=death.reference, exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text(death.reference)
    expect(page.locator("main h1 + p .govuk-tag")).to_have_text("Reviewed by another panel")
    expect(summary_value(page, "Reviewing panel")).to_have_text(f"{NEIGHBOUR}'s panel")
    referral.refresh_from_db()
    death.refresh_from_db()
    assert (referral.status, referral.reviewing_panel) == (
        ReferralStatus.AGREED,
        ReviewingPanel.THEIRS,
    )
    assert (referral.acknowledged_on, referral.agreed_on) == (acknowledged, agreed)
    assert death.status == DeathStatus.ELSEWHERE and death.reviewing_area == neighbour


def test_a_panel_member_records_the_review_and_closes_the_case(
    page: Page, neighbour, agency_staff, cdop_member, password
):
    death = listed_for_panel(
        notify(
            agency_staff, first_name="Harry", last_name="Pemberton", age_days=500, expected=True
        ),
        by=cdop_member,
    )

    sign_in(page, cdop_member.email, password)
    follow(page, menu_link(page, "Child deaths"))
    rows = table_rows(page, re.compile(r"^1 case, latest death first"))
    expect(rows.first.locator("td").nth(4)).to_have_text("Listed for the panel")
    follow(page, rows.first.get_by_role("link", name=death.reference))
    expect(page.get_by_role("heading", level=1)).to_have_text(death.reference)

    # Closing with no category and no judgement on modifiable factors is refused.
    follow(page, page.get_by_role("button", name="Close the case"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Close the case")
    expect(page.get_by_role("main")).to_contain_text("The case cannot be closed yet:")
    follow(page, page.get_by_role("button", name="Close the case"))
    expect(error_summary(page)).to_be_focused()
    expect(error_summary(page)).to_contain_text(
        "Choose the category of death on the review before closing the case"
    )
    expect(error_summary(page)).to_contain_text("Record whether there were modifiable factors")
    death.refresh_from_db()
    assert death.status == DeathStatus.PANEL

    follow(page, page.get_by_role("link", name="Go to the panel review"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Panel review")
    radio_group(page, "Category of death").get_by_label(
        "3. Trauma and other external factors, including medical or surgical complications or error"
    ).check()
    radio_group(page, "Were there modifiable factors?").get_by_label(
        "Yes: modifiable factors were identified"
    ).check()
    page.get_by_label("The panel's summary (optional)").fill(
        "A fall down the stairs at home; the stairgate had been left open."
    )
    radio_group(
        page, "Did the panel conclude that abuse or neglect may have been a factor?"
    ).get_by_label("No", exact=True).check()
    follow(page, page.get_by_role("button", name="Save the review"))
    expect(success_banner(page)).to_have_text(
        f"The panel's review of {death.reference} has been saved."
    )

    follow(page, page.get_by_role("button", name="Add a factor"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a factor")
    radio_group(page, "Domain").get_by_label(
        "Factors in the social environment, including family and parenting"
    ).check()
    page.get_by_label("Factor", exact=True).fill(FACTOR)
    radio_group(page, "Its influence").get_by_label(
        "2: identified, may have contributed to vulnerability, ill health or death"
    ).check()
    follow(page, page.get_by_role("button", name="Add the factor"))
    expect(success_banner(page)).to_have_text(f"The factor “{FACTOR}” has been added.")
    factors = table_rows(page, "Factors the panel found, by domain")
    expect(factors).to_have_count(1)
    expect(factors.first.locator("td").nth(1)).to_have_text(FACTOR)

    expect(page.get_by_role("main")).to_contain_text("the case can be closed")
    follow(page, page.get_by_role("main").get_by_role("button", name="Close the case"))
    expect(page.get_by_role("main")).not_to_contain_text("The case cannot be closed yet")
    follow(page, page.get_by_role("button", name="Close the case"))

    expect(success_banner(page)).to_have_text(f"Case {death.reference} has been closed.")
    expect(summary_value(page, "Status")).to_contain_text("Closed")
    expect(summary_value(page, "Status")).to_contain_text(
        f"Closed on {long_date(timezone.localdate())}"
    )
    expect(page.get_by_role("button", name="Add a factor")).to_have_count(0)
    death.refresh_from_db()
    review = death.review
    assert death.status == DeathStatus.CLOSED
    assert (review.category.number, review.modifiable, review.closed_on) == (
        3,
        Modifiable.YES,
        timezone.localdate(),
    )
    assert list(review.factors.values_list("description", flat=True)) == [FACTOR]


def _closed_last_year(count: int, *, category: int, expected: bool, by) -> None:
    year = timezone.localdate().year - 1
    for n in range(count):
        died = datetime.date(year, 3, 1 + n)
        death = ChildDeathFactory(
            died_on=died,
            date_of_birth=died - datetime.timedelta(days=400),
            status=DeathStatus.CLOSED,
            expectation=Expectation.EXPECTED if expected else Expectation.UNEXPECTED,
        )
        PanelReviewFactory(
            death=death,
            category=DeathCategory.objects.get(number=category),
            modifiable=Modifiable.NO,
            closed_on=died + datetime.timedelta(days=90),
            updated_by=by,
        )


def test_the_statistics_are_read_and_the_annual_report_is_made_and_downloaded(
    page: Page, neighbour, cdop_member, password
):
    year = timezone.localdate().year - 1
    _closed_last_year(4, category=9, expected=False, by=cdop_member)
    _closed_last_year(1, category=4, expected=True, by=cdop_member)
    _closed_last_year(2, category=3, expected=False, by=cdop_member)

    sign_in(page, cdop_member.email, password)
    visit(page, "/cdop/statistics/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Child death statistics, {timezone.localdate().year}"
    )
    page.get_by_label("Year", exact=True).select_option(str(year))
    follow(page, page.get_by_role("button", name="Show the figures"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Child death statistics, {year}")
    expect(page.get_by_role("main")).to_contain_text(
        "You are looking at all the figures, for the panel and the board."
    )
    headline = table_rows(page, re.compile(rf"^Deaths and completed reviews in {year}"))
    expect(headline.first).to_contain_text("7")
    by_category = page.locator("#cdop-by-category table tbody tr")
    expect(by_category.filter(has_text="9. Infection")).to_contain_text("4")
    expect(by_category.filter(has_text="4. Malignancy")).to_contain_text("1")
    expect(by_category.filter(has_text="3. Trauma")).to_contain_text("2")

    follow(
        page,
        page.get_by_role("link", name="Show the published figures, with small numbers suppressed"),
    )
    expect(page).to_have_title(re.compile(rf"^Child death statistics, {year} \(published"))
    expect(page.get_by_role("main")).to_contain_text("You are looking at the published figures.")
    published = page.locator("#cdop-by-category table tbody tr")
    # 4, 1 and 2 reviews: the 1 and the 2 differ, so they alone are withheld (hscb.lib.suppression).
    expect(published.filter(has_text="9. Infection")).to_contain_text("4")
    expect(published.filter(has_text="4. Malignancy")).to_contain_text("withheld")
    expect(published.filter(has_text="3. Trauma")).to_contain_text("withheld")
    expect(page.locator("canvas")).to_have_count(0)

    follow(page, page.get_by_role("link", name="Annual reports (PDF and CSV)"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Annual reports")
    expect(page.get_by_role("main")).to_contain_text("No reports have been made yet.")
    expect(page.get_by_label("Year", exact=True)).to_have_value(str(year))
    follow(page, page.get_by_role("button", name="Make the report"))

    # The task ran as it was queued (Celery runs in-process here): the report is ready.
    report = AnnualReport.objects.get()
    assert (report.year, report.status, report.requested_by) == (
        year,
        ReportStatus.DONE,
        cdop_member,
    )
    expect(success_banner(page)).to_contain_text(f"You asked for the annual report for {year}.")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Annual report {year}")
    expect(summary_value(page, "Status")).to_have_text("Ready")
    pdf_link = page.get_by_role("link", name=f"Annual report {year} (PDF)")
    expect(pdf_link).to_be_visible()

    response = page.request.get(pdf_link.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
    csv = page.request.get(
        page.get_by_role("link", name=re.compile(r"every figure \(CSV\)")).get_attribute("href")
    )
    assert csv.status == 200
    text = csv.body().decode("utf-8-sig")
    assert text.startswith("measure,category,year,value")
    assert f"Completed reviews by category of death,4. Malignancy,{year},withheld" in text

    follow(page, page.get_by_role("link", name="All annual reports"))
    rows = table_rows(page, "Reports made")
    expect(rows).to_have_count(1)
    expect(rows.first.locator("td").nth(3)).to_have_text("Ready")
    expect(rows.first.locator("td").nth(4)).to_have_text("100%")
