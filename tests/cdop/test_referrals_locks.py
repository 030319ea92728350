"""Row locks name the rows they lock: every `select_for_update` in the panel's services that
also joins other tables (`select_related`) locks only its own rows (`of=("self",)`). Without it
PostgreSQL locks the joined rows too (the case, the area: other people's work waits on them),
and refuses the lock outright when the join is to a nullable side."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.db.models.query import QuerySet
from django.utils import timezone

from cdop.models import Modifiable, ReferralStatus
from cdop.services import referrals, review
from tests.cdop.factories import (
    ChildDeathFactory,
    PanelRecommendationFactory,
    ReferralFactory,
    ensure_categories,
    other_area,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2027, 3, 10)


@pytest.fixture(autouse=True)
def wednesday():
    with time_machine.travel(
        timezone.make_aware(datetime.datetime.combine(TODAY, datetime.time(10))), tick=False
    ):
        yield


@pytest.fixture
def locks(monkeypatch):
    """Every locking query run: (model, whether it joins other tables, the rows it locks)."""
    seen: list[tuple[str, bool, tuple[str, ...]]] = []
    fetch = QuerySet._fetch_all

    def recording(self):
        if self._result_cache is None and self.query.select_for_update:
            seen.append(
                (
                    self.model.__name__,
                    bool(self.query.select_related),
                    tuple(self.query.select_for_update_of),
                )
            )
        return fetch(self)

    monkeypatch.setattr(QuerySet, "_fetch_all", recording)
    return seen


def assert_joined_locks_name_their_own_rows(locks) -> None:
    joined = [(model, of) for model, joins, of in locks if joins]
    assert joined, "no locking query with a join was run"
    assert all(of == ("self",) for _model, of in joined), joined


def test_each_step_of_a_referral_locks_only_the_referral(board, cdop_member, locks):
    referral = ReferralFactory(
        death=ChildDeathFactory(residence_area=other_area(), died_on=TODAY), sent_on=TODAY
    )
    referrals.referral_acknowledge(referral=referral, acknowledged_on=TODAY, by=cdop_member)
    referrals.referral_agree(
        referral=referral,
        agreed_on=TODAY,
        reviewing_panel="ours",
        how_told="A letter",
        by=cdop_member,
    )
    referrals.referral_report_outcome(
        referral=referral, reported_on=TODAY, note="Reviewed", by=cdop_member
    )
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.OUTCOME_REPORTED
    assert [model for model, joins, _of in locks if joins] == ["Referral"] * 3
    assert_joined_locks_name_their_own_rows(locks)


def test_emailing_a_referral_locks_only_the_referral(board, cdop_member, locks):
    referral = ReferralFactory(death=ChildDeathFactory(residence_area=other_area()))
    referrals.referral_send(referral=referral, by=cdop_member)
    assert_joined_locks_name_their_own_rows(locks)


def test_making_a_recommendation_an_action_locks_only_the_recommendation(board, cdop_member, locks):
    ensure_categories()
    recommendation = PanelRecommendationFactory(review__modifiable=Modifiable.NO)
    review.recommendation_make_action(
        recommendation=recommendation,
        by=cdop_member,
        title="Repeat the campaign",
        description="",
        owner=cdop_member,
        due_date=TODAY + datetime.timedelta(days=30),
    )
    assert [model for model, joins, _of in locks if joins] == ["PanelRecommendation"]
    assert_joined_locks_name_their_own_rows(locks)
