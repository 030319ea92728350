"""Records retention for the Child Death Overview Panel (cdop/services/retention.py): a death
is deleted with everything recorded about it once the records policy no longer keeps it, and
neither that nor a factor taken off a review leaves the child's details in the history."""

from __future__ import annotations

import datetime
import json

import pytest
import time_machine
from auditlog.models import LogEntry
from django.utils import timezone

from cdop.models import AgencyInformation, ChildDeath, Factor, PanelReview, Referral
from cdop.services import review as review_services
from hscb import tasks
from hscb.lib import retention
from tests.casereview.factories import NotificationFactory
from tests.cdop.factories import (
    AgencyInformationFactory,
    ChildDeathFactory,
    FactorFactory,
    PanelRecommendationFactory,
    PanelReviewFactory,
    ReferralFactory,
)

pytestmark = pytest.mark.django_db

FIRST, LAST, NHS = "Zephyrine", "Quillfeather", "9434765919"
DIED = datetime.date(2026, 3, 2)
NOON = datetime.time(12)


def history_text() -> str:
    return json.dumps(
        [
            [e.object_repr, e.changes, e.changes_text, e.serialized_data]
            for e in LogEntry.objects.all()
        ],
        default=str,
    )


def at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, NOON))


def a_death(**values) -> ChildDeath:
    with time_machine.travel(at(DIED), tick=False):
        return ChildDeathFactory(
            first_name=FIRST,
            last_name=LAST,
            nhs_number=NHS,
            circumstances=f"{FIRST} was found at home.",
            died_on=DIED,
            **values,
        )


def test_a_death_is_deleted_with_its_review_once_the_policy_no_longer_keeps_it(settings, board):
    settings.RETENTION_CHILD_DEATH_YEARS = 25
    death = a_death(status="panel")
    other = ChildDeathFactory(died_on=DIED + datetime.timedelta(days=1))
    review = PanelReviewFactory(death=death, summary=f"{FIRST}'s sleep was not safe.")
    FactorFactory(review=review, description=f"{FIRST} shared a sofa")
    PanelRecommendationFactory(review=review, text=f"Tell {LAST}'s health visitor.")
    AgencyInformationFactory(death=death)
    ReferralFactory(death=death, how_told=f"By letter naming {FIRST}")
    assert FIRST in history_text() and NHS in history_text()
    years_on = DIED.replace(year=DIED.year + 25)

    (plan,) = retention.retention_plan(
        now=at(years_on - datetime.timedelta(days=1)), keys=["cdop-deaths"]
    )
    assert plan.due == []
    (plan,) = retention.retention_plan(now=at(years_on), keys=["cdop-deaths"])
    assert plan.due == [f"{death.reference}, notified 2 March 2026"]

    with time_machine.travel(at(years_on), tick=False):
        assert tasks.apply_retention()["deleted"] == 1
    assert list(ChildDeath.objects.all()) == [other]
    assert not PanelReview.objects.exists() and not Factor.objects.exists()
    assert not Referral.objects.exists() and not AgencyInformation.objects.exists()
    text = history_text()
    for detail in (FIRST, LAST, NHS, "found at home", "sofa"):
        assert detail not in text, detail
    assert LogEntry.objects.filter(
        object_pk=str(death.pk), action=LogEntry.Action.DELETE, object_repr=death.reference
    ).exists()


def test_a_case_the_panel_referred_to_case_review_is_kept_while_the_death_is(settings, board):
    """The death (kept 25 years from the death) still points at the case (25 years from its
    submission): the case is kept, and the run says why, until the death has gone."""
    settings.RETENTION_CASE_REVIEW_YEARS = 20
    with time_machine.travel(at(DIED), tick=False):
        case = NotificationFactory()
    a_death(referred_to_case_review=case)
    years_on = DIED.replace(year=DIED.year + 21)
    (cases, deaths) = retention.retention_apply(
        now=at(years_on), keys=["casereview-cases", "cdop-deaths"]
    )
    assert cases.deleted == [] and deaths.deleted == []
    assert cases.kept == [
        f"{case.reference}, submitted 2 March 2026 (still needed by 1 child death)"
    ]
    assert ChildDeath.objects.exists()
    # Once the death is due, one run deletes both: the case is tried again after the death.
    later = DIED.replace(year=DIED.year + 25)
    (cases, deaths) = retention.retention_apply(
        now=at(later), keys=["casereview-cases", "cdop-deaths"]
    )
    assert (len(cases.deleted), len(deaths.deleted), cases.kept) == (1, 1, [])


def test_a_factor_taken_off_a_review_leaves_no_trace_of_its_text_in_history(board, cdop_member):
    factor = FactorFactory(description=f"{FIRST} shared a sofa")
    pk = factor.pk
    assert "sofa" in history_text()
    review_services.factor_remove(factor=factor, by=cdop_member)
    assert not Factor.objects.exists()
    assert "sofa" not in history_text() and FIRST not in history_text()
    entry = LogEntry.objects.get(object_pk=str(pk), action=LogEntry.Action.DELETE)
    # What kind of factor it was stays; its text goes.
    assert entry.object_repr == f"Factor {pk}"
    assert entry.changes["domain"] == ["family", "None"] and "description" not in entry.changes
