"""The panel's review through its services: the conclusions, factors, recommendations that
become actions, closing the case and referring it to the Case Review subgroup. Each rule is
refused here (and through the forms in test_review_views.py)."""

from __future__ import annotations

import datetime

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.utils import timezone

from casereview.models import (
    AbuseOrNeglect,
    Clock,
    ClockKind,
    Harm,
    LegalStatus,
    Notification,
    NotificationStatus,
)
from cdop.models import (
    ChildDeath,
    DeathStatus,
    Domain,
    Factor,
    Influence,
    Modifiable,
    PanelRecommendation,
    PanelReview,
)
from cdop.services import review as services
from hscb.models import Action, GroupFunction
from tests.casereview.factories import ensure_review_types
from tests.cdop.factories import (
    AgencyInformationFactory,
    ChildDeathFactory,
    PanelRecommendationFactory,
    PanelReviewFactory,
    ensure_categories,
    other_area,
)
from tests.hscb.factories import AgencyFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

VALID_NHS = "9434765919"
PHONE = "01632 960 001"


# An unexpected death's joint agency response, recorded (closing needs it).
JAR = {
    "jar_started_on": timezone.localdate() - datetime.timedelta(days=40),
    "jar_lead": "DS Kate Rowley",
    "jar_summary": "A joint home visit was made the same day.",
}


def today() -> datetime.date:
    return timezone.localdate()


def days_ago(n: int) -> datetime.date:
    return today() - datetime.timedelta(days=n)


@pytest.fixture
def categories(board):
    return ensure_categories()


@pytest.fixture
def death(board):
    return ChildDeathFactory(status=DeathStatus.PANEL, died_on=days_ago(40), **JAR)


def save_review(death, by, **changes) -> PanelReview:
    answers = {
        "category": None,
        "modifiable": "",
        "summary": "",
        "abuse_or_neglect_factor": False,
        **changes,
    }
    return services.panel_review_save(death=death, by=by, **answers)


# The conclusions ------------------------------------------------------------------------------


def test_saving_the_review_starts_it_and_records_who_saved_it(death, cdop_member, categories):
    review = save_review(
        death,
        cdop_member,
        category=categories[2],
        modifiable=Modifiable.YES,
        summary="  Drowned in a garden pond.  ",
        abuse_or_neglect_factor=True,
    )
    review.refresh_from_db()
    assert review.death == death
    assert review.category == categories[2]
    assert review.modifiable == Modifiable.YES
    assert review.summary == "Drowned in a garden pond."
    assert review.abuse_or_neglect_factor is True
    assert review.updated_by == cdop_member
    assert LogEntry.objects.get_for_object(review).filter(action=LogEntry.Action.CREATE).exists()


def test_saving_again_changes_the_same_review(death, cdop_member, secretariat, categories):
    save_review(death, cdop_member, category=categories[0])
    save_review(death, secretariat, category=categories[4], modifiable=Modifiable.NO)
    review = PanelReview.objects.get(death=death)
    assert PanelReview.objects.count() == 1
    assert review.category == categories[4]
    assert review.modifiable == Modifiable.NO
    assert review.updated_by == secretariat


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"modifiable": "maybe"}, "modifiable"),
        ({"summary": "x" * 10001}, "summary"),
        ({"summary": "nul\x00"}, "summary"),
        ({"abuse_or_neglect_factor": "yes"}, "abuse_or_neglect_factor"),
    ],
)
def test_the_review_refuses_bad_answers_and_saves_nothing(death, cdop_member, changes, field):
    with pytest.raises(ValidationError) as refused:
        save_review(death, cdop_member, **changes)
    assert field in refused.value.message_dict
    assert not PanelReview.objects.exists()


def test_a_category_no_longer_in_use_cannot_be_chosen(death, cdop_member, categories):
    categories[3].is_active = False
    categories[3].save()
    with pytest.raises(ValidationError) as refused:
        save_review(death, cdop_member, category=categories[3])
    assert refused.value.message_dict["category"] == ["Choose a category of death from the list"]


def test_a_category_gone_out_of_use_stays_on_the_review_that_has_it(death, cdop_member, categories):
    save_review(death, cdop_member, category=categories[3])
    categories[3].is_active = False
    categories[3].save()
    review = save_review(death, cdop_member, category=categories[3], modifiable=Modifiable.NO)
    assert review.category == categories[3]


def test_a_closed_case_review_no_longer_changes(board, cdop_member, categories):
    review = PanelReviewFactory(death__status=DeathStatus.CLOSED, closed_on=days_ago(1))
    with pytest.raises(ValidationError, match="closed"):
        save_review(review.death, cdop_member, summary="Changed")
    with pytest.raises(ValidationError, match="closed"):
        services.factor_create(
            death=review.death,
            by=cdop_member,
            domain=Domain.FAMILY,
            description="Late",
            influence=Influence.UNLIKELY,
        )
    with pytest.raises(ValidationError, match="closed"):
        services.recommendation_create(death=review.death, by=cdop_member, text="Late")
    review.refresh_from_db()
    assert review.summary != "Changed"


def test_a_death_reviewed_by_another_panel_gets_no_review_here(board, cdop_member):
    death = ChildDeathFactory(status=DeathStatus.ELSEWHERE)
    with pytest.raises(ValidationError, match="another area's panel"):
        save_review(death, cdop_member)
    assert not PanelReview.objects.exists()


# Factors and recommendations ------------------------------------------------------------------


def test_a_factor_is_added_to_the_review_and_removed(death, cdop_member):
    factor = services.factor_create(
        death=death,
        by=cdop_member,
        domain=Domain.SERVICES,
        description=" Missed health visitor appointment ",
        influence=Influence.CONTRIBUTED,
    )
    assert factor.review.death == death
    assert factor.description == "Missed health visitor appointment"
    services.factor_remove(factor=factor, by=cdop_member)
    assert not Factor.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"domain": "weather"}, "domain"),
        ({"description": "   "}, "description"),
        ({"description": "x" * 501}, "description"),
        ({"influence": "3"}, "influence"),
    ],
)
def test_a_factor_needs_a_domain_a_description_and_an_influence(death, cdop_member, changes, field):
    answers = {
        "domain": Domain.FAMILY,
        "description": "Overcrowded housing",
        "influence": Influence.UNLIKELY,
        **changes,
    }
    with pytest.raises(ValidationError) as refused:
        services.factor_create(death=death, by=cdop_member, **answers)
    assert field in refused.value.message_dict
    assert not Factor.objects.exists()


def test_a_factor_of_a_closed_case_is_not_removed(board, cdop_member):
    review = PanelReviewFactory(death__status=DeathStatus.CLOSED, closed_on=days_ago(1))
    factor = Factor.objects.create(
        review=review, domain=Domain.FAMILY, description="Kept", influence=Influence.UNLIKELY
    )
    with pytest.raises(ValidationError, match="closed"):
        services.factor_remove(factor=factor, by=cdop_member)
    assert Factor.objects.filter(pk=factor.pk).exists()


def test_a_recommendation_is_recorded_with_who_added_it(death, cdop_member):
    recommendation = services.recommendation_create(
        death=death, by=cdop_member, text=" Safer sleep advice at every contact. "
    )
    assert recommendation.review.death == death
    assert recommendation.text == "Safer sleep advice at every contact."
    assert recommendation.added_by == cdop_member
    with pytest.raises(ValidationError) as refused:
        services.recommendation_create(death=death, by=cdop_member, text="  ")
    assert refused.value.message_dict == {"text": ["Enter the recommendation"]}


def make_action(recommendation, by, owner, **changes):
    answers = {
        "title": "Repeat the safer sleep campaign",
        "description": "With health visitors.",
        "owner": owner,
        "due_date": today() + datetime.timedelta(days=30),
        "meeting": None,
        **changes,
    }
    return services.recommendation_make_action(recommendation=recommendation, by=by, **answers)


def test_a_recommendation_becomes_an_action_of_the_panel_once(board, secretariat, cdop_member):
    recommendation = PanelRecommendationFactory()
    action = make_action(recommendation, secretariat, cdop_member)
    assert action.group == board[GroupFunction.CHILD_DEATH_OVERVIEW]
    assert action.owner == cdop_member
    assert action.title == "Repeat the safer sleep campaign"
    assert action.created_by == secretariat
    recommendation.refresh_from_db()
    assert recommendation.action == action
    with pytest.raises(ValidationError, match="already been made an action"):
        make_action(recommendation, secretariat, cdop_member, title="Again")
    assert Action.objects.count() == 1


def test_an_action_due_in_the_past_is_refused_and_nothing_is_linked(
    board, secretariat, cdop_member
):
    recommendation = PanelRecommendationFactory()
    with pytest.raises(ValidationError) as refused:
        make_action(recommendation, secretariat, cdop_member, due_date=days_ago(1))
    assert "due_date" in refused.value.message_dict
    recommendation.refresh_from_db()
    assert recommendation.action is None
    assert not Action.objects.exists()


# Closing --------------------------------------------------------------------------------------


def test_a_case_is_closed_without_a_category_or_modifiable_judgement_never(death, cdop_member):
    save_review(death, cdop_member)
    with pytest.raises(ValidationError) as refused:
        services.death_close(death=death, by=cdop_member, closed_on=today())
    assert services.NO_CATEGORY in refused.value.messages
    assert services.NO_MODIFIABLE in refused.value.messages
    death.refresh_from_db()
    assert death.status == DeathStatus.PANEL


def test_a_case_with_a_category_but_no_modifiable_judgement_stays_open(
    death, cdop_member, categories
):
    save_review(death, cdop_member, category=categories[9])
    with pytest.raises(ValidationError) as refused:
        services.death_close(death=death, by=cdop_member, closed_on=today())
    assert refused.value.messages == [services.NO_MODIFIABLE]


def test_a_case_with_no_review_at_all_names_both_missing(death, cdop_member):
    with pytest.raises(ValidationError) as refused:
        services.death_close(death=death, by=cdop_member, closed_on=today())
    assert set(refused.value.messages) == {services.NO_CATEGORY, services.NO_MODIFIABLE}


@pytest.mark.parametrize(
    ("closed_on", "words"),
    [
        (lambda d: d.died_on - datetime.timedelta(days=1), "on or after the date of death"),
        (lambda d: today() + datetime.timedelta(days=1), "today or in the past"),
    ],
)
def test_the_closing_date_is_from_the_death_to_today(
    death, cdop_member, categories, closed_on, words
):
    save_review(death, cdop_member, category=categories[9], modifiable=Modifiable.NO)
    with pytest.raises(ValidationError) as refused:
        services.death_close(death=death, by=cdop_member, closed_on=closed_on(death))
    assert words in refused.value.message_dict["closed_on"][0]
    death.refresh_from_db()
    assert death.status == DeathStatus.PANEL


def test_a_case_not_yet_listed_for_the_panel_cannot_be_closed(board, cdop_member, categories):
    death = ChildDeathFactory(status=DeathStatus.REVIEW_MEETING, died_on=days_ago(20))
    save_review(death, cdop_member, category=categories[9], modifiable=Modifiable.NO)
    with pytest.raises(ValidationError, match="listed for a panel meeting"):
        services.death_close(death=death, by=cdop_member, closed_on=today())


def test_closing_records_the_date_and_closes_the_case_in_its_history(
    death, cdop_member, categories
):
    save_review(death, cdop_member, category=categories[9], modifiable=Modifiable.NO)
    services.death_close(death=death, by=cdop_member, closed_on=days_ago(2))
    death.refresh_from_db()
    assert death.status == DeathStatus.CLOSED
    assert death.review.closed_on == days_ago(2)
    change = LogEntry.objects.get_for_object(death).filter(action=LogEntry.Action.UPDATE).first()
    assert change.changes_dict["status"] == [DeathStatus.PANEL, DeathStatus.CLOSED]
    with pytest.raises(ValidationError, match="already closed"):
        services.death_close(death=death, by=cdop_member, closed_on=today())


def test_a_case_seen_before_it_was_listed_is_closed_by_its_state_now(
    death, cdop_member, categories
):
    """The rules are checked on the case as it now is (its row locked), not as the page saw it:
    listed for the panel meanwhile, it closes."""
    save_review(death, cdop_member, category=categories[9], modifiable=Modifiable.NO)
    ChildDeath.objects.filter(pk=death.pk).update(status=DeathStatus.REVIEW_MEETING)
    stale = ChildDeath.objects.get(pk=death.pk)  # seen before it was listed for the panel
    ChildDeath.objects.filter(pk=death.pk).update(status=DeathStatus.PANEL)
    services.death_close(death=stale, by=cdop_member, closed_on=today())
    assert ChildDeath.objects.get(pk=death.pk).status == DeathStatus.CLOSED
    assert stale.status == DeathStatus.CLOSED


# Referring to the Case Review subgroup --------------------------------------------------------


@pytest.fixture
def concluded(death, cdop_member, categories):
    """A case whose review concluded that abuse or neglect may have been a factor, with two
    agencies that gave information (and one asked that has not, and one no longer active)."""
    ensure_review_types()
    ChildDeath.objects.filter(pk=death.pk).update(
        nhs_number=VALID_NHS,
        circumstances="Found unresponsive at home.",
        last_name="Quarrington-Vell",
    )
    death.refresh_from_db()
    save_review(
        death,
        cdop_member,
        category=categories[0],
        modifiable=Modifiable.YES,
        summary="Bruising seen by two agencies was not shared.",
        abuse_or_neglect_factor=True,
    )
    police = AgencyFactory(name="Hertfordshire Constabulary")
    trust = AgencyFactory(name="East and North Herts NHS Trust")
    AgencyInformationFactory(death=death, agency=police, received_on=days_ago(5))
    AgencyInformationFactory(death=death, agency=trust, received_on=days_ago(4))
    AgencyInformationFactory(death=death, agency=AgencyFactory(name="A school"))
    AgencyInformationFactory(
        death=death,
        agency=AgencyFactory(name="Closed agency", is_active=False),
        received_on=today(),
    )
    death.given = {police, trust}
    return death


def test_referral_makes_a_submitted_notification_from_the_case(
    concluded, cdop_member, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        notification = services.death_refer_to_case_review(
            death=concluded, by=cdop_member, notifier_phone=PHONE
        )
    notification = Notification.objects.get(pk=notification.pk)
    death = ChildDeath.objects.get(pk=concluded.pk)
    assert death.referred_to_case_review == notification
    assert notification.status == NotificationStatus.SUBMITTED
    assert notification.reference.startswith("SIN-")
    assert notification.notifier == cdop_member
    # The panel's, not the referrer's agency's: their colleagues do not see it as their own.
    assert notification.referred_by_panel
    assert notification.agency == cdop_member.agency
    assert notification.notifier_phone == PHONE
    assert (notification.first_name, notification.last_name) == (
        death.first_name,
        death.last_name,
    )
    assert notification.date_of_birth == death.date_of_birth
    assert notification.nhs_number == VALID_NHS
    assert notification.sex == death.sex
    assert notification.ethnicity == death.ethnicity
    assert notification.home_area == death.residence_area
    assert notification.legal_status == LegalStatus.NONE
    assert notification.incident_date == death.died_on
    assert notification.aware_date == today()
    assert notification.harm == Harm.DEATH
    assert notification.abuse_or_neglect == AbuseOrNeglect.SUSPECTED
    assert notification.in_custody is False
    assert "Found unresponsive at home." in notification.incident_description
    assert "Bruising seen by two agencies was not shared." in notification.incident_description
    assert death.reference in notification.incident_description
    assert set(notification.agencies_involved.all()) == concluded.given
    assert notification.safety_action.startswith(services.SAFETY_ACTION)
    clock = Clock.objects.get(notification=notification, kind=ClockKind.PANEL_NOTIFICATION)
    assert clock.starts_on == today()
    # The receipt to the referrer names the reference, never the child.
    receipt = next(m for m in mailoutbox if cdop_member.email in m.to)
    assert notification.reference in receipt.body
    assert death.last_name not in receipt.body


def test_a_looked_after_child_is_referred_as_looked_after(concluded, cdop_member):
    ChildDeath.objects.filter(pk=concluded.pk).update(looked_after_by=other_area())
    concluded.refresh_from_db()
    notification = services.death_refer_to_case_review(
        death=concluded, by=cdop_member, notifier_phone=PHONE
    )
    assert notification.legal_status == LegalStatus.LOOKED_AFTER


def test_a_case_is_referred_only_when_abuse_or_neglect_may_have_been_a_factor(
    death, cdop_member, categories
):
    ensure_review_types()
    save_review(death, cdop_member, category=categories[9], abuse_or_neglect_factor=False)
    AgencyInformationFactory(death=death, received_on=days_ago(1))
    with pytest.raises(ValidationError) as refused:
        services.death_refer_to_case_review(death=death, by=cdop_member, notifier_phone=PHONE)
    assert refused.value.messages == [services.NOT_ABUSE_OR_NEGLECT]
    assert not Notification.objects.exists()


def test_a_case_is_referred_once(concluded, cdop_member, secretariat):
    first = services.death_refer_to_case_review(
        death=concluded, by=cdop_member, notifier_phone=PHONE
    )
    with pytest.raises(ValidationError, match="already been referred") as refused:
        services.death_refer_to_case_review(death=concluded, by=secretariat, notifier_phone=PHONE)
    assert first.reference in refused.value.messages[0]
    assert Notification.objects.count() == 1


def test_the_referrer_must_work_for_an_agency(concluded, board):
    no_agency = MembershipFactory(
        group=board[GroupFunction.CHILD_DEATH_OVERVIEW],
        user=UserFactory(agency=None),
        agency=AgencyFactory(),
    ).user
    with pytest.raises(ValidationError) as refused:
        services.death_refer_to_case_review(death=concluded, by=no_agency, notifier_phone=PHONE)
    assert refused.value.messages == [services.NO_AGENCY]
    assert not Notification.objects.exists()


def test_a_telephone_number_the_case_review_rules_refuse_leaves_no_draft(concluded, cdop_member):
    with pytest.raises(ValidationError) as refused:
        services.death_refer_to_case_review(
            death=concluded, by=cdop_member, notifier_phone="call me"
        )
    assert "notifier_phone" in refused.value.message_dict
    assert not Notification.objects.exists()
    assert ChildDeath.objects.get(pk=concluded.pk).referred_to_case_review is None


def test_a_case_no_agency_gave_information_for_is_not_referred(death, cdop_member, categories):
    ensure_review_types()
    save_review(death, cdop_member, category=categories[0], abuse_or_neglect_factor=True)
    AgencyInformationFactory(death=death)  # asked, not received
    with pytest.raises(ValidationError) as refused:
        services.death_refer_to_case_review(death=death, by=cdop_member, notifier_phone=PHONE)
    assert refused.value.messages == [services.NO_AGENCIES_GAVE_INFORMATION]
    assert not Notification.objects.exists()


def test_recommendations_of_a_review_are_kept_in_order(death, cdop_member):
    first = services.recommendation_create(death=death, by=cdop_member, text="First")
    second = services.recommendation_create(death=death, by=cdop_member, text="Second")
    assert list(PanelRecommendation.objects.filter(review__death=death)) == [first, second]
