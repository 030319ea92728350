"""Pages that keep their size as the data grows: the agency's drafts and the cases awaiting the
board chair's decision come a page at a time; the forms offer the case's agencies and find any
other agency taking part by its name, rather than list every agency; the admin lists search
agencies rather than list them."""

from __future__ import annotations

import pytest

from casereview.models import AgencyReport, Lesson, PlanAction
from casereview.services import notifications as services
from tests.casereview.factories import (
    ConsiderationFactory,
    DraftFactory,
    NotificationFactory,
    PlanActionFactory,
    RecommendationFactory,
    ReviewFactory,
    ensure_review_types,
)
from tests.casereview.test_lessons import lesson_form
from tests.casereview.test_plan_actions import action_form
from tests.casereview.test_reviews_support import date_fields, days
from tests.hscb.factories import AgencyFactory, UserFactory
from tests.hscb.test_bad_input import assert_error_page

pytestmark = pytest.mark.django_db


def html(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def review(board):
    """A review whose case was notified by one agency and involved another."""
    review = ReviewFactory()
    review.notification.agencies_involved.add(AgencyFactory(name="Oak Primary School"))
    return review


@pytest.fixture
def elsewhere(db):
    """Agencies taking part that the review's case does not name."""
    return {
        "quillford": AgencyFactory(name="Quillford Community Trust", short_name="Quillford"),
        "zebedee": AgencyFactory(name="Zebedee Borough Council"),
        "yarrow": AgencyFactory(name="Yarrow Borough Council"),
    }


# Lists that come a page at a time ---------------------------------------------------------------


def test_the_agencys_own_drafts_come_twenty_to_a_page(client, agency_staff):
    drafts = [DraftFactory(notifier=agency_staff) for _ in range(21)]
    client.force_login(agency_staff)

    first = html(client, "/notifications/")
    second = html(client, "/notifications/?drafts=2")

    # Most recently saved first: the first draft started is the one on the second page.
    assert first.count("Continue<span") == 20 and second.count("Continue<span") == 1
    assert f"/notifications/{drafts[0].pk}/delete/" in second
    assert f"/notifications/{drafts[0].pk}/delete/" not in first
    assert 'href="?drafts=2"' in first and "Page 2 of 2" in first
    assert 'href="?drafts=1"' in second
    assert "21 drafts (page 2 of 2)" in second


def test_turning_the_drafts_pages_keeps_the_page_of_submitted_ones(client, agency_staff):
    for _ in range(21):
        DraftFactory(notifier=agency_staff)
    NotificationFactory(notifier=agency_staff)
    client.force_login(agency_staff)

    text = html(client, "/notifications/?page=1&drafts=1")

    assert 'href="?page=1&amp;drafts=2"' in text


def test_the_cases_awaiting_a_decision_come_25_to_a_page(client, board_chair):
    waiting = [ConsiderationFactory().notification for _ in range(26)]
    client.force_login(board_chair)

    first = html(client, "/case-review/decisions/")
    second = html(client, "/case-review/decisions/?page=2")

    # Waiting longest first: the last considered is on the second page.
    assert all(n.reference in first for n in waiting[:25])
    assert waiting[25].reference not in first and waiting[25].reference in second
    assert "26 cases await the board chair's decision." in first
    assert 'href="?page=2"' in first
    assert waiting[0].reference not in second


# Forms that offer the case's agencies -----------------------------------------------------------


def test_the_lesson_form_offers_the_cases_agencies_not_every_agency(
    client, secretariat, review, elsewhere
):
    client.force_login(secretariat)

    text = html(client, f"{review.get_absolute_url()}lessons/new/")

    assert "Oak Primary School" in text and review.notification.agency.name in text
    assert "Quillford" not in text and "Borough Council" not in text


def test_a_lesson_names_agencies_ticked_and_typed_by_name(client, secretariat, review, elsewhere):
    oak = review.notification.agencies_involved.get()
    client.force_login(secretariat)

    response = client.post(
        f"{review.get_absolute_url()}lessons/new/",
        lesson_form(agencies=[str(oak.pk)], other_agencies="quillford\n\nZebedee  borough\n"),
    )

    assert response.status_code == 302
    lesson = Lesson.objects.get()
    assert set(lesson.agencies.all()) == {oak, elsewhere["quillford"], elsewhere["zebedee"]}
    # Named now, they are offered to tick on the lesson's page.
    text = html(client, f"/case-review/lessons/{lesson.pk}/change/")
    assert "Quillford Community Trust" in text and "Yarrow" not in text


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("Nowhere Trust", "No agency taking part is called “Nowhere Trust”"),
        (
            "borough council",
            "“borough council” could be more than one agency (Yarrow Borough Council; "
            "Zebedee Borough Council): type more of its name",
        ),
    ],
)
def test_an_agency_name_that_finds_none_or_several_is_refused(
    client, secretariat, review, elsewhere, typed, message
):
    client.force_login(secretariat)

    response = client.post(
        f"{review.get_absolute_url()}lessons/new/", lesson_form(other_agencies=typed)
    )

    text = assert_error_page(response, "other_agencies")
    assert message in text
    assert not Lesson.objects.exists()


def test_an_agency_not_offered_but_sent_back_is_taken_and_shown_again(
    client, secretariat, review, elsewhere
):
    """A script that searches for agencies may send any agency taking part, as the full list
    could: it is taken, and offered again when the form comes back with an error."""
    yarrow = elsewhere["yarrow"]
    client.force_login(secretariat)
    url = f"{review.get_absolute_url()}agency-reports/new/"

    again = client.post(url, {"agency": str(yarrow.pk), **date_fields("requested_on", days(-1))})
    response = client.post(
        url,
        {
            "agency": str(yarrow.pk),
            **date_fields("requested_on", days(-1)),
            **date_fields("due_on", days(20)),
        },
    )

    text = assert_error_page(again, "due_on")
    assert f'<option value="{yarrow.pk}" selected>Yarrow Borough Council</option>' in text
    assert response.status_code == 302
    assert AgencyReport.objects.get().agency == yarrow


def test_an_agency_report_is_asked_of_an_agency_typed_by_name(
    client, secretariat, review, elsewhere
):
    client.force_login(secretariat)
    url = f"{review.get_absolute_url()}agency-reports/new/"
    text = html(client, url)
    assert "Oak Primary School" in text and "Quillford" not in text

    response = client.post(
        url,
        {
            "other_agency": "Quillford",
            **date_fields("requested_on", days(-1)),
            **date_fields("due_on", days(20)),
        },
    )

    assert response.status_code == 302
    assert AgencyReport.objects.get().agency == elsewhere["quillford"]


def test_an_action_takes_a_lead_agency_chosen_or_typed_but_not_both(
    client, secretariat, review, elsewhere
):
    recommendation = RecommendationFactory(review=review)
    oak = review.notification.agencies_involved.get()
    url = f"/case-review/recommendations/{recommendation.pk}/actions/new/"
    client.force_login(secretariat)
    owner = UserFactory()
    text = html(client, url)
    assert "Oak Primary School" in text and "Quillford" not in text

    both = client.post(
        url, action_form(owner, oak, other_lead_agency="quillford", owner=str(secretariat.pk))
    )
    neither = client.post(url, action_form(owner, oak, lead_agency="", owner=str(secretariat.pk)))
    typed = client.post(
        url, action_form(owner, oak, lead_agency="", other_lead_agency="quillford trust")
    )

    assert "not both" in assert_error_page(both, "other_lead_agency")
    assert "Choose the lead agency" in assert_error_page(neither, "lead_agency")
    assert typed.status_code == 302
    assert PlanAction.objects.get().lead_agency == elsewhere["quillford"]


def test_the_agencies_step_offers_the_notifiers_own_and_finds_others_by_name(
    client, agency_staff, elsewhere
):
    ensure_review_types()
    draft = services.notification_start(by=agency_staff)
    url = f"/notifications/{draft.pk}/step/agencies/"
    client.force_login(agency_staff)
    text = html(client, url)
    assert agency_staff.agency.label in text
    assert "Quillford" not in text and "Borough Council" not in text

    response = client.post(
        url,
        {
            "agencies_involved": [str(agency_staff.agency_id)],
            "other_agencies": "quillford",
            "safety_action": "Siblings placed with their grandmother under a safety plan.",
            "notifier_phone": "01707 123456",
            "action": "continue",
        },
    )

    assert response.status_code == 302
    assert set(draft.agencies_involved.all()) == {agency_staff.agency, elsewhere["quillford"]}
    assert "Quillford" in html(client, url)


def test_coming_back_later_keeps_the_agencies_typed_by_name(client, agency_staff, elsewhere):
    draft = services.notification_start(by=agency_staff)
    client.force_login(agency_staff)

    response = client.post(
        f"/notifications/{draft.pk}/step/agencies/",
        {"other_agencies": "quillford", "safety_action": "", "action": "save"},
    )

    assert response.status_code == 200
    assert list(draft.agencies_involved.all()) == [elsewhere["quillford"]]


# The admin lists --------------------------------------------------------------------------------


def test_the_admin_lists_search_agencies_rather_than_listing_them(client, secretariat):
    ensure_review_types()
    quillford = AgencyFactory(name="Quillford Community Trust")
    zebedee = AgencyFactory(name="Zebedee Borough Council")
    found = NotificationFactory(agency=quillford)
    NotificationFactory(agency=zebedee)
    PlanActionFactory(description="For Quillford.", lead_agency=quillford)
    PlanActionFactory(description="For Zebedee.", lead_agency=zebedee)
    client.force_login(secretariat)

    notifications = html(client, "/admin/casereview/notification/?agency=quillford+TRUST")
    actions = html(client, "/admin/casereview/planaction/?lead_agency=quillford&status__exact=open")

    assert 'name="agency" value="quillford TRUST"' in notifications
    assert found.reference in notifications and "Zebedee" not in notifications
    assert 'name="lead_agency" value="quillford"' in actions
    assert '<input type="hidden" name="status__exact" value="open">' in actions
    assert "For Quillford." in actions and "Zebedee" not in actions
