"""Attendance and quorum: recording who was present, sent apologies or stood in, and whether
the meeting was quorate by its group's rule."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from hscb.models import (
    Attendance,
    Meeting,
    MeetingStatus,
    MembershipRole,
)
from hscb.services import attendance as services
from hscb.services.attendance import AttendanceRow
from tests.hscb.factories import (
    AgencyFactory,
    GroupFactory,
    MeetingFactory,
    MembershipFactory,
    UserFactory,
)
from tests.hscb.meeting_helpers import ABSENT, APOLOGIES, PRESENT, errors_of

pytestmark = pytest.mark.django_db


# Attendance and quorum -------------------------------------------------------------------------


@pytest.fixture
def panel(board):
    """A group whose quorum is 3 members with the police present, a meeting of it that started
    an hour ago, four members (police, health, two council), an adviser and a guest."""
    police = AgencyFactory(name="Hertfordshire Constabulary")
    health = AgencyFactory(name="NHS Hertfordshire and West Essex ICB")
    council = AgencyFactory(name="Hertfordshire County Council")
    group = GroupFactory(name="Quorum test panel", quorum_members=3)
    group.quorum_agencies.add(police)
    now = timezone.now()
    meeting = MeetingFactory(
        group=group,
        starts_at=now - datetime.timedelta(hours=1),
        ends_at=now + datetime.timedelta(hours=1),
    )

    def seat(agency, role=MembershipRole.MEMBER):
        return MembershipFactory(group=group, role=role, user=UserFactory(agency=agency)).user

    return {
        "meeting": meeting,
        "police": police,
        "health": health,
        "council": council,
        "officer": seat(police, MembershipRole.CHAIR),
        "nurse": seat(health),
        "social_worker": seat(council),
        "manager": seat(council),
        "adviser": seat(council, MembershipRole.ADVISER),
        "guest": UserFactory(agency=AgencyFactory(name="Guest charity")),
        "deputy": UserFactory(agency=council),
    }


def rows(p, **statuses) -> list[AttendanceRow]:
    return [AttendanceRow(person=p[name], status=status) for name, status in statuses.items()]


def test_attendance_with_enough_members_and_the_police_is_quorate(panel, secretariat):
    meeting = services.attendance_record(
        meeting=panel["meeting"],
        rows=rows(
            panel,
            officer=PRESENT,
            nurse=PRESENT,
            social_worker=PRESENT,
            manager=APOLOGIES,
            adviser=PRESENT,
            guest=PRESENT,
        ),
        by=secretariat,
    )
    assert meeting.quorate is True
    assert meeting.quorum_summary == (
        "Quorate: 3 members were present, 3 needed; every agency that must attend was represented."
    )
    assert meeting.status == MeetingStatus.HELD
    records = {a.person_id: a for a in meeting.attendance.all()}
    assert records[panel["guest"].pk].is_member is False
    assert records[panel["guest"].pk].agency.name == "Guest charity"
    assert records[panel["nurse"].pk].is_member is True


def test_too_few_members_and_no_police_is_not_quorate_and_says_why(panel, secretariat):
    meeting = services.attendance_record(
        meeting=panel["meeting"],
        rows=rows(
            panel,
            officer=APOLOGIES,
            nurse=PRESENT,
            social_worker=PRESENT,
            manager=ABSENT,
            adviser=PRESENT,  # advisers attend but do not count
        ),
        by=secretariat,
    )
    assert meeting.quorate is False
    assert meeting.quorum_summary == (
        "Not quorate: 2 of 3 members needed were present; Hertfordshire Constabulary not present."
    )


def test_enough_members_without_a_required_agency_is_not_quorate(panel, secretariat):
    meeting = services.attendance_record(
        meeting=panel["meeting"],
        rows=rows(panel, officer=APOLOGIES, nurse=PRESENT, social_worker=PRESENT, manager=PRESENT),
        by=secretariat,
    )
    assert meeting.quorate is False
    assert meeting.quorum_summary.endswith("Hertfordshire Constabulary not present.")


def test_a_substitute_counts_and_represents_the_members_agency(panel, secretariat):
    substitute = UserFactory(agency=panel["council"])  # a council officer standing in for police
    meeting = services.attendance_record(
        meeting=panel["meeting"],
        rows=[
            *rows(panel, officer=APOLOGIES, nurse=PRESENT, social_worker=PRESENT, manager=ABSENT),
            AttendanceRow(person=substitute, status=PRESENT, substitute_for=panel["officer"]),
        ],
        by=secretariat,
    )
    assert meeting.quorate is True
    assert "(including 1 substitute)" in meeting.quorum_summary
    record = meeting.attendance.get(person=substitute)
    assert record.agency == panel["police"]
    assert record.substitute_for == panel["officer"]
    assert record.is_member is False


def test_recording_again_replaces_the_attendance(panel, secretariat):
    services.attendance_record(
        meeting=panel["meeting"],
        rows=rows(panel, officer=PRESENT, nurse=PRESENT, guest=PRESENT),
        by=secretariat,
    )
    meeting = services.attendance_record(
        meeting=panel["meeting"],
        rows=rows(panel, officer=PRESENT, nurse=APOLOGIES, social_worker=PRESENT),
        by=secretariat,
    )
    statuses = dict(meeting.attendance.values_list("person_id", "status"))
    assert statuses == {
        panel["officer"].pk: PRESENT,
        panel["nurse"].pk: APOLOGIES,
        panel["social_worker"].pk: PRESENT,
    }
    assert meeting.status == MeetingStatus.HELD


@pytest.mark.parametrize(
    ("make_rows", "message"),
    [
        (
            lambda p: [*rows(p, nurse=PRESENT), AttendanceRow(person=p["nurse"], status=ABSENT)],
            "is in the list more than once",
        ),
        (
            lambda p: [
                *rows(p, officer=APOLOGIES, nurse=PRESENT),
                AttendanceRow(person=p["nurse"], status=PRESENT, substitute_for=p["officer"]),
            ],
            "is a member of the Quorum test panel",
        ),
        (
            lambda p: [
                AttendanceRow(person=p["deputy"], status=PRESENT, substitute_for=p["deputy"])
            ],
            "cannot stand in for themselves",
        ),
        (
            lambda p: [
                *rows(p, officer=PRESENT),
                AttendanceRow(person=p["deputy"], status=PRESENT, substitute_for=p["officer"]),
            ],
            "was present, so nobody can stand in for them",
        ),
        (
            lambda p: [
                AttendanceRow(person=p["deputy"], status=PRESENT, substitute_for=p["guest"])
            ],
            "was not a member of the group",
        ),
    ],
    ids=["twice", "member as substitute", "self", "for someone present", "for a non-member"],
)
def test_impossible_attendance_is_refused(panel, secretariat, make_rows, message):
    with pytest.raises(ValidationError, match=message):
        services.attendance_record(meeting=panel["meeting"], rows=make_rows(panel), by=secretariat)
    assert not Attendance.objects.exists()
    assert Meeting.objects.get(pk=panel["meeting"].pk).status == MeetingStatus.SCHEDULED


def test_errors_are_named_by_the_rows_key(panel, secretariat):
    with pytest.raises(ValidationError) as excinfo:
        services.attendance_record(
            meeting=panel["meeting"],
            rows=[
                AttendanceRow(
                    person=panel["deputy"],
                    status=PRESENT,
                    substitute_for=panel["deputy"],
                    key="guest_1",
                )
            ],
            by=secretariat,
        )
    assert list(errors_of(excinfo)) == ["guest_1"]


def test_attendance_is_refused_before_the_meeting_starts(board, secretariat, member):
    meeting = MeetingFactory(group=board["improving_outcomes"])
    with pytest.raises(ValidationError, match="once the meeting has started"):
        services.attendance_record(
            meeting=meeting, rows=[AttendanceRow(person=member, status=PRESENT)], by=secretariat
        )
    assert meeting.attendance.count() == 0


def test_a_guest_without_an_agency_is_refused(panel, secretariat, outsider):
    with pytest.raises(ValidationError, match="has no agency recorded"):
        services.attendance_record(
            meeting=panel["meeting"],
            rows=[AttendanceRow(person=outsider, status=PRESENT)],
            by=secretariat,
        )


def test_a_group_without_a_rule_is_quorate_with_anyone(board, secretariat, member):
    now = timezone.now()
    meeting = MeetingFactory(
        group=board["improving_outcomes"],
        starts_at=now - datetime.timedelta(hours=2),
        ends_at=now - datetime.timedelta(hours=1),
    )
    meeting = services.attendance_record(
        meeting=meeting, rows=[AttendanceRow(person=member, status=PRESENT)], by=secretariat
    )
    assert meeting.quorate is True
    assert meeting.quorum_summary == (
        "Quorate: 1 member was present; the group sets no minimum number."
    )


@pytest.mark.parametrize("role", [MembershipRole.ADVISER, MembershipRole.SECRETARIAT])
def test_a_required_agency_is_not_represented_by_someone_who_does_not_count(
    panel, secretariat, role
):
    police_adviser = MembershipFactory(
        group=panel["meeting"].group, role=role, user=UserFactory(agency=panel["police"])
    ).user
    meeting = services.attendance_record(
        meeting=panel["meeting"],
        rows=[
            *rows(panel, officer=APOLOGIES, nurse=PRESENT, social_worker=PRESENT, manager=PRESENT),
            AttendanceRow(person=police_adviser, status=PRESENT),
        ],
        by=secretariat,
    )
    assert meeting.quorate is False
    assert meeting.quorum_summary == (
        "Not quorate: 3 members were present, 3 needed; Hertfordshire Constabulary not present."
    )


def test_a_substitute_for_an_adviser_does_not_represent_a_required_agency(panel, secretariat):
    police_adviser = MembershipFactory(
        group=panel["meeting"].group,
        role=MembershipRole.ADVISER,
        user=UserFactory(agency=panel["police"]),
    ).user
    stand_in = UserFactory(agency=panel["police"])
    meeting = services.attendance_record(
        meeting=panel["meeting"],
        rows=[
            *rows(panel, officer=APOLOGIES, nurse=PRESENT, social_worker=PRESENT, manager=PRESENT),
            AttendanceRow(person=police_adviser, status=APOLOGIES),
            AttendanceRow(person=stand_in, status=PRESENT, substitute_for=police_adviser),
        ],
        by=secretariat,
    )
    assert meeting.quorate is False
    assert meeting.quorum_summary.endswith("Hertfordshire Constabulary not present.")
    assert "substitute" not in meeting.quorum_summary  # nor do they count towards the number


@pytest.mark.parametrize("guest_present", [False, True], ids=["nobody", "only a guest"])
def test_a_group_without_a_rule_is_not_quorate_with_no_member_present(
    board, secretariat, member, guest_present
):
    now = timezone.now()
    meeting = MeetingFactory(
        group=board["improving_outcomes"],
        starts_at=now - datetime.timedelta(hours=2),
        ends_at=now - datetime.timedelta(hours=1),
    )
    attendance = [AttendanceRow(person=member, status=APOLOGIES)]
    if guest_present:
        attendance.append(AttendanceRow(person=UserFactory(), status=PRESENT))
    meeting = services.attendance_record(meeting=meeting, rows=attendance, by=secretariat)
    assert meeting.quorate is False
    assert meeting.quorum_summary == "Not quorate: no members were present."
