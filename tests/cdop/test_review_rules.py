"""The rules around closing a case and writing the panel's review, in the services and through
the pages: a case is closed only when it is ours to review, after the child death review meeting
and the panel, with an unexpected death's joint agency response recorded; closing writes the
status of the case as it now is, never what the page read; and only the panel team writes any
of the review, whatever calls the service."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.html import escape

from cdop.models import (
    ChildDeath,
    DeathStatus,
    Domain,
    Expectation,
    Factor,
    Influence,
    Modifiable,
    PanelRecommendation,
    PanelReview,
)
from cdop.services import review as services
from hscb.models import Action
from tests.cdop.factories import (
    ChildDeathFactory,
    FactorFactory,
    PanelRecommendationFactory,
    ReferralFactory,
    ensure_categories,
    other_area,
)
from tests.hscb.test_bad_input import assert_error_page

pytestmark = pytest.mark.django_db


def today() -> datetime.date:
    return timezone.localdate()


def days_ago(n: int) -> datetime.date:
    return today() - datetime.timedelta(days=n)


JAR = {
    "jar_started_on": days_ago(40),
    "jar_lead": "DS Kate Rowley",
    "jar_summary": "A joint home visit was made the same day.",
}


@pytest.fixture
def categories(board):
    return ensure_categories()


def listed(**changes) -> ChildDeath:
    """A case listed for the panel after its review meeting, ours, unexpected, its joint agency
    response recorded."""
    fields = {
        "status": DeathStatus.PANEL,
        "died_on": days_ago(40),
        "review_meeting_on": days_ago(10),
        **JAR,
        **changes,
    }
    return ChildDeathFactory(**fields)


def concluded(death: ChildDeath, by, categories) -> PanelReview:
    return services.panel_review_save(
        death=death,
        by=by,
        category=categories[9],
        modifiable=Modifiable.NO,
        summary="No modifiable factors.",
        abuse_or_neglect_factor=False,
    )


def close_refused(death: ChildDeath, by) -> list[str]:
    with pytest.raises(ValidationError) as refused:
        services.death_close(death=death, by=by, closed_on=today())
    death.refresh_from_db()
    assert death.status != DeathStatus.CLOSED
    assert not PanelReview.objects.filter(death=death, closed_on__isnull=False).exists()
    return refused.value.messages


# Closing: the steps before it ----------------------------------------------------------------


def test_an_unexpected_death_is_not_closed_without_its_joint_agency_response(
    board, cdop_member, categories
):
    death = listed(jar_started_on=None, jar_lead="", jar_summary="")
    concluded(death, cdop_member, categories)
    assert close_refused(death, cdop_member) == [services.NO_JAR]


def test_an_expected_death_needs_no_joint_agency_response_to_close(board, cdop_member, categories):
    death = listed(expectation=Expectation.EXPECTED, jar_started_on=None, jar_lead="")
    concluded(death, cdop_member, categories)
    services.death_close(death=death, by=cdop_member, closed_on=today())
    death.refresh_from_db()
    assert death.status == DeathStatus.CLOSED


@pytest.mark.parametrize(
    "status", [DeathStatus.NOTIFIED, DeathStatus.GATHERING, DeathStatus.REVIEW_MEETING]
)
def test_a_case_is_closed_only_once_listed_after_its_review_meeting(
    board, cdop_member, categories, status
):
    death = listed(status=status)
    concluded(death, cdop_member, categories)
    (message,) = close_refused(death, cdop_member)
    assert "listed for a panel meeting, after its child death review meeting" in message


def test_a_case_another_area_is_proposed_to_review_is_not_closed_here(
    board, cdop_member, categories
):
    bedford = other_area("Bedford Borough")
    death = listed(residence_area=bedford)  # the factory proposes Bedford's panel
    ReferralFactory(death=death, other_area=bedford)  # not yet agreed
    assert death.reviewing_area == bedford
    concluded(death, cdop_member, categories)
    (message,) = close_refused(death, cdop_member)
    assert message.startswith(
        "Bedford Borough's panel is proposed to review this death, so it cannot be closed here"
    )
    assert "The two panels must agree first which of them reviews it" in message


def test_once_the_panels_agree_ours_reviews_it_the_case_closes(board, cdop_member, categories):
    from tests.cdop.factories import home_area

    death = listed(residence_area=other_area("Bedford Borough"))
    concluded(death, cdop_member, categories)
    ChildDeath.objects.filter(pk=death.pk).update(reviewing_area=home_area())
    death.refresh_from_db()
    services.death_close(death=death, by=cdop_member, closed_on=today())
    death.refresh_from_db()
    assert death.status == DeathStatus.CLOSED


def test_every_missing_step_is_named_at_once(board, cdop_member):
    death = listed(
        status=DeathStatus.GATHERING,
        residence_area=other_area("Bedford Borough"),
        jar_started_on=None,
    )
    messages = close_refused(death, cdop_member)
    assert len(messages) == 5
    assert services.NO_JAR in messages
    assert services.NO_CATEGORY in messages and services.NO_MODIFIABLE in messages


def test_the_close_page_names_the_missing_steps_and_refuses_them(
    client, board, cdop_member, categories
):
    death = listed(jar_started_on=None, residence_area=other_area("Bedford Borough"))
    concluded(death, cdop_member, categories)
    client.force_login(cdop_member)
    url = f"/cdop/deaths/{death.pk}/close/"
    page = client.get(url).content.decode()
    assert "The case cannot be closed yet" in page
    assert escape(services.NO_JAR) in page
    assert escape("Bedford Borough's panel is proposed to review this death") in page
    text = assert_error_page(
        client.post(
            url,
            {
                "closed_on_0": str(today().day),
                "closed_on_1": str(today().month),
                "closed_on_2": str(today().year),
            },
        )
    )
    assert escape(services.NO_JAR) in text
    assert ChildDeath.objects.get(pk=death.pk).status == DeathStatus.PANEL


# Closing: what is written --------------------------------------------------------------------


def test_closing_writes_the_status_not_what_the_page_read(board, cdop_member, categories):
    death = listed()
    concluded(death, cdop_member, categories)
    page = ChildDeath.objects.get(pk=death.pk)  # what the close page read
    ChildDeath.objects.filter(pk=death.pk).update(
        jar_summary="Corrected meanwhile by a colleague.", place_detail="Lister Hospital"
    )
    closed = services.death_close(death=page, by=cdop_member, closed_on=days_ago(1))
    fresh = ChildDeath.objects.get(pk=death.pk)
    assert fresh.status == DeathStatus.CLOSED
    assert fresh.jar_summary == "Corrected meanwhile by a colleague."
    assert fresh.place_detail == "Lister Hospital"
    assert page.status == closed.status == DeathStatus.CLOSED
    assert fresh.review.closed_on == days_ago(1)


def test_a_case_handed_over_meanwhile_is_refused_by_its_state_now(board, cdop_member, categories):
    death = listed()
    concluded(death, cdop_member, categories)
    page = ChildDeath.objects.get(pk=death.pk)
    ChildDeath.objects.filter(pk=death.pk).update(
        status=DeathStatus.ELSEWHERE, reviewing_area=other_area("Bedford Borough")
    )
    messages = close_refused(page, cdop_member)
    assert messages == [
        "This death is reviewed by another area's panel, so this panel does not close it"
    ]
    assert ChildDeath.objects.get(pk=death.pk).status == DeathStatus.ELSEWHERE


# Only the panel team writes the review ---------------------------------------------------------


def _calls(death: ChildDeath, categories, owner) -> dict[str, Callable]:
    factor = FactorFactory(review=PanelReview.objects.get(death=death))
    recommendation = PanelRecommendationFactory(review=factor.review)
    return {
        "save the review": lambda by: services.panel_review_save(
            death=death,
            by=by,
            category=categories[0],
            modifiable=Modifiable.YES,
            summary="Changed by someone outside the panel.",
            abuse_or_neglect_factor=True,
        ),
        "add a factor": lambda by: services.factor_create(
            death=death,
            by=by,
            domain=Domain.FAMILY,
            description="Added by someone outside the panel",
            influence=Influence.CONTRIBUTED,
        ),
        "remove a factor": lambda by: services.factor_remove(factor=factor, by=by),
        "add a recommendation": lambda by: services.recommendation_create(
            death=death, by=by, text="Added by someone outside the panel"
        ),
        "make an action": lambda by: services.recommendation_make_action(
            recommendation=recommendation,
            by=by,
            title="An action",
            description="",
            owner=owner,
            due_date=today() + datetime.timedelta(days=30),
        ),
        "close": lambda by: services.death_close(death=death, by=by, closed_on=today()),
        "refer": lambda by: services.death_refer_to_case_review(
            death=death, by=by, notifier_phone="01632 960 001"
        ),
    }


CALLS = [
    "save the review",
    "add a factor",
    "remove a factor",
    "add a recommendation",
    "make an action",
    "close",
    "refer",
]


@pytest.mark.parametrize("call", CALLS)
@pytest.mark.parametrize("role", ["member", "board_chair", "agency_staff", "case_review_member"])
def test_only_the_panel_team_writes_the_review(request, board, categories, cdop_member, call, role):
    death = listed()
    concluded(death, cdop_member, categories)
    calls = _calls(death, categories, owner=cdop_member)
    review = PanelReview.objects.get(death=death)
    before = (review.category_id, review.modifiable, review.summary, review.updated_by_id)
    with pytest.raises(PermissionDenied):
        calls[call](request.getfixturevalue(role))
    review.refresh_from_db()
    assert (review.category_id, review.modifiable, review.summary, review.updated_by_id) == before
    assert Factor.objects.filter(review=review).count() == 1
    assert PanelRecommendation.objects.filter(review=review).count() == 1
    assert not Action.objects.exists()
    death.refresh_from_db()
    assert death.status == DeathStatus.PANEL
    assert death.referred_to_case_review is None
