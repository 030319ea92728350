"""The good-practice register: searched and filtered by everyone with a seat, added to by the
Improving Outcomes subgroup, each entry with the register issues that link to it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from subgroups.models import GoodPractice
from tests.hscb.factories import AgencyFactory, UserFactory
from tests.hscb.test_bad_input import LONG, assert_error_page
from tests.subgroups.factories import GoodPracticeFactory, IssueFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def entries(db):
    return [
        GoodPracticeFactory(
            title="Joint visits in neglect cases",
            theme="Neglect",
            source="Stevenage locality",
            summary="Health visitors and social workers visit together.",
        ),
        GoodPracticeFactory(
            title="Return-home interviews within 72 hours",
            scope="national",
            theme="Missing children",
            source="Department for Education",
            summary="Every child who goes missing is offered an interview.",
        ),
        GoodPracticeFactory(
            title="Exploitation screening tool",
            theme="Exploitation",
            source="Hertfordshire Constabulary",
            summary="A shared screening tool for child sexual exploitation.",
        ),
    ]


def titles(response) -> list[str]:
    text = response.content.decode()
    return [e.title for e in GoodPractice.objects.all() if f">{escape(e.title)}</a>" in text]


# The list ---------------------------------------------------------------------------------------


def test_everyone_with_a_seat_sees_the_register_newest_first(client, entries, cdop_member):
    client.force_login(cdop_member)
    response = client.get("/good-practice/")
    text = response.content.decode()
    assert "3 entries, newest first" in text
    positions = [text.index(e.title) for e in reversed(entries)]
    assert positions == sorted(positions)
    assert "Add good practice" not in text  # only the subgroup adds to it


@pytest.mark.parametrize("role", ["agency_staff", "outsider"])
def test_people_without_a_seat_cannot_see_the_register(client, request, entries, role):
    client.force_login(request.getfixturevalue(role))
    assert client.get("/good-practice/").status_code == 403
    assert client.get(f"/good-practice/{entries[0].pk}/").status_code == 404


def test_members_of_the_subgroup_are_offered_to_add_good_practice(client, entries, member):
    client.force_login(member)
    assert 'href="/good-practice/new/"' in client.get("/good-practice/").content.decode()


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("q=neglect", ["Joint visits in neglect cases"]),  # title and theme
        ("q=INTERVIEW", ["Return-home interviews within 72 hours"]),  # any case
        ("q=constabulary", ["Exploitation screening tool"]),  # source
        ("q=screening+shared", ["Exploitation screening tool"]),  # summary, every word
        ("q=neglect+exploitation", []),
        ("scope=national", ["Return-home interviews within 72 hours"]),
        ("theme=Exploitation", ["Exploitation screening tool"]),
        ("theme=exploitation", ["Exploitation screening tool"]),  # any case
        ("scope=local&theme=Neglect", ["Joint visits in neglect cases"]),
        ("scope=national&theme=Neglect", []),
    ],
)
def test_search_and_filters_narrow_the_list(client, entries, member, query, found):
    client.force_login(member)
    response = client.get(f"/good-practice/?{query}")
    assert sorted(titles(response)) == sorted(found)
    if not found:
        assert "No good practice matches this search." in response.content.decode()


def test_themes_are_offered_once_whatever_their_case(client, entries, member):
    GoodPracticeFactory(theme="neglect")
    client.force_login(member)
    text = client.get("/good-practice/").content.decode()
    assert text.count('<option value="Neglect">') + text.count('<option value="neglect">') == 1
    assert '<option value="Missing children">Missing children</option>' in text
    found = titles(client.get("/good-practice/?theme=NEGLECT"))
    assert len(found) == 2 and "Joint visits in neglect cases" in found


@pytest.mark.parametrize(
    "query", ["scope=galactic", "theme=nonsense", "q=" + "x" * 300, "q=abc%00", "page=abc"]
)
def test_bad_filters_are_shown_as_errors_never_a_500(client, entries, member, query):
    client.force_login(member)
    response = client.get(f"/good-practice/?{query}")
    text = response.content.decode()
    assert response.status_code == 200
    assert "3 entries, newest first" in text or "No good practice matches" in text
    if query.startswith(("scope", "theme", "q=abc")):
        assert "govuk-error-message" in text


def test_the_list_is_paginated(client, member):
    GoodPracticeFactory.create_batch(23)
    client.force_login(member)
    first = client.get("/good-practice/").content.decode()
    assert "23 entries, newest first (page 1 of 2)" in first
    assert 'aria-label="Pages of good practice"' in first
    second = client.get("/good-practice/?page=2")
    assert len(titles(second)) == 3


def test_the_list_runs_a_fixed_number_of_queries(client, member):
    GoodPracticeFactory.create_batch(2)
    client.force_login(member)
    client.get("/good-practice/")
    with CaptureQueriesContext(connection) as small:
        client.get("/good-practice/")
    for n in range(30):
        practice = GoodPracticeFactory(theme=f"Theme {n}", added_by=UserFactory())
        practice.agencies.set(AgencyFactory.create_batch(2))
    with CaptureQueriesContext(connection) as large:
        text = client.get("/good-practice/").content.decode()
    assert "Agencies: " in text
    assert len(large.captured_queries) <= len(small.captured_queries)


# One entry --------------------------------------------------------------------------------------


def test_an_entry_shows_its_details_and_the_issues_that_link_to_it(client, ratings, member):
    police = AgencyFactory(name="Hertfordshire Constabulary")
    practice = GoodPracticeFactory(link="https://www.example.org/report", title="Joint visits")
    practice.agencies.set([police])
    issue = IssueFactory(title="Neglect is spotted late")
    issue.good_practice.add(practice)
    client.force_login(member)
    text = client.get(f"/good-practice/{practice.pk}/").content.decode()
    assert '<h1 class="govuk-heading-l">Joint visits</h1>' in text
    assert 'href="https://www.example.org/report"' in text
    assert "Hertfordshire Constabulary" in text
    assert f'href="/register/{issue.pk}/"' in text
    assert "Neglect is spotted late" in text


def test_an_entry_hides_the_register_from_those_who_may_not_see_it(client, ratings, board_chair):
    practice = GoodPracticeFactory(title="Joint visits")
    IssueFactory(title="Neglect is spotted late").good_practice.add(practice)
    client.force_login(board_chair)
    text = client.get(f"/good-practice/{practice.pk}/").content.decode()
    assert "Joint visits" in text
    assert "Neglect is spotted late" not in text
    assert "Issues on the register" not in text


# Adding good practice ---------------------------------------------------------------------------


def valid_entry(**changes) -> dict:
    data = {
        "title": "Joint visits in neglect cases",
        "scope": "local",
        "source": "Stevenage locality",
        "summary": "Health visitors and social workers visit together.",
        "link": "www.example.org/joint-visits",
        "theme": "Neglect",
    }
    data.update(changes)
    return data


def test_a_member_adds_good_practice_and_lands_on_it(client, member):
    agencies = AgencyFactory.create_batch(2)
    client.force_login(member)
    response = client.post(
        "/good-practice/new/",
        valid_entry(agencies=[str(a.pk) for a in agencies]),
        follow=True,
    )
    practice = GoodPractice.objects.get()
    assert response.redirect_chain == [(f"/good-practice/{practice.pk}/", 302)]
    assert practice.added_by == member
    assert practice.link == "https://www.example.org/joint-visits"
    assert set(practice.agencies.all()) == set(agencies)
    assert "is on the good-practice register" in response.content.decode()


@pytest.mark.parametrize("role", ["board_chair", "cdop_member", "agency_staff"])
def test_only_the_subgroup_and_the_secretariat_add_good_practice(client, request, role):
    client.force_login(request.getfixturevalue(role))
    assert client.get("/good-practice/new/").status_code == 403
    assert client.post("/good-practice/new/", valid_entry()).status_code == 403
    assert not GoodPractice.objects.exists()


def test_adding_with_nothing_names_every_required_field(client, member):
    client.force_login(member)
    text = assert_error_page(
        client.post("/good-practice/new/", {}), "title", "scope_1", "source", "summary", "theme"
    )
    assert "Choose local or national" in text
    assert not GoodPractice.objects.exists()


def test_adding_refuses_over_long_text_and_keeps_it(client, member):
    client.force_login(member)
    data = valid_entry(title=LONG, source=LONG, theme=LONG, link="https://x.org/" + LONG)
    text = assert_error_page(
        client.post("/good-practice/new/", data), "title", "source", "theme", "link"
    )
    assert "The title must be 200 characters or fewer" in text
    assert "The link must be 500 characters or fewer" in text
    assert LONG in text
    assert not GoodPractice.objects.exists()


def test_adding_refuses_null_characters(client, member):
    client.force_login(member)
    data = valid_entry(title="abc\x00", summary="x\x00", scope="\x00")
    text = assert_error_page(client.post("/good-practice/new/", data), "title", "summary")
    assert "Null characters are not allowed." in text
    assert not GoodPractice.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"scope": "galactic"}, "scope_1", "Choose local or national"),
        ({"link": "not a link"}, "link", "Enter the link as a web address"),
        ({"link": "javascript:alert(1)"}, "link", "Enter the link as a web address"),
        ({"agencies": ["abc"]}, "agencies_1", "Choose the agencies from the list"),
        ({"agencies": ["99999999999999999999999"]}, "agencies_1", "Choose the agencies from"),
    ],
)
def test_adding_refuses_wrong_types(client, member, changes, field, message):
    client.force_login(member)
    response = client.post("/good-practice/new/", valid_entry(**changes))
    assert message in assert_error_page(response, field)
    assert 'value="Joint visits in neglect cases"' in response.content.decode()
    assert not GoodPractice.objects.exists()


def test_adding_repeated_fields_count_as_their_last_value(client, member):
    client.force_login(member)
    data = valid_entry(title=["First", "Second"], scope=["local", "national"])
    assert client.post("/good-practice/new/", data).status_code == 302
    practice = GoodPractice.objects.get()
    assert (practice.title, practice.scope) == ("Second", "national")
