"""Reads of the board core, scoped to the person asking. Each runs a fixed number of queries."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from hscb.lib import reminders
from hscb.models import (
    OPEN_STATUSES,
    Action,
    Agency,
    Group,
    Meeting,
    Membership,
    MembershipRole,
    User,
)
from hscb.rules import Roles, roles_of
from hscb.selectors.meetings import groups_for_forward_plan

# The secretariat's follow-up lists show this many, with the full count beside them.
LIST_LIMIT = 20
# The home page lists the person's next few meetings.
HOME_MEETINGS = 3
# A group's page lists its members this many at a time.
MEMBERS_PER_PAGE = 50


def groups_for_user(user: User) -> QuerySet[Group]:
    """Groups the user may see, each with its current chairs, a count of its current members
    and its objectives: a fixed number of queries, and no member loaded but the chairs."""
    groups = (
        Group.objects.with_chairs_and_counts()
        .select_related("accountable_to")
        .prefetch_related("objectives")
        .order_by("order", "name")
    )
    if not roles_of(user).is_secretariat:
        groups = groups.active()
    return groups


def get_group_for_user(user: User, slug: str, *, for_change: bool = False) -> Group:
    """The group, or 404 if the user may not see it, or 403 if they may see but not change it."""
    group = (
        Group.objects.with_chairs_and_counts()
        .select_related("accountable_to")
        .prefetch_related(
            "objectives", Prefetch("accountable_groups", queryset=Group.objects.active())
        )
        .filter(slug=slug)
        .first()
    )
    if group is None or not user.has_perm("hscb.see_group", group):
        raise Http404("No such group.")
    if for_change and not user.has_perm("hscb.edit_group_remit", group):
        raise PermissionDenied("Only the group's chair and the secretariat can change this.")
    return group


def members_page(group: Group, page_number: str | None) -> Page:
    """A page of the group's current members, chair first, then by role and surname."""
    members = (
        Membership.objects.current()
        .filter(group=group)
        .select_related("user", "agency")
        .by_role()
        .order_by("role_rank", "user__last_name", "user__first_name", "pk")
    )
    return Paginator(members, MEMBERS_PER_PAGE).get_page(page_number)


def memberships_of_user(user: User) -> list[Membership]:
    """All the user's memberships, current and past, newest first."""
    return list(
        Membership.objects.filter(user=user)
        .select_related("group", "agency")
        .order_by("-start_date", "group__order")
    )


@dataclass
class SecretariatSummary:
    counts: dict[str, int]
    groups_without_chair: list[Group]
    ending_soon: list[Membership]
    invitations_outstanding: list[User]


@dataclass(frozen=True)
class OwnedWork:
    """Items of another app's that this person owns and is chased about, like a review's action
    plan actions: how many are open and overdue, and the page that lists them."""

    kind: str
    open: int
    overdue: int
    url: str


@dataclass
class Home:
    roles: Roles
    memberships: list[Membership]
    chaired: list[Group] = field(default_factory=list)
    next_meetings: list[Meeting] = field(default_factory=list)
    open_actions: int = 0
    overdue_actions: int = 0
    board_groups: list[Group] = field(default_factory=list)
    secretariat: SecretariatSummary | None = None
    owned_elsewhere: list[OwnedWork] = field(default_factory=list)

    @property
    def role_names(self) -> list[str]:
        names = []
        if self.roles.is_secretariat:
            names.append("Board secretariat")
        if self.roles.is_board_chair:
            names.append("Chair of the Strategic Board")
        for m in self.memberships:
            names.append(f"{m.get_role_display()}, {m.group.name}")
        return names


def home_for_user(user: User, *, today: datetime.date | None = None) -> Home:
    """What the home page shows this person, by their roles."""
    today = today or timezone.localdate()
    roles = roles_of(user)
    memberships = list(
        Membership.objects.current(today)
        .filter(user=user, group__is_active=True)
        .select_related("group", "agency")
        .order_by("group__order")
    )
    home = Home(roles=roles, memberships=memberships)
    home.next_meetings = list(
        Meeting.objects.upcoming()
        .filter(group__in=groups_for_forward_plan(user))
        .select_related("group")[:HOME_MEETINGS]
    )
    counts = Action.objects.filter(owner=user).aggregate(
        open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        overdue=Count("pk", filter=Q(status__in=OPEN_STATUSES, due_date__lt=today)),
    )
    home.open_actions, home.overdue_actions = counts["open"], counts["overdue"]
    home.owned_elsewhere = _owned_elsewhere(user, today)
    if roles.is_group_chair:
        home.chaired = list(
            Group.objects.with_chairs_and_counts(today).filter(pk__in=roles.chaired_group_ids)
        )
    if roles.is_board_chair or roles.is_secretariat:
        home.board_groups = list(Group.objects.active().with_chairs_and_counts(today))
    if roles.is_secretariat:
        home.secretariat = _secretariat_summary(today)
    return home


def _owned_elsewhere(user: User, today: datetime.date) -> list[OwnedWork]:
    """The reminder engine's items this person owns, of each kind whose registration names the
    owner's list: those with any open. A query a kind."""
    work = []
    for registration in reminders.REGISTRY.values():
        if not registration.owner_list:
            continue
        overdue = Q(**{f"{registration.due_field}__lt": today})
        counts = (
            registration.model._default_manager.filter(registration.is_open)
            .filter(**{registration.owner_field: user})
            .aggregate(open=Count("pk"), overdue=Count("pk", filter=overdue))
        )
        if counts["open"]:
            url = reverse(registration.owner_list)
            work.append(OwnedWork(registration.kind, counts["open"], counts["overdue"], url))
    return work


def _seats_running(today: datetime.date):
    """The seats running today, as `Membership.objects.current` (a closed account holds no
    seat), found from the few closed accounts (an index holds them) rather than by joining
    every account to the seats."""
    closed = User.objects.filter(is_active=False).values("pk")
    return Membership.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gte=today), start_date__lte=today
    ).exclude(user_id__in=closed)


def _secretariat_summary(today: datetime.date) -> SecretariatSummary:
    running = _seats_running(today)
    counts = {
        "agencies": Agency.objects.filter(is_active=True).count(),
        "people": User.objects.filter(is_active=True).count(),
        "groups": Group.objects.active().count(),
        "memberships": running.count(),
    }
    chaired = running.filter(role=MembershipRole.CHAIR)
    groups_without_chair = list(
        Group.objects.active().exclude(pk__in=chaired.values("group_id")).order_by("order")
    )
    ending = running.filter(end_date__lte=today + datetime.timedelta(days=30))
    ending_soon = list(ending.select_related("user", "group").order_by("end_date")[:LIST_LIMIT])
    expired_before = timezone.now() - datetime.timedelta(seconds=settings.INVITATION_TIMEOUT)
    invitations_outstanding = list(
        User.objects.filter(is_active=True, last_login__isnull=True)
        .filter(Q(invitation_sent_at__isnull=True) | Q(invitation_sent_at__lte=expired_before))
        .filter(password__startswith=UNUSABLE_PASSWORD_PREFIX)
        .select_related("agency")
        .order_by("invitation_sent_at")[:LIST_LIMIT]
    )
    counts["ending_soon"] = ending.count()
    return SecretariatSummary(counts, groups_without_chair, ending_soon, invitations_outstanding)
