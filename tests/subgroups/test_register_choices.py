"""How the register's forms offer agencies and good practice without listing every one: the
agencies on the Improving Outcomes subgroup (and those the issue names) to tick, the latest
entries of the good-practice register, and any other typed by name, with a clear message when a
name finds none or several."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from hscb.models import GroupFunction
from subgroups.models import Escalation, GoodPractice, Issue
from subgroups.selectors.issues import GOOD_PRACTICE_OFFERED
from tests.hscb.factories import AgencyFactory, MembershipFactory, UserFactory
from tests.subgroups.factories import GoodPracticeFactory, IssueFactory
from tests.subgroups.test_issues_views import issue_data

pytestmark = pytest.mark.django_db


def offered(text: str, name: str) -> set[str]:
    """The values of the checkboxes `name` on the page."""
    return set(re.findall(rf'name="{name}"[^>]*value="(\d+)"', text))


@pytest.fixture
def seated(board):
    """Two agencies represented on the Improving Outcomes subgroup."""
    group = board[GroupFunction.IMPROVING_OUTCOMES]
    agencies = [
        AgencyFactory(name="Hertfordshire Constabulary"),
        AgencyFactory(name="East Herts NHS"),
    ]
    for agency in agencies:
        MembershipFactory(group=group, agency=agency, user=UserFactory(agency=agency))
    return agencies


@pytest.fixture
def elsewhere(db):
    """An agency taking part that nobody on the subgroup represents."""
    return AgencyFactory(name="Stevenage Borough Council", short_name="SBC")


# Agencies ---------------------------------------------------------------------------------------


def test_the_issue_form_offers_the_subgroups_agencies_not_every_agency(
    client, ratings, member, seated, elsewhere
):
    client.force_login(member)
    text = client.get("/register/new/").content.decode()
    assert {str(a.pk) for a in seated} <= offered(text, "agencies")
    assert str(elsewhere.pk) not in offered(text, "agencies")
    assert "Other agencies involved (optional)" in text
    assert "type its name or short name here" in text


def test_an_agency_typed_by_name_joins_those_ticked(client, ratings, member, seated, elsewhere):
    client.force_login(member)
    data = issue_data(member, seated[:1], other_agencies="  stevenage borough COUNCIL \r\n")
    response = client.post("/register/new/", data)
    issue = Issue.objects.get()
    assert response.status_code == 302
    assert set(issue.agencies.all()) == {seated[0], elsewhere}


def test_agencies_typed_by_short_name_alone_make_an_issue_multi_agency(
    client, ratings, member, seated, elsewhere
):
    client.force_login(member)
    data = issue_data(member, [], other_agencies="SBC\nhertfordshire constabulary")
    assert client.post("/register/new/", data).status_code == 302
    assert set(Issue.objects.get().agencies.all()) == {elsewhere, seated[0]}


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("Nobody at all", "No agency taking part is called “Nobody at all”"),
        ("Her", "“Her” could be more than one agency"),
        ("\n".join(f"Agency {n}" for n in range(21)), "Type at most 20 agencies here"),
        ("x" * 4001, "Type fewer agencies here, or shorter names"),
    ],
)
def test_a_typed_agency_that_cannot_be_found_is_refused_and_the_text_kept(
    client, ratings, member, seated, typed, message
):
    client.force_login(member)
    data = issue_data(member, seated, other_agencies=typed)
    response = client.post("/register/new/", data)
    text = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in text and message in text
    assert 'href="#id_other_agencies"' in text
    assert typed.splitlines()[0] in text
    # What was ticked stays ticked.
    assert {str(a.pk) for a in seated} <= offered(text, "agencies")
    assert not Issue.objects.exists()


def test_a_closed_agency_cannot_be_typed(client, ratings, member, seated):
    AgencyFactory(name="Closed agency", is_active=False)
    client.force_login(member)
    response = client.post("/register/new/", issue_data(member, seated, other_agencies="Closed"))
    assert "No agency taking part is called “Closed”" in response.content.decode()
    assert not Issue.objects.exists()


def test_an_agency_ticked_by_number_is_taken_though_not_offered(
    client, ratings, member, seated, elsewhere
):
    """A form sent back (or a script) may tick any agency taking part; it is shown again ticked."""
    client.force_login(member)
    data = issue_data(member, [elsewhere], title="")
    text = client.post("/register/new/", data).content.decode()
    assert str(elsewhere.pk) in offered(text, "agencies")
    data = issue_data(member, [elsewhere, seated[0]])
    assert client.post("/register/new/", data).status_code == 302
    assert set(Issue.objects.get().agencies.all()) == {elsewhere, seated[0]}


def test_changing_an_issue_shows_the_agencies_it_names_even_when_closed(
    client, ratings, group_chair, seated, elsewhere
):
    closed = AgencyFactory(name="Since closed", is_active=False)
    issue = IssueFactory(owner=group_chair)
    issue.agencies.set([elsewhere, closed])
    client.force_login(group_chair)
    text = client.get(f"/register/{issue.pk}/change/").content.decode()
    assert {str(elsewhere.pk), str(closed.pk)} <= offered(text, "agencies")
    assert re.search(rf'name="agencies"[^>]*value="{closed.pk}"\s+checked', text)
    # The subgroup's rule still holds: an agency that has closed cannot be kept.
    data = issue_data(group_chair, [elsewhere, closed], title="Kept")
    text = client.post(f"/register/{issue.pk}/change/", data).content.decode()
    assert "Choose agencies that still take part" in text
    data = issue_data(group_chair, [elsewhere, seated[0]], title="Kept")
    assert client.post(f"/register/{issue.pk}/change/", data).status_code == 302
    assert set(issue.agencies.all()) == {elsewhere, seated[0]}


def test_the_good_practice_form_takes_an_agency_typed_by_name(
    client, ratings, member, seated, elsewhere
):
    client.force_login(member)
    text = client.get("/good-practice/new/").content.decode()
    assert {str(a.pk) for a in seated} <= offered(text, "agencies")
    assert str(elsewhere.pk) not in offered(text, "agencies")
    data = {
        "title": "Joint visits in neglect cases",
        "scope": "local",
        "source": "East Herts NHS",
        "summary": "Health visitors and social workers visit together.",
        "theme": "Neglect",
        "agencies": [str(seated[1].pk)],
        "other_agencies": "Stevenage Borough Council",
    }
    assert client.post("/good-practice/new/", data).status_code == 302
    assert set(GoodPractice.objects.get().agencies.all()) == {seated[1], elsewhere}
    text = client.post("/good-practice/new/", {**data, "other_agencies": "Nowhere"})
    assert "No agency taking part is called “Nowhere”" in text.content.decode()
    assert GoodPractice.objects.count() == 1


# Good practice on an issue ----------------------------------------------------------------------


def test_the_issue_form_offers_the_latest_good_practice_and_finds_older_by_title(
    client, ratings, member, seated
):
    old = GoodPracticeFactory(title="Neglect toolkit for schools")
    GoodPractice.objects.filter(pk=old.pk).update(
        added_at=timezone.now() - datetime.timedelta(days=400)
    )
    latest = GoodPracticeFactory.create_batch(GOOD_PRACTICE_OFFERED)
    client.force_login(member)
    text = client.get("/register/new/").content.decode()
    assert offered(text, "good_practice") == {str(p.pk) for p in latest}
    assert "Other good practice (optional)" in text
    data = issue_data(
        member, seated, good_practice=[str(latest[0].pk)], other_good_practice="neglect TOOLKIT"
    )
    assert client.post("/register/new/", data).status_code == 302
    assert set(Issue.objects.get().good_practice.all()) == {latest[0], old}


def test_good_practice_typed_that_finds_none_or_several_is_refused(client, ratings, member, seated):
    GoodPracticeFactory(title="Neglect toolkit for schools")
    GoodPracticeFactory(title="Neglect toolkit for health visitors")
    client.force_login(member)
    for typed, message in [
        ("Nothing like it", "No good practice is called “Nothing like it”"),
        ("neglect toolkit", "“neglect toolkit” could be more than one entry"),
    ]:
        response = client.post(
            "/register/new/", issue_data(member, seated, other_good_practice=typed)
        )
        text = response.content.decode()
        assert message in text and 'href="#id_other_good_practice"' in text
    assert not Issue.objects.exists()


def test_changing_an_issue_keeps_an_older_entry_it_links(client, ratings, group_chair, seated):
    old = GoodPracticeFactory(title="Neglect toolkit for schools")
    GoodPractice.objects.filter(pk=old.pk).update(
        added_at=timezone.now() - datetime.timedelta(days=400)
    )
    GoodPracticeFactory.create_batch(GOOD_PRACTICE_OFFERED)
    issue = IssueFactory(owner=group_chair)
    issue.agencies.set(seated)
    issue.good_practice.set([old])
    client.force_login(group_chair)
    text = client.get(f"/register/{issue.pk}/change/").content.decode()
    assert re.search(rf'name="good_practice"[^>]*value="{old.pk}"\s+checked', text)
    # Saved as it is shown, the older entry stays linked.
    data = issue_data(group_chair, seated, good_practice=[str(old.pk)], title="Kept")
    assert client.post(f"/register/{issue.pk}/change/", data).status_code == 302
    assert list(issue.good_practice.all()) == [old]


# Escalation ---------------------------------------------------------------------------------------


def test_an_uncooperative_agency_typed_by_name_is_recorded(
    client, ratings, group_chair, seated, elsewhere
):
    issue = IssueFactory(owner=group_chair, likelihood=4, impact=4)
    issue.agencies.set(seated)
    client.force_login(group_chair)
    url = f"/register/{issue.pk}/escalate/"
    text = client.get(url).content.decode()
    assert {str(a.pk) for a in seated} <= offered(text, "uncooperative_agencies")
    assert str(elsewhere.pk) not in offered(text, "uncooperative_agencies")
    data = {
        "criteria": ["lack_of_cooperation"],
        "other_uncooperative_agencies": "Nowhere at all",
        "rationale": "The council will not share data.",
        "recommendations": "Write to the chief executive.",
    }
    text = client.post(url, data).content.decode()
    assert "No agency taking part is called “Nowhere at all”" in text
    assert "Nowhere at all" in text and not Escalation.objects.exists()
    data["other_uncooperative_agencies"] = "SBC"
    assert client.post(url, data).status_code == 302
    assert list(Escalation.objects.get().uncooperative_agencies.all()) == [elsewhere]


def test_the_agencies_offered_are_capped_and_any_other_is_typed(
    client, ratings, member, seated, monkeypatch
):
    from subgroups.selectors import issues as selectors

    monkeypatch.setattr(selectors, "AGENCIES_OFFERED", 1)
    client.force_login(member)
    text = client.get("/register/new/").content.decode()
    # The first by name of those on the subgroup (and the member's own seat's agency, if first).
    shown = offered(text, "agencies")
    assert len(shown) == 1
    data = issue_data(member, [], other_agencies="Hertfordshire Constabulary\nEast Herts NHS")
    assert client.post("/register/new/", data).status_code == 302
    assert set(Issue.objects.get().agencies.all()) == set(seated)
