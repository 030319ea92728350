"""Time every page against a minimal Django view, on a throwaway database filled to a scale.

A benchmark, not a test: it prints a table (median and 95th percentile time, SQL queries per
request, and the ratio of the median to a minimal view's) and can write it as JSON. With
`--compare-scale` it first measures at a tenth of the scale, then fills up and measures again,
and lists every page whose time or query count grows with the data, and every page too slow
beside the minimal view. `--only` times some pages; `--profile` shows where their time goes.
Add new pages to `PAGES`.
"""

from __future__ import annotations

import cProfile
import gc
import io
import json
import math
import pstats
import shutil
import statistics
import tempfile
import time
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path

import factory.random
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
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
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from hscb.lib.tokens import invitation_token_generator
from hscb.lib.twofactor import complete_forced_sign_in
from hscb.models import Action, BusinessPlan, Group, GroupFunction, Meeting, User

from ._bench_board import NATIONAL_SCALE, board, fill

BACKEND = "hscb.lib.backends.AgencyModelBackend"
# The people the case review pages are requested as, besides the secretariat and the chair.
MINIMAL = "/bench/minimal/"
WARM_UP = 5
# The profile's first list is of the project's own functions.
PROJECT_CODE = r"/(hscb|subgroups|casereview|cdop|audits)/"


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
    Page("/register/export.xlsx", "chair"),
    Page("/register/?status=any&sort=title", "chair"),
    Page("/register/priorities/?page=2", "chair"),
    Page("/register/new/", "chair"),
    Page("{issue}", "chair"),
    Page("{issue}change/", "chair"),
    Page("{issue}progress/", "chair"),
    Page("{issue}escalate/", "chair"),
    Page("/escalations/", "chair"),
    Page("/escalations/", "board_chair"),
    Page("/good-practice/", "chair"),
    Page("/good-practice/new/", "chair"),
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
    # Issue 12: the search that finds people for the fields that choose one.
    Page("/people/search/?q=pe", "secretariat"),
    Page("{own_death}", "agency"),
    Page("{lesson}", "case_review"),
    Page("/admin/casereview/lesson/", "secretariat"),
    Page("/admin/cdop/childdeath/", "secretariat"),
    Page("/admin/cdop/panelreview/", "secretariat"),
    Page("/admin/cdop/referral/", "secretariat"),
    Page("/admin/cdop/annualreport/", "secretariat"),
    Page("/admin/cdop/deathcategory/", "secretariat"),
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


# With --compare-scale, a page "grows" when its median at the scale is more than this many times
# its median at the smaller scale; a page under QUIET times the minimal view at the scale may
# wobble that much without counting. Any page over SLOW times the minimal view is too slow.
GROWTH = 1.5
QUIET = 10
SLOW = 30
# Exports are timed but their growth is expected: they hold every row. They must stream.
EXPORTS = (".csv", ".xlsx")


def pages_matching(only: list[str], *, skipped: tuple[str, ...] = ()) -> list[Page]:
    """The pages whose address holds one of `only` (all when it is empty), but `skipped`."""
    pages = [
        p
        for p in PAGES
        if p.url not in skipped and (not only or any(text in p.url for text in only))
    ]
    if not pages:
        raise CommandError("No page matches --only.")
    return pages


def start_bench() -> None:
    """The same data each run, and a test environment with DEBUG off."""
    factory.random.reseed_random("safeguard-board-bench")
    # WhiteNoise looks for collected static files, which a local copy does not have.
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    setup_test_environment(debug=False)


def table_lines(header: list[str], rows: list[list[str]]) -> list[str]:
    """A table as text: the first two columns to the left, the figures to the right."""
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = []
    for n, row in enumerate([header, *rows]):
        cells = [
            c.ljust(w) if i < 2 else c.rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return lines


def growth_report(results: list[Result], small: list[Result] | None) -> tuple[list, list]:
    """Pages that grow with the data (if measured at two scales) and pages too slow, as lines."""
    grew, slow = [], []
    for n, r in enumerate(results[1:], start=1):
        exported = r.page.split("?")[0].endswith(EXPORTS)
        if small is not None and not exported:
            s = small[n]
            growth = r.median_ms / s.median_ms if s.median_ms else 0.0
            if growth > GROWTH and r.ratio >= QUIET:
                grew.append(f"{r.page} as {r.user}: {s.median_ms:.0f} -> {r.median_ms:.0f} ms")
            if r.queries != s.queries:
                grew.append(f"{r.page} as {r.user}: {s.queries} -> {r.queries} queries")
        if r.ratio > SLOW and not exported:
            slow.append(f"{r.page} as {r.user}: {r.ratio:.0f}x the minimal view")
    return grew, slow


class Command(BaseCommand):
    help = (
        "Fill a throwaway database to a scale and time each page, signed in, against a minimal "
        "view. Never touches your database. Refuses to run with DEBUG off."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale", type=int, help=f"People (default 2000, or {NATIONAL_SCALE} --national)."
        )
        parser.add_argument(
            "--national",
            action="store_true",
            help="Fill in the proportions of ten years of a busy board (more deaths, actions "
            "and register updates for the people).",
        )
        parser.add_argument("--repeat", type=int, default=50, help="Timed requests per page.")
        parser.add_argument(
            "--compare-scale",
            nargs="?",
            type=int,
            const=0,
            metavar="N",
            help="Measure first at N people (default a tenth of --scale) and show each page's "
            "growth between the two.",
        )
        parser.add_argument(
            "--only",
            action="append",
            default=[],
            metavar="TEXT",
            help="Time only the pages whose address (as in PAGES) contains TEXT; repeatable.",
        )
        parser.add_argument(
            "--profile",
            action="store_true",
            help="Print a cProfile of one request to each page timed, at the (larger) scale.",
        )
        parser.add_argument("--json", type=Path, metavar="PATH", help="Write the results here.")

    def handle(self, *args, scale: int, repeat: int, compare_scale: int | None, **options) -> None:
        self.national = options["national"]
        if scale is None:
            scale = NATIONAL_SCALE if self.national else 2000
        if not settings.DEBUG:
            raise CommandError("The benchmark is for a local copy only, and DEBUG is off.")
        if compare_scale == 0:
            compare_scale = scale // 10
        if repeat < 1 or scale < 1:
            raise CommandError("--scale and --repeat must be at least 1.")
        if compare_scale is not None and not 0 < compare_scale < scale:
            raise CommandError("--compare-scale must be at least 1 and less than --scale.")
        pages = pages_matching(options["only"])

        started = time.perf_counter()
        start_bench()
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
                users = board()
                small = None
                if compare_scale is not None:
                    self._filled(compare_scale)
                    small = _measure(users, pages, repeat)
                self._filled(scale)
                results = _measure(users, pages, repeat)
                if options["profile"]:
                    _profile(users, pages, self.stdout)
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

    def _filled(self, scale: int) -> None:
        began = time.perf_counter()
        fill(scale, national=self.national)
        self.stdout.write(f"Filled to {scale} people in {time.perf_counter() - began:.0f} s.")
        self.stdout.flush()

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
        if small is not None:
            header[2] = f"median ms @{scale}"
            header[4] = f"queries @{scale}"
            header += [f"queries @{compare_scale}", f"median ms @{compare_scale}", "growth"]
            for row, r, s in zip(rows, results, small, strict=True):
                growth = r.median_ms / s.median_ms if s.median_ms else 0.0
                row += [str(s.queries), f"{s.median_ms:.2f}", f"{growth:.2f}"]
        for line in table_lines(header, rows):
            self.stdout.write(line)
        self.stdout.write(
            f"\n{scale} people, {repeat} timed requests a page after {WARM_UP} to warm up, "
            f"{connection.vendor}; {elapsed:.0f} s in all."
        )
        grew, slow = growth_report(results, small)
        if grew:
            self.stdout.write(
                self.style.WARNING(
                    f"Pages that grow with the data (more than {GROWTH}x, or in queries; "
                    f"pages under {QUIET}x the minimal view may wobble):"
                )
            )
            for line in grew:
                self.stdout.write(self.style.WARNING(f"  {line}"))
        elif small is not None:
            self.stdout.write(self.style.SUCCESS("No page grows with the data."))
        if slow:
            self.stdout.write(self.style.WARNING(f"Pages over {SLOW}x the minimal view:"))
            for line in slow:
                self.stdout.write(self.style.WARNING(f"  {line}"))
        else:
            self.stdout.write(self.style.SUCCESS(f"No page is over {SLOW}x the minimal view."))


def _signed_in_client(user: User) -> Client:
    """A client signed in as a whole sign-in leaves it, second factor included."""
    client = Client()
    client.force_login(user, backend=BACKEND)
    complete_forced_sign_in(client.session, user)
    return client


def _measure(users: dict[str, User], pages: list[Page], repeat: int) -> list[Result]:
    """Time the minimal view and every page; the first result is the minimal view's.

    The pages take turns, one request each a round, so a burst of load from elsewhere on the
    machine falls on all of them alike rather than on whichever page was being timed.
    """
    clients = _clients(users)
    targets = [(clients["chair"], MINIMAL, "chair"), *_targets(users, clients, pages)]
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


def _clients(users: dict[str, User]) -> dict[str, Client]:
    clients = {name: _signed_in_client(user) for name, user in users.items()}
    clients["anonymous"] = Client()
    return clients


def _targets(
    users: dict[str, User], clients: dict[str, Client], pages: list[Page]
) -> list[tuple[Client, str, str]]:
    """Each page's client and address, its placeholders filled in."""
    links = _password_links(users["chair"])
    records = _records(users)
    targets = []
    for page in pages:
        client, url = links.get(page.url, (clients[page.user], page.url))
        for name, value in records.items():
            url = url.replace(name, value)
        targets.append((client, url, page.user))
    return targets


def _profile(users: dict[str, User], pages: list[Page], out) -> None:
    """One request to each page under cProfile: the project's 20 calls with most time beneath
    them, and the 10 calls anywhere with most time in themselves."""
    clients = _clients(users)
    for client, url, user in _targets(users, clients, pages):
        profiler = cProfile.Profile()
        profiler.enable()
        _get(client, url)
        profiler.disable()
        text = io.StringIO()
        stats = pstats.Stats(profiler, stream=text)
        stats.sort_stats("cumulative").print_stats(PROJECT_CODE, 20)
        stats.sort_stats("tottime").print_stats(10)
        out.write(f"\n=== {url} as {user} ===\n{text.getvalue()}")


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
    from subgroups.models import Issue, IssueStatus

    issue = (
        Issue.objects.filter(status=IssueStatus.OPEN, owner=users["chair"]).order_by("pk").first()
        or Issue.objects.filter(status=IssueStatus.OPEN).order_by("pk").first()
    )
    if issue is None:
        raise CommandError("The filled database has no open issue to time.")
    return {
        "{issue}": issue.get_absolute_url(),
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
    if response.streaming:  # an export: its time is in making the rows it streams
        for _ in response.streaming_content:  # read to its end, the client closes it
            pass
