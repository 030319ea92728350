"""The review services refuse anyone outside the case team themselves, whatever page or script
calls them: the views check too, but a service is the last word. An action's owner may update
their own action, and nothing else of the review."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from casereview.models import (
    AgencyReport,
    Lesson,
    Milestone,
    PlanAction,
    PlanActionStatus,
    PlanActionUpdate,
    PracticeArea,
    Recommendation,
    Review,
)
from casereview.services import lessons
from casereview.services import reviews as services
from hscb.models import Rag
from tests.casereview.factories import (
    AgencyReportFactory,
    MilestoneFactory,
    PlanActionFactory,
    RecommendationFactory,
    ReviewFactory,
)
from tests.casereview.test_reviews_support import CASE_TEAM, NOT_CASE_TEAM, days, pdf
from tests.hscb.factories import AgencyFactory, UserFactory

pytestmark = pytest.mark.django_db


def _calls(review: Review):
    """Each service that writes to a review, with answers it would accept from the case team."""
    milestone = MilestoneFactory(review=review)
    report = AgencyReportFactory(review=review)
    recommendation = RecommendationFactory(review=review)
    agency = AgencyFactory()
    return {
        "review_update": lambda by: services.review_update(
            review=review,
            by=by,
            lead_reviewer="Dr Jane Price",
            lead_reviewer_organisation="Independent",
            lead_reviewer_independent=True,
            terms_of_reference="How agencies shared information.",
            terms_agreed_on=days(-1),
        ),
        "milestone_create": lambda by: services.milestone_create(
            review=review, by=by, title="Practitioner event", due_on=days(30)
        ),
        "milestone_update": lambda by: services.milestone_update(
            milestone=milestone, by=by, title="Renamed", due_on=days(40), completed_on=None
        ),
        "agency_report_create": lambda by: services.agency_report_create(
            review=review, by=by, agency=agency, requested_on=days(-1), due_on=days(20)
        ),
        "agency_report_update": lambda by: services.agency_report_update(
            report=report, by=by, received_on=days(-1), note="Came in by secure email."
        ),
        "review_report_receive": lambda by: services.review_report_receive(
            review=review, by=by, upload=pdf(), received_on=days(-1)
        ),
        "recommendation_create": lambda by: services.recommendation_create(
            review=review, by=by, text="Agree a joint protocol."
        ),
        "plan_action_create": lambda by: services.plan_action_create(
            recommendation=recommendation,
            by=by,
            description="Write the protocol.",
            lead_agency=agency,
            owner=UserFactory(),
            due_date=days(60),
        ),
        "lesson_create": lambda by: lessons.lesson_create(
            review=review,
            by=by,
            theme="Information sharing",
            lesson="Health visitors were not told of police call-outs.",
            practice_area=PracticeArea.values[0],
        ),
    }


def _counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (Milestone, AgencyReport, Recommendation, PlanAction, PlanActionUpdate, Lesson)
    )


@pytest.mark.parametrize("role", NOT_CASE_TEAM)
def test_every_review_service_refuses_anyone_outside_the_case_team(request, board, role):
    person = request.getfixturevalue(role)
    review = ReviewFactory(started_on=days(-60))
    calls = _calls(review)
    before = _counts()
    lead, status = review.lead_reviewer, review.status
    for name, call in calls.items():
        with pytest.raises(PermissionDenied):
            call(person)
        review.refresh_from_db()
        assert (review.lead_reviewer, review.status) == (lead, status), name
        assert not review.final_report, name
    assert _counts() == before
    assert Milestone.objects.filter(title="Renamed").count() == 0


@pytest.mark.parametrize("role", CASE_TEAM)
def test_the_case_team_may_call_every_review_service(request, board, role):
    person = request.getfixturevalue(role)
    review = ReviewFactory(started_on=days(-60))
    for call in _calls(review).values():
        call(person)
    review.refresh_from_db()
    assert review.lead_reviewer == "Dr Jane Price"
    assert review.milestones.filter(title="Renamed").exists()
    assert review.lessons.count() == 1


def _update(action: PlanAction, by, **changes):
    values = {
        "note": "Drafted and circulated.",
        "rag": Rag.GREEN,
        "status": PlanActionStatus.OPEN,
        "evidence": "",
        "seen_update": services.latest_update_pk(action),
    } | changes
    return services.plan_action_update(action=action, by=by, **values)


def test_an_action_is_updated_by_its_owner_but_not_by_anyone_else(board, member, agency_staff):
    action = PlanActionFactory(owner=agency_staff)
    with pytest.raises(PermissionDenied):
        _update(action, member)
    assert not PlanActionUpdate.objects.filter(action=action).exists()
    _update(action, agency_staff)
    action.refresh_from_db()
    assert action.rag == Rag.GREEN
    assert action.updates.get().by == agency_staff


def test_an_owner_may_not_give_their_action_away_or_move_its_date(board, agency_staff):
    action = PlanActionFactory(owner=agency_staff)
    with pytest.raises(PermissionDenied):
        _update(action, agency_staff, owner=UserFactory())
    with pytest.raises(PermissionDenied):
        _update(action, agency_staff, due_date=days(90))
    action.refresh_from_db()
    assert action.owner == agency_staff
    assert not action.updates.exists()
