"""Factories for the board core, used by the tests and the benchmark."""

from __future__ import annotations

import datetime

import factory
from django.core.files.base import ContentFile
from django.utils import timezone
from factory.django import DjangoModelFactory

from hscb.lib import reminders
from hscb.models import (
    Action,
    ActionNote,
    Agency,
    AgendaItem,
    Area,
    Attendance,
    AttendanceStatus,
    BusinessPlan,
    Group,
    GroupKind,
    GroupResource,
    Meeting,
    Membership,
    MembershipRole,
    Objective,
    Paper,
    Priority,
    Rag,
    Sector,
    Target,
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


# People's and children's names are built, not drawn from Faker, whose few names collide: a test
# that checks a child's name is absent from a page must not trip over the signed-in person called
# Alexander when the child is Alex, or Amelia when a test names the child Amelia. Built names
# start with letters no real name in the tests starts with, and each is unique to its record, so
# no two children look like the same child by accident.
_SYLLABLES = ("ba", "ce", "di", "fo", "gu", "ka", "le", "mi", "no", "pu", "ra", "se", "ti", "vo")


def _syllables(n: int) -> str:
    word = ""
    while True:
        n, digit = divmod(n, len(_SYLLABLES))
        word += _SYLLABLES[digit]
        if not n:
            return word


def child_first_name():
    return factory.Sequence(lambda n: "Zy" + _syllables(n) + "ette")


def child_last_name():
    return factory.Sequence(lambda n: "Quil" + _syllables(n) + "worth")


def person_first_name():
    return factory.Sequence(lambda n: "Ur" + _syllables(n) + "ic")


def person_last_name():
    return factory.Sequence(lambda n: "Vandel" + _syllables(n))


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@agency.example")
    first_name = person_first_name()
    last_name = person_last_name()
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


# A PDF small enough for tests, that starts with the bytes a real one does.
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _in_days(days: int, hour: int = 10) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


class MeetingFactory(DjangoModelFactory):
    class Meta:
        model = Meeting

    group = factory.SubFactory(GroupFactory)
    starts_at = factory.LazyFunction(lambda: _in_days(14))
    ends_at = factory.LazyAttribute(lambda m: m.starts_at + datetime.timedelta(hours=2))
    venue = "Committee Room 1, County Hall, Hertford"


class AgendaItemFactory(DjangoModelFactory):
    class Meta:
        model = AgendaItem

    meeting = factory.SubFactory(MeetingFactory)
    order = factory.Sequence(int)
    title = factory.Sequence(lambda n: f"Agenda item {n}")
    minutes_allotted = 15


class PaperFactory(DjangoModelFactory):
    class Meta:
        model = Paper

    item = factory.SubFactory(AgendaItemFactory)
    title = factory.Sequence(lambda n: f"Paper {n}")
    file = factory.LazyFunction(lambda: ContentFile(PDF_BYTES, name="paper.pdf"))
    original_name = "paper.pdf"
    size = len(PDF_BYTES)
    uploaded_by = factory.SubFactory(UserFactory)


class AttendanceFactory(DjangoModelFactory):
    class Meta:
        model = Attendance

    meeting = factory.SubFactory(MeetingFactory)
    person = factory.SubFactory(UserFactory)
    agency = factory.SelfAttribute("person.agency")
    status = AttendanceStatus.PRESENT
    is_member = True


class ActionFactory(DjangoModelFactory):
    """An open action with its reminder ladder armed, as `action_create` leaves one."""

    class Meta:
        model = Action

    group = factory.SubFactory(GroupFactory)
    title = factory.Sequence(lambda n: f"Action {n}: write to partner agencies")
    owner = factory.SubFactory(UserFactory)
    due_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=60))

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        action = model_class(*args, **kwargs)
        reminders.rearm(action)
        action.save()
        return action


class ActionNoteFactory(DjangoModelFactory):
    class Meta:
        model = ActionNote

    action = factory.SubFactory(ActionFactory)
    author = factory.SelfAttribute("action.owner")
    text = "Drafted the letter; waiting for comments."


class BusinessPlanFactory(DjangoModelFactory):
    class Meta:
        model = BusinessPlan
        django_get_or_create = ["year"]

    year = factory.LazyFunction(
        lambda: timezone.localdate().year - (1 if timezone.localdate().month < 4 else 0)
    )
    summary = "What the board will do this year to keep children safe."


class PriorityFactory(DjangoModelFactory):
    class Meta:
        model = Priority

    plan = factory.SubFactory(BusinessPlanFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Priority {n}: children are safe online")
    rag = Rag.AMBER
    commentary = "Most targets are on track; one is waiting for data."


class TargetFactory(DjangoModelFactory):
    class Meta:
        model = Target

    priority = factory.SubFactory(PriorityFactory)
    text = "Every partner agency has an online safety lead"
    measure = "Agencies reporting a named lead, each quarter"


class GroupResourceFactory(DjangoModelFactory):
    class Meta:
        model = GroupResource

    plan = factory.SubFactory(BusinessPlanFactory)
    group = factory.SubFactory(GroupFactory)
    description = "A business officer half-time; room bookings"
    budget = 5000
