"""Time every page against a minimal Django view, on a throwaway database filled to a scale.

A benchmark, not a test: it prints a table (median and 95th percentile time, SQL queries per
request, and the ratio of the median to a minimal view's) and can write it as JSON. With
`--compare-scale` it first measures at a tenth of the scale, then fills up and measures again,
so a page whose query count grows with the data stands out. Add new pages to `PAGES`.
"""

from __future__ import annotations

import datetime
import gc
import itertools
import json
import math
import shutil
import statistics
import tempfile
import time
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path

import factory.random
from django.conf import settings
from django.contrib.auth.models import Group as PermissionGroup
from django.contrib.auth.tokens import default_token_generator
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.test import Client
from django.test.utils import (
    CaptureQueriesContext,
    override_settings,
    setup_databases,
    setup_test_environment,
    teardown_databases,
    teardown_test_environment,
)
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from hscb.lib.reminders import Ladder
from hscb.lib.tokens import invitation_token_generator
from hscb.lib.twofactor import complete_forced_sign_in
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

BACKEND = "hscb.lib.backends.AgencyModelBackend"
# The people the case review pages are requested as, besides the secretariat and the chair.
MINIMAL = "/bench/minimal/"
WARM_UP = 5


@dataclass(frozen=True)
class Page:
    url: str
    # "secretariat", "chair" (of Improving Outcomes), "board_chair", "agency" (agency staff,
    # no seat), "case_review" (a Case Review member), "case_review_chair", "cdop" (a member of
    # the Child Death Overview Panel), "cdop_chair" or "anonymous" (not signed in)
    user: str


# Every page a signed-in person can GET. `{reset}` and `{welcome}` are set-your-password links
# for the user; the benchmark follows their one redirect and times the form it leads to.
PAGES = [
    Page("/", "secretariat"),
    Page("/", "chair"),
    Page("/board/", "chair"),
    Page("/board/improving-outcomes/", "chair"),
    Page("/board/improving-outcomes/remit/", "chair"),
    Page("/account/", "chair"),
    Page("/health/", "chair"),
    Page("/accounts/password/change/", "chair"),
    Page("/accounts/password/change/done/", "chair"),
    Page("/accounts/password/reset/", "chair"),
    Page("/accounts/password/reset/sent/", "chair"),
    Page("{reset}", "chair"),
    Page("/accounts/password/reset/done/", "chair"),
    Page("{welcome}", "chair"),
    Page("/accounts/welcome/done/", "chair"),
    Page("/admin/hscb/user/", "secretariat"),
    Page("/admin/hscb/membership/", "secretariat"),
    Page("/admin/hscb/group/", "secretariat"),
    Page("/admin/hscb/agency/", "secretariat"),
    Page("/admin/hscb/area/", "secretariat"),
    Page("/admin/hscb/objective/", "secretariat"),
    # Board business. `{meeting}`, `{item}`, `{action}` and `{plan}` are the Improving Outcomes
    # subgroup's next meeting, an agenda item of it, one of the chair's actions and this year's
    # plan, found after the database is filled.
    Page("/meetings/", "chair"),
    Page("/meetings/", "secretariat"),
    Page("/meetings/?when=past", "chair"),
    Page("{meeting}", "chair"),
    Page("{meeting}", "secretariat"),
    Page("/meetings/new/", "secretariat"),
    Page("{meeting}change/", "secretariat"),
    Page("{meeting}attendance/", "secretariat"),
    Page("{meeting}send-papers/", "secretariat"),
    Page("{meeting}items/new/", "secretariat"),
    Page("{meeting}items/{item}/minutes/", "secretariat"),
    Page("{meeting}actions/new/", "chair"),
    Page("/actions/", "chair"),
    Page("{action}", "chair"),
    Page("{action}update/", "chair"),
    Page("/board/improving-outcomes/actions/", "chair"),
    Page("/board/improving-outcomes/dashboard/", "chair"),
    Page("/dashboard/", "secretariat"),
    Page("{plan}", "chair"),
    Page("/admin/hscb/meeting/", "secretariat"),
    Page("/admin/hscb/action/", "secretariat"),
    Page("/admin/hscb/businessplan/", "secretariat"),
    Page("/admin/hscb/priority/", "secretariat"),
    Page("/admin/hscb/sentreminder/", "secretariat"),
    # The Improving Outcomes register.
    Page("/register/", "chair"),
    Page("/register/heat-map/", "chair"),
    Page("/register/priorities/", "chair"),
    Page("/register/export.csv", "chair"),
    # Case review. `{case}` is a decided case with its review, documents and clocks; `{review}`
    # that review, with its milestones, agency reports, action plan and lessons.
    Page("/notifications/", "agency"),
    Page("/case-review/plan-actions/", "agency"),
    Page("/case-review/", "case_review"),
    Page("/case-review/?status=submitted", "case_review"),
    Page("{case}", "case_review"),
    Page("/case-review/reviews/", "case_review"),
    Page("{review}", "case_review"),
    Page("/case-review/plan-actions/", "case_review"),
    Page("/case-review/decisions/", "board_chair"),
    Page("/case-review/duplicates/", "secretariat"),
    Page("/lessons/", "chair"),
    Page("/board/case-review/dashboard/", "case_review_chair"),
    Page("/dashboard/", "board_chair"),
    # Child deaths. `{death}` is a case referred in, with its agency reports and a possible
    # duplicate; `{death_review}` a closed case's review, with its factors and recommendation.
    Page("/report-a-child-death/", "anonymous"),
    Page("/child-deaths/", "agency"),
    Page("/cdop/", "cdop"),
    Page("/cdop/?status=closed", "cdop"),
    Page("{death}", "cdop"),
    Page("{death_review}", "cdop"),
    Page("/cdop/referrals/", "cdop"),
    Page("/cdop/statistics/", "cdop"),
    Page("/cdop/statistics/?published=1", "cdop"),
    Page("/cdop/reports/", "cdop"),
    Page("/board/child-death-overview-panel/dashboard/", "cdop_chair"),
    # Signing in, agency visibility and lessons' approval (issue 11). `{own_death}` is a death
    # the agency user notified; `{lesson}` a lesson of a review.
    Page("/accounts/two-factor/set-up/", "chair"),
    Page("/accounts/two-factor/new-backup-codes/", "secretariat"),
    Page("/accounts/session/", "chair"),
    Page("{own_death}", "agency"),
    Page("{lesson}", "case_review"),
    Page("/admin/casereview/lesson/", "secretariat"),
]


@dataclass
class Result:
    page: str
    user: str
    median_ms: float
    p95_ms: float
    queries: int
    ratio: float = 0.0

    def cells(self) -> list[str]:
        return [self.page, self.user, f"{self.median_ms:.2f}", f"{self.p95_ms:.2f}"]


class Command(BaseCommand):
    help = (
        "Fill a throwaway database to a scale and time each page, signed in, against a minimal "
        "view. Never touches your database. Refuses to run with DEBUG off."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", type=int, default=2000, help="People (default 2000).")
        parser.add_argument("--repeat", type=int, default=50, help="Timed requests per page.")
        parser.add_argument(
            "--compare-scale",
            nargs="?",
            type=int,
            const=0,
            metavar="N",
            help="Measure first at N people (default a tenth of --scale) to compare query counts.",
        )
        parser.add_argument("--json", type=Path, metavar="PATH", help="Write the results here.")

    def handle(self, *args, scale: int, repeat: int, compare_scale: int | None, **options) -> None:
        if not settings.DEBUG:
            raise CommandError("The benchmark is for a local copy only, and DEBUG is off.")
        if compare_scale == 0:
            compare_scale = scale // 10
        if repeat < 1 or scale < 1:
            raise CommandError("--scale and --repeat must be at least 1.")
        if compare_scale is not None and not 0 < compare_scale < scale:
            raise CommandError("--compare-scale must be at least 1 and less than --scale.")

        started = time.perf_counter()
        factory.random.reseed_random("safeguard-board-bench")
        # WhiteNoise looks for collected static files, which a local copy does not have.
        warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
        setup_test_environment(debug=False)
        media = tempfile.mkdtemp(prefix="bench-media-")  # the papers it uploads go here
        old_config = setup_databases(0, False, aliases={"default"}, serialized_aliases=set())
        try:
            # DEBUG off as in production, set through the signal that rebuilds the template
            # engines; MD5 passwords so that making thousands of people takes no time.
            with override_settings(
                MEDIA_ROOT=media,
                DEBUG=False,
                PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
                ROOT_URLCONF="hscb.bench_urls",
            ):
                users = _board()
                small = None
                if compare_scale is not None:
                    _fill(compare_scale)
                    small = _measure(users, repeat)
                _fill(scale)
                results = _measure(users, repeat)
        finally:
            teardown_databases(old_config, 0)
            teardown_test_environment()
            shutil.rmtree(media, ignore_errors=True)

        self._print(results, small, scale, compare_scale, repeat, time.perf_counter() - started)
        if options["json"]:
            data = {
                "scale": scale,
                "repeat": repeat,
                "database": connection.vendor,
                "pages": [asdict(r) for r in results],
            }
            if small is not None:
                data["compare_scale"] = compare_scale
                data["compare_pages"] = [asdict(r) for r in small]
            options["json"].write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
            self.stdout.write(f"Results written to {options['json']}.")

    def _print(
        self,
        results: list[Result],
        small: list[Result] | None,
        scale: int,
        compare_scale: int | None,
        repeat: int,
        elapsed: float,
    ) -> None:
        header = ["page", "as", "median ms", "p95 ms", "queries", "x minimal"]
        rows = [[*r.cells(), str(r.queries), f"{r.ratio:.1f}"] for r in results]
        grew = []
        if small is not None:
            header[4] = f"queries @{scale}"
            header += [f"queries @{compare_scale}", f"median ms @{compare_scale}"]
            for row, r, s in zip(rows, results, small, strict=True):
                row += [str(s.queries), f"{s.median_ms:.2f}"]
                if r.queries != s.queries:
                    grew.append(f"{r.page} as {r.user}: {s.queries} -> {r.queries} queries")
        widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
        for n, row in enumerate([header, *rows]):
            cells = [
                c.ljust(w) if i < 2 else c.rjust(w)
                for i, (c, w) in enumerate(zip(row, widths, strict=True))
            ]
            self.stdout.write("  ".join(cells).rstrip())
            if n == 0:
                self.stdout.write("  ".join("-" * w for w in widths))
        self.stdout.write(
            f"\n{scale} people, {repeat} timed requests a page after {WARM_UP} to warm up, "
            f"{connection.vendor}; {elapsed:.0f} s in all."
        )
        if grew:
            self.stdout.write(self.style.WARNING("Query counts that grow with the data:"))
            for line in grew:
                self.stdout.write(self.style.WARNING(f"  {line}"))
        elif small is not None:
            self.stdout.write(self.style.SUCCESS("No page's query count grows with the data."))


def _board() -> dict[str, User]:
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


def _fill(scale: int) -> None:
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


def _signed_in_client(user: User) -> Client:
    """A client signed in as a whole sign-in leaves it, second factor included."""
    client = Client()
    client.force_login(user, backend=BACKEND)
    complete_forced_sign_in(client.session, user)
    return client


def _measure(users: dict[str, User], repeat: int) -> list[Result]:
    """Time the minimal view and every page; the first result is the minimal view's.

    The pages take turns, one request each a round, so a burst of load from elsewhere on the
    machine falls on all of them alike rather than on whichever page was being timed.
    """
    clients = {}
    for name, user in users.items():
        clients[name] = _signed_in_client(user)
    clients["anonymous"] = Client()
    links = _password_links(users["chair"])
    records = _records(users)
    targets = [(clients["chair"], MINIMAL, "chair")]
    for page in PAGES:
        client, url = links.get(page.url, (clients[page.user], page.url))
        for name, value in records.items():
            url = url.replace(name, value)
        targets.append((client, url, page.user))
    counts = [_warm_up(client, url) for client, url, _ in targets]
    samples: list[list[float]] = [[] for _ in targets]
    gc.collect()
    for _ in range(repeat):
        for (client, url, _), times in zip(targets, samples, strict=True):
            started = time.perf_counter()
            _get(client, url)
            times.append((time.perf_counter() - started) * 1000)
    results = []
    for (_, url, user), times, count in zip(targets, samples, counts, strict=True):
        times.sort()
        p95 = times[math.ceil(0.95 * len(times)) - 1]
        results.append(Result(url, user, statistics.median(times), p95, count))
    for result in results:
        result.ratio = result.median_ms / results[0].median_ms
    return results


def _records(users: dict[str, User]) -> dict[str, str]:
    """The addresses that the `{…}` placeholders in PAGES stand for."""
    chair = users["chair"]
    io = Group.objects.get(function=GroupFunction.IMPROVING_OUTCOMES)
    meeting = Meeting.objects.upcoming().filter(group=io).first()
    action = Action.objects.filter(owner=chair).order_by("pk").first()
    plan = BusinessPlan.objects.order_by("-year").first()
    if meeting is None or action is None or plan is None:
        raise CommandError("The filled database has no meeting, action or plan to time.")
    from casereview.models import Lesson, Review

    review = Review.objects.filter(notification__attachments__isnull=False).order_by("pk").first()
    if review is None:
        raise CommandError("The filled database has no case review to time.")
    from cdop.models import ChildDeath, PanelReview

    death = (
        ChildDeath.objects.filter(
            referrals__direction="inbound",
            agency_reports__isnull=False,
            matched_by__isnull=False,
        )
        .order_by("pk")
        .first()
    )
    reviewed = (
        PanelReview.objects.filter(closed_on__isnull=False, factors__isnull=False)
        .order_by("pk")
        .first()
    )
    own_death = ChildDeath.objects.filter(notifier=users["agency"]).order_by("pk").first()
    lesson = review.lessons.order_by("pk").first() or Lesson.objects.order_by("pk").first()
    if death is None or reviewed is None or own_death is None or lesson is None:
        raise CommandError(
            "The filled database has no child death, panel review or lesson to time."
        )
    return {
        "{own_death}": reverse("cdop:own_notification_detail", kwargs={"pk": own_death.pk}),
        "{lesson}": reverse("casereview:lesson_update", kwargs={"pk": lesson.pk}),
        "{death}": death.get_absolute_url(),
        "{death_review}": reverse("cdop:panel_review", kwargs={"pk": reviewed.death_id}),
        "{meeting}": meeting.get_absolute_url(),
        "{item}": str(meeting.items.order_by("order").first().pk),
        "{action}": action.get_absolute_url(),
        "{plan}": plan.get_absolute_url(),
        "{case}": review.notification.get_absolute_url(),
        "{review}": review.get_absolute_url(),
    }


def _password_links(user: User) -> dict[str, tuple[Client, str]]:
    """The set-password forms that a reset and a welcome link lead to (after one redirect),
    each in a signed-out session of its own, as people use them: the token waits in the
    session, and signing in would change the last sign-in time the tokens are made from."""
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    links = {}
    for name, prefix, tokens in [
        ("{reset}", "/accounts/password/reset", default_token_generator),
        ("{welcome}", "/accounts/welcome", invitation_token_generator),
    ]:
        client = Client()
        response = client.get(f"{prefix}/{uidb64}/{tokens.make_token(user)}/")
        if response.status_code != 302:
            raise CommandError(f"The {name} link answered {response.status_code}, not a redirect.")
        if 'name="new_password1"' not in client.get(response.url).content.decode():
            raise CommandError(f"The {name} link does not lead to the set-password form.")
        links[name] = (client, response.url)
    return links


def _warm_up(client: Client, url: str) -> int:
    """Request the page a few times, then once more counting its SQL queries."""
    for _ in range(WARM_UP):
        _get(client, url)
    with CaptureQueriesContext(connection) as queries:
        _get(client, url)
    return len(queries)


def _get(client: Client, url: str) -> None:
    response = client.get(url)
    if response.status_code != 200:
        raise CommandError(f"GET {url} answered {response.status_code}, not 200.")
