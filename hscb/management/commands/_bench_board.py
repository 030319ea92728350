"""The benchmark's board: the groups as shipped, the people the pages are requested as, and the
people, seats, meetings, actions, business plan and register that fill it to a scale (used by
`manage.py bench`). Everything is made with bulk inserts."""

from __future__ import annotations

import datetime
import itertools
import json

from django.contrib.auth.models import Group as PermissionGroup
from django.core.files.base import ContentFile
from django.utils import timezone

from hscb.lib.reminders import Ladder
from hscb.management.commands.load_board import FIXTURE
from hscb.models import (
    Action,
    ActionNote,
    ActionStatus,
    Agency,
    AgendaItem,
    Attendance,
    AttendanceStatus,
    BusinessPlan,
    Group,
    GroupFunction,
    Meeting,
    MeetingStatus,
    Membership,
    MembershipRole,
    Paper,
    Priority,
    Rag,
    Sector,
    Target,
    User,
)
from hscb.rules import SECRETARIAT_GROUP
from hscb.services.board import board_load

from ._bench_cases import BENCH_USERS, fill_cases
from ._bench_cdop import CDOP_USERS, fill_cdop


def board() -> dict[str, User]:
    """The board as shipped, plus the two people the pages are requested as."""
    # The test factories need the development packages: imported here, after the DEBUG check.
    from tests.hscb.factories import AgencyFactory, MembershipFactory, UserFactory

    board_load(data=json.loads(FIXTURE.read_text(encoding="utf-8")))
    unit = AgencyFactory(
        name="Board business unit", short_name="Business unit", sector=Sector.BOARD
    )
    secretariat = UserFactory(email="secretariat@bench.example", is_staff=True, agency=unit)
    secretariat.groups.add(PermissionGroup.objects.get(name=SECRETARIAT_GROUP))
    for group in Group.objects.all():
        MembershipFactory(user=secretariat, group=group, role=MembershipRole.SECRETARIAT)
    chair = MembershipFactory(
        user=UserFactory(email="io.chair@bench.example"),
        group=Group.objects.get(function=GroupFunction.IMPROVING_OUTCOMES),
        role=MembershipRole.CHAIR,
    ).user
    seated = {}
    for name, function, role in [
        ("board_chair", GroupFunction.STRATEGIC_BOARD, MembershipRole.CHAIR),
        ("case_review", GroupFunction.CASE_REVIEW, MembershipRole.MEMBER),
        ("case_review_chair", GroupFunction.CASE_REVIEW, MembershipRole.CHAIR),
    ]:
        seated[name] = MembershipFactory(
            user=UserFactory(email=BENCH_USERS[name]),
            group=Group.objects.get(function=function),
            role=role,
        ).user
    for name, role in [("cdop", MembershipRole.MEMBER), ("cdop_chair", MembershipRole.CHAIR)]:
        seated[name] = MembershipFactory(
            user=UserFactory(email=CDOP_USERS[name]),
            group=Group.objects.get(function=GroupFunction.CHILD_DEATH_OVERVIEW),
            role=role,
        ).user
    agency = UserFactory(
        email=BENCH_USERS["agency"],
        agency=AgencyFactory(name="Bench notifying agency", sector=Sector.CHILDRENS_SERVICES),
    )
    return {"secretariat": secretariat, "chair": chair, "agency": agency, **seated}


def fill(scale: int) -> None:
    """Add people (to `scale` in all) with one agency for every ten and seats on the groups.

    Each person has a seat on one group and every fifth a second; one person in ten has left
    their seats and one in fifty leaves within 30 days; one in 25 has not set a password. Every
    group not chaired by one of the benchmark's people (Improving Outcomes, the Strategic Board,
    Case Review) gets a chair and a vice-chair.
    """
    from tests.hscb.factories import AgencyFactory, MembershipFactory, UserFactory

    start = User.objects.filter(email__endswith="@people.bench.example").count()
    have = Agency.objects.filter(name__startswith="Bench agency").count()
    sectors = Sector.values
    Agency.objects.bulk_create(
        AgencyFactory.build(name=f"Bench agency {i:04d}", sector=sectors[i % len(sectors)])
        for i in range(have, max(10, scale // 10))
    )
    agencies = list(Agency.objects.filter(name__startswith="Bench agency").order_by("name"))
    people = [
        UserFactory.build(
            email=f"person{i:05d}@people.bench.example", agency=agencies[i % len(agencies)]
        )
        for i in range(start, scale)
    ]
    for i, person in enumerate(people, start=start):
        if i % 25 == 7:
            person.set_unusable_password()
    User.objects.bulk_create(people)  # sets their primary keys (SQLite and PostgreSQL)

    groups = list(Group.objects.order_by("order"))
    # The groups the benchmark's own people chair keep their chair.
    chaired = set(
        Membership.objects.filter(role=MembershipRole.CHAIR, end_date__isnull=True).values_list(
            "group_id", flat=True
        )
    )
    today = timezone.localdate()
    seats = []
    for i, person in enumerate(people, start=start):
        first = i % len(groups)
        role = MembershipRole.ADVISER if i % 7 == 0 else MembershipRole.MEMBER
        if i < 2 * len(groups) and groups[first].pk not in chaired:
            role = MembershipRole.CHAIR if i < len(groups) else MembershipRole.VICE_CHAIR
        places = [(first, role)]
        if i % 5 == 0:
            places.append(((first + 1 + i % 8) % len(groups), MembershipRole.MEMBER))
        for index, seat_role in places:
            seat = MembershipFactory.build(
                user=person,
                group=groups[index],
                role=seat_role,
                agency=person.agency,
                start_date=today - datetime.timedelta(days=30 + i % 700),
            )
            if i % 10 == 9 and seat_role != MembershipRole.CHAIR:
                seat.end_date = today - datetime.timedelta(days=1 + i % 20)
            elif i % 50 == 3:
                seat.end_date = today + datetime.timedelta(days=i % 30)
            seats.append(seat)
    Membership.objects.bulk_create(seats)
    _fill_business(scale, people, groups)
    fill_cases(people)
    fill_cdop(people)


def _fill_business(scale: int, people: list[User], groups: list[Group]) -> None:
    """Meetings, agendas, attendance, actions and the business plan, in proportion to `scale`.

    Each group gets a meeting for every 100 people (half held, with attendance; half to come,
    with papers), three agenda items each; there is an action for every two people, one in
    fifty of them the benchmark chair's; and a business plan priority for every 100 people, at
    least one led by each group.
    """
    from tests.hscb.factories import PDF_BYTES

    if not people:
        return
    now = timezone.now()
    chair = User.objects.get(email="io.chair@bench.example")
    secretariat = User.objects.get(email="secretariat@bench.example")
    per_group = max(2, len(people) // 100)
    meetings = []
    for group in groups:
        for n in range(per_group):
            days = (n + 1) * 14 * (-1 if n % 2 else 1)
            start = now + datetime.timedelta(days=days, hours=n % 5)
            meetings.append(
                Meeting(
                    group=group,
                    starts_at=start,
                    ends_at=start + datetime.timedelta(hours=2),
                    venue="County Hall, Hertford",
                    status=MeetingStatus.HELD if days < 0 else MeetingStatus.SCHEDULED,
                    quorate=(n % 3 != 0) if days < 0 else None,
                )
            )
    Meeting.objects.bulk_create(meetings)
    items = [
        AgendaItem(meeting=m, order=i, title=f"Item {i}", minutes_allotted=20, presenter=chair)
        for m in meetings
        for i in range(1, 4)
    ]
    AgendaItem.objects.bulk_create(items)
    papers = []
    for item in items[::3]:
        if item.meeting.status == MeetingStatus.SCHEDULED:
            paper = Paper(item=item, title="Report", original_name="report.pdf")
            paper.file.save("report.pdf", ContentFile(PDF_BYTES), save=False)
            paper.size = len(PDF_BYTES)
            paper.uploaded_by = secretariat
            papers.append(paper)
    Paper.objects.bulk_create(papers)
    attendance = []
    for meeting in meetings:
        if meeting.status != MeetingStatus.HELD:
            continue
        for k, person in enumerate(people[meeting.pk % 50 :: 97][:8]):
            attendance.append(
                Attendance(
                    meeting=meeting,
                    person=person,
                    agency=person.agency,
                    status=[AttendanceStatus.PRESENT, AttendanceStatus.APOLOGIES][k % 4 == 3],
                    is_member=True,
                )
            )
    Attendance.objects.bulk_create(attendance, ignore_conflicts=True)

    today = timezone.localdate()
    ladder = Ladder.from_settings()
    actions = []
    for i in range(len(people) // 2):
        owner = chair if i % 50 == 0 else people[(i * 7) % len(people)]
        due = today + datetime.timedelta(days=(i % 120) - 40)
        status = [ActionStatus.OPEN, ActionStatus.IN_PROGRESS, ActionStatus.DONE][i % 3]
        action = Action(
            group=groups[i % len(groups)],
            meeting=meetings[i % len(meetings)],
            title=f"Action {i}",
            owner=owner,
            due_date=due,
            status=status,
            reminder_next_on=ladder.next_on(due=due, last_sent=None),
        )
        actions.append(action)
    Action.objects.bulk_create(actions)
    ActionNote.objects.bulk_create(
        ActionNote(action=a, author=a.owner, text="Progress made.") for a in actions[::4]
    )

    year = today.year - (1 if today.month < 4 else 0)
    plan, _ = BusinessPlan.objects.get_or_create(year=year)
    start = plan.priorities.count()
    priorities = Priority.objects.bulk_create(
        Priority(plan=plan, number=start + n + 1, title=f"Priority {start + n + 1}", rag=rag)
        for n, rag in zip(
            range(max(len(groups), len(people) // 100)), itertools.cycle(Rag.values), strict=False
        )
    )
    Target.objects.bulk_create(
        Target(priority=p, text="A target", measure="A measure") for p in priorities for _ in "ab"
    )
    lead = Priority.groups.through
    lead.objects.bulk_create(
        lead(priority_id=p.pk, group_id=groups[n % len(groups)].pk)
        for n, p in enumerate(priorities)
    )
    _fill_register(people, priorities, ladder)


def _fill_register(people: list[User], priorities: list[Priority], ladder: Ladder) -> None:
    """An issue on the Improving Outcomes register for every ten people, each naming two
    agencies (one in five countywide), a third of them bearing on no priority, some monitored,
    escalated or closed, and a status move recorded for each."""
    from subgroups.models import Issue, IssueSource, IssueStatus, IssueUpdate
    from subgroups.services.register import rating_for
    from tests.subgroups.factories import ensure_ratings

    bands = ensure_ratings()
    register = Group.objects.get(function=GroupFunction.IMPROVING_OUTCOMES)
    agencies = list(Agency.objects.filter(name__startswith="Bench agency").order_by("name"))
    today = timezone.localdate()
    now = timezone.now()
    statuses = [IssueStatus.OPEN, IssueStatus.OPEN, IssueStatus.MONITORING]
    statuses += [IssueStatus.ESCALATED, IssueStatus.CLOSED]
    issues = []
    for i in range(len(people) // 10):
        likelihood, impact = 1 + i % 5, 1 + (i * 3) % 5
        review = today + datetime.timedelta(days=(i % 90) - 20)
        issues.append(
            Issue(
                group=register,
                title=f"Issue {i}: data not shared in time",
                description="Two agencies do not share what they know in time.",
                source=IssueSource.values[i % len(IssueSource.values)],
                is_countywide=i % 5 == 0,
                priority=priorities[i % len(priorities)] if i % 3 else None,
                likelihood=likelihood,
                impact=impact,
                score=likelihood * impact,
                rating=rating_for(likelihood * impact, bands),
                owner=people[(i * 11) % len(people)],
                proposed_improvement="A data-sharing agreement.",
                review_date=review,
                status=statuses[i % len(statuses)],
                created_by=people[(i * 13) % len(people)],
                created_at=now - datetime.timedelta(days=i % 360),
                reminder_next_on=ladder.next_on(due=review, last_sent=None),
            )
        )
    Issue.objects.bulk_create(issues)
    named = Issue.agencies.through
    named.objects.bulk_create(
        named(issue_id=issue.pk, agency_id=agencies[(i + k) % len(agencies)].pk)
        for i, issue in enumerate(issues)
        for k in (0, 1)
    )
    IssueUpdate.objects.bulk_create(
        IssueUpdate(
            issue=issue,
            author=issue.owner,
            written_at=issue.created_at,
            text="Raised on the register.",
            status_to=IssueStatus.OPEN,
        )
        for issue in issues
    )
    IssueUpdate.objects.bulk_create(
        IssueUpdate(
            issue=issue,
            author=issue.owner,
            written_at=issue.created_at + datetime.timedelta(days=10),
            text="Moved on.",
            status_from=IssueStatus.OPEN,
            status_to=issue.status,
        )
        for issue in issues
        if issue.status != IssueStatus.OPEN
    )
