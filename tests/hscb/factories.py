"""Factories for the board core, used by the tests and the benchmark."""

from __future__ import annotations

import datetime

import factory
from factory.django import DjangoModelFactory

from hscb.models import (
    Agency,
    Area,
    Group,
    GroupKind,
    Membership,
    MembershipRole,
    Objective,
    Sector,
    User,
)

TEST_PASSWORD = "a-long-test-password-2026"


class AgencyFactory(DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Partner agency {n}")
    short_name = factory.Sequence(lambda n: f"Agency {n}")
    sector = Sector.CHILDRENS_SERVICES


class AreaFactory(DjangoModelFactory):
    class Meta:
        model = Area

    name = factory.Sequence(lambda n: f"Area {n}")


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@agency.example")
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    job_title = "Practitioner"
    agency = factory.SubFactory(AgencyFactory)
    password = factory.django.Password(TEST_PASSWORD)


class GroupFactory(DjangoModelFactory):
    class Meta:
        model = Group

    name = factory.Sequence(lambda n: f"Working group {n}")
    slug = factory.Sequence(lambda n: f"working-group-{n}")
    kind = GroupKind.SUBGROUP
    remit = "Works on one part of the board's business plan."
    order = factory.Sequence(lambda n: 100 + n)


class ObjectiveFactory(DjangoModelFactory):
    class Meta:
        model = Objective

    group = factory.SubFactory(GroupFactory)
    order = factory.Sequence(int)
    text = factory.Faker("sentence", nb_words=14)


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    group = factory.SubFactory(GroupFactory)
    role = MembershipRole.MEMBER
    agency = factory.SelfAttribute("user.agency")
    start_date = factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=30))
