"""Factories for child deaths, referrals, panel reviews and annual reports, used by the tests
and the benchmark. They build records as the services leave them (the board must be loaded:
its fixture has the home area and its neighbours)."""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from cdop.migrations._seeds import CATEGORIES
from cdop.models import (
    AgencyInformation,
    AnnualReport,
    ChildDeath,
    DeathCategory,
    Direction,
    Domain,
    Expectation,
    Factor,
    Influence,
    NotifiedVia,
    PanelRecommendation,
    PanelReview,
    PlaceSetting,
    Referral,
    age_band,
    age_in_years,
)
from cdop.models.deaths import NEONATAL_DAYS
from hscb.lib import reminders
from hscb.lib.names import child_name_key
from hscb.models import Area, Ethnicity, Group, GroupFunction, Sex
from tests.hscb.factories import AgencyFactory, UserFactory, child_first_name, child_last_name


def ensure_categories() -> list[DeathCategory]:
    """The ten categories the migration makes (browser tests empty the tables between tests)."""
    for number, name, description in CATEGORIES:
        DeathCategory.objects.get_or_create(
            number=number, defaults={"name": name, "description": description}
        )
    return list(DeathCategory.objects.order_by("number"))


def home_area() -> Area:
    return Area.objects.get(is_home=True)


def other_area(name: str = "Bedford Borough") -> Area:
    """Another area, with its panel's contact."""
    area, _ = Area.objects.get_or_create(
        name=name,
        defaults={
            "cdop_name": f"{name} Child Death Overview Panel",
            "cdop_email": f"cdop@{name.lower().replace(' ', '-')}.example",
        },
    )
    return area


def _panel() -> Group:
    return Group.objects.get(function=GroupFunction.CHILD_DEATH_OVERVIEW)


def _days_ago(n: int):
    return lambda: timezone.localdate() - datetime.timedelta(days=n)


class ChildDeathFactory(DjangoModelFactory):
    """A death notified by signed-in agency staff: a child of the home area who died there,
    unexpectedly, aged about six; its derived fields computed as the service computes them."""

    class Meta:
        model = ChildDeath
        skip_postgeneration_save = True

    reference = factory.Sequence(lambda n: f"CDOP-{timezone.localdate():%Y}-{90000 + n}")
    via = NotifiedVia.ACCOUNT
    notifier = factory.SubFactory(UserFactory)
    notifier_name = factory.LazyAttribute(
        lambda d: d.notifier.get_full_name() if d.notifier else "A professional"
    )
    notifier_role = "Consultant paediatrician"
    notifier_agency = factory.LazyAttribute(lambda d: d.notifier.agency if d.notifier else None)
    notifier_email = factory.LazyAttribute(
        lambda d: d.notifier.email if d.notifier else "someone@example.org"
    )
    first_name = child_first_name()
    last_name = child_last_name()
    name_key = factory.LazyAttribute(lambda d: child_name_key(d.first_name, d.last_name))
    date_of_birth = factory.LazyFunction(
        lambda: timezone.localdate() - datetime.timedelta(days=6 * 365 + 40)
    )
    sex = Sex.MALE
    ethnicity = Ethnicity.WHITE_BRITISH
    died_on = factory.LazyFunction(_days_ago(3))
    place_area = factory.LazyFunction(home_area)
    place_setting = PlaceSetting.HOSPITAL
    residence_area = factory.LazyFunction(home_area)
    looked_after_by = None
    expectation = Expectation.UNEXPECTED
    circumstances = "Collapsed at home and was taken to hospital, where he died."
    reviewing_area = factory.LazyAttribute(lambda d: d.looked_after_by or d.residence_area)
    age_days = factory.LazyAttribute(lambda d: (d.died_on - d.date_of_birth).days)
    age_years = factory.LazyAttribute(lambda d: age_in_years(d.date_of_birth, d.died_on))
    band = factory.LazyAttribute(lambda d: age_band(d.date_of_birth, d.died_on))
    is_neonatal = factory.LazyAttribute(
        lambda d: (d.died_on - d.date_of_birth).days < NEONATAL_DAYS
    )


class AgencyInformationFactory(DjangoModelFactory):
    class Meta:
        model = AgencyInformation

    death = factory.SubFactory(ChildDeathFactory)
    agency = factory.SubFactory(AgencyFactory)
    requested_on = factory.LazyFunction(_days_ago(2))


class ReferralFactory(DjangoModelFactory):
    """An outbound referral, sent, awaiting the other panel's acknowledgement (chased)."""

    class Meta:
        model = Referral
        skip_postgeneration_save = True

    death = factory.SubFactory(
        ChildDeathFactory,
        residence_area=factory.LazyFunction(other_area),
    )
    direction = Direction.OUTBOUND
    other_area = factory.LazyAttribute(lambda r: r.death.residence_area)
    sent_on = factory.LazyFunction(_days_ago(1))
    next_step_due = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=6))
    owner = factory.SubFactory(UserFactory)
    group = factory.LazyFunction(_panel)

    @factory.post_generation
    def arm(self, create, extracted, **kwargs):
        reminders.rearm(self)
        if create:
            self.save(update_fields=["reminder_last_sent", "reminder_next_on"])


class PanelReviewFactory(DjangoModelFactory):
    """A review under way: a category chosen, modifiable factors not yet judged."""

    class Meta:
        model = PanelReview

    death = factory.SubFactory(ChildDeathFactory, status="panel")
    category = factory.LazyFunction(lambda: ensure_categories()[9])
    summary = "Sudden unexpected death; no factors in service provision were found."
    updated_by = factory.SubFactory(UserFactory)


class FactorFactory(DjangoModelFactory):
    class Meta:
        model = Factor

    review = factory.SubFactory(PanelReviewFactory)
    domain = Domain.FAMILY
    description = "Unsafe sleeping arrangement"
    influence = Influence.CONTRIBUTED


class PanelRecommendationFactory(DjangoModelFactory):
    class Meta:
        model = PanelRecommendation

    review = factory.SubFactory(PanelReviewFactory)
    text = "Repeat the safer sleep campaign with health visitors."
    added_by = factory.SubFactory(UserFactory)


class AnnualReportFactory(DjangoModelFactory):
    class Meta:
        model = AnnualReport

    year = factory.LazyFunction(lambda: timezone.localdate().year - 1)
    suppress_below = 3
    requested_by = factory.SubFactory(UserFactory)
