"""Who may do what in the board core (DESIGN.md §1), as `rules` predicates.

A person's roles are the sum of their current memberships plus, for the board's business unit,
the secretariat permission group. They are read once per request and kept on the user object,
so a page asks the database the same number of times however many checks it makes.
"""

from __future__ import annotations

from dataclasses import dataclass

import rules

from hscb.models import Group, GroupFunction, Membership, MembershipRole, Priority

SECRETARIAT_GROUP = "Secretariat"


@dataclass(frozen=True)
class Seat:
    group_id: int
    role: str
    function: str
    handles_child_records: bool = False


@dataclass(frozen=True)
class Roles:
    """What one person is, today: secretariat or not, and their current seats on groups."""

    is_secretariat: bool
    seats: tuple[Seat, ...]

    @property
    def member_group_ids(self) -> frozenset[int]:
        return frozenset(s.group_id for s in self.seats)

    @property
    def chaired_group_ids(self) -> frozenset[int]:
        return frozenset(s.group_id for s in self.seats if s.role == MembershipRole.CHAIR)

    def sits_on(self, function: str) -> bool:
        return any(s.function == function for s in self.seats)

    @property
    def handles_child_records(self) -> bool:
        """A seat on a group that handles children's personal records (Case Review, the Child
        Death Overview Panel): such a seat needs a second factor to sign in."""
        return any(s.handles_child_records for s in self.seats)

    @property
    def is_board_chair(self) -> bool:
        return any(
            s.function == GroupFunction.STRATEGIC_BOARD and s.role == MembershipRole.CHAIR
            for s in self.seats
        )

    @property
    def is_group_chair(self) -> bool:
        return bool(self.chaired_group_ids)


NO_ROLES = Roles(is_secretariat=False, seats=())


def roles_of(user) -> Roles:
    """The user's roles, worked out once and cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return NO_ROLES
    cached = getattr(user, "_board_roles", None)
    if cached is not None:
        return cached
    # The business unit: staff accounts in the Secretariat permission group.
    is_secretariat = user.is_superuser or (
        user.is_staff and user.groups.filter(name=SECRETARIAT_GROUP).exists()
    )
    seats = tuple(
        Seat(group_id=g, role=r, function=f, handles_child_records=c)
        for g, r, f, c in Membership.objects.current()
        .filter(user=user, group__is_active=True)
        .values_list("group_id", "role", "group__function", "group__handles_child_records")
    )
    user._board_roles = Roles(is_secretariat=is_secretariat, seats=seats)
    return user._board_roles


@rules.predicate
def is_secretariat(user) -> bool:
    return roles_of(user).is_secretariat


@rules.predicate
def is_safeguarding_lead(user) -> bool:
    """One of their agency's named safeguarding leads (the secretariat sets the flag): they see
    the child's details on their agency's notifications."""
    return bool(getattr(user, "is_safeguarding_lead", False))


@rules.predicate
def is_board_chair(user) -> bool:
    return roles_of(user).is_board_chair


@rules.predicate
def chairs_group(user, group: Group | None) -> bool:
    return group is not None and group.pk in roles_of(user).chaired_group_ids


@rules.predicate
def sits_on_group(user, group: Group | None) -> bool:
    return group is not None and group.pk in roles_of(user).member_group_ids


@rules.predicate
def group_is_active(user, group: Group | None) -> bool:
    return group is not None and group.is_active


# A group that has stopped meeting is history: only the secretariat still sees it.
rules.add_perm("hscb.see_group", group_is_active | is_secretariat)
# Members' email addresses are for the people they work with on that group.
rules.add_perm("hscb.see_group_contacts", (group_is_active & sits_on_group) | is_secretariat)
# A chair keeps their group's remit up to date; the secretariat can change anything.
rules.add_perm("hscb.edit_group_remit", (group_is_active & chairs_group) | is_secretariat)


# Meetings, actions, the business plan and dashboards ------------------------------------------
# Predicates below take a record that belongs to a group (a meeting, an action) or the group.


def _group_id(obj) -> int | None:
    if obj is None:
        return None
    return obj.pk if isinstance(obj, Group) else obj.group_id


@rules.predicate
def sits_on_its_group(user, obj) -> bool:
    return _group_id(obj) in roles_of(user).member_group_ids


@rules.predicate
def chairs_its_group(user, obj) -> bool:
    return _group_id(obj) in roles_of(user).chaired_group_ids


@rules.predicate
def owns(user, obj) -> bool:
    return obj is not None and obj.owner_id == user.pk


@rules.predicate
def its_group_handles_child_records(user, obj) -> bool:
    """The record's group (or the group itself) handles children's personal records: the Case
    Review subgroup, the Child Death Overview Panel. Its meetings, papers, minutes and actions
    are for its members and the secretariat only (DESIGN.md §1)."""
    if obj is None:
        return False
    group = obj if isinstance(obj, Group) else obj.group
    return group.handles_child_records


# The board chair oversees every group's business, except where it holds children's personal
# records, which they see only if they sit on that group.
oversees_its_group = is_board_chair & (~its_group_handles_child_records | sits_on_its_group)


@rules.predicate
def chairs_a_lead_group(user, priority: Priority | None) -> bool:
    if priority is None:
        return False
    lead = {g.pk for g in priority.groups.all()}
    return bool(lead & roles_of(user).chaired_group_ids)


# A meeting's agenda, papers and minutes are for its group; the board chair oversees them all
# but those of a group that handles children's personal records.
rules.add_perm("hscb.see_meeting", is_secretariat | sits_on_its_group | oversees_its_group)
# Scheduling, agendas, papers, attendance and minutes are the business unit's work.
rules.add_perm("hscb.manage_meetings", is_secretariat)
rules.add_perm("hscb.see_group_business", is_secretariat | sits_on_its_group | oversees_its_group)
rules.add_perm("hscb.see_action", is_secretariat | sits_on_its_group | owns | oversees_its_group)
# Owners keep their own actions up to date; a chair can update their group's.
rules.add_perm("hscb.update_action", is_secretariat | owns | chairs_its_group)
rules.add_perm("hscb.add_action", is_secretariat | chairs_its_group)
rules.add_perm("hscb.chase_action", is_secretariat | chairs_its_group)
rules.add_perm("hscb.see_group_dashboard", is_secretariat | chairs_its_group | oversees_its_group)
rules.add_perm("hscb.see_board_dashboard", is_secretariat | is_board_chair)
rules.add_perm(
    "hscb.update_priority_progress",
    is_secretariat | is_board_chair | owns | chairs_a_lead_group,
)


# Actions ---------------------------------------------------------------------------------------
# Moving an action's due date or giving it to someone else is for the group's chair and the
# secretariat; an owner reports progress but does not reassign their own work.
rules.add_perm("hscb.reassign_action", is_secretariat | chairs_its_group)


@rules.predicate
def sits_on_a_group(user) -> bool:
    return bool(roles_of(user).member_group_ids)


# Finding anyone with an account by name, for a field that chooses a person (an action's owner,
# a presenter, an issue's owner): for those who fill in such fields, the board's members and the
# secretariat. Agency staff who only send notifications choose nobody.
rules.add_perm("hscb.search_people", is_secretariat | sits_on_a_group)
