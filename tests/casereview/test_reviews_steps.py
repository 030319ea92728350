"""A review's steps in order: the final report received (uploaded, and downloaded only by the case
team, each download logged), adopted by the board, published, which meets the decision's
clock. Steps out of order and stale ones are refused with a message, never a 500."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils.formats import date_format

from casereview.models import Review, ReviewStatus
from casereview.services import reviews as services
from tests.casereview.factories import ReviewFactory
from tests.casereview.test_reviews_support import (
    NOT_CASE_TEAM,
    access_entries,
    date_fields,
    days,
    decision_clock,
    pdf,
    with_decision_clock,
)
from tests.hscb.test_bad_input import assert_error_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def review(board, case_review_member):
    review = ReviewFactory(started_on=days(-60))
    review.notification.case_officer = case_review_member  # reminded of the clocks
    review.notification.save(update_fields=["case_officer"])
    return with_decision_clock(review, decided_on=days(-60))


def received(review: Review, on=None, by=None) -> Review:
    """The final report received, recorded by `by` (by default, the case's officer)."""
    return services.review_report_receive(
        review=review,
        by=by or review.notification.case_officer,
        upload=pdf(),
        received_on=on or days(-10),
    )


def adopted(review: Review, on=None, by=None) -> Review:
    by = by or review.notification.case_officer
    return services.review_adopt(review=received(review, by=by), by=by, adopted_on=on or days(-5))


def upload(client, review, file, day):
    return client.post(
        f"{review.get_absolute_url()}report/",
        {"final_report": file, **date_fields("received_on", day)},
    )


# The final report -------------------------------------------------------------------------------


def test_the_final_report_is_uploaded_and_the_review_moves_on(client, secretariat, review):
    client.force_login(secretariat)
    response = upload(client, review, pdf("Final report v3.pdf"), days(-2))
    assert response.status_code == 302 and response.url == review.get_absolute_url()
    review.refresh_from_db()
    assert review.status == ReviewStatus.REPORT_RECEIVED
    assert review.final_report_received_on == days(-2)
    assert review.final_report_name == "Final report v3.pdf"
    assert review.final_report.name.startswith("reviews/")
    assert "Final report" not in review.final_report.name
    text = client.get(review.get_absolute_url()).content.decode()
    assert "Final report v3.pdf" in text
    assert f"{review.get_absolute_url()}report/download/" in text
    assert f"{review.get_absolute_url()}adopted/" in text


def test_the_final_report_is_downloaded_as_an_attachment_and_logged(client, secretariat, review):
    received(review)
    client.force_login(secretariat)
    response = client.get(f"{review.get_absolute_url()}report/download/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert "final-report.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert access_entries(review, secretariat) == 1
    assert access_entries(review.notification, secretariat) == 1


@pytest.mark.parametrize("role", NOT_CASE_TEAM)
def test_the_final_report_is_not_found_outside_the_case_team(client, request, role, review):
    received(review)
    user = request.getfixturevalue(role)
    client.force_login(user)
    assert client.get(f"{review.get_absolute_url()}report/download/").status_code == 404
    assert client.get(f"{review.get_absolute_url()}report/").status_code == 404
    assert access_entries(review, user) == 0


def test_downloading_a_report_not_yet_received_is_not_found(client, secretariat, review):
    client.force_login(secretariat)
    assert client.get(f"{review.get_absolute_url()}report/download/").status_code == 404


@pytest.mark.parametrize(
    ("file", "message"),
    [
        (pdf("report.exe", b"MZ\x90\x00"), "must be a PDF, Word or Excel file"),
        (pdf("report.pdf", b"not really a pdf"), "is not a real PDF file"),
        (pdf("report.pdf", b""), "The selected file is empty"),
    ],
)
def test_a_wrong_file_is_refused_by_the_service_and_the_form(
    client, secretariat, review, file, message
):
    with pytest.raises(ValidationError) as refused:
        services.review_report_receive(
            review=review, by=secretariat, upload=file, received_on=days(-1)
        )
    assert message in refused.value.message_dict["final_report"][0]
    file.seek(0)
    client.force_login(secretariat)
    text = assert_error_page(upload(client, review, file, days(-1)), "final_report")
    assert message in text
    review.refresh_from_db()
    assert review.status == ReviewStatus.IN_PROGRESS and not review.final_report


def test_an_oversized_report_is_refused_with_the_limit(client, secretariat, review, settings):
    settings.PAPER_MAX_BYTES = 1024
    big = pdf(content=b"%PDF-1.4\n" + b"x" * 2048)
    with pytest.raises(ValidationError) as refused:
        services.review_report_receive(
            review=review, by=secretariat, upload=big, received_on=days(-1)
        )
    assert "must be smaller than 1.0" in refused.value.message_dict["final_report"][0]
    big.seek(0)
    client.force_login(secretariat)
    text = assert_error_page(upload(client, review, big, days(-1)), "final_report")
    assert "must be smaller than 1.0" in text
    review.refresh_from_db()
    assert review.status == ReviewStatus.IN_PROGRESS


@pytest.mark.parametrize(
    ("day", "message"),
    [(days(1), "must be today or in the past"), (days(-61), "on or after the day the review")],
)
def test_a_report_received_in_the_future_or_before_the_review_is_refused(
    client, secretariat, review, day, message
):
    with pytest.raises(ValidationError) as refused:
        services.review_report_receive(review=review, by=secretariat, upload=pdf(), received_on=day)
    assert message in refused.value.message_dict["received_on"][0]
    client.force_login(secretariat)
    assert message in assert_error_page(upload(client, review, pdf(), day), "received_on")
    review.refresh_from_db()
    assert review.status == ReviewStatus.IN_PROGRESS


def test_the_form_asks_for_a_file_and_a_date(client, secretariat, review):
    client.force_login(secretariat)
    response = client.post(f"{review.get_absolute_url()}report/", {})
    text = assert_error_page(response, "final_report", "received_on")
    assert "Select the final report" in text and "Enter the date it was received" in text


def test_a_second_final_report_is_refused_with_a_message(client, secretariat, review):
    received(review, days(-3))
    review.refresh_from_db()
    with pytest.raises(ValidationError, match="already received on"):
        received(review)
    client.force_login(secretariat)
    text = client.get(f"{review.get_absolute_url()}report/").content.decode()
    assert "The final report was already received on" in text
    text = assert_error_page(upload(client, review, pdf(), days(-1)))
    assert "The final report was already received on" in text
    review.refresh_from_db()
    assert review.final_report_received_on == days(-3)


# Adoption ---------------------------------------------------------------------------------------


def test_the_board_adopts_the_report(client, secretariat, review):
    received(review, days(-10))
    client.force_login(secretariat)
    response = client.post(
        f"{review.get_absolute_url()}adopted/", date_fields("adopted_on", days(-4))
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert (review.status, review.adopted_on) == (ReviewStatus.ADOPTED, days(-4))


def test_adopting_before_the_report_is_received_is_refused(client, secretariat, review):
    with pytest.raises(ValidationError, match="once it has been received"):
        services.review_adopt(review=review, by=secretariat, adopted_on=days(-1))
    client.force_login(secretariat)
    text = client.get(f"{review.get_absolute_url()}adopted/").content.decode()
    assert "The board can only adopt the final report once it has been received" in text
    response = client.post(
        f"{review.get_absolute_url()}adopted/", date_fields("adopted_on", days(-1))
    )
    assert "once it has been received" in assert_error_page(response)
    review.refresh_from_db()
    assert review.status == ReviewStatus.IN_PROGRESS and review.adopted_on is None


@pytest.mark.parametrize(
    ("day", "message"),
    [
        (days(1), "must be today or in the past"),
        (days(-11), "on or after the day the final report was received"),
    ],
)
def test_adoption_dates_are_checked_by_the_service_and_the_form(
    client, secretariat, review, day, message
):
    received(review, days(-10))
    with pytest.raises(ValidationError) as refused:
        services.review_adopt(review=review, by=secretariat, adopted_on=day)
    assert message in refused.value.message_dict["adopted_on"][0]
    client.force_login(secretariat)
    response = client.post(f"{review.get_absolute_url()}adopted/", date_fields("adopted_on", day))
    assert message in assert_error_page(response, "adopted_on")
    review.refresh_from_db()
    assert review.status == ReviewStatus.REPORT_RECEIVED


def test_a_stale_adoption_is_refused_with_a_message_not_a_500(client, secretariat, review):
    received(review, days(-10))
    stale = Review.objects.get(pk=review.pk)
    services.review_adopt(
        review=Review.objects.get(pk=review.pk), by=secretariat, adopted_on=days(-3)
    )
    with pytest.raises(ValidationError, match="Someone else changed this review"):
        services.review_adopt(review=stale, by=secretariat, adopted_on=days(-2))
    review.refresh_from_db()
    assert review.adopted_on == days(-3)
    assert stale.status == ReviewStatus.ADOPTED  # read again for the page


def test_a_concurrent_move_during_adoption_is_refused_and_nothing_written(secretariat, review):
    received(review, days(-10))
    stale = Review.objects.get(pk=review.pk)
    Review.objects.filter(pk=review.pk).update(status=ReviewStatus.ADOPTED, adopted_on=days(-3))
    # The page was read before the move: the check passes, the save is refused.
    with pytest.raises(ValidationError, match="it is now “adopted by the board”"):
        services.review_adopt(review=stale, by=secretariat, adopted_on=days(-1))
    review.refresh_from_db()
    assert review.adopted_on == days(-3)


# Publication ------------------------------------------------------------------------------------


def test_publication_completes_the_review_and_meets_its_deadline(client, secretariat, review):
    adopted(review, days(-5))
    assert decision_clock(review).met_on is None
    assert decision_clock(review).reminder_next_on is not None
    client.force_login(secretariat)
    response = client.post(
        f"{review.get_absolute_url()}published/", date_fields("published_on", days(-1))
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert (review.status, review.published_on) == (ReviewStatus.PUBLISHED, days(-1))
    clock = decision_clock(review)
    assert clock.met_on == days(-1)
    assert clock.reminder_next_on is None
    text = client.get(review.get_absolute_url()).content.decode()
    assert f"Met on {date_format(days(-1))}" in text


def test_publishing_before_adoption_is_refused(client, secretariat, review):
    received(review)
    review.refresh_from_db()
    with pytest.raises(ValidationError, match="once the board has adopted it"):
        services.review_publish(review=review, by=secretariat, published_on=days(-1))
    client.force_login(secretariat)
    response = client.post(
        f"{review.get_absolute_url()}published/", date_fields("published_on", days(-1))
    )
    assert "The report can only be published once the board has adopted it" in (
        assert_error_page(response)
    )
    review.refresh_from_db()
    assert review.status == ReviewStatus.REPORT_RECEIVED
    assert decision_clock(review).met_on is None


@pytest.mark.parametrize(
    ("day", "message"),
    [
        (days(1), "must be today or in the past"),
        (days(-6), "on or after the day the board adopted it"),
    ],
)
def test_publication_dates_are_checked_by_the_service_and_the_form(
    client, secretariat, review, day, message
):
    adopted(review, days(-5))
    with pytest.raises(ValidationError) as refused:
        services.review_publish(review=review, by=secretariat, published_on=day)
    assert message in refused.value.message_dict["published_on"][0]
    client.force_login(secretariat)
    response = client.post(
        f"{review.get_absolute_url()}published/", date_fields("published_on", day)
    )
    assert message in assert_error_page(response, "published_on")
    review.refresh_from_db()
    assert review.status == ReviewStatus.ADOPTED
    assert decision_clock(review).met_on is None


def test_publishing_twice_is_refused(client, secretariat, review):
    services.review_publish(review=adopted(review), by=secretariat, published_on=days(-1))
    client.force_login(secretariat)
    response = client.post(
        f"{review.get_absolute_url()}published/", date_fields("published_on", days(0))
    )
    assert "already published on" in assert_error_page(response)
    review.refresh_from_db()
    assert review.published_on == days(-1)


def test_a_review_without_a_decision_clock_can_still_be_published(secretariat, board):
    review = ReviewFactory(started_on=days(-30))
    services.review_publish(
        review=adopted(review, by=secretariat), by=secretariat, published_on=days(0)
    )
    review.refresh_from_db()
    assert review.status == ReviewStatus.PUBLISHED


@pytest.mark.parametrize("step", ["adopted", "published"])
def test_the_step_forms_ask_for_their_date_and_refuse_garbage(client, secretariat, review, step):
    field = f"{step}_on"
    client.force_login(secretariat)
    url = f"{review.get_absolute_url()}{step}/"
    assert "Enter the date it was" in assert_error_page(client.post(url, {}), field)
    garbage = {f"{field}_0": "3\x00", f"{field}_1": "99", f"{field}_2": "99999999999999999999"}
    assert "must be a real date" in assert_error_page(client.post(url, garbage))
