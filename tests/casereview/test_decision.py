"""The statutory criteria, the Case Review subgroup's consideration and the board chair's
decision: every rule of the services (who, when, once, the criteria and the override), and
what a decision starts."""

from __future__ import annotations

import datetime
import itertools

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from casereview.models import (
    Answer,
    Clock,
    ClockKind,
    Consideration,
    Decision,
    Notification,
    NotificationStatus,
    Review,
    ReviewType,
    criteria_met,
)
from casereview.services import cases as services
from hscb.models import GroupFunction, MeetingStatus
from tests.casereview.factories import (
    ConsiderationFactory,
    DecisionFactory,
    NotificationFactory,
    review_type,
)
from tests.hscb.factories import MeetingFactory

pytestmark = pytest.mark.django_db

Y, N, K = Answer.YES, Answer.NO, Answer.NOT_KNOWN
TODAY = datetime.date(2026, 9, 1)  # a Tuesday


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(
        timezone.make_aware(datetime.datetime.combine(TODAY, datetime.time(10))), tick=False
    ):
        yield


# The criteria -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("abuse", "died", "harmed", "concern", "custody", "met"),
    [
        (Y, Y, N, N, N, True),  # abuse or neglect, and the child died
        (Y, N, Y, Y, N, True),  # seriously harmed, with concern about working together
        (Y, K, Y, Y, N, True),
        (Y, N, Y, N, N, False),  # harmed, but no concern about how agencies worked together
        (Y, N, Y, K, N, False),
        (Y, N, N, Y, N, False),  # concern, but neither death nor serious harm
        (N, Y, N, Y, N, False),  # the child died, but no abuse or neglect
        (K, Y, Y, Y, N, False),  # abuse or neglect not known yet
        (N, Y, N, N, Y, True),  # a death in custody always meets them
        (K, Y, K, K, Y, True),
        (N, N, N, N, Y, False),  # custody, but the child did not die
        (N, K, N, N, Y, False),
        (K, K, K, K, K, False),
    ],
)
def test_the_statutory_criteria(abuse, died, harmed, concern, custody, met):
    assert (
        criteria_met(
            abuse_or_neglect=abuse,
            child_died=died,
            seriously_harmed=harmed,
            concern_working_together=concern,
            died_in_custody=custody,
        )
        is met
    )


def test_over_every_combination_of_answers_only_a_yes_meets_a_criterion():
    for abuse, died, harmed, concern, custody in itertools.product(Answer.values, repeat=5):
        met = criteria_met(
            abuse_or_neglect=abuse,
            child_died=died,
            seriously_harmed=harmed,
            concern_working_together=concern,
            died_in_custody=custody,
        )
        custody_death = died == Y and custody == Y
        abuse_and_harm = abuse == Y and (died == Y or (harmed == Y and concern == Y))
        assert met is (custody_death or abuse_and_harm), (abuse, died, harmed, concern, custody)
        if died != Y and not (harmed == Y and concern == Y):
            assert not met


def test_a_consideration_knows_whether_its_answers_meet_the_criteria(board):
    assert ConsiderationFactory().criteria_met is True
    assert ConsiderationFactory(abuse_or_neglect=N).criteria_met is False


# The consideration --------------------------------------------------------------------------------


def consider(notification, by, **overrides):
    arguments = {
        "abuse_or_neglect": Y,
        "child_died": N,
        "seriously_harmed": Y,
        "concern_working_together": Y,
        "died_in_custody": N,
        "assessment": "Neglect is suspected; the school and the GP did not share concerns.",
        "recommendation": review_type("lcspr"),
        "rationale": "The criteria are met and there is learning for every agency.",
        "meeting": None,
    }
    arguments.update(overrides)
    return services.case_consider(notification=notification, by=by, **arguments)


def test_the_subgroup_records_its_consideration_and_the_case_goes_to_the_board_chair(
    board, case_review_member
):
    notification = NotificationFactory()
    meeting = MeetingFactory(
        group=board[GroupFunction.CASE_REVIEW],
        starts_at=timezone.now() - datetime.timedelta(days=2),
    )
    consideration = consider(notification, case_review_member, meeting=meeting)
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.CONSIDERED
    assert consideration.criteria_met
    assert consideration.meeting == meeting
    assert consideration.recorded_by == case_review_member
    assert services.considered_on(consideration) == TODAY - datetime.timedelta(days=2)


def test_the_consideration_is_recorded_once(board, secretariat):
    notification = NotificationFactory()
    consider(notification, secretariat)
    with pytest.raises(ValidationError, match="cannot be recorded twice"):
        consider(notification, secretariat, assessment="Another view.")
    assert Consideration.objects.filter(notification=notification).count() == 1


def test_a_consideration_recorded_meanwhile_is_caught_by_the_database(board, secretariat):
    """Another request saved its consideration but the case still reads as submitted: the
    one-to-one key refuses the second, with the same message, and nothing moves."""
    notification = NotificationFactory()
    Consideration.objects.create(
        notification=notification,
        abuse_or_neglect=N,
        child_died=N,
        seriously_harmed=Y,
        concern_working_together=N,
        died_in_custody=N,
        assessment="First view.",
        recommendation=review_type("no_review"),
        rationale="No abuse suspected.",
        recorded_by=secretariat,
    )
    with pytest.raises(ValidationError, match="cannot be recorded twice"):
        consider(notification, secretariat)
    assert Consideration.objects.get(notification=notification).assessment == "First view."
    assert Notification.objects.get(pk=notification.pk).status == NotificationStatus.SUBMITTED


@pytest.mark.parametrize("role", ["board_chair", "member", "agency_staff"])
def test_the_consideration_is_refused_outside_the_case_team(request, board, role):
    notification = NotificationFactory()
    with pytest.raises(PermissionDenied):
        consider(notification, request.getfixturevalue(role))
    assert not Consideration.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"abuse_or_neglect": "maybe"}, "abuse_or_neglect", "Answer yes, no or not known"),
        ({"died_in_custody": ""}, "died_in_custody", "Answer yes, no or not known"),
        ({"assessment": "  "}, "assessment", "Enter the subgroup's assessment"),
        ({"assessment": "x" * 10001}, "assessment", "10,000 characters or fewer"),
        ({"assessment": "a\x00b"}, "assessment", "must not contain null characters"),
        ({"rationale": ""}, "rationale", "Enter the reasons for the recommendation"),
        ({"recommendation": None}, "recommendation", "Choose the subgroup's recommendation"),
    ],
)
def test_the_consideration_is_checked(board, secretariat, overrides, field, message):
    notification = NotificationFactory()
    with pytest.raises(ValidationError) as refused:
        consider(notification, secretariat, **overrides)
    assert message in refused.value.message_dict[field][0]
    assert Notification.objects.get(pk=notification.pk).status == NotificationStatus.SUBMITTED


def test_a_recommendation_no_longer_offered_is_refused(board, secretariat):
    scr = review_type("scr")
    ReviewType.objects.filter(pk=scr.pk).update(is_active=False)
    scr.refresh_from_db()
    with pytest.raises(ValidationError, match="no longer offered"):
        consider(NotificationFactory(), secretariat, recommendation=scr)


def test_the_meeting_must_be_a_case_review_meeting_that_took_place(board, secretariat):
    past = timezone.now() - datetime.timedelta(days=3)
    other_group = MeetingFactory(group=board[GroupFunction.IMPROVING_OUTCOMES], starts_at=past)
    future = MeetingFactory(
        group=board[GroupFunction.CASE_REVIEW], starts_at=timezone.now() + datetime.timedelta(2)
    )
    cancelled = MeetingFactory(
        group=board[GroupFunction.CASE_REVIEW], starts_at=past, status=MeetingStatus.CANCELLED
    )
    for meeting, message in (
        (other_group, "a meeting of the Case Review subgroup"),
        (future, "has taken place"),
        (cancelled, "was cancelled"),
    ):
        with pytest.raises(ValidationError) as refused:
            consider(NotificationFactory(), secretariat, meeting=meeting)
        assert message in refused.value.message_dict["meeting"][0]


def test_a_merged_case_is_not_considered(board, secretariat):
    older, newer = NotificationFactory(), NotificationFactory()
    Notification.objects.filter(pk=newer.pk).update(
        status=NotificationStatus.MERGED, merged_into=older
    )
    with pytest.raises(ValidationError, match=f"merged into {older.reference}"):
        consider(newer, secretariat)


# The decision -----------------------------------------------------------------------------------


def decide(notification, by, **overrides):
    arguments = {
        "review_type": review_type("lcspr"),
        "reasons": "Significant learning about sharing information.",
        "override_reason": "",
        "decided_on": TODAY,
    }
    arguments.update(overrides)
    return services.case_decide(notification=notification, by=by, **arguments)


def considered(**kwargs) -> Notification:
    return ConsiderationFactory(**kwargs).notification


def test_a_decision_to_review_starts_its_clock_and_opens_the_review(board, board_chair):
    august_31 = timezone.make_aware(datetime.datetime(2026, 8, 31, 15))
    with time_machine.travel(august_31, tick=False):
        notification = considered()
        decision = decide(notification, board_chair, decided_on=datetime.date(2026, 8, 31))
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.DECIDED
    assert decision.criteria_met is True
    assert decision.decided_by == board_chair
    clock = Clock.objects.get(notification=notification, kind=ClockKind.DECISION)
    assert clock.name == "Review completed and published"
    # Six months after 31 August is the last day of February.
    assert clock.due_on == datetime.date(2027, 2, 28)
    review = Review.objects.get(notification=notification)
    assert review.review_type.code == "lcspr"
    assert review.started_on == datetime.date(2026, 8, 31)
    assert review.due_on == clock.due_on


def test_a_decision_not_to_review_needs_reasons_and_starts_no_clock(board, board_chair):
    notification = considered(recommendation=review_type("no_review"))
    with pytest.raises(ValidationError) as refused:
        decide(notification, board_chair, review_type=review_type("no_review"), reasons=" ")
    assert "Enter the reasons for the decision" in refused.value.message_dict["reasons"][0]
    decide(
        notification,
        board_chair,
        review_type=review_type("no_review"),
        reasons="The learning is already being taken forward by the trust.",
    )
    assert not Clock.objects.filter(notification=notification, kind=ClockKind.DECISION).exists()
    assert not Review.objects.filter(notification=notification).exists()


def test_no_serious_case_review_when_the_criteria_are_met_needs_an_override_and_tells_the_panel(
    board, board_chair
):
    notification = considered(recommendation=review_type("no_review_2015"))
    assert notification.consideration.criteria_met
    reasons = "The learning is already being taken forward by the trust."
    with pytest.raises(ValidationError) as refused:
        decide(
            notification, board_chair, review_type=review_type("no_review_2015"), reasons=reasons
        )
    assert "found the statutory criteria met" in refused.value.message_dict["override_reason"][0]
    decide(
        notification,
        board_chair,
        review_type=review_type("no_review_2015"),
        reasons=reasons,
        override_reason="A serious case review of the same family is already under way.",
    )
    clock = Clock.objects.get(notification=notification, kind=ClockKind.DECISION)
    assert clock.name == "National panel told of the decision"
    assert clock.due_on == TODAY + datetime.timedelta(days=14)
    assert clock.unit == "days"
    assert Decision.objects.get(notification=notification).override_reason.startswith("A serious")


def test_the_rapid_review_is_a_stage_not_an_outcome(board, board_chair, case_review_member):
    notification = considered()
    with pytest.raises(ValidationError, match="not a decision") as refused:
        decide(notification, board_chair, review_type=review_type("rapid_review"))
    assert "review_type" in refused.value.message_dict
    assert not Decision.objects.exists()
    with pytest.raises(ValidationError, match="not a decision"):
        consider(
            NotificationFactory(), case_review_member, recommendation=review_type("rapid_review")
        )


@pytest.mark.parametrize("role", ["secretariat", "case_review_member", "group_chair", "member"])
def test_only_the_board_chair_decides(request, board, role):
    notification = considered()
    with pytest.raises(PermissionDenied, match="Only the board chair decides"):
        decide(notification, request.getfixturevalue(role))
    assert not Decision.objects.exists()
    assert Notification.objects.get(pk=notification.pk).status == NotificationStatus.CONSIDERED


def test_a_case_not_yet_considered_is_not_decided(board, board_chair):
    notification = NotificationFactory()
    with pytest.raises((ValidationError, PermissionDenied)):
        decide(notification, board_chair)
    # Put to the board chair too soon by a stale status: the consideration is still missing.
    Notification.objects.filter(pk=notification.pk).update(status=NotificationStatus.CONSIDERED)
    notification.refresh_from_db()
    with pytest.raises(ValidationError, match="has not recorded its consideration"):
        decide(notification, board_chair)
    assert not Decision.objects.exists()


def test_a_decision_is_recorded_once(board, board_chair):
    notification = considered()
    decide(notification, board_chair)
    with pytest.raises(ValidationError, match="cannot be recorded twice"):
        decide(notification, board_chair, review_type=review_type("learning_review"))
    assert Decision.objects.get(notification=notification).review_type.code == "lcspr"
    assert Review.objects.filter(notification=notification).count() == 1


def test_a_decision_recorded_meanwhile_is_caught_by_the_database(board, board_chair):
    """Another request recorded the decision but the case still reads as considered: the
    one-to-one key refuses the second, with the same message."""
    notification = considered()
    Decision.objects.create(
        notification=notification,
        review_type=review_type("learning_review"),
        criteria_met=True,
        decided_by=board_chair,
        decided_on=TODAY,
    )
    with pytest.raises(ValidationError, match="cannot be recorded twice"):
        decide(notification, board_chair)
    assert Decision.objects.get(notification=notification).review_type.code == "learning_review"
    assert not Review.objects.exists()


def test_a_type_no_longer_offered_is_refused(board, board_chair):
    scr = review_type("scr")
    ReviewType.objects.filter(pk=scr.pk).update(is_active=False)
    scr.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        decide(considered(), board_chair, review_type=scr)
    assert "no longer offered" in refused.value.message_dict["review_type"][0]


@pytest.mark.parametrize("code", ["scr", "lcspr"])
def test_a_review_needing_the_criteria_met_when_they_are_not_needs_an_override(
    board, board_chair, code
):
    # No abuse or neglect suspected: the criteria are not met.
    notification = considered(abuse_or_neglect=N)
    with pytest.raises(ValidationError) as refused:
        decide(notification, board_chair, review_type=review_type(code))
    message = refused.value.message_dict["override_reason"][0]
    assert "found the statutory criteria not met" in message
    assert review_type(code).name.lower() in message
    assert not Decision.objects.exists()

    decision = decide(
        notification,
        board_chair,
        review_type=review_type(code),
        override_reason="National learning about neglect in infancy justifies a review.",
    )
    assert decision.criteria_met is False
    assert decision.override_reason.startswith("National learning")


def test_a_review_that_does_not_need_the_criteria_needs_no_override(board, board_chair):
    notification = considered(abuse_or_neglect=N)
    decision = decide(notification, board_chair, review_type=review_type("learning_review"))
    assert decision.override_reason == ""
    assert decision.criteria_met is False


def test_a_decision_against_criteria_met_needs_no_override(board, board_chair):
    decision = decide(
        considered(),
        board_chair,
        review_type=review_type("no_review"),
        reasons="The agencies' own reviews cover the learning.",
    )
    assert decision.criteria_met is True


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"decided_on": None}, "decided_on", "Enter the date of the decision"),
        (
            {"decided_on": TODAY + datetime.timedelta(days=1)},
            "decided_on",
            "must be today or in the past",
        ),
        ({"review_type": None}, "review_type", "Choose what the board chair decided"),
        ({"reasons": "x" * 10001}, "reasons", "10,000 characters or fewer"),
        ({"reasons": "a\x00b"}, "reasons", "null characters"),
        ({"override_reason": "x" * 10001}, "override_reason", "10,000 characters or fewer"),
    ],
)
def test_the_decision_is_checked(board, board_chair, overrides, field, message):
    notification = considered()
    with pytest.raises(ValidationError) as refused:
        decide(notification, board_chair, **overrides)
    assert message in refused.value.message_dict[field][0]
    assert not Decision.objects.exists()


def test_a_decision_cannot_be_dated_before_the_consideration(board, board_chair):
    notification = considered()
    with pytest.raises(ValidationError) as refused:
        decide(notification, board_chair, decided_on=TODAY - datetime.timedelta(days=1))
    assert (
        "on or after the day the subgroup considered the case, 1 September 2026"
        in (refused.value.message_dict["decided_on"][0])
    )


def test_a_merged_case_is_not_decided(board, board_chair):
    notification = considered()
    Notification.objects.filter(pk=notification.pk).update(status=NotificationStatus.MERGED)
    notification.refresh_from_db()
    with pytest.raises(ValidationError, match="merged"):
        decide(notification, board_chair)


def test_the_decision_factory_agrees_with_the_service(board, board_chair):
    """The factories build what the service leaves: a decided case with its decision."""
    decision = DecisionFactory()
    assert decision.notification.status == NotificationStatus.DECIDED
    with pytest.raises(ValidationError, match="cannot be recorded twice"):
        decide(decision.notification, board_chair)


def test_a_death_in_custody_is_a_death(board, case_review_member):
    with pytest.raises(ValidationError) as refused:
        consider(NotificationFactory(), case_review_member, died_in_custody=Y, child_died=N)
    assert "answer yes to “the child died”" in refused.value.message_dict["died_in_custody"][0]
