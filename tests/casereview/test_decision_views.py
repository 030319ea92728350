"""The consideration and decision pages and the list of decisions: who may use them, the forms
refusing bad input with an error summary and what was typed kept, and the list's query count."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from casereview.models import (
    Answer,
    Clock,
    ClockKind,
    Consideration,
    Decision,
    Notification,
    NotificationStatus,
    Review,
)
from hscb.models import GroupFunction
from tests.casereview.factories import (
    ConsiderationFactory,
    DecisionFactory,
    NotificationFactory,
    review_type,
)
from tests.hscb.factories import MeetingFactory
from tests.hscb.test_bad_input import assert_error_page

pytestmark = pytest.mark.django_db

DECISIONS = "/case-review/decisions/"
LONG = "x" * 10001


def consider_url(notification) -> str:
    return f"/case-review/cases/{notification.pk}/consideration/"


def decide_url(notification) -> str:
    return f"/case-review/cases/{notification.pk}/decision/"


def today_parts(prefix: str, day: datetime.date | None = None) -> dict[str, str]:
    day = day or timezone.localdate()
    return {
        f"{prefix}_0": str(day.day),
        f"{prefix}_1": str(day.month),
        f"{prefix}_2": str(day.year),
    }


def consideration_data(**overrides) -> dict:
    data = {
        "abuse_or_neglect": "yes",
        "child_died": "no",
        "seriously_harmed": "yes",
        "concern_working_together": "yes",
        "died_in_custody": "no",
        "assessment": "Neglect is suspected; health and school did not share concerns.",
        "recommendation": str(review_type("lcspr").pk),
        "rationale": "There is learning for every agency.",
        "meeting": "",
    }
    data.update(overrides)
    return data


def decision_data(**overrides) -> dict:
    data = {
        "review_type": str(review_type("lcspr").pk),
        "reasons": "Significant learning about how agencies shared information.",
        "override_reason": "",
        **today_parts("decided_on"),
    }
    data.update(overrides)
    return data


# The consideration page -------------------------------------------------------------------------


def test_the_consideration_form_asks_each_criterion_and_offers_the_active_types(
    client, board, case_review_member
):
    notification = NotificationFactory()
    case_review_meeting = MeetingFactory(
        group=board[GroupFunction.CASE_REVIEW],
        starts_at=timezone.now() - datetime.timedelta(days=1),
    )
    MeetingFactory(
        group=board[GroupFunction.IMPROVING_OUTCOMES],
        title="Improving Outcomes extraordinary meeting",
        starts_at=timezone.now() - datetime.timedelta(days=1),
    )
    client.force_login(case_review_member)
    text = client.get(consider_url(notification)).content.decode()
    for question in (
        "Is abuse or neglect known or suspected?",
        "Did the child die?",
        "Was the child seriously harmed?",
        "how agencies worked together",
        "Did the child die in custody or a secure setting?",
        "Local child safeguarding practice review",
        "A local review of a serious child safeguarding case.",  # the type's hint
        "Serious case review",
        "No review",
    ):
        assert question in text, question
    assert f'value="{case_review_meeting.pk}"' in text
    assert "Improving Outcomes extraordinary meeting" not in text


def test_the_subgroup_records_its_consideration_through_the_form(client, board, case_review_member):
    notification = NotificationFactory()
    meeting = MeetingFactory(
        group=board[GroupFunction.CASE_REVIEW],
        starts_at=timezone.now() - datetime.timedelta(days=1),
    )
    client.force_login(case_review_member)
    response = client.post(
        consider_url(notification), consideration_data(meeting=str(meeting.pk)), follow=True
    )
    text = response.content.decode()
    assert "its answers meet the statutory criteria" in text
    assert "awaits the board chair" in text
    consideration = Consideration.objects.get(notification=notification)
    assert consideration.meeting == meeting
    assert consideration.recommendation.code == "lcspr"
    assert Notification.objects.get(pk=notification.pk).status == NotificationStatus.CONSIDERED


def test_an_empty_consideration_names_every_missing_answer(client, board, secretariat):
    notification = NotificationFactory()
    client.force_login(secretariat)
    text = assert_error_page(
        client.post(consider_url(notification), {}),
        "abuse_or_neglect_1",
        "child_died_1",
        "seriously_harmed_1",
        "concern_working_together_1",
        "died_in_custody_1",
        "assessment",
        "recommendation_1",
        "rationale",
    )
    assert "Answer whether abuse or neglect is known or suspected" in text
    assert not Consideration.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"abuse_or_neglect": "maybe"}, "abuse_or_neglect_1"),
        ({"child_died": "\x00"}, "child_died_1"),
        ({"recommendation": "abc"}, "recommendation_1"),
        ({"recommendation": "99999999"}, "recommendation_1"),
        ({"recommendation": "9" * 40}, "recommendation_1"),
        ({"meeting": "abc"}, "meeting"),
        ({"meeting": "424242"}, "meeting"),
        ({"assessment": LONG}, "assessment"),
        ({"assessment": "a\x00b"}, "assessment"),
        ({"rationale": LONG}, "rationale"),
        ({"rationale": ["one", "two", "[object Object]", ""]}, "rationale"),
    ],
)
def test_wrong_answers_in_the_consideration_are_refused(
    client, board, secretariat, overrides, field
):
    notification = NotificationFactory()
    client.force_login(secretariat)
    text = assert_error_page(
        client.post(consider_url(notification), consideration_data(**overrides)), field
    )
    # What was typed is kept.
    assert "Neglect is suspected; health and school did not share concerns." in text or (
        "assessment" in overrides
    )
    assert not Consideration.objects.exists()


def test_a_meeting_of_another_group_is_refused_through_the_form(client, board, secretariat):
    notification = NotificationFactory()
    other = MeetingFactory(
        group=board[GroupFunction.IMPROVING_OUTCOMES],
        starts_at=timezone.now() - datetime.timedelta(days=1),
    )
    client.force_login(secretariat)
    assert_error_page(
        client.post(consider_url(notification), consideration_data(meeting=str(other.pk))),
        "meeting",
    )


def test_a_refused_consideration_says_whether_its_answers_meet_the_criteria(
    client, board, secretariat
):
    notification = NotificationFactory()
    client.force_login(secretariat)
    met = client.post(consider_url(notification), consideration_data(rationale=""))
    assert "the statutory criteria are <strong>met</strong>" in assert_error_page(met)
    not_met = client.post(
        consider_url(notification), consideration_data(abuse_or_neglect="no", rationale="")
    )
    assert "the statutory criteria are <strong>not met</strong>" in assert_error_page(not_met)


def test_a_second_consideration_is_refused_with_a_message(client, board, secretariat):
    notification = ConsiderationFactory().notification
    client.force_login(secretariat)
    assert "cannot be recorded twice" in client.get(consider_url(notification)).content.decode()
    text = assert_error_page(client.post(consider_url(notification), consideration_data()))
    assert "cannot be recorded twice" in text
    assert Consideration.objects.count() == 1


def test_the_consideration_page_is_for_the_case_team(
    client, board, board_chair, member, case_review_member
):
    submitted = NotificationFactory()
    considered = ConsiderationFactory().notification
    client.force_login(case_review_member)
    assert client.get(consider_url(submitted)).status_code == 200
    client.force_login(board_chair)
    assert client.get(consider_url(considered)).status_code == 403
    assert client.get(consider_url(submitted)).status_code == 404
    assert client.post(consider_url(submitted), consideration_data()).status_code == 404
    client.force_login(member)
    assert client.get(consider_url(submitted)).status_code == 404
    assert Consideration.objects.count() == 1


# The decision page ------------------------------------------------------------------------------


def test_the_decision_page_shows_the_consideration_and_whether_the_criteria_are_met(
    client, board, board_chair
):
    notification = ConsiderationFactory(abuse_or_neglect=Answer.NO).notification
    client.force_login(board_chair)
    text = client.get(decide_url(notification)).content.decode()
    assert "The subgroup found the statutory criteria <strong>not met</strong>" in text
    assert "Neglect is suspected; health and school did not share concerns in time." in text
    assert "It needs the statutory criteria met." in text
    # The subgroup's recommendation is chosen to begin with.
    assert re.search(rf'value="{review_type("lcspr").pk}"\s+checked="checked"', text)


def test_the_board_chair_decides_through_the_form(client, board, board_chair):
    notification = ConsiderationFactory().notification
    client.force_login(board_chair)
    response = client.post(decide_url(notification), decision_data(), follow=True)
    text = response.content.decode()
    assert "Your decision on" in text
    assert "Local child safeguarding practice review" in text
    decision = Decision.objects.get(notification=notification)
    assert decision.decided_by == board_chair
    assert Review.objects.filter(notification=notification).exists()
    assert Clock.objects.filter(notification=notification, kind=ClockKind.DECISION).exists()


def test_an_empty_decision_names_what_is_missing(client, board, board_chair):
    notification = ConsiderationFactory().notification
    client.force_login(board_chair)
    text = assert_error_page(client.post(decide_url(notification), {}), "review_type_1")
    assert "Choose what you decided" in text
    assert "Enter the date of the decision" in text
    assert not Decision.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"review_type": "abc"}, "review_type_1", "Choose what you decided from the list"),
        ({"review_type": "\x00"}, "review_type_1", "from the list"),
        ({"reasons": LONG}, "reasons", "10,000 characters or fewer"),
        ({"reasons": "a\x00b"}, "reasons", "Null characters are not allowed"),
        ({"override_reason": LONG}, "override_reason", "10,000 characters or fewer"),
        (
            {"decided_on_0": "31", "decided_on_1": "2", "decided_on_2": "2026"},
            "decided_on",
            "must be a real date",
        ),
        (
            today_parts("decided_on", timezone.localdate() + datetime.timedelta(days=1)),
            "decided_on",
            "must be today or in the past",
        ),
        (
            today_parts("decided_on", timezone.localdate() - datetime.timedelta(days=1)),
            "decided_on",
            "on or after the day the subgroup considered the case",
        ),
    ],
)
def test_wrong_answers_in_the_decision_are_refused(
    client, board, board_chair, overrides, field, message
):
    notification = ConsiderationFactory().notification
    client.force_login(board_chair)
    text = assert_error_page(
        client.post(decide_url(notification), decision_data(**overrides)), field
    )
    assert message in text
    assert not Decision.objects.exists()


def test_no_review_without_reasons_is_refused_through_the_form(client, board, board_chair):
    notification = ConsiderationFactory().notification
    client.force_login(board_chair)
    text = assert_error_page(
        client.post(
            decide_url(notification),
            decision_data(review_type=str(review_type("no_review").pk), reasons=""),
        ),
        "reasons",
    )
    assert "Enter the reasons for the decision" in text
    assert not Decision.objects.exists()


def test_a_serious_case_review_without_abuse_or_neglect_needs_an_override_reason(
    client, board, board_chair
):
    notification = ConsiderationFactory(abuse_or_neglect=Answer.NO).notification
    client.force_login(board_chair)
    data = decision_data(review_type=str(review_type("scr").pk), reasons="Learning.")
    text = assert_error_page(client.post(decide_url(notification), data), "override_reason")
    assert "Give the reason for deciding against the criteria" in text
    assert "Learning." in text  # what was typed is kept
    assert not Decision.objects.exists()
    data["override_reason"] = "The circumstances raise national concerns."
    assert client.post(decide_url(notification), data).status_code == 302
    assert Decision.objects.get().override_reason == "The circumstances raise national concerns."


def test_a_second_decision_is_refused_with_a_message(client, board, board_chair):
    decision = DecisionFactory()
    client.force_login(board_chair)
    page = client.get(decide_url(decision.notification)).content.decode()
    assert "cannot be recorded twice" in page
    text = assert_error_page(client.post(decide_url(decision.notification), decision_data()))
    assert "cannot be recorded twice" in text
    assert Decision.objects.count() == 1


@pytest.mark.parametrize("role", ["secretariat", "case_review_member"])
def test_the_case_team_cannot_decide(client, request, board, role):
    notification = ConsiderationFactory().notification
    client.force_login(request.getfixturevalue(role))
    assert client.get(decide_url(notification)).status_code == 403
    response = client.post(decide_url(notification), decision_data())
    assert response.status_code == 403
    assert "Only the board chair decides" in response.content.decode()
    assert not Decision.objects.exists()


def test_the_decision_page_is_not_found_for_others_and_before_consideration(
    client, board, board_chair, member
):
    submitted = NotificationFactory()
    considered = ConsiderationFactory().notification
    client.force_login(board_chair)
    assert client.get(decide_url(submitted)).status_code == 404
    client.force_login(member)
    assert client.get(decide_url(considered)).status_code == 404


# The list of decisions --------------------------------------------------------------------------


def test_the_decision_list_shows_cases_awaiting_and_decided_by_reference_only(
    client, board, board_chair
):
    waiting = ConsiderationFactory(notification=NotificationFactory(last_name="O'Hara"))
    decided = DecisionFactory()
    submitted = NotificationFactory()
    client.force_login(board_chair)
    text = client.get(DECISIONS).content.decode()
    assert waiting.notification.reference in text
    assert decide_url(waiting.notification) in text
    assert "Local child safeguarding practice review" in text
    assert "Criteria met" in text
    assert "Notify the national panel and Ofsted" in text  # its running deadline
    assert decided.notification.reference in text
    assert submitted.reference not in text
    for notification in (waiting.notification, decided.notification, submitted):
        assert escape(notification.last_name) not in text
        assert escape(notification.first_name) not in text


@pytest.mark.parametrize("role", ["case_review_member", "member", "agency_staff"])
def test_the_decision_list_is_for_the_board_chair_and_the_secretariat(client, request, role):
    client.force_login(request.getfixturevalue(role))
    assert client.get(DECISIONS).status_code == 403


def test_the_decision_list_runs_a_fixed_number_of_queries(
    client, board, secretariat, django_assert_max_num_queries
):
    ConsiderationFactory()
    DecisionFactory()
    client.force_login(secretariat)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(DECISIONS).status_code == 200
    ConsiderationFactory.create_batch(10)
    DecisionFactory.create_batch(10)
    with django_assert_max_num_queries(len(captured)):
        assert client.get(DECISIONS).status_code == 200
