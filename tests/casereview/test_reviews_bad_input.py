"""Every form of reviews, action plans and lessons answers bad input with messages beside the
fields and an error summary, never a 500, and keeps what was typed: missing fields, over-long
text, null characters and wrong types. Nothing is saved."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.db.models import Model

from casereview.models import AgencyReport, Lesson, Milestone, PlanAction, Recommendation, Review
from tests.casereview.factories import (
    AgencyReportFactory,
    MilestoneFactory,
    PlanActionFactory,
    RecommendationFactory,
    ReviewFactory,
)
from tests.casereview.test_reviews_support import date_fields, days, name_the_child
from tests.hscb.test_bad_input import assert_error_page

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999999"


@dataclass
class Case:
    name: str
    url: str  # formatted with the records made by `records`
    required: list[str]  # the fields an empty form names, as the error summary links them
    text: dict[str, int] = field(default_factory=dict)  # free-text fields and their limits
    garbage: dict[str, str] = field(default_factory=dict)  # wrong types, by the field named


CASES = [
    Case(
        "review details",
        "{review}change/",
        [],
        {"lead_reviewer": 200, "lead_reviewer_organisation": 200, "terms_of_reference": 20000},
        {"terms_agreed_on_0": "abc"},
    ),
    Case(
        "new milestone",
        "{review}milestones/new/",
        ["title", "due_on"],
        {"title": 200},
        {"due_on_2": HUGE},
    ),
    Case(
        "milestone",
        "/case-review/milestones/{milestone}/",
        ["title", "due_on"],
        {"title": 200},
        {"completed_on_1": "13"},
    ),
    Case(
        "agency report request",
        "{review}agency-reports/new/",
        ["agency", "requested_on", "due_on"],
        {},
        {"agency": HUGE},
    ),
    Case(
        "agency report",
        "/case-review/agency-reports/{report}/",
        [],
        {"note": 500},
        {"received_on_0": "x"},
    ),
    Case("final report", "{review}report/", ["final_report", "received_on"], {}, {}),
    Case("adoption", "{review}adopted/", ["adopted_on"], {}, {"adopted_on_0": "-1"}),
    Case("publication", "{review}published/", ["published_on"], {}, {"published_on_1": "0"}),
    Case("recommendation", "{review}recommendations/new/", ["text"], {"text": 5000}),
    Case(
        "new action",
        "/case-review/recommendations/{recommendation}/actions/new/",
        ["description", "lead_agency", "owner", "due_date", "rag_1"],
        {"description": 5000},
        {"owner": "1.5"},
    ),
    Case(
        "action update",
        "/case-review/plan-actions/{action}/update/",
        ["rag_1", "status_1", "note"],
        {"note": 5000, "evidence": 10000},
        {"status": HUGE},
    ),
    Case(
        "lesson",
        "{review}lessons/new/",
        ["theme", "lesson", "practice_area"],
        {"theme": 120, "lesson": 5000},
        {"agencies": "²"},
    ),
]


@pytest.fixture
def records(board) -> dict[str, Model]:
    review = ReviewFactory()
    return {
        "review": review,
        "milestone": MilestoneFactory(review=review),
        "report": AgencyReportFactory(review=review),
        "recommendation": (recommendation := RecommendationFactory(review=review, number=1)),
        "action": PlanActionFactory(recommendation=recommendation),
    }


def url(case: Case, records) -> str:
    return case.url.format(
        review=records["review"].get_absolute_url(),
        **{k: v.pk for k, v in records.items() if k != "review"},
    )


def counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (Milestone, AgencyReport, Recommendation, PlanAction, Lesson)
    )


def unchanged(records) -> None:
    review = Review.objects.get(pk=records["review"].pk)
    assert review.lead_reviewer == "Jane Reviewer"
    assert review.status == "in_progress"
    assert records["action"].updates.count() == 0


@pytest.mark.parametrize("case", [c for c in CASES if c.required], ids=lambda c: c.name)
def test_missing_answers_are_named_in_the_error_summary(client, secretariat, records, case):
    before = counts()
    client.force_login(secretariat)
    assert_error_page(client.post(url(case, records), {}), *case.required)
    assert counts() == before
    unchanged(records)


@pytest.mark.parametrize("case", [c for c in CASES if c.text], ids=lambda c: c.name)
def test_over_long_text_is_refused_and_kept(client, secretariat, records, case):
    before = counts()
    data = {name: "y" * (limit + 1) for name, limit in case.text.items()}
    client.force_login(secretariat)
    text = assert_error_page(client.post(url(case, records), data), *case.text)
    for name, limit in case.text.items():
        assert f"{limit:,} characters or fewer" in text, name
        assert "y" * (limit + 1) in text
    assert counts() == before
    unchanged(records)


@pytest.mark.parametrize("case", [c for c in CASES if c.text], ids=lambda c: c.name)
def test_null_characters_are_refused(client, secretariat, records, case):
    before = counts()
    data = dict.fromkeys(case.text, "abc\x00\x01")
    client.force_login(secretariat)
    text = assert_error_page(client.post(url(case, records), data), *case.text)
    assert "Null characters are not allowed." in text
    assert counts() == before
    unchanged(records)


@pytest.mark.parametrize("case", [c for c in CASES if c.garbage], ids=lambda c: c.name)
def test_wrong_types_are_refused_with_a_message(client, secretariat, records, case):
    before = counts()
    client.force_login(secretariat)
    response = client.post(url(case, records), case.garbage)
    text = assert_error_page(response)
    assert "govuk-error-message" in text
    assert counts() == before
    unchanged(records)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_every_form_page_opens_for_the_case_team(client, case_review_member, records, case):
    name_the_child(records["review"])
    client.force_login(case_review_member)
    response = client.get(url(case, records))
    assert response.status_code == 200
    text = response.content.decode()
    assert "<h1" in text and "<title>" in text and "novalidate" in text
    assert "Zephyrine" not in text and "Quillfeather" not in text


def test_a_future_date_is_refused_through_every_dated_form(client, secretariat, records):
    client.force_login(secretariat)
    review = records["review"]
    tomorrow = days(1)
    for address, data, name in [
        (f"{review.get_absolute_url()}change/", date_fields("terms_agreed_on", tomorrow), None),
        (
            f"/case-review/milestones/{records['milestone'].pk}/",
            {
                "title": "x",
                **date_fields("due_on", days(5)),
                **date_fields("completed_on", tomorrow),
            },
            "completed_on",
        ),
        (
            f"/case-review/agency-reports/{records['report'].pk}/",
            date_fields("received_on", tomorrow),
            "received_on",
        ),
    ]:
        if name is None:
            data = {"terms_of_reference": "Scope.", **data}
            name = "terms_agreed_on"
        text = assert_error_page(client.post(address, data), name)
        assert "must be today or in the past" in text
    unchanged(records)
