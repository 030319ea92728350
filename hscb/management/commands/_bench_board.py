"""The benchmark's board: the groups as shipped, the people the pages are requested as, and the
people, seats, meetings, actions, business plan and register that fill it to a scale (used by
`manage.py bench`). Everything is made with bulk inserts."""

from __future__ import annotations

import datetime
import itertools
import json

from django.contrib.auth.models import Group as PermissionGroup
from django.core.files.base import ContentFile
from django.db import connection
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

# Current seats a group has, about: the people after these hold only past seats.
SEATS_PER_GROUP = 40
# Ten years of a busy county board: people (agency staff most of them), and beside the usual
# proportions 2.34 times the child deaths, three times the actions, and ten more updates an
# issue on the register.
NATIONAL_SCALE = 150_000
# Priorities a year's business plan has.
PLAN_PRIORITIES = 12
NATIONAL_DEATHS = 2.34
NATIONAL_ACTIONS = 3
NATIONAL_UPDATES = 10


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


def fill(scale: int, *, national: bool = False) -> None:
    """Add people (to `scale` in all) with one agency for every ten and seats on the groups.

    Each person has held a seat on one group and every fifth a second. A group of a real board
    has a few dozen members at a time, so the first SEATS_PER_GROUP people of each group hold
    their seats now (one in ten of them has left, and one in fifty leaves within 30 days) and
    everyone after them held theirs in the years before: the board's history of seats grows
    with the scale, its groups do not. The people with no current seat are the agencies' staff
    who notify, own actions and are named on the register. One in 25 has not set a password.
    Every group not chaired by one of the benchmark's people (Improving Outcomes, the Strategic
    Board, Case Review) gets a chair and a vice-chair.

    `national` fills ten years of a busy board in proportion: at NATIONAL_SCALE people, 15,000
    issues and notifications, 35,000 child deaths, 18,000 plan actions, 225,000 actions and
    165,000 register updates.
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
            if i // len(groups) >= SEATS_PER_GROUP and seat_role != MembershipRole.CHAIR:
                seat.start_date = today - datetime.timedelta(days=400 + i % 3000)
                seat.end_date = today - datetime.timedelta(days=1 + i % 365)
            elif i % 10 == 9 and seat_role != MembershipRole.CHAIR:
                seat.end_date = today - datetime.timedelta(days=1 + i % 20)
            elif i % 50 == 3:
                seat.end_date = today + datetime.timedelta(days=i % 30)
            seats.append(seat)
    Membership.objects.bulk_create(seats)
    _fill_business(scale, people, groups, national=national)
    fill_cases(people)
    fill_cdop(people, share=NATIONAL_DEATHS if national else 1.0)
    # Statistics for the planner, as after any bulk load: without them PostgreSQL plans joins of
    # the new rows as if the tables were empty until autovacuum comes round.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _fill_business(
    scale: int, people: list[User], groups: list[Group], *, national: bool = False
) -> None:
    """Meetings, agendas, attendance, actions and the business plan, in proportion to `scale`.

    Each group gets a meeting for every 100 people (half held, with attendance; half to come,
    with papers), three agenda items each; there is an action for every two people, one in
    fifty of them the benchmark chair's; and a business plan priority for every 100 people, at
    least one led by each group, PLAN_PRIORITIES to a year's plan and the rest in the plans of
    the years before.
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
    for i in range(len(people) * (NATIONAL_ACTIONS if national else 1) // 2):
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

    # A plan has PLAN_PRIORITIES priorities: the rest are those of the plans of years before.
    year = today.year - (1 if today.month < 4 else 0)
    have = Priority.objects.count()
    wanted = max(len(groups), len(people) // 100)
    plans = {}
    for k in range(have // PLAN_PRIORITIES, (have + wanted - 1) // PLAN_PRIORITIES + 1):
        plans[k], _ = BusinessPlan.objects.get_or_create(year=year - k)
    priorities = Priority.objects.bulk_create(
        Priority(
            plan=plans[n // PLAN_PRIORITIES],
            number=n % PLAN_PRIORITIES + 1,
            title=f"Priority {n % PLAN_PRIORITIES + 1}",
            rag=rag,
        )
        for n, rag in zip(range(have, have + wanted), itertools.cycle(Rag.values), strict=False)
    )
    Target.objects.bulk_create(
        Target(priority=p, text="A target", measure="A measure") for p in priorities for _ in "ab"
    )
    lead = Priority.groups.through
    lead.objects.bulk_create(
        lead(priority_id=p.pk, group_id=groups[n % len(groups)].pk)
        for n, p in enumerate(priorities)
    )
    _fill_register(people, priorities, ladder, updates=NATIONAL_UPDATES if national else 0)


def _fill_register(
    people: list[User], priorities: list[Priority], ladder: Ladder, *, updates: int = 0
) -> None:
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
    # Notes that change no status, over the years an issue is kept under review.
    IssueUpdate.objects.bulk_create(
        (
            IssueUpdate(
                issue=issue,
                author=issue.owner,
                written_at=min(now, issue.created_at + datetime.timedelta(days=20 + 30 * n)),
                text="Reviewed at the subgroup's meeting.",
            )
            for issue in issues
            for n in range(updates)
        ),
        batch_size=5000,
    )
    _fill_good_practice(people, issues, agencies)


def _fill_good_practice(people: list[User], issues: list, agencies: list[Agency]) -> None:
    """An entry of the good-practice register for every hundred people, naming two agencies,
    and linked from every seventh issue."""
    from subgroups.models import GoodPractice, GoodPracticeScope, Issue

    now = timezone.now()
    entries = GoodPractice.objects.bulk_create(
        GoodPractice(
            title=f"Practice {i:05d}: joint visits {people[i * 100].pk}",
            scope=GoodPracticeScope.values[i % len(GoodPracticeScope.values)],
            source="A serious case review",
            summary="Health visitors and social workers visit together.",
            theme=["Neglect", "Exploitation", "Domestic abuse"][i % 3],
            added_by=people[(i * 7) % len(people)],
            added_at=now - datetime.timedelta(days=i % 3650),
        )
        for i in range(len(people) // 100)
    )
    if not entries:
        return
    named = GoodPractice.agencies.through
    named.objects.bulk_create(
        named(goodpractice_id=entry.pk, agency_id=agencies[(i + k) % len(agencies)].pk)
        for i, entry in enumerate(entries)
        for k in (0, 1)
    )
    linked = Issue.good_practice.through
    linked.objects.bulk_create(
        linked(issue_id=issue.pk, goodpractice_id=entries[i % len(entries)].pk)
        for i, issue in enumerate(issues[::7])
    )
