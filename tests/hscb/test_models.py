"""Rules the database keeps for the board core, with the messages people see."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from hscb.models import Area, Group, GroupFunction, Membership, MembershipRole, User
from tests.hscb.factories import AreaFactory, GroupFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 27)


def test_email_is_unique_whatever_its_case():
    UserFactory(email="jo.bloggs@agency.example")
    clash = User(email="Jo.Bloggs@Agency.example", first_name="Jo", last_name="Bloggs")
    with pytest.raises(ValidationError) as error:
        clash.full_clean()
    assert "A user with this email address already exists." in str(error.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user("JO.BLOGGS@agency.example ".strip().upper())


def test_manager_stores_email_in_lower_case_and_without_password_when_none_given():
    user = User.objects.create_user("New.Person@Agency.Example")
    assert user.email == "new.person@agency.example"
    assert not user.has_usable_password()


def test_only_one_area_can_be_home():
    AreaFactory(name="Home", is_home=True)
    other = Area(name="Elsewhere", is_home=True)
    with pytest.raises(ValidationError) as error:
        other.full_clean()
    assert "Another area is already the home area." in str(error.value)


def test_membership_must_end_after_it_starts():
    membership = MembershipFactory.build(
        user=UserFactory(),
        group=GroupFactory(),
        start_date=TODAY,
        end_date=TODAY - datetime.timedelta(days=1),
    )
    membership.agency = membership.user.agency
    with pytest.raises(ValidationError) as error:
        membership.full_clean()
    assert "The end date must be the same as or after the start date." in str(error.value)


def test_a_group_has_one_open_chair_at_a_time():
    group = GroupFactory()
    MembershipFactory(group=group, role=MembershipRole.CHAIR)
    second = MembershipFactory.build(group=group, role=MembershipRole.CHAIR, user=UserFactory())
    with pytest.raises(ValidationError) as error:
        second.full_clean()
    assert "already has a chair with no end date" in str(error.value)


def test_a_chair_can_hand_over_once_the_first_seat_has_an_end_date():
    group = GroupFactory()
    outgoing = MembershipFactory(group=group, role=MembershipRole.CHAIR)
    outgoing.end_date = TODAY
    outgoing.save()
    incoming = MembershipFactory(group=group, role=MembershipRole.CHAIR, start_date=TODAY)
    assert incoming.pk


def test_current_memberships_are_those_running_on_the_day():
    group = GroupFactory()
    ended = MembershipFactory(
        group=group, start_date=TODAY.replace(year=2025), end_date=TODAY.replace(month=10)
    )
    running = MembershipFactory(group=group, start_date=TODAY.replace(month=1))
    ends_today = MembershipFactory(group=group, start_date=TODAY.replace(month=1), end_date=TODAY)
    future = MembershipFactory(group=group, start_date=TODAY + datetime.timedelta(days=1))
    current = set(Membership.objects.current(TODAY))
    assert current == {running, ends_today}
    assert not ended.is_current(TODAY) and not future.is_current(TODAY)


def test_members_are_listed_chair_first(board):
    group = board[GroupFunction.AUDIT]
    member = MembershipFactory(group=group, user=UserFactory(last_name="Aaronson"))
    adviser = MembershipFactory(
        group=group, role=MembershipRole.ADVISER, user=UserFactory(last_name="Abbott")
    )
    chair = MembershipFactory(
        group=group, role=MembershipRole.CHAIR, user=UserFactory(last_name="Zephyr")
    )
    vice = MembershipFactory(
        group=group, role=MembershipRole.VICE_CHAIR, user=UserFactory(last_name="Young")
    )
    people = Group.objects.with_people().get(pk=group.pk).people()
    assert people == [chair, vice, member, adviser]


def test_a_group_cannot_be_accountable_to_itself_even_round_a_loop(board):
    audit = board[GroupFunction.AUDIT]
    strategic = board[GroupFunction.STRATEGIC_BOARD]
    audit.accountable_to = audit
    with pytest.raises(ValidationError, match="accountable to itself"):
        audit.full_clean()
    strategic.accountable_to = audit  # audit already answers to the Strategic Board
    with pytest.raises(ValidationError, match="accountable to itself"):
        strategic.full_clean()


def test_a_closed_account_holds_no_current_seat(board):
    seat = MembershipFactory(group=board[GroupFunction.AUDIT])
    seat.user.is_active = False
    seat.user.save()
    assert seat not in Membership.objects.current()
    assert Group.objects.with_chairs_and_counts().get(pk=seat.group_id).member_count == 0


def test_accountable_to_a_chair_needs_a_group():
    group = GroupFactory.build(accountable_to_chair=True, accountable_to=None)
    with pytest.raises(ValidationError) as error:
        group.full_clean()
    assert "Choose the group whose chair" in str(error.value)
