"""Reviews in progress: the list and the review's page, its lead reviewer and terms of reference,
milestones and agency reports. Each rule is refused in the service and through the form."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.formats import date_format
from django.utils.html import escape

from casereview.models import AgencyReport, Milestone, Review, ReviewStatus
from casereview.services import reviews as services
from tests.casereview.factories import (
    AgencyReportFactory,
    LessonFactory,
    MilestoneFactory,
    PlanActionFactory,
    RecommendationFactory,
    ReviewFactory,
    review_type,
)
from tests.casereview.test_reviews_support import (
    CASE_TEAM,
    NOT_CASE_TEAM,
    access_entries,
    date_fields,
    days,
    name_the_child,
    with_decision_clock,
)
from tests.hscb.factories import AgencyFactory
from tests.hscb.test_bad_input import assert_error_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def review(board):
    return ReviewFactory(lead_reviewer="", lead_reviewer_independent=False, terms_of_reference="")


def page(client, user, url: str) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


# The reviews list -------------------------------------------------------------------------------


def test_the_list_shows_each_review_with_its_deadline_and_dates(client, secretariat):
    late = with_decision_clock(
        ReviewFactory(lead_reviewer="Ann Lead", started_on=days(-200)), decided_on=days(-200)
    )
    done = ReviewFactory(
        review_type=review_type("learning_review"),
        status=ReviewStatus.PUBLISHED,
        adopted_on=days(-20),
        published_on=days(-5),
    )
    name_the_child(late)
    text = page(client, secretariat, "/case-review/reviews/")
    assert late.notification.reference in text and done.notification.reference in text
    assert late.get_absolute_url() in text
    assert "Ann Lead" in text
    assert "Local child safeguarding practice review" in text
    assert "Partnership or multi-agency learning review" in text
    assert "govuk-tag--red" in text and "Overdue by" in text
    assert "Published</strong>" in text and "In progress</strong>" in text
    assert date_format(days(-20)) in text and date_format(days(-5)) in text
    assert "Quillfeather" not in text


def test_the_list_filters_by_status_type_and_year(client, secretariat):
    old = ReviewFactory(started_on=days(-800))
    new = ReviewFactory(review_type=review_type("scr"), status=ReviewStatus.ADOPTED)
    client.force_login(secretariat)
    text = client.get("/case-review/reviews/?status=adopted").content.decode()
    assert new.notification.reference in text and old.notification.reference not in text
    scr = review_type("scr").pk
    text = client.get(f"/case-review/reviews/?review_type={scr}").content.decode()
    assert new.notification.reference in text and old.notification.reference not in text
    text = client.get(f"/case-review/reviews/?year={old.started_on.year}").content.decode()
    assert old.notification.reference in text and new.notification.reference not in text


def test_a_filter_that_cannot_be_read_is_shown_with_its_error_not_a_500(client, secretariat):
    review = ReviewFactory()
    client.force_login(secretariat)
    response = client.get("/case-review/reviews/?status=nonsense&year=abc&review_type=x\x00")
    text = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in text
    assert review.notification.reference in text


def test_the_list_runs_a_fixed_number_of_queries(
    client, secretariat, django_assert_max_num_queries
):
    with_decision_clock(ReviewFactory())
    client.force_login(secretariat)
    client.get("/case-review/reviews/")
    with CaptureQueriesContext(connection) as few:
        assert client.get("/case-review/reviews/").status_code == 200
    for n in range(8):
        review = ReviewFactory(started_on=days(-400 * (n % 3)))
        if n % 2:
            with_decision_clock(review)
    with django_assert_max_num_queries(len(few)):
        response = client.get("/case-review/reviews/")
    assert response.content.decode().count("/case-review/reviews/") >= 9


@pytest.mark.parametrize("role", CASE_TEAM)
def test_the_case_team_sees_the_list(client, request, role, board):
    ReviewFactory()
    client.force_login(request.getfixturevalue(role))
    assert client.get("/case-review/reviews/").status_code == 200


@pytest.mark.parametrize("role", NOT_CASE_TEAM)
def test_the_list_is_refused_to_anyone_outside_the_case_team(client, request, role, board):
    ReviewFactory()
    client.force_login(request.getfixturevalue(role))
    assert client.get("/case-review/reviews/").status_code == 403


# The review's page ------------------------------------------------------------------------------


def test_the_review_page_shows_the_whole_review_without_the_childs_name(client, case_review_member):
    review = with_decision_clock(ReviewFactory(terms_agreed_on=days(-3)))
    MilestoneFactory(review=review, title="Chronologies merged", due_on=days(-2))
    MilestoneFactory(review=review, title="Learning event", due_on=days(-1), completed_on=days(-1))
    AgencyReportFactory(review=review, agency=AgencyFactory(name="County Police"))
    AgencyReportFactory(
        review=review, agency=AgencyFactory(name="Acute Trust"), received_on=days(-1)
    )
    AgencyReportFactory(
        review=review,
        agency=AgencyFactory(name="Primary School"),
        requested_on=days(-9),
        due_on=days(-2),
    )
    recommendation = RecommendationFactory(review=review, number=1, text="Share injuries.")
    action = PlanActionFactory(recommendation=recommendation, description="Write a protocol.")
    LessonFactory(review=review, theme="Hearing the child")
    name_the_child(review)
    text = page(client, case_review_member, review.get_absolute_url())
    reference = review.notification.reference
    assert f'<h1 class="govuk-heading-l">Review {reference}</h1>' in text
    assert f"/case-review/cases/{review.notification.pk}/" in text
    assert "Zephyrine" not in text and "Quillfeather" not in text and "9434765919" not in text
    assert "Jane Reviewer" in text and "Independent Safeguarding Consultancy" in text
    assert "Independent</strong>" in text
    assert "To review how agencies shared information" in text
    assert "Review completed and published: within 6 months of the decision" in text
    assert "days left" in text
    assert "Chronologies merged" in text and "Overdue</strong>" in text
    assert "1 of 3 received." in text
    for label in ("Requested</strong>", "Received</strong>", "Overdue</strong>"):
        assert label in text
    assert "Recommendation 1" in text and "Share injuries." in text
    assert "Write a protocol." in text and action.get_absolute_url() in text
    assert escape(action.lead_agency.name) in text
    assert "Amber</strong>" in text and "Open</strong>" in text
    assert "Hearing the child" in text
    for url in (
        "change/",
        "milestones/new/",
        "agency-reports/new/",
        "recommendations/new/",
        "lessons/new/",
        "report/",
    ):
        assert f"{review.get_absolute_url()}{url}" in text
    assert f"/case-review/recommendations/{recommendation.pk}/actions/new/" in text
    assert f"/case-review/plan-actions/{action.pk}/update/" in text


def test_viewing_a_review_is_in_the_access_log(client, secretariat):
    review = ReviewFactory()
    page(client, secretariat, review.get_absolute_url())
    assert access_entries(review, secretariat) == 1
    assert access_entries(review.notification, secretariat) == 1


@pytest.mark.parametrize("role", NOT_CASE_TEAM)
def test_the_review_page_is_not_found_for_anyone_outside_the_case_team(
    client, request, role, board
):
    review = ReviewFactory()
    user = request.getfixturevalue(role)
    client.force_login(user)
    assert client.get(review.get_absolute_url()).status_code == 404
    assert access_entries(review, user) == 0


def test_a_review_page_with_nothing_yet_says_so(client, secretariat, review):
    text = page(client, secretariat, review.get_absolute_url())
    assert "Not appointed yet" in text
    assert "No milestones yet." in text
    assert "No agency has been asked for a report yet." in text
    assert "No recommendations yet." in text
    assert "No lessons recorded yet." in text


# The lead reviewer and terms of reference ---------------------------------------------------


def details(**changes) -> dict:
    return {
        "lead_reviewer": "Dr Sam Lead",
        "lead_reviewer_organisation": "Lead Reviews Ltd",
        "lead_reviewer_independent": True,
        "terms_of_reference": "How the agencies worked together.",
        "terms_agreed_on": days(-1),
        **changes,
    }


def test_the_lead_reviewer_and_terms_are_saved(secretariat, review):
    services.review_update(review=review, by=secretariat, **details())
    review.refresh_from_db()
    assert review.lead_reviewer == "Dr Sam Lead"
    assert review.lead_reviewer_independent
    assert review.terms_agreed_on == days(-1)


def test_a_lead_reviewer_not_confirmed_independent_is_refused(secretariat, review):
    with pytest.raises(ValidationError) as refused:
        services.review_update(
            review=review, by=secretariat, **details(lead_reviewer_independent=False)
        )
    assert refused.value.message_dict["lead_reviewer_independent"] == [
        services.INDEPENDENCE_MESSAGE
    ]
    review.refresh_from_db()
    assert review.lead_reviewer == ""


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"terms_agreed_on": days(1)}, "terms_agreed_on", "must be today or in the past"),
        ({"terms_agreed_on": days(-30)}, "terms_agreed_on", "on or after the day the review"),
        ({"terms_of_reference": ""}, "terms_of_reference", "Enter the terms of reference"),
        ({"lead_reviewer": "x" * 201}, "lead_reviewer", "200 characters or fewer"),
        ({"lead_reviewer": "", "lead_reviewer_independent": False}, "lead_reviewer", "name"),
        ({"terms_of_reference": "a\x00b"}, "terms_of_reference", "null characters"),
    ],
)
def test_the_details_service_refuses_bad_input(secretariat, review, changes, field, message):
    with pytest.raises(ValidationError) as refused:
        services.review_update(review=review, by=secretariat, **details(**changes))
    assert message in " ".join(refused.value.message_dict[field])


def test_the_details_form_saves_and_goes_back_to_the_review(client, secretariat, review):
    client.force_login(secretariat)
    response = client.post(
        f"{review.get_absolute_url()}change/",
        {
            "lead_reviewer": "Dr Sam Lead",
            "lead_reviewer_organisation": "Lead Reviews Ltd",
            "lead_reviewer_independent": "on",
            "terms_of_reference": "Scope.",
            **date_fields("terms_agreed_on", days(0)),
        },
    )
    assert response.status_code == 302 and response.url == review.get_absolute_url()
    review.refresh_from_db()
    assert (review.lead_reviewer, review.terms_agreed_on) == ("Dr Sam Lead", days(0))


def test_the_details_form_asks_to_confirm_independence(client, secretariat, review):
    client.force_login(secretariat)
    response = client.post(
        f"{review.get_absolute_url()}change/",
        {"lead_reviewer": "Dr Sam Lead", **date_fields("terms_agreed_on", None)},
    )
    text = assert_error_page(response, "lead_reviewer_independent")
    assert services.INDEPENDENCE_MESSAGE in text
    assert 'value="Dr Sam Lead"' in text


def test_the_details_form_refuses_terms_agreed_in_the_future(client, secretariat, review):
    client.force_login(secretariat)
    response = client.post(
        f"{review.get_absolute_url()}change/",
        {"terms_of_reference": "Scope.", **date_fields("terms_agreed_on", days(2))},
    )
    text = assert_error_page(response, "terms_agreed_on")
    assert "must be today or in the past" in text
    review.refresh_from_db()
    assert review.terms_agreed_on is None


def test_a_stale_details_form_does_not_undo_a_move_made_meanwhile(secretariat, review):
    Review.objects.filter(pk=review.pk).update(status=ReviewStatus.REPORT_RECEIVED)
    with pytest.raises(ValidationError, match="Someone else changed this review"):
        services.review_update(review=review, by=secretariat, **details())
    review.refresh_from_db()
    assert review.status == ReviewStatus.REPORT_RECEIVED and review.lead_reviewer == ""


def test_viewing_the_details_form_is_in_the_access_log(client, secretariat, review):
    page(client, secretariat, f"{review.get_absolute_url()}change/")
    assert access_entries(review, secretariat) == 1


# Milestones -------------------------------------------------------------------------------------


def test_a_milestone_is_added_and_completed(client, secretariat, review):
    client.force_login(secretariat)
    response = client.post(
        f"{review.get_absolute_url()}milestones/new/",
        {"title": "Panel meeting", **date_fields("due_on", days(10))},
    )
    assert response.status_code == 302
    milestone = Milestone.objects.get(review=review)
    assert (milestone.title, milestone.due_on, milestone.completed_on) == (
        "Panel meeting",
        days(10),
        None,
    )
    response = client.post(
        f"/case-review/milestones/{milestone.pk}/",
        {
            "title": "Panel meeting",
            **date_fields("due_on", days(10)),
            **date_fields("completed_on", days(0)),
        },
    )
    assert response.status_code == 302
    milestone.refresh_from_db()
    assert milestone.completed_on == days(0)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"completed_on": days(1)}, "completed_on", "must be today or in the past"),
        ({"completed_on": days(-30)}, "completed_on", "on or after the day the review started"),
        ({"due_on": days(-30)}, "due_on", "on or after the day the review started"),
        ({"due_on": days(2000)}, "due_on", "within the next 3 years"),
        ({"title": " "}, "title", "Enter the milestone"),
    ],
)
def test_milestone_rules_are_kept_by_the_service_and_the_form(
    client, secretariat, review, changes, field, message
):
    values = {"title": "Panel meeting", "due_on": days(5), "completed_on": None, **changes}
    with pytest.raises(ValidationError) as refused:
        services.milestone_create(review=review, by=secretariat, **values)
    assert message in " ".join(refused.value.message_dict[field])
    client.force_login(secretariat)
    response = client.post(
        f"{review.get_absolute_url()}milestones/new/",
        {
            "title": values["title"],
            **date_fields("due_on", values["due_on"]),
            **date_fields("completed_on", values["completed_on"]),
        },
    )
    text = assert_error_page(response, field)
    assert "Enter the milestone" in text if field == "title" else message in text
    assert not Milestone.objects.exists()


def test_changing_a_milestone_to_a_future_completion_is_refused(client, secretariat, review):
    milestone = MilestoneFactory(review=review)
    client.force_login(secretariat)
    response = client.post(
        f"/case-review/milestones/{milestone.pk}/",
        {
            "title": milestone.title,
            **date_fields("due_on", milestone.due_on),
            **date_fields("completed_on", days(3)),
        },
    )
    assert "must be today or in the past" in assert_error_page(response, "completed_on")
    milestone.refresh_from_db()
    assert milestone.completed_on is None


# Agency reports ---------------------------------------------------------------------------------


def test_an_agency_is_asked_for_a_report_and_it_comes_in(client, secretariat, review):
    agency = AgencyFactory(name="County Police")
    client.force_login(secretariat)
    response = client.post(
        f"{review.get_absolute_url()}agency-reports/new/",
        {
            "agency": str(agency.pk),
            **date_fields("requested_on", days(-1)),
            **date_fields("due_on", days(20)),
        },
    )
    assert response.status_code == 302
    report = AgencyReport.objects.get(review=review)
    assert (report.agency, report.requested_on, report.due_on) == (agency, days(-1), days(20))
    text = page(client, secretariat, review.get_absolute_url())
    assert "0 of 1 received." in text and "Requested</strong>" in text
    response = client.post(
        f"/case-review/agency-reports/{report.pk}/",
        {**date_fields("received_on", days(0)), "note": "Chronology only."},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.received_on, report.note) == (days(0), "Chronology only.")
    text = page(client, secretariat, review.get_absolute_url())
    assert "1 of 1 received." in text and "Received</strong>" in text


def test_an_agency_asked_twice_is_refused_with_its_name(client, secretariat, review):
    agency = AgencyFactory(name="County Police")
    AgencyReportFactory(review=review, agency=agency)
    with pytest.raises(ValidationError) as refused:
        services.agency_report_create(
            review=review, by=secretariat, agency=agency, requested_on=days(0), due_on=days(9)
        )
    message = "County Police has already been asked for a report for this review"
    assert refused.value.message_dict["agency"] == [message]
    client.force_login(secretariat)
    response = client.post(
        f"{review.get_absolute_url()}agency-reports/new/",
        {
            "agency": str(agency.pk),
            **date_fields("requested_on", days(0)),
            **date_fields("due_on", days(9)),
        },
    )
    assert message in assert_error_page(response, "agency")
    assert AgencyReport.objects.filter(review=review).count() == 1


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"requested_on": days(1), "due_on": days(9)}, "requested_on", "today or in the past"),
        ({"requested_on": days(-30)}, "requested_on", "on or after the day the review started"),
        ({"due_on": days(-2)}, "due_on", "on or after the date it was requested"),
        ({"due_on": days(2000)}, "due_on", "within the next 3 years"),
    ],
)
def test_agency_report_dates_are_checked_by_the_service_and_the_form(
    client, secretariat, review, changes, field, message
):
    agency = AgencyFactory()
    values = {"requested_on": days(-1), "due_on": days(10), **changes}
    with pytest.raises(ValidationError) as refused:
        services.agency_report_create(review=review, by=secretariat, agency=agency, **values)
    assert message in " ".join(refused.value.message_dict[field])
    client.force_login(secretariat)
    response = client.post(
        f"{review.get_absolute_url()}agency-reports/new/",
        {
            "agency": str(agency.pk),
            **date_fields("requested_on", values["requested_on"]),
            **date_fields("due_on", values["due_on"]),
        },
    )
    assert message in assert_error_page(response, field)
    assert not AgencyReport.objects.exists()


def test_an_agency_that_no_longer_takes_part_cannot_be_asked(client, secretariat, review):
    closed = AgencyFactory(name="Old Trust", is_active=False)
    with pytest.raises(ValidationError) as refused:
        services.agency_report_create(
            review=review, by=secretariat, agency=closed, requested_on=days(0), due_on=days(5)
        )
    assert "Old Trust no longer takes part" in refused.value.message_dict["agency"][0]
    client.force_login(secretariat)
    text = page(client, secretariat, f"{review.get_absolute_url()}agency-reports/new/")
    assert "Old Trust" not in text
    response = client.post(
        f"{review.get_absolute_url()}agency-reports/new/",
        {
            "agency": str(closed.pk),
            **date_fields("requested_on", days(0)),
            **date_fields("due_on", days(5)),
        },
    )
    assert "Choose the agency from the list" in assert_error_page(response, "agency")


@pytest.mark.parametrize(
    ("received_on", "message"),
    [
        (days(1), "must be today or in the past"),
        (days(-6), "on or after the date it was requested"),
    ],
)
def test_a_report_received_in_the_future_or_before_it_was_asked_for_is_refused(
    client, secretariat, review, received_on, message
):
    report = AgencyReportFactory(review=review, requested_on=days(-5))
    with pytest.raises(ValidationError) as refused:
        services.agency_report_update(
            report=report, by=secretariat, received_on=received_on, note=""
        )
    assert message in refused.value.message_dict["received_on"][0]
    client.force_login(secretariat)
    response = client.post(
        f"/case-review/agency-reports/{report.pk}/",
        {**date_fields("received_on", received_on), "note": "Late"},
    )
    text = assert_error_page(response, "received_on")
    assert message in text and "Late" in text
    report.refresh_from_db()
    assert report.received_on is None


@pytest.mark.parametrize(
    "url",
    [
        "{review}change/",
        "{review}milestones/new/",
        "/case-review/milestones/{milestone}/",
        "{review}agency-reports/new/",
        "/case-review/agency-reports/{report}/",
    ],
)
@pytest.mark.parametrize("role", ["board_chair", "member", "agency_staff", "outsider"])
def test_the_review_forms_are_not_found_outside_the_case_team(client, request, role, url, board):
    milestone = MilestoneFactory()
    report = AgencyReportFactory(review=milestone.review)
    address = url.format(
        review=milestone.review.get_absolute_url(), milestone=milestone.pk, report=report.pk
    )
    client.force_login(request.getfixturevalue(role))
    assert client.get(address).status_code == 404
    assert client.post(address, {"title": "x"}).status_code == 404
