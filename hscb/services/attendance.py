"""Attendance and quorum: who was at a meeting, for whom, and whether it was quorate.

`attendance_record` raises `ValidationError` for what the user can put right, keyed by each
row's own key (the attendance form's field name).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone

from hscb.models import (
    Agency,
    Attendance,
    AttendanceStatus,
    Group,
    Meeting,
    MeetingStatus,
    Membership,
    MembershipRole,
    User,
)
from hscb.services.meetings import _refuse_before_start, _refuse_if_cancelled

# Roles whose holders count towards a quorum. Advisers and the secretariat attend but do not.
QUORUM_ROLES = (MembershipRole.CHAIR, MembershipRole.VICE_CHAIR, MembershipRole.MEMBER)


@dataclass(frozen=True)
class AttendanceRow:
    """One person at (or absent from) a meeting. `agency` may be left out: a substitute
    represents the member's agency, a member the agency of their seat, anyone else their own.
    `key` names the row in errors (the form's field name)."""

    person: User
    status: str
    substitute_for: User | None = None
    agency: Agency | None = None
    key: str = NON_FIELD_ERRORS


@dataclass(frozen=True)
class Quorum:
    quorate: bool
    summary: str


def _names(agencies: Iterable[Agency]) -> str:
    names = sorted(a.name for a in agencies)
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def quorum_assess(
    *, group: Group, seats: dict[int, Membership], attendance: Iterable[Attendance]
) -> Quorum:
    """Whether a meeting was quorate, and why, in one plain sentence.

    Present members (chairs, vice-chairs and members: advisers and the secretariat attend but
    do not count) and substitutes standing in for them must number at least
    `group.quorum_members`, and at least one even when the group sets no minimum; each of
    `group.quorum_agencies` must be represented by one of those who count.
    """
    present = [a for a in attendance if a.status == AttendanceStatus.PRESENT]

    def counts(a: Attendance) -> bool:
        seat = seats.get(a.substitute_for_id or a.person_id)
        is_seat_holder = a.substitute_for_id is not None or a.is_member
        return is_seat_holder and seat is not None and seat.role in QUORUM_ROLES

    counted = [a for a in present if counts(a)]
    substitutes = sum(1 for a in counted if a.substitute_for_id)
    need = group.quorum_members
    # An agency is represented only by someone who counts: not by an adviser, a secretariat
    # seat or a substitute for one of them.
    represented = {a.agency_id for a in counted}
    required = list(group.quorum_agencies.all())
    missing = [agency for agency in required if agency.pk not in represented]

    number = len(counted)
    including = f" (including {substitutes} substitute{'s' if substitutes != 1 else ''})"
    including = including if substitutes else ""
    if need and number < need:
        members = f"{number} of {need} members needed were present{including}"
    elif need:
        members = f"{number} member{'s were' if number != 1 else ' was'} present{including}, "
        members += f"{need} needed"
    elif not number:
        members = "no members were present"
    else:
        members = f"{number} member{'s were' if number != 1 else ' was'} present{including}"
        members += "; the group sets no minimum number"
    parts = [members]
    if missing:
        parts.append(f"{_names(missing)} not present")
    elif required:
        parts.append("every agency that must attend was represented")
    # With no minimum set, at least one member must still have been there.
    quorate = number >= max(need, 1) and not missing
    summary = f"{'Quorate' if quorate else 'Not quorate'}: {'; '.join(parts)}."
    return Quorum(quorate=quorate, summary=summary)


def seats_on(meeting: Meeting) -> dict[int, Membership]:
    """The group's memberships current on the meeting's day, by person."""
    day = timezone.localtime(meeting.starts_at).date()
    seats: dict[int, Membership] = {}
    memberships = (
        Membership.objects.current(day)
        .filter(group_id=meeting.group_id)
        .select_related("user", "agency")
        .by_role()
    )
    for membership in memberships:
        seats.setdefault(membership.user_id, membership)
    return seats


def attendance_record(*, meeting: Meeting, rows: Sequence[AttendanceRow], by: User) -> Meeting:
    """Replace the meeting's attendance with `rows`, work out the quorum and mark the meeting
    held.

    Refused: a meeting that is cancelled or has not started; the same person twice; a member of
    the group listed as someone's substitute; a person standing in for themselves, or for
    someone who is not a member or who was present; a person with no agency to represent.
    """
    now = timezone.now()
    _refuse_if_cancelled(meeting)
    _refuse_before_start(meeting, "attendance", now)
    seats = seats_on(meeting)
    errors: dict[str, list[str]] = {}
    seen: dict[int, AttendanceRow] = {}
    status_of = {row.person.pk: row.status for row in rows if row.substitute_for is None}
    resolved: list[tuple[AttendanceRow, Agency | None, bool]] = []
    for row in rows:
        person, absent = row.person, row.substitute_for
        problem = None
        if absent is not None and absent.pk == person.pk:
            problem = f"{person} cannot stand in for themselves"
        elif absent is not None and person.pk in seats:
            problem = (
                f"{person} is a member of the {meeting.group.name}: record their own "
                f"attendance rather than listing them as a substitute for {absent}"
            )
        elif absent is not None and absent.pk not in seats:
            problem = f"{absent} was not a member of the group, so nobody can stand in for them"
        elif absent is not None and status_of.get(absent.pk) == AttendanceStatus.PRESENT:
            problem = f"{absent} was present, so nobody can stand in for them"
        elif absent is not None and row.status != AttendanceStatus.PRESENT:
            problem = f"A substitute is someone who attended: {person} is not marked present"
        elif person.pk in seen:
            problem = f"{person} is in the list more than once"
        elif row.status not in AttendanceStatus.values:
            problem = f"Choose whether {person} was present, sent apologies or was absent"
        if problem:
            errors.setdefault(row.key, []).append(problem)
            continue
        seen[person.pk] = row
        if row.agency is not None:
            agency = row.agency
        elif absent is not None:
            agency = seats[absent.pk].agency
        elif person.pk in seats:
            agency = seats[person.pk].agency
        else:
            agency = person.agency
        if agency is None:
            errors.setdefault(row.key, []).append(
                f"{person} has no agency recorded. Ask for it to be added to their account first"
            )
            continue
        resolved.append((row, agency, absent is None and person.pk in seats))
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if locked.status == MeetingStatus.CANCELLED:
            raise ValidationError("This meeting has been cancelled, so it cannot be changed")
        existing = {a.person_id: a for a in Attendance.objects.filter(meeting=meeting)}
        saved: list[Attendance] = []
        for row, agency, is_member in resolved:
            record = existing.pop(row.person.pk, None) or Attendance(
                meeting=meeting, person=row.person
            )
            new_values = {
                "agency_id": agency.pk,
                "status": row.status,
                "substitute_for_id": row.substitute_for.pk if row.substitute_for else None,
                "is_member": is_member,
            }
            if record.pk is None or any(getattr(record, k) != v for k, v in new_values.items()):
                for name, value in new_values.items():
                    setattr(record, name, value)
                record.save()
            saved.append(record)
        for stale in existing.values():
            stale.delete()
        quorum = quorum_assess(group=meeting.group, seats=seats, attendance=saved)
        locked.quorate = quorum.quorate
        locked.quorum_summary = quorum.summary[:500]
        if locked.status == MeetingStatus.SCHEDULED:
            locked.mark_held()
        locked.save()
    meeting.refresh_from_db()
    return meeting
