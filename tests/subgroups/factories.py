"""Factories for the register, used by the tests and the benchmark."""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from hscb.lib import reminders
from hscb.models import Group, GroupFunction
from subgroups.models import (
    Escalation,
    GoodPractice,
    GoodPracticeScope,
    Issue,
    IssueSource,
    IssueUpdate,
    RiskRating,
)
from subgroups.services.register import rating_for
from tests.hscb.factories import AgencyFactory, UserFactory

RATINGS = [("Low", 1, "green", False), ("Medium", 5, "yellow", False)]
RATINGS += [("High", 10, "orange", True), ("Very high", 15, "red", True)]


def ensure_ratings() -> list[RiskRating]:
    """The ratings the migration makes (browser tests empty the tables between tests)."""
    for name, min_score, colour, significant in RATINGS:
        RiskRating.objects.get_or_create(
            name=name,
            defaults={"min_score": min_score, "colour": colour, "significant": significant},
        )
    return list(RiskRating.objects.order_by("min_score"))


def _register_group() -> Group:
    return Group.objects.get(function=GroupFunction.IMPROVING_OUTCOMES)


class IssueFactory(DjangoModelFactory):
    """An open multi-agency issue on the Improving Outcomes register (the board must be loaded),
    scored and rated, with its review ladder armed, as `issue_raise` leaves one."""

    class Meta:
        model = Issue
        skip_postgeneration_save = True

    group = factory.LazyFunction(_register_group)
    title = factory.Sequence(lambda n: f"Issue {n}: health data not shared in time")
    description = "Two trusts do not share missed-appointment data with children's services."
    source = IssueSource.PERFORMANCE_DATA
    likelihood = 3
    impact = 4
    owner = factory.SubFactory(UserFactory)
    proposed_improvement = "A data-sharing agreement signed by both trusts."
    review_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=45))
    created_by = factory.SelfAttribute("owner")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        issue = model_class(*args, **kwargs)
        issue.score = issue.likelihood * issue.impact
        issue.rating = rating_for(issue.score)
        reminders.rearm(issue)
        issue.save()
        return issue

    @factory.post_generation
    def agencies(self, create, extracted, **kwargs):
        if create:
            self.agencies.set(extracted if extracted is not None else AgencyFactory.create_batch(2))


class IssueUpdateFactory(DjangoModelFactory):
    class Meta:
        model = IssueUpdate

    issue = factory.SubFactory(IssueFactory)
    author = factory.SelfAttribute("issue.owner")
    text = "The trusts have agreed to meet."


class EscalationFactory(DjangoModelFactory):
    class Meta:
        model = Escalation

    issue = factory.SubFactory(IssueFactory, likelihood=4, impact=4, status="escalated")
    countywide_or_national = True
    rationale = "Every area of the county is affected and the trusts have not moved."
    recommendations = "The Board asks both trusts' chief executives to sign the agreement."
    score_when_proposed = factory.SelfAttribute("issue.score")
    proposed_by = factory.SubFactory(UserFactory)


class GoodPracticeFactory(DjangoModelFactory):
    class Meta:
        model = GoodPractice
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Good practice {n}: joint visits in neglect cases")
    scope = GoodPracticeScope.LOCAL
    source = "Stevenage locality"
    summary = "Health visitors and social workers visit together when neglect is suspected."
    theme = "Neglect"
    added_by = factory.SubFactory(UserFactory)
