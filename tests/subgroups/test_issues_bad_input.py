"""The register's issue forms answer bad input with messages beside the fields and an error
summary, never a 500, and keep what was typed: missing fields, over-long text, null
characters, wrong types and repeated fields. Radios and checkboxes are linked to by their first
choice (`<field>_1`)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from subgroups.models import Issue, IssueStatus, IssueUpdate
from tests.hscb.factories import AgencyFactory, UserFactory
from tests.hscb.test_bad_input import LONG, assert_error_page
from tests.subgroups.factories import IssueFactory

pytestmark = pytest.mark.django_db

VERY_LONG = "y" * 8001
HUGE_NUMBER = "99999999999999999999999"


def review(day: datetime.date | None = None) -> dict[str, str]:
    day = day or timezone.localdate() + datetime.timedelta(days=30)
    return {
        "review_date_0": str(day.day),
        "review_date_1": str(day.month),
        "review_date_2": str(day.year),
    }


@pytest.fixture
def agencies(db):
    return AgencyFactory.create_batch(2)


@pytest.fixture
def valid(member, agencies) -> dict:
    return {
        "title": "Missed health appointments",
        "description": "Two trusts do not share missed appointments.",
        "source": "performance_data",
        "agencies": [str(a.pk) for a in agencies],
        "likelihood": "3",
        "impact": "4",
        "owner": str(member.pk),
        "proposed_improvement": "A data-sharing agreement.",
        **review(),
    }


@pytest.fixture
def issue(ratings, member):
    return IssueFactory(owner=member, title="As it was")


def create(client, user, data):
    client.force_login(user)
    return client.post("/register/new/", data)


# Raising an issue -------------------------------------------------------------------------------


def test_raising_with_nothing_names_every_required_field(client, ratings, member):
    response = create(client, member, {})
    text = assert_error_page(
        response,
        "title",
        "description",
        "source_1",
        "likelihood_1",
        "impact_1",
        "owner",
        "proposed_improvement",
        "review_date",
    )
    for message in (
        "Enter the issue&#x27;s title",
        "Enter a description of the issue",
        "Choose where the issue came from",
        "Choose how likely the risk is",
        "Choose how great the impact would be",
        "Choose the owner of the issue",
        "Enter the proposed improvement",
        "Enter the review date",
    ):
        assert message in text
    assert not Issue.objects.exists()


def test_raising_refuses_over_long_text_and_keeps_it(client, ratings, member, valid):
    data = {**valid, "title": LONG, "description": VERY_LONG, "proposed_improvement": VERY_LONG}
    text = assert_error_page(
        create(client, member, data), "title", "description", "proposed_improvement"
    )
    assert "The title must be 200 characters or fewer" in text
    assert "The description must be 8,000 characters or fewer" in text
    assert "The proposed improvement must be 8,000 characters or fewer" in text
    assert LONG in text and VERY_LONG in text
    assert not Issue.objects.exists()


def test_raising_refuses_null_characters(client, ratings, member, valid):
    data = {**valid, "title": "abc\x00\x01", "description": "x\x00", "source": "\x00"}
    text = assert_error_page(create(client, member, data), "title", "description", "source_1")
    assert "Null characters are not allowed." in text
    assert not Issue.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"source": "rumour"}, "source_1", "Choose where the issue came from"),
        ({"likelihood": "abc"}, "likelihood_1", "Choose how likely the risk is, from 1 to 5"),
        ({"likelihood": "6"}, "likelihood_1", "Choose how likely the risk is, from 1 to 5"),
        ({"likelihood": "0"}, "likelihood_1", "Choose how likely the risk is, from 1 to 5"),
        ({"impact": "3.5"}, "impact_1", "Choose how great the impact would be, from 1 to 5"),
        ({"impact": HUGE_NUMBER}, "impact_1", "Choose how great the impact would be"),
        ({"agencies": ["abc"]}, "agencies_1", "Choose the agencies from the list"),
        ({"agencies": ["999999", "1"]}, "agencies_1", "Choose the agencies from the list"),
        ({"agencies": [HUGE_NUMBER]}, "agencies_1", "Choose the agencies from the list"),
        ({"agencies": ["1", "²"]}, "agencies_1", "Choose the agencies from the list"),
        ({"owner": "abc"}, "owner", "Choose the owner from the list"),
        ({"owner": HUGE_NUMBER}, "owner", "Choose the owner from the list"),
        ({"priority": "abc"}, "priority", "Choose a priority from the list"),
        ({"priority": "999999"}, "priority", "Choose a priority from the list"),
        ({"priority": HUGE_NUMBER}, "priority", "Choose a priority from the list"),
        ({"priority": "-1"}, "priority", "Choose a priority from the list"),
        ({"review_date_0": "32"}, "review_date", "The review date must be a real date"),
        ({"review_date_0": "abc"}, "review_date_0", "The review date must be a real date"),
        ({"review_date_2": HUGE_NUMBER}, "review_date_2", "The review date must be a real date"),
        ({"review_date_1": ""}, "review_date_1", "The review date must include a month"),
        ({"good_practice": ["abc"]}, None, None),
    ],
)
def test_raising_refuses_wrong_types_with_a_message(
    client, ratings, member, valid, changes, field, message
):
    response = create(client, member, {**valid, **changes})
    if field is None:  # no good practice yet: the field is not on the form, and is ignored
        assert response.status_code == 302
        assert not Issue.objects.get().good_practice.exists()
        return
    assert message in assert_error_page(response, field)
    assert 'value="Missed health appointments"' in response.content.decode()
    assert not Issue.objects.exists()


def test_an_owner_whose_account_is_closed_is_not_offered_and_refused(
    client, ratings, member, valid
):
    closed = UserFactory(is_active=False, first_name="Former", last_name="Colleague")
    client.force_login(member)
    assert "Former Colleague" not in client.get("/register/new/").content.decode()
    response = create(client, member, {**valid, "owner": str(closed.pk)})
    assert "Choose the owner from the list" in assert_error_page(response, "owner")
    assert not Issue.objects.exists()


def test_repeated_fields_count_as_their_last_value(client, ratings, member, valid):
    data = {
        **valid,
        "title": ["First title", "[object Object]"],
        "likelihood": ["1", "5"],
        "impact": ["1", "4"],
        "source": ["case_review", "agency_report"],
    }
    response = create(client, member, data)
    assert response.status_code == 302
    issue = Issue.objects.get()
    assert (issue.title, issue.likelihood, issue.impact, issue.score, issue.source) == (
        "[object Object]",
        5,
        4,
        20,
        "agency_report",
    )


# Changing an issue ------------------------------------------------------------------------------


def test_changing_with_nothing_names_every_required_field_and_saves_nothing(
    client, issue, group_chair
):
    client.force_login(group_chair)
    response = client.post(f"/register/{issue.pk}/change/", {})
    assert "Enter the issue&#x27;s title" in assert_error_page(
        response, "title", "source_1", "likelihood_1", "owner", "review_date"
    )
    issue.refresh_from_db()
    assert issue.title == "As it was"


def test_changing_refuses_garbage_and_keeps_it(client, issue, group_chair, valid):
    client.force_login(group_chair)
    data = {**valid, "title": "abc\x00", "description": VERY_LONG, "impact": "many"}
    response = client.post(f"/register/{issue.pk}/change/", data)
    text = assert_error_page(response, "title", "description", "impact_1")
    assert VERY_LONG in text
    issue.refresh_from_db()
    assert issue.title == "As it was"


# Progress ---------------------------------------------------------------------------------------


def progress(client, user, issue, data):
    client.force_login(user)
    return client.post(f"/register/{issue.pk}/progress/", data)


def test_progress_with_nothing_names_the_status_and_the_update(client, issue, member):
    text = assert_error_page(progress(client, member, issue, {}), "status_1", "text")
    assert "Choose the issue&#x27;s status" in text
    assert "Enter a progress update" in text
    assert not IssueUpdate.objects.exists()


def test_progress_refuses_an_empty_update_with_a_move(client, issue, member):
    data = {"seen_status": "open", "status": "monitoring", "text": "   "}
    text = assert_error_page(progress(client, member, issue, data), "text")
    assert "Enter a progress update" in text
    issue.refresh_from_db()
    assert issue.status == IssueStatus.OPEN


def test_progress_refuses_over_long_text_and_keeps_it(client, issue, member):
    data = {"seen_status": "open", "status": "unchanged", "text": LONG}
    text = assert_error_page(progress(client, member, issue, data), "text")
    assert "The progress update must be 4,000 characters or fewer" in text
    assert LONG in text
    assert not IssueUpdate.objects.exists()


def test_progress_refuses_null_characters(client, issue, member):
    data = {"seen_status": "open", "status": "unchanged\x00", "text": "abc\x00"}
    text = assert_error_page(progress(client, member, issue, data), "status_1", "text")
    assert "Null characters are not allowed." in text
    assert not IssueUpdate.objects.exists()


@pytest.mark.parametrize(
    "status", ["closed", "escalated", "deleted", HUGE_NUMBER, "[object Object]"]
)
def test_progress_refuses_a_status_not_offered(client, issue, member, status):
    data = {"seen_status": "open", "status": status, "text": "Moving it."}
    text = assert_error_page(progress(client, member, issue, data), "status_1")
    assert "Choose one of the statuses shown" in text
    assert "Moving it." in text
    issue.refresh_from_db()
    assert issue.status == IssueStatus.OPEN


def test_progress_repeated_fields_count_as_their_last_value(client, issue, member):
    data = {
        "seen_status": ["closed", "open"],
        "status": ["resolved", "monitoring"],
        "text": ["first", "second"],
    }
    assert progress(client, member, issue, data).status_code == 302
    issue.refresh_from_db()
    assert issue.status == IssueStatus.MONITORING
    assert issue.updates.get().text == "second"
