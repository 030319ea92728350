"""Roles are the sum of current memberships plus the secretariat group, and nothing more."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from hscb.models import GroupFunction, MembershipRole
from hscb.rules import roles_of
from tests.hscb.factories import GroupFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def test_secretariat_role_comes_from_the_permission_group(secretariat, agency_staff):
    assert roles_of(secretariat).is_secretariat
    assert not roles_of(agency_staff).is_secretariat


def test_board_chair_is_the_chair_of_the_strategic_board(board_chair, group_chair):
    assert roles_of(board_chair).is_board_chair
    assert not roles_of(group_chair).is_board_chair
    assert roles_of(group_chair).is_group_chair


def test_an_ended_membership_gives_no_role(board, member):
    seat = member.memberships.get()
    seat.end_date = timezone.localdate() - datetime.timedelta(days=1)
    seat.save()
    member.refresh_from_db()
    assert roles_of(member).seats == ()


def test_a_seat_on_an_inactive_group_gives_no_role(board):
    group = GroupFactory(is_active=False)
    user = MembershipFactory(group=group, role=MembershipRole.CHAIR).user
    assert not roles_of(user).is_group_chair


def test_roles_add_up_across_memberships(board, member):
    MembershipFactory(user=member, group=board[GroupFunction.CHILD_DEATH_OVERVIEW])
    roles = roles_of(member)
    assert roles.sits_on(GroupFunction.IMPROVING_OUTCOMES)
    assert roles.sits_on(GroupFunction.CHILD_DEATH_OVERVIEW)
    assert not roles.sits_on(GroupFunction.CASE_REVIEW)


def test_roles_are_read_once_per_user_object(board, secretariat, django_assert_num_queries):
    with django_assert_num_queries(2):
        for _ in range(5):
            roles_of(secretariat)


def test_the_secretariat_group_without_staff_status_gives_no_secretariat_role(board, member):
    from django.contrib.auth.models import Group as PermissionGroup

    member.groups.add(PermissionGroup.objects.get(name="Secretariat"))
    assert not roles_of(member).is_secretariat


@pytest.mark.parametrize(
    ("role", "see", "contacts", "edit"),
    [
        ("secretariat", True, True, True),
        ("board_chair", True, False, False),
        ("group_chair", True, True, True),
        ("member", True, True, False),
        ("agency_staff", True, False, False),
        ("cdop_member", True, False, False),
        ("outsider", True, False, False),
    ],
)
def test_object_permissions_on_the_improving_outcomes_group(
    request, board, role, see, contacts, edit
):
    user = request.getfixturevalue(role)
    group = board[GroupFunction.IMPROVING_OUTCOMES]
    assert user.has_perm("hscb.see_group", group) is see
    assert user.has_perm("hscb.see_group_contacts", group) is contacts
    assert user.has_perm("hscb.edit_group_remit", group) is edit


def test_chair_of_an_inactive_group_can_no_longer_see_or_edit_it(board):
    group = GroupFactory(is_active=False)
    chair = MembershipFactory(group=group, role=MembershipRole.CHAIR).user
    assert not chair.has_perm("hscb.see_group", group)
    assert not chair.has_perm("hscb.edit_group_remit", group)


def test_an_inactive_account_has_no_roles(secretariat):
    secretariat.is_active = False
    assert not roles_of(secretariat).is_secretariat
