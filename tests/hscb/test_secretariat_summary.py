"""The secretariat's summary on the home page: the seats running today (a closed account holds
none), those ending within 30 days, the groups with no chair and the invitations not taken up."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from hscb.models import GroupFunction, Membership, MembershipRole
from hscb.selectors.board import home_for_user
from tests.hscb.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_summary_counts_the_seats_running_as_the_rule_does(board, secretariat):
    today = timezone.localdate()
    group = board[GroupFunction.AUDIT]
    soon = MembershipFactory(group=group, end_date=today + datetime.timedelta(days=10))
    MembershipFactory(group=group, end_date=today + datetime.timedelta(days=90))
    MembershipFactory(group=group, end_date=today - datetime.timedelta(days=1))  # ended
    MembershipFactory(group=group, start_date=today + datetime.timedelta(days=5))  # to come
    closed = MembershipFactory(
        group=group,
        role=MembershipRole.CHAIR,
        user=UserFactory(is_active=False),
        end_date=today + datetime.timedelta(days=3),
    )
    summary = home_for_user(secretariat, today=today).secretariat
    assert summary.counts["memberships"] == Membership.objects.current(today).count()
    assert [seat.pk for seat in summary.ending_soon] == [soon.pk]
    assert closed.pk not in {seat.pk for seat in summary.ending_soon}
    # The chair's account is closed: the group has no chair.
    assert group in summary.groups_without_chair
    assert summary.counts["ending_soon"] == 1


def test_the_invitations_not_taken_up_are_those_with_no_password_yet(board, secretariat):
    invited = UserFactory(password=None, last_login=None, invitation_sent_at=None)
    invited.set_unusable_password()
    invited.save()
    UserFactory(last_login=None)  # has a password
    gone = UserFactory(is_active=False, last_login=None)
    gone.set_unusable_password()
    gone.save()
    summary = home_for_user(secretariat).secretariat
    assert [person.pk for person in summary.invitations_outstanding] == [invited.pk]
