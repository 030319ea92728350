"""The register's list pages: the chair's register view (filters, sorts, counts, pages), its CSV
and Excel exports, the heat map and its charts, and the operational priorities."""

from __future__ import annotations

import csv
import datetime
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from hscb.models import Agency
from subgroups.models import IssueStatus, IssueUpdate
from subgroups.selectors.lists import heat_map
from tests.hscb.factories import AgencyFactory, BusinessPlanFactory, PriorityFactory, UserFactory
from tests.hscb.test_bad_input import assert_error_page
from tests.subgroups.factories import IssueFactory

pytestmark = pytest.mark.django_db

PAGES = [
    "/register/",
    "/register/export.csv",
    "/register/export.xlsx",
    "/register/heat-map/",
    "/register/priorities/",
]


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def html(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def titles(text: str, *names: str) -> list[str]:
    """The names, in the order the page shows them (each must be on it)."""
    found = {name: text.find(f": {name}</a>") for name in names}
    missing = [name for name, at in found.items() if at < 0]
    assert not missing, f"not on the page: {missing}"
    return sorted(names, key=found.get)


def body(response) -> bytes:
    """The response's body, read from its stream if it streams (every export does)."""
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def csv_rows(response) -> list[list[str]]:
    assert response.streaming
    text = body(response).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def workbook(response) -> openpyxl.Workbook:
    assert response.streaming
    return openpyxl.load_workbook(io.BytesIO(body(response)))


def workbook_rows(response) -> list[tuple]:
    return list(workbook(response).active.iter_rows(values_only=True))


@pytest.fixture
def chair_client(client, ratings, group_chair):
    client.force_login(group_chair)
    return client


# The register -------------------------------------------------------------------------------------


def test_register_shows_live_issues_highest_risk_first_by_default(chair_client):
    IssueFactory(title="Middling", likelihood=3, impact=3)
    IssueFactory(title="Worst", likelihood=5, impact=5)
    IssueFactory(title="Watched", likelihood=2, impact=2, status=IssueStatus.MONITORING)
    IssueFactory(title="Escalated one", likelihood=4, impact=4, status=IssueStatus.ESCALATED)
    IssueFactory(title="Done with", likelihood=5, impact=4, status=IssueStatus.CLOSED)
    IssueFactory(title="Fixed", likelihood=5, impact=4, status=IssueStatus.RESOLVED)

    text = html(chair_client, "/register/")

    assert titles(text, "Worst", "Escalated one", "Middling", "Watched") == [
        "Worst",
        "Escalated one",
        "Middling",
        "Watched",
    ]
    assert "Done with" not in text and "Fixed" not in text
    assert "4 issues" in text
    everything = html(chair_client, "/register/?status=any")
    assert "Done with" in everything and "Fixed" in everything
    closed = html(chair_client, "/register/?status=closed")
    assert "Done with" in closed and "Worst" not in closed


def test_register_row_shows_reference_rating_score_status_agencies_owner_and_review(
    chair_client,
):
    owner = UserFactory(first_name="Siobhan", last_name="O'Neill")
    agencies = [AgencyFactory(name="Hertfordshire Constabulary", short_name="Police")]
    agencies.append(AgencyFactory(name="East and North Herts NHS Trust", short_name="ENHT"))
    named = IssueFactory(
        title="Health data late", likelihood=4, impact=4, owner=owner, agencies=agencies
    )
    countywide = IssueFactory(title="Neglect toolkit unused", is_countywide=True)
    late = IssueFactory(title="Review missed", review_date=days(-3))

    text = html(chair_client, "/register/")

    assert f'href="/register/{named.pk}/">{named.reference}: Health data late</a>' in text
    assert 'govuk-tag--red app-tag--nowrap">Very high</strong>' in text
    assert ">16</td>" in text
    assert 'govuk-tag--blue app-tag--nowrap">Open</strong>' in text
    assert "Police, ENHT" in text or "ENHT, Police" in text
    assert escape("Siobhan O'Neill") in text
    assert ">Countywide</td>" in text
    assert countywide.reference in text
    row = text[text.index(late.reference) :]
    row = row[: row.index("</tr>")]
    assert "Review overdue" in row
    assert "Review overdue" not in text[text.index(named.reference) : text.index(late.reference)]


def test_register_counts_live_significant_and_overdue_reviews(chair_client):
    IssueFactory(likelihood=5, impact=5)  # very high
    IssueFactory(likelihood=2, impact=5, review_date=days(-1))  # high, overdue
    IssueFactory(likelihood=1, impact=2, review_date=days(-10))  # low, overdue
    IssueFactory(likelihood=5, impact=5, status=IssueStatus.CLOSED, review_date=days(-10))

    text = html(chair_client, "/register/")

    assert '<span class="app-figure">3</span> live issues' in text
    assert '<span class="app-figure">2</span> of significant risk' in text
    assert '<span class="app-figure">2</span> reviews overdue' in text


def test_register_filters_by_rating_agency_owner_likelihood_impact_and_overdue(
    chair_client, ratings
):
    police = AgencyFactory(name="Hertfordshire Constabulary", short_name="Police")
    owner = UserFactory(first_name="Grace", last_name="Hopper", email="g.hopper@example.org")
    IssueFactory(
        title="Police and owner",
        likelihood=1,
        impact=2,
        owner=owner,
        agencies=[police, AgencyFactory(name="Zeta Trust")],
    )
    IssueFactory(title="Very risky", likelihood=5, impact=4)
    IssueFactory(title="Overdue one", likelihood=2, impact=3, review_date=days(-2))
    very_high = next(r for r in ratings if r.name == "Very high")

    by_rating = html(chair_client, f"/register/?rating={very_high.pk}")
    assert "Very risky" in by_rating and "Police and owner" not in by_rating
    for words in ["constabulary", "Hertford+constab", "police"]:
        by_agency = html(chair_client, f"/register/?agency={words}")
        assert "Police and owner" in by_agency and "Very risky" not in by_agency, words
    # Every word must be in the name of one agency the issue names.
    assert "Police and owner" not in html(chair_client, "/register/?agency=constabulary+zeta")
    for words in ["grace", "HOPPER+grace", "g.hopper@"]:
        by_owner = html(chair_client, f"/register/?owner={words}")
        assert "Police and owner" in by_owner and "Overdue one" not in by_owner, words
    assert "Police and owner" not in html(chair_client, "/register/?owner=grace+lovelace")
    by_cell = html(chair_client, "/register/?likelihood=5&impact=4")
    assert "Very risky" in by_cell and "Overdue one" not in by_cell
    assert "1 issue<" in by_cell
    overdue = html(chair_client, "/register/?overdue=on")
    assert "Overdue one" in overdue and "Police and owner" not in overdue


def test_register_searches_owners_and_agencies_rather_than_listing_them(chair_client):
    """The filters do not offer every person and agency the register has named: the page
    would grow with them."""
    IssueFactory(
        owner=UserFactory(first_name="Zebedee", last_name="Quill"),
        agencies=[AgencyFactory(name="Quillford Trust"), AgencyFactory()],
    )

    text = html(chair_client, "/register/?owner=zeb&agency=quillford")

    form = text[text.index("Filter and sort") : text.index("Download as CSV")]
    assert '<select name="owner"' not in form and '<select name="agency"' not in form
    assert 'name="owner" value="zeb"' in form and 'name="agency" value="quillford"' in form
    assert "Zebedee" not in form and "Quillford Trust" not in form
    assert "Zebedee Quill" in text  # the issue it found


def test_register_filters_by_priority_or_by_none(chair_client):
    priority = PriorityFactory(title="Children are safe online")
    IssueFactory(title="Online grooming", priority=priority)
    IssueFactory(title="Unplanned", priority=None)

    text = html(chair_client, f"/register/?priority={priority.pk}")
    assert "Online grooming" in text and "Unplanned" not in text
    assert "Children are safe online" in text  # offered in the filter
    none = html(chair_client, "/register/?priority=null")
    assert "Unplanned" in none and "Online grooming" not in none


def test_register_sorts_by_review_date_newest_and_title(chair_client):
    now = timezone.now()
    IssueFactory(title="Bravo", review_date=days(30), created_at=now - datetime.timedelta(days=3))
    IssueFactory(title="Alpha", review_date=days(60), created_at=now - datetime.timedelta(days=1))
    IssueFactory(title="Charlie", review_date=days(10), created_at=now - datetime.timedelta(days=9))

    def order(sort: str) -> list[str]:
        return titles(html(chair_client, f"/register/?sort={sort}"), "Alpha", "Bravo", "Charlie")

    assert order("review") == ["Charlie", "Bravo", "Alpha"]
    assert order("newest") == ["Alpha", "Bravo", "Charlie"]
    assert order("title") == ["Alpha", "Bravo", "Charlie"]


def test_register_pages_25_issues_at_a_time_and_keeps_the_filters(chair_client):
    for n in range(27):
        IssueFactory(title=f"Paged {n:02d}", likelihood=1 + n % 5, impact=1)

    first = html(chair_client, "/register/?sort=title")
    second = html(chair_client, "/register/?sort=title&page=2")

    assert "27 issues (page 1 of 2)" in first
    assert "Paged 24" in first and "Paged 25" not in first
    assert "Paged 25" in second and "Paged 26" in second and "Paged 00" not in second
    assert "sort=title&amp;page=2" in first


def test_register_links_to_raising_heat_map_priorities_escalations_and_exports(chair_client):
    text = html(chair_client, "/register/?status=any&sort=title&page=1")

    assert 'href="/register/new/"' in text and "Raise an issue" in text
    for url in ["/register/heat-map/", "/register/priorities/", "/escalations/", "/good-practice/"]:
        assert f'href="{url}"' in text
    assert 'href="/register/export.csv?status=any&amp;sort=title"' in text
    assert 'href="/register/export.xlsx?status=any&amp;sort=title"' in text


@pytest.mark.parametrize(
    "query",
    [
        "status=bogus",
        "sort=%00",
        "rating=abc",
        "agency=" + "x" * 201,
        "likelihood=9",
        "priority=x&priority=y",
        "priority=999999",
        "owner=" + "x" * 201,
    ],
)
def test_register_answers_unreadable_filters_with_an_error_summary_and_the_defaults(
    chair_client, query
):
    IssueFactory(title="Still listed", likelihood=2, impact=2)
    IssueFactory(title="Long closed", status=IssueStatus.CLOSED)

    text = assert_error_page(chair_client.get(f"/register/?{query}&page=zz"))

    assert "Still listed" in text and "Long closed" not in text


# Exports ------------------------------------------------------------------------------------------


def _export_fixture() -> tuple:
    plan = BusinessPlanFactory()
    priority = PriorityFactory(plan=plan, number=2, title="Neglect is spotted early")
    agencies = [AgencyFactory(name="Hertfordshire Constabulary"), AgencyFactory(name="Zeta Trust")]
    owner = UserFactory(first_name="Ada", last_name="Lovelace")
    issue = IssueFactory(
        title='=HYPERLINK("http://evil.example")',
        likelihood=4,
        impact=3,
        priority=priority,
        agencies=agencies,
        owner=owner,
        proposed_improvement="-1 fewer missed visits",
        review_date=datetime.date(2027, 1, 15),
    )
    IssueFactory(title="Small thing", likelihood=1, impact=1, is_countywide=True)
    IssueFactory(title="Closed thing", status=IssueStatus.CLOSED)
    return issue, plan


def test_csv_export_has_the_filtered_sorted_issues_with_a_bom_and_formulas_guarded(chair_client):
    issue, plan = _export_fixture()

    response = chair_client.get("/register/export.csv")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    today = timezone.localdate()
    assert response["Content-Disposition"] == (
        f'attachment; filename="improving-outcomes-register-{today:%Y-%m-%d}.csv"'
    )
    rows = csv_rows(response)
    assert rows[0] == [
        "Reference",
        "Title",
        "Status",
        "Source",
        "Agencies",
        "Countywide",
        "Business plan priority",
        "Likelihood",
        "Impact",
        "Score",
        "Rating",
        "Owner",
        "Review date",
        "Proposed improvement",
        "Raised on",
    ]
    assert len(rows) == 3  # the closed issue is not live
    assert rows[1] == [
        issue.reference,
        '\'=HYPERLINK("http://evil.example")',
        "Open",
        "Performance data",
        "Hertfordshire Constabulary; Zeta Trust",
        "No",
        f"{plan.period}: 2. Neglect is spotted early",
        "4",
        "3",
        "12",
        "High",
        "Ada Lovelace",
        "2027-01-15",
        "'-1 fewer missed visits",
        today.isoformat(),
    ]
    assert rows[2][1] == "Small thing" and rows[2][5] == "Yes"


def test_csv_export_keeps_the_filters_and_the_sort(chair_client):
    _export_fixture()

    rows = csv_rows(chair_client.get("/register/export.csv?status=any&sort=title"))

    assert [row[1] for row in rows[1:]] == [
        '\'=HYPERLINK("http://evil.example")',
        "Closed thing",
        "Small thing",
    ]
    only = csv_rows(chair_client.get("/register/export.csv?likelihood=1&impact=1"))
    assert [row[1] for row in only[1:]] == ["Small thing"]


def test_excel_export_has_a_bold_header_dates_as_dates_and_formulas_guarded(chair_client):
    issue, _ = _export_fixture()

    response = chair_client.get("/register/export.xlsx?sort=risk")

    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = workbook(response).active
    assert sheet["A1"].value == "Reference" and sheet["A1"].font.bold
    assert sheet["O1"].value == "Raised on"
    assert sheet.freeze_panes == "A2"
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 3
    first = rows[1]
    assert first[0] == issue.reference
    assert first[1] == '\'=HYPERLINK("http://evil.example")'
    assert sheet["B2"].data_type == "s"  # text, not a formula
    assert first[9] == 12 and first[10] == "High"
    assert first[12] == datetime.datetime(2027, 1, 15)  # a date cell
    assert sheet["M2"].is_date
    assert first[13] == "'-1 fewer missed visits"


def test_excel_export_drops_characters_a_workbook_cannot_hold(chair_client):
    IssueFactory(title="Bell\x07 in the title")

    rows = workbook_rows(chair_client.get("/register/export.xlsx"))

    assert rows[1][1] == "Bell in the title"


# The heat map -------------------------------------------------------------------------------------


def test_heat_map_counts_live_issues_by_likelihood_and_impact_and_links_to_them(chair_client):
    IssueFactory.create_batch(2, likelihood=5, impact=4)
    IssueFactory(likelihood=1, impact=2)
    IssueFactory(likelihood=5, impact=4, status=IssueStatus.CLOSED)

    text = html(chair_client, "/register/heat-map/")

    assert "3 live issues" in text
    assert (
        '<a class="govuk-link" href="/register/?likelihood=5&amp;impact=4" data-cell="5-4">'
        '<strong class="govuk-tag govuk-tag--red">2<span class="govuk-visually-hidden"> issues, '
        "score 20, Very high</span></strong></a>"
    ) in text
    assert 'href="/register/?likelihood=1&amp;impact=2" data-cell="1-2"' in text
    assert 'govuk-tag--green">1<span class="govuk-visually-hidden"> issue, score 2, Low' in text
    # An empty cell has its colour and band, and no link.
    assert (
        '<strong class="govuk-tag govuk-tag--orange" data-cell="3-4">0'
        '<span class="govuk-visually-hidden"> issues, score 12, High</span>'
    ) in text
    assert 'href="/register/?likelihood=3&amp;impact=4"' not in text
    # An accessible table: rows of likelihood (5 at the top), columns of impact.
    assert '<th scope="row" class="govuk-table__header">Likelihood 5: almost certain</th>' in text
    assert text.index("Likelihood 5: almost certain") < text.index("Likelihood 1: rare")
    assert "Impact 1: negligible</th>" in text and "Impact 5: severe</th>" in text
    assert "Very high</strong> scores 15 to 25 (significant risk)" in text


def test_heat_map_cell_link_lists_the_cells_issues(chair_client):
    IssueFactory(title="In the cell", likelihood=5, impact=4)
    IssueFactory(title="Elsewhere", likelihood=4, impact=5)

    text = html(chair_client, "/register/?likelihood=5&impact=4")

    assert "In the cell" in text and "Elsewhere" not in text


def test_heat_map_charts_issues_by_status_now(chair_client):
    IssueFactory.create_batch(2)
    IssueFactory(status=IssueStatus.MONITORING)
    IssueFactory(status=IssueStatus.CLOSED)

    text = html(chair_client, "/register/heat-map/")

    assert "Issues by status now" in text
    assert "Live issues at the end of each month, by rating" in text
    chart = text[text.index('id="register-by-status"') :]
    assert 'href="/register/?status=open">Open</a></th>' in chart
    row = chart[chart.index("?status=open") :]
    assert 'numeric">2</td>' in row[: row.index("</tr>")]
    row = chart[chart.index("?status=closed") :]
    assert 'numeric">1</td>' in row[: row.index("</tr>")]
    assert "chart.umd.min.js" in text


def test_live_over_time_follows_each_issues_recorded_moves(ratings, group_chair):
    london = timezone.get_current_timezone()
    now = datetime.datetime(2026, 6, 15, 12, tzinfo=london)

    def at(month: int, day: int) -> datetime.datetime:
        return datetime.datetime(2026, month, day, 9, tzinfo=london)

    issue = IssueFactory(likelihood=3, impact=4, created_at=at(2, 10))  # High
    for when, to in [(at(4, 20), IssueStatus.RESOLVED), (at(5, 5), IssueStatus.OPEN)]:
        move(issue, when, to)
    IssueFactory(likelihood=5, impact=5, created_at=at(6, 1))  # Very high, this month
    IssueFactory(likelihood=1, impact=1, created_at=at(6, 20))  # after "now"

    chart = heat_map(group_chair, now=now).over_time

    assert [s.label for s in chart.series] == ["Low", "Medium", "High", "Very high"]
    rows = {row.label: row.values for row in chart.rows}
    assert len(chart.rows) == 12
    assert chart.rows[0].label == "July 2025"
    assert rows["January 2026"] == (0, 0, 0, 0)
    assert rows["February 2026"] == (0, 0, 1, 0)
    assert rows["March 2026"] == (0, 0, 1, 0)
    assert rows["April 2026"] == (0, 0, 0, 0)
    assert rows["May 2026"] == (0, 0, 1, 0)
    assert rows["June 2026 (so far)"] == (0, 0, 1, 1)


def test_status_over_time_counts_every_issue_by_the_status_it_was_in_each_month(
    ratings, group_chair
):
    london = timezone.get_current_timezone()
    now = datetime.datetime(2026, 6, 15, 12, tzinfo=london)

    def at(month: int, day: int) -> datetime.datetime:
        return datetime.datetime(2026, month, day, 9, tzinfo=london)

    issue = IssueFactory(created_at=at(2, 10))
    move(issue, at(3, 5), IssueStatus.MONITORING)
    move(issue, at(4, 20), IssueStatus.RESOLVED)
    move(issue, at(5, 2), IssueStatus.CLOSED)
    IssueFactory(created_at=at(4, 1))

    chart = heat_map(group_chair, now=now).status_over_time

    assert [s.label for s in chart.series] == [s.label for s in IssueStatus]
    rows = {row.label: dict(zip(IssueStatus.values, row.values, strict=True)) for row in chart.rows}
    assert sum(rows["January 2026"].values()) == 0
    assert rows["February 2026"]["open"] == 1
    assert rows["March 2026"]["monitoring"] == 1
    assert rows["April 2026"] == {**dict.fromkeys(IssueStatus.values, 0), "resolved": 1, "open": 1}
    assert rows["June 2026 (so far)"]["closed"] == 1 and rows["June 2026 (so far)"]["open"] == 1


def move(issue, when: datetime.datetime, to: str) -> IssueUpdate:
    """A recorded move of the issue's status."""
    return IssueUpdate.objects.create(
        issue=issue, author=issue.owner, written_at=when, text="Moved.", status_to=to
    )


# Operational priorities ---------------------------------------------------------------------------


def test_priorities_group_live_issues_this_years_plan_first_then_older_then_none(chair_client):
    this_year = BusinessPlanFactory()
    last_year = BusinessPlanFactory(year=this_year.year - 1)
    second = PriorityFactory(plan=this_year, number=2, title="Exploitation is disrupted")
    first = PriorityFactory(plan=this_year, number=1, title="Neglect is spotted early")
    old = PriorityFactory(plan=last_year, number=1, title="Old priority")
    PriorityFactory(plan=this_year, number=3, title="Nothing on the register")
    IssueFactory(title="Grooming online", priority=second, likelihood=5, impact=5)
    IssueFactory(title="Missed visits", priority=first, likelihood=2, impact=2)
    IssueFactory(title="Home conditions", priority=first, likelihood=4, impact=4)
    IssueFactory(title="Legacy", priority=old)
    IssueFactory(title="Unplanned", priority=None)
    IssueFactory(title="Long closed", priority=first, status=IssueStatus.CLOSED)

    text = html(chair_client, "/register/priorities/")

    order = [
        f"{this_year.period}: 1. Neglect is spotted early",
        f"{this_year.period}: 2. Exploitation is disrupted",
        f"{last_year.period}: 1. Old priority",
        ">No priority</h2>",
    ]
    positions = [text.index(heading) for heading in order]
    assert positions == sorted(positions)
    assert "The 5 live issues" in text
    neglect = text[positions[0] : positions[1]]
    assert neglect.index("Home conditions") < neglect.index("Missed visits")
    assert "Long closed" not in text
    assert "2 live issues, 1 of significant risk; highest score 16." in neglect
    assert f'href="/register/?priority={first.pk}"' in neglect
    # Counts by rating, highest band first: Very high (16) 1, High 0, Medium 0, Low (4) 1.
    counts = neglect[neglect.index("Live issues by rating") :]
    counts = counts[counts.index("<tbody") : counts.index("</tbody>")]
    assert [c.split("<")[0] for c in counts.split('numeric">')[1:]] == ["1", "0", "0", "1"]
    assert "A priority of an earlier plan." in text[positions[2] : positions[3]]
    assert 'href="/register/?priority=null"' in text
    quiet = text[text.index("This year's priorities with no live issues") :]
    assert "3. Nothing on the register" in quiet


def test_priorities_page_with_no_live_issues_says_so(chair_client):
    IssueFactory(status=IssueStatus.CLOSED)

    assert "The register has no live issues." in html(chair_client, "/register/priorities/")


# Who may see them ---------------------------------------------------------------------------------


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("role", ["secretariat", "group_chair", "member"])
def test_the_subgroup_and_the_secretariat_see_the_register_pages(
    client, request, board, ratings, url, role
):
    IssueFactory(title="Missed health appointments")
    client.force_login(request.getfixturevalue(role))

    response = client.get(url)

    assert response.status_code == 200
    if url.endswith(".xlsx"):
        assert workbook_rows(response)[1][1] == "Missed health appointments"
    elif url != "/register/heat-map/":
        assert "Missed health appointments" in body(response).decode("utf-8-sig")


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("role", ["board_chair", "agency_staff", "cdop_member", "outsider"])
def test_everyone_else_is_refused_the_register_pages(client, request, board, ratings, url, role):
    IssueFactory(title="Missed health appointments")
    client.force_login(request.getfixturevalue(role))

    response = client.get(url)

    assert response.status_code == 403
    assert b"Missed health appointments" not in response.content


@pytest.mark.parametrize("url", PAGES)
def test_signed_out_people_are_sent_to_sign_in(client, board, ratings, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/sign-in/?next=")


@pytest.mark.parametrize("url", PAGES)
def test_register_pages_refuse_posts(chair_client, url):
    assert chair_client.post(url).status_code == 405


# Query counts -------------------------------------------------------------------------------------


def _grow(count: int) -> None:
    """Issues with their own owners, agencies and priorities, some moved, some closed."""
    plan = BusinessPlanFactory()
    for n in range(count):
        issue = IssueFactory(
            likelihood=1 + n % 5,
            impact=1 + (n * 3) % 5,
            priority=PriorityFactory(plan=plan) if n % 3 else None,
            is_countywide=n % 4 == 0,
            status=[IssueStatus.OPEN, IssueStatus.MONITORING, IssueStatus.CLOSED][n % 3],
            review_date=days(n % 7 - 3),
        )
        move(issue, timezone.now(), issue.status)


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        assert response.status_code == 200
        body(response)  # an export's queries run as it streams
    return len(captured)


@pytest.mark.parametrize(
    "url",
    [
        *PAGES,
        "/register/?status=any&sort=title&overdue=on",
        "/register/?page=2&status=any",
        "/register/export.csv?status=any",
    ],
)
def test_register_pages_run_a_fixed_number_of_queries(
    chair_client, url, django_assert_max_num_queries
):
    _grow(3)
    few = _queries(chair_client, url)
    assert few <= 16
    _grow(30)
    assert Agency.objects.count() > 60

    with django_assert_max_num_queries(few):
        response = chair_client.get(url)
        assert response.status_code == 200
        body(response)
