"""The register's issue pages: raising an issue, its page, changing it and recording progress,
for each role, with the subgroup's rules shown through the forms."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from hscb.models import GroupFunction
from subgroups.models import EscalationDecision, Issue, IssueStatus, IssueUpdate
from subgroups.services.register import MULTI_AGENCY_MESSAGE
from tests.hscb.factories import (
    AgencyFactory,
    BusinessPlanFactory,
    MembershipFactory,
    PriorityFactory,
    UserFactory,
)
from tests.hscb.test_bad_input import assert_error_page
from tests.subgroups.factories import (
    EscalationFactory,
    GoodPracticeFactory,
    IssueFactory,
    IssueUpdateFactory,
)

pytestmark = pytest.mark.django_db


def in_days(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def date_fields(name: str, day: datetime.date) -> dict[str, str]:
    return {f"{name}_0": str(day.day), f"{name}_1": str(day.month), f"{name}_2": str(day.year)}


def issue_data(owner, agencies, **changes) -> dict:
    data = {
        "title": "Missed health appointments are not shared",
        "description": "Two trusts do not tell children's services about missed appointments.",
        "source": "performance_data",
        "agencies": [str(a.pk) for a in agencies],
        "likelihood": "3",
        "impact": "4",
        "owner": str(owner.pk),
        "proposed_improvement": "A data-sharing agreement signed by both trusts.",
        **date_fields("review_date", in_days(60)),
    }
    data.update(changes)
    return data


def is_checked(text: str, name: str, value) -> bool:
    """Whether the page's checkbox or radio `name` with `value` is checked."""
    pattern = rf'name="{name}"[^>]*value="{value}"\s+checked="checked"'
    return re.search(pattern, text) is not None


@pytest.fixture
def agencies(db):
    return [AgencyFactory(name="Hertfordshire Constabulary"), AgencyFactory(name="East Herts NHS")]


@pytest.fixture
def issue(ratings, member):
    return IssueFactory(owner=member, title="Missed health appointments")


# Raising an issue -------------------------------------------------------------------------------


def test_a_member_raises_a_multi_agency_issue_and_lands_on_its_page(
    client, ratings, member, agencies
):
    priority = PriorityFactory(title="Neglect is spotted early")
    practice = GoodPracticeFactory(title="Joint visits in neglect cases")
    client.force_login(member)
    data = issue_data(member, agencies, priority=str(priority.pk), good_practice=[str(practice.pk)])
    response = client.post("/register/new/", data, follow=True)
    issue = Issue.objects.get()
    assert response.redirect_chain == [(f"/register/{issue.pk}/", 302)]
    assert (issue.score, issue.rating.name, issue.created_by) == (12, "High", member)
    assert set(issue.agencies.all()) == set(agencies)
    assert issue.priority == priority
    assert list(issue.good_practice.all()) == [practice]
    text = response.content.decode()
    assert f"{issue.reference} “Missed health appointments are not shared” is on the" in text
    assert "12 (likelihood 3 × impact 4)" in text
    assert "govuk-tag--orange" in text and ">High<" in text
    assert "Hertfordshire Constabulary" in text and "East Herts NHS" in text
    assert "Neglect is spotted early" in text
    assert f'href="/plan/{priority.plan.year}/#priority-{priority.number}"' in text
    assert "Joint visits in neglect cases" in text
    assert "Raised on the register." in text


def test_the_form_offers_the_subgroups_members_and_this_years_priorities(
    client, ratings, group_chair, member, board
):
    UserFactory(first_name="Zed", last_name="Other")
    current = PriorityFactory(title="Children are safe online")
    old = PriorityFactory(
        plan=BusinessPlanFactory(year=timezone.localdate().year - 4), title="An old priority"
    )
    AgencyFactory(name="Closed agency", is_active=False)
    client.force_login(group_chair)
    text = client.get("/register/new/").content.decode()
    members = text.index('<optgroup label="Members of the Improving Outcomes subgroup">')
    assert members < text.index(escape(member.get_full_name()))
    # Anyone else with an account is found by the owner field's search, not listed.
    assert "Zed Other" not in text
    assert 'data-people-search="/people/search/"' in text
    assert current.title in text
    assert old.title not in text
    assert "Closed agency" not in text
    assert "1: Rare" in text and "5: Almost certain" in text
    assert "1: Negligible" in text and "5: Severe" in text


@pytest.mark.parametrize("role", ["board_chair", "agency_staff", "cdop_member", "outsider"])
def test_only_the_subgroup_and_the_secretariat_raise_issues(client, request, ratings, role):
    client.force_login(request.getfixturevalue(role))
    assert client.get("/register/new/").status_code == 403
    assert client.post("/register/new/", {}).status_code == 403
    assert not Issue.objects.exists()


def test_a_single_agency_issue_is_refused_on_the_agencies_field_and_input_kept(
    client, ratings, member, agencies
):
    client.force_login(member)
    data = issue_data(member, agencies[:1], title="Only the police are involved")
    text = assert_error_page(client.post("/register/new/", data), "agencies_1")
    assert escape(MULTI_AGENCY_MESSAGE) in text
    assert "This one names only Hertfordshire Constabulary." in text
    assert 'id="id_agencies_1_1_error"' in text
    assert 'value="Only the police are involved"' in text
    assert is_checked(text, "agencies", agencies[0].pk)
    assert not is_checked(text, "agencies", agencies[1].pk)
    assert not Issue.objects.exists()


def test_a_single_agency_issue_marked_countywide_is_accepted(client, ratings, member, agencies):
    client.force_login(member)
    response = client.post("/register/new/", issue_data(member, agencies[:1], is_countywide="on"))
    issue = Issue.objects.get()
    assert response["Location"] == f"/register/{issue.pk}/"
    assert issue.is_countywide
    assert "Countywide" in client.get(f"/register/{issue.pk}/").content.decode()


def test_a_review_date_in_the_past_is_refused_with_a_message(client, ratings, member, agencies):
    client.force_login(member)
    data = issue_data(member, agencies, **date_fields("review_date", in_days(-1)))
    text = assert_error_page(client.post("/register/new/", data), "review_date")
    assert "The review date must be today or in the future" in text
    assert not Issue.objects.exists()


# The issue's page -------------------------------------------------------------------------------


def test_the_owner_may_update_but_not_change_or_escalate(client, issue, member):
    client.force_login(member)
    text = client.get(f"/register/{issue.pk}/").content.decode()
    assert "Missed health appointments" in text
    assert f'href="/register/{issue.pk}/progress/"' in text
    assert "Change the details" not in text
    assert "Escalate to the Strategic Board" not in text


def test_the_chair_may_update_change_and_escalate(client, issue, group_chair):
    client.force_login(group_chair)
    text = client.get(f"/register/{issue.pk}/").content.decode()
    assert "Add a progress update" in text
    assert f'href="/register/{issue.pk}/change/"' in text
    assert f'href="/register/{issue.pk}/escalate/"' in text


def test_a_member_who_does_not_own_the_issue_only_reads_it(client, ratings, board, issue):
    other = MembershipFactory(group=board[GroupFunction.IMPROVING_OUTCOMES]).user
    client.force_login(other)
    text = client.get(f"/register/{issue.pk}/").content.decode()
    assert "Missed health appointments" in text
    assert "Add a progress update" not in text
    assert client.get(f"/register/{issue.pk}/progress/").status_code == 403


@pytest.mark.parametrize("status", ["escalated", "resolved", "closed"])
def test_escalating_is_offered_only_for_a_live_issue_not_already_escalated(
    client, ratings, group_chair, status
):
    issue = IssueFactory(status=status)
    client.force_login(group_chair)
    text = client.get(f"/register/{issue.pk}/").content.decode()
    assert "Escalate to the Strategic Board" not in text
    assert ("Change the details" in text) is (status != "closed")


@pytest.mark.parametrize("role", ["board_chair", "agency_staff", "cdop_member", "outsider"])
def test_people_outside_the_subgroup_cannot_see_an_issue(client, request, issue, role):
    client.force_login(request.getfixturevalue(role))
    for suffix in ("", "change/", "progress/"):
        assert client.get(f"/register/{issue.pk}/{suffix}").status_code == 404


def test_an_overdue_review_is_shown_in_red(client, issue, member):
    Issue.objects.filter(pk=issue.pk).update(review_date=in_days(-3))
    client.force_login(member)
    text = client.get(f"/register/{issue.pk}/").content.decode()
    assert (
        '<strong class="govuk-tag govuk-tag--red app-tag--nowrap">Review overdue</strong>' in text
    )
    Issue.objects.filter(pk=issue.pk).update(status=IssueStatus.CLOSED)
    assert "Review overdue" not in client.get(f"/register/{issue.pk}/").content.decode()


def test_progress_is_shown_newest_first_with_the_moves(client, issue, member):
    now = timezone.now()
    IssueUpdateFactory(
        issue=issue, text="First: met the trusts.", written_at=now.replace(year=2025)
    )
    IssueUpdateFactory(
        issue=issue, text="Second: watching.", status_from="open", status_to="monitoring"
    )
    client.force_login(member)
    text = client.get(f"/register/{issue.pk}/").content.decode()
    assert text.index("Second: watching.") < text.index("First: met the trusts.")
    assert "Status: Open → Monitoring" in text


def test_escalations_link_to_their_page_with_the_decision(client, ratings, group_chair):
    escalation = EscalationFactory(
        decision=EscalationDecision.RETURN,
        decided_on=timezone.localdate(),
        status="decided",
    )
    client.force_login(group_chair)
    text = client.get(f"/register/{escalation.issue.pk}/").content.decode()
    assert f'href="/escalations/{escalation.pk}/"' in text
    assert "Returned to the group with advice" in text


def test_the_issue_page_runs_a_fixed_number_of_queries(client, issue, member):
    client.force_login(member)
    url = f"/register/{issue.pk}/"
    client.get(url)  # sessions and caches warmed
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    IssueUpdateFactory.create_batch(8, issue=issue, author=UserFactory())
    issue.agencies.add(*AgencyFactory.create_batch(6))
    issue.good_practice.add(*GoodPracticeFactory.create_batch(4))
    issue.priority = PriorityFactory()
    issue.save()
    EscalationFactory.create_batch(3, issue=issue)
    with CaptureQueriesContext(connection) as large:
        text = client.get(url).content.decode()
    assert text.count("govuk-!-margin-bottom-6") == 8
    assert len(large.captured_queries) <= len(small.captured_queries)


# Changing an issue ------------------------------------------------------------------------------


def test_the_change_form_is_prefilled(client, issue, group_chair):
    client.force_login(group_chair)
    text = client.get(f"/register/{issue.pk}/change/").content.decode()
    assert 'value="Missed health appointments"' in text
    for agency in issue.agencies.all():
        assert is_checked(text, "agencies", agency.pk)
    assert f'<option value="{issue.owner.pk}" selected>' in text
    assert f'value="{issue.review_date.day}"' in text


def test_the_chair_changes_the_risk_and_the_issue_is_rescored(client, issue, group_chair):
    client.force_login(group_chair)
    data = issue_data(
        issue.owner,
        issue.agencies.all(),
        title="Missed appointments, now in schools too",
        likelihood="5",
        impact="5",
        **date_fields("review_date", issue.review_date),
    )
    response = client.post(f"/register/{issue.pk}/change/", data)
    assert response["Location"] == f"/register/{issue.pk}/"
    issue.refresh_from_db()
    assert (issue.title, issue.score, issue.rating.name) == (
        "Missed appointments, now in schools too",
        25,
        "Very high",
    )


def test_an_owner_cannot_change_the_details(client, issue, member):
    client.force_login(member)
    assert client.get(f"/register/{issue.pk}/change/").status_code == 403
    response = client.post(f"/register/{issue.pk}/change/", {"title": "Mine now"})
    assert response.status_code == 403
    issue.refresh_from_db()
    assert issue.title == "Missed health appointments"


def test_a_change_to_a_single_agency_is_refused_and_nothing_saved(client, issue, group_chair):
    client.force_login(group_chair)
    one = issue.agencies.first()
    data = issue_data(
        issue.owner, [one], title="Renamed", **date_fields("review_date", issue.review_date)
    )
    text = assert_error_page(client.post(f"/register/{issue.pk}/change/", data), "agencies_1")
    assert f"This one names only {escape(one.name)}." in text
    issue.refresh_from_db()
    assert issue.title == "Missed health appointments"
    assert issue.agencies.count() == 2


def test_a_passed_review_date_can_stay_while_other_details_change(client, issue, group_chair):
    Issue.objects.filter(pk=issue.pk).update(review_date=in_days(-5))
    client.force_login(group_chair)
    data = issue_data(issue.owner, issue.agencies.all(), **date_fields("review_date", in_days(-5)))
    assert client.post(f"/register/{issue.pk}/change/", data).status_code == 302
    data = issue_data(issue.owner, issue.agencies.all(), **date_fields("review_date", in_days(-1)))
    text = assert_error_page(client.post(f"/register/{issue.pk}/change/", data), "review_date")
    assert "The review date must be today or in the future" in text


def test_changing_a_closed_issue_is_refused_above_the_form(client, ratings, group_chair):
    issue = IssueFactory(status=IssueStatus.CLOSED, title="Old and closed")
    client.force_login(group_chair)
    assert "This issue is closed" in client.get(f"/register/{issue.pk}/change/").content.decode()
    data = issue_data(
        issue.owner,
        issue.agencies.all(),
        title="Try to change it",
        **date_fields("review_date", issue.review_date),
    )
    text = assert_error_page(client.post(f"/register/{issue.pk}/change/", data))
    assert "A closed issue cannot be changed. Reopen it first" in text
    issue.refresh_from_db()
    assert issue.title == "Old and closed"


# Progress ---------------------------------------------------------------------------------------


def test_the_owner_moves_the_issue_to_monitoring_with_an_update(client, issue, member):
    client.force_login(member)
    response = client.post(
        f"/register/{issue.pk}/progress/",
        {"seen_status": "open", "status": "monitoring", "text": "The agreement is signed."},
        follow=True,
    )
    issue.refresh_from_db()
    assert issue.status == IssueStatus.MONITORING
    update = issue.updates.get()
    assert (update.author, update.status_from, update.status_to) == (member, "open", "monitoring")
    text = response.content.decode()
    assert "Your update has been saved: the issue is now monitoring." in text
    assert "Status: Open → Monitoring" in text
    assert "The agreement is signed." in text


def test_an_update_with_no_change_keeps_the_status(client, issue, member):
    client.force_login(member)
    client.post(
        f"/register/{issue.pk}/progress/",
        {"seen_status": "open", "status": "unchanged", "text": "Met again."},
    )
    issue.refresh_from_db()
    assert issue.status == IssueStatus.OPEN
    assert issue.updates.get().status_to == ""


def test_the_progress_form_offers_the_moves_of_the_current_status(client, ratings, group_chair):
    closed = IssueFactory(status=IssueStatus.CLOSED)
    client.force_login(group_chair)
    text = client.get(f"/register/{closed.pk}/progress/").content.decode()
    assert "No change: it stays closed" in text
    assert 'value="open"' in text and "Reopen it" in text
    assert 'value="resolved"' not in text
    assert "this is the reason for reopening it" in text


def test_reopening_records_the_update_as_the_reason(client, ratings, group_chair):
    closed = IssueFactory(status=IssueStatus.CLOSED)
    client.force_login(group_chair)
    client.post(
        f"/register/{closed.pk}/progress/",
        {"seen_status": "closed", "status": "open", "text": "Two more cases this month."},
    )
    closed.refresh_from_db()
    assert closed.status == IssueStatus.OPEN
    update = closed.updates.get()
    assert (update.status_from, update.status_to, update.text) == (
        "closed",
        "open",
        "Two more cases this month.",
    )


def test_a_move_made_by_someone_else_meanwhile_is_refused_and_the_text_kept(client, issue, member):
    client.force_login(member)
    form = client.get(f"/register/{issue.pk}/progress/").content.decode()
    assert 'name="seen_status" value="open"' in form
    # The chair moves the issue while the owner is writing.
    Issue.objects.filter(pk=issue.pk).update(status=IssueStatus.MONITORING)
    response = client.post(
        f"/register/{issue.pk}/progress/",
        {"seen_status": "open", "status": "resolved", "text": "All fixed, I think."},
    )
    text = assert_error_page(response)
    assert "Someone else changed this issue&#x27;s status while you were writing" in text
    assert "it is now monitoring" in text
    assert "All fixed, I think." in text
    assert 'name="seen_status" value="monitoring"' in text
    assert "No change: it stays monitoring" in text
    issue.refresh_from_db()
    assert issue.status == IssueStatus.MONITORING
    assert not IssueUpdate.objects.filter(issue=issue).exists()


def test_a_tampered_seen_status_is_refused_above_the_form(client, issue, member):
    client.force_login(member)
    response = client.post(
        f"/register/{issue.pk}/progress/",
        {"seen_status": "bogus", "status": "monitoring", "text": "Hello."},
    )
    assert "This form was out of date" in assert_error_page(response)
    assert not IssueUpdate.objects.exists()


def test_an_escalated_issue_offers_no_move(client, ratings, group_chair):
    escalated = IssueFactory(status=IssueStatus.ESCALATED)
    client.force_login(group_chair)
    text = client.get(f"/register/{escalated.pk}/progress/").content.decode()
    assert "No change: it stays escalated" in text
    assert "moves when the Board records its decision" in text
    response = client.post(
        f"/register/{escalated.pk}/progress/",
        {"seen_status": "escalated", "status": "resolved", "text": "Done."},
    )
    assert "Choose one of the statuses shown" in assert_error_page(response, "status_1")
    escalated.refresh_from_db()
    assert escalated.status == IssueStatus.ESCALATED
