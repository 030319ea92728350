"""The Child Death Overview Panel and its coordinator: who is reminded of the referrals'
unanswered steps and told of new notifications."""

from __future__ import annotations

from django.db.models import Case, IntegerField, Value, When

from hscb.models import Group, GroupFunction, Membership, MembershipRole, User


def panel_group() -> Group | None:
    return Group.objects.filter(function=GroupFunction.CHILD_DEATH_OVERVIEW).first()


def panel_coordinator() -> User | None:
    """The panel's coordinator: its secretariat seat (the coordinator runs the panel's business),
    else its chair; None when the panel has neither."""
    seat = (
        Membership.objects.current()
        .filter(
            group__function=GroupFunction.CHILD_DEATH_OVERVIEW,
            group__is_active=True,
            role__in=[MembershipRole.SECRETARIAT, MembershipRole.CHAIR],
        )
        .annotate(
            rank=Case(
                When(role=MembershipRole.SECRETARIAT, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .select_related("user")
        .order_by("rank", "start_date", "pk")
        .first()
    )
    return seat.user if seat else None


def panel_people() -> list[User]:
    """Everyone with a current seat on the panel, with an open account."""
    return list(
        User.objects.filter(
            is_active=True,
            pk__in=Membership.objects.current()
            .filter(group__function=GroupFunction.CHILD_DEATH_OVERVIEW, group__is_active=True)
            .values("user_id"),
        ).order_by("last_name", "first_name", "pk")
    )
