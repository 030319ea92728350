"""The escalation pages and the register's dashboard panels: what each role sees, forms that
keep what was typed, the Board's decision, and query counts that do not grow with the data."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape

from hscb.models import Action, GroupFunction
from subgroups.models import Escalation, EscalationStatus, IssueStatus
from subgroups.services import register as services
from subgroups.services.register import BoardAction
from tests.hscb.factories import AgencyFactory, MeetingFactory, UserFactory
from tests.subgroups.factories import EscalationFactory, IssueFactory

pytestmark = pytest.mark.django_db

BOARD_URL = "/dashboard/"
IO_URL = "/board/improving-outcomes/dashboard/"


# Helpers ------------------------------------------------------------------------------------


def significant_issue(**kwargs):
    kwargs.setdefault("likelihood", 4)
    kwargs.setdefault("impact", 4)
    return IssueFactory(**kwargs)


def board_meeting(board, days: int = 20):
    starts = timezone.now() + datetime.timedelta(days=days)
    return MeetingFactory(group=board[GroupFunction.STRATEGIC_BOARD], starts_at=starts)


def escalate_url(issue) -> str:
    return f"/register/{issue.pk}/escalate/"


def decide_url(escalation) -> str:
    return f"/escalations/{escalation.pk}/decision/"


def proposal(**overrides) -> dict:
    data = {
        "criteria": ["countywide_or_national"],
        "rationale": "Every area of the county is affected.",
        "recommendations": "The Board asks both trusts to sign the agreement.",
    }
    data.update(overrides)
    return data


def today_parts(prefix: str, day: datetime.date | None = None) -> dict[str, str]:
    day = day or timezone.localdate()
    return {
        f"{prefix}_0": str(day.day),
        f"{prefix}_1": str(day.month),
        f"{prefix}_2": str(day.year),
    }


def decision(**overrides) -> dict:
    data = {"decision": "return", "notes": "Work with the ICB first.", **today_parts("decided_on")}
    data.update(overrides)
    return data


def action_row(n: int, title: str, owner, due: datetime.date) -> dict:
    return {
        f"action_{n}_title": title,
        f"action_{n}_owner": str(owner.pk),
        **today_parts(f"action_{n}_due", due),
    }


def decided(escalation, by, **kwargs):
    arguments = {"decision": "return", "decided_on": timezone.localdate(), "notes": "Advice."}
    arguments.update(kwargs)
    return services.escalation_decide(escalation=escalation, by=by, **arguments)


# Proposing an escalation --------------------------------------------------------------------


def test_chair_sees_the_form_with_the_criteria_and_the_agencies(client, ratings, group_chair):
    issue = significant_issue(title="Missed health appointments")
    closed = AgencyFactory(name="Closed agency", is_active=False)
    issue.agencies.add(AgencyFactory(name="East and North Herts NHS Trust"), closed)
    AgencyFactory(name="Agency the issue does not name")
    client.force_login(group_chair)
    text = client.get(escalate_url(issue)).content.decode()
    assert "Escalate the issue to the Strategic Board" in text
    assert "Missed health appointments" in text
    assert "It has countywide or national implications" in text
    assert "It extends beyond the remit of the Strategic Board" in text
    assert "serious lack of co-operation of one or more agencies" in text
    assert "East and North Herts NHS Trust" in text
    offered = re.findall(r'name="uncooperative_agencies"[^>]*value="(\d+)"', text)
    assert offered and str(closed.pk) not in offered
    # Any other agency is typed by name: the page does not list every agency.
    assert "Agency the issue does not name" not in text
    assert "Other agencies not co-operating (optional)" in text
    assert 'value="Escalate to the Strategic Board"' in text
    assert "cannot be escalated" not in text


def test_an_issue_below_the_threshold_shows_why_and_the_rule_but_no_form(
    client, ratings, group_chair
):
    issue = IssueFactory(likelihood=1, impact=3)
    client.force_login(group_chair)
    text = client.get(escalate_url(issue)).content.decode()
    assert "govuk-warning-text" in text
    assert "This issue cannot be escalated" in text
    assert "This issue is rated Low (score 3)" in text
    assert "It has countywide or national implications" in text  # the rule
    assert "rated High or higher, a score of 10 or more" in text
    assert 'value="Escalate to the Strategic Board"' not in text


def test_a_closed_issue_says_it_cannot_be_escalated(client, ratings, secretariat):
    issue = significant_issue(status=IssueStatus.CLOSED)
    client.force_login(secretariat)
    text = client.get(escalate_url(issue)).content.decode()
    assert "A closed issue cannot be escalated" in text


def test_escalating_puts_it_on_the_boards_next_meeting_and_says_so(
    client, ratings, board, group_chair
):
    meeting = board_meeting(board, days=12)
    issue = significant_issue()
    client.force_login(group_chair)
    response = client.post(escalate_url(issue), proposal(), follow=True)
    escalation = Escalation.objects.get()
    assert response.redirect_chain[-1][0] == f"/escalations/{escalation.pk}/"
    text = response.content.decode()
    when = date_format(timezone.localtime(meeting.starts_at).date())
    assert escape(f"on the agenda of the Strategic Board's meeting on {when}") in text
    assert escalation.meeting == meeting
    assert escalation.proposed_by == group_chair
    issue.refresh_from_db()
    assert issue.status == IssueStatus.ESCALATED


def test_escalating_with_no_board_meeting_says_it_waits(client, ratings, board, group_chair):
    client.force_login(group_chair)
    response = client.post(escalate_url(significant_issue()), proposal(), follow=True)
    text = response.content.decode()
    assert escape("The Strategic Board has no meeting scheduled yet") in text
    assert "Waiting for a Board meeting" in text
    assert Escalation.objects.get().status == EscalationStatus.AWAITING_MEETING


def test_no_criterion_is_refused_on_the_criteria_and_keeps_what_was_typed(
    client, ratings, group_chair
):
    issue = significant_issue()
    client.force_login(group_chair)
    response = client.post(
        escalate_url(issue), proposal(criteria=[], rationale="The trusts will not talk.")
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert 'href="#id_criteria_1"' in text
    assert "Choose at least one reason" in text
    assert "The trusts will not talk." in text
    assert not Escalation.objects.exists()


def test_cooperation_without_agencies_is_refused_beside_the_agencies(client, ratings, group_chair):
    client.force_login(group_chair)
    response = client.post(
        escalate_url(significant_issue()), proposal(criteria=["lack_of_cooperation"])
    )
    text = response.content.decode()
    assert 'href="#id_uncooperative_agencies_1"' in text
    assert "Name the agencies whose lack of co-operation" in text
    assert not Escalation.objects.exists()


def test_cooperation_with_agencies_named_is_kept(client, ratings, group_chair):
    police = AgencyFactory(name="Hertfordshire Constabulary")
    client.force_login(group_chair)
    client.post(
        escalate_url(significant_issue()),
        proposal(criteria=["lack_of_cooperation"], uncooperative_agencies=[str(police.pk)]),
    )
    escalation = Escalation.objects.get()
    assert list(escalation.uncooperative_agencies.all()) == [police]
    text = client.get(escalation.get_absolute_url()).content.decode()
    assert "Agencies not co-operating" in text
    assert "Hertfordshire Constabulary" in text


def test_issue_changed_meanwhile_is_shown_at_the_top(client, ratings, group_chair, monkeypatch):
    def moved(**kwargs):
        raise services.IssueChanged(IssueStatus.MONITORING)

    monkeypatch.setattr(services, "escalation_propose", moved)
    client.force_login(group_chair)
    response = client.post(escalate_url(significant_issue()), proposal())
    text = response.content.decode()
    assert "There is a problem" in text
    assert "The issue is now monitoring." in text
    assert "nothing was saved" in text


def test_an_already_escalated_issue_posted_again_is_refused(client, ratings, group_chair):
    escalation = EscalationFactory()
    client.force_login(group_chair)
    response = client.post(escalate_url(escalation.issue), proposal())
    assert "This issue is already with the Strategic Board" in response.content.decode()
    assert Escalation.objects.count() == 1


@pytest.mark.parametrize(
    ("role", "status"),
    [("member", 403), ("board_chair", 404), ("agency_staff", 404), ("cdop_member", 404)],
)
def test_only_the_chair_and_secretariat_may_escalate(client, ratings, board, request, role, status):
    issue = significant_issue()
    client.force_login(request.getfixturevalue(role))
    assert client.get(escalate_url(issue)).status_code == status
    assert client.post(escalate_url(issue), proposal()).status_code == status
    assert not Escalation.objects.exists()


# The list and one escalation ----------------------------------------------------------------


def test_list_shows_waiting_first_then_decided(client, ratings, board, board_chair):
    meeting = board_meeting(board)
    waiting = EscalationFactory(issue__title="Waiting issue", meeting=meeting, status="on_agenda")
    no_meeting = EscalationFactory(issue__title="Issue without a meeting")
    done = decided(EscalationFactory(issue__title="Decided issue"), board_chair)
    client.force_login(board_chair)
    text = client.get("/escalations/").content.decode()
    assert text.index("Waiting issue") < text.index("Decided issue")
    assert text.index("Issue without a meeting") < text.index("Decided issue")
    assert "No meeting yet" in text
    assert str(meeting) in text
    assert "Returned to the group with advice" in text
    assert date_format(done.decided_on) in text
    assert waiting.get_absolute_url() in text
    assert no_meeting.get_absolute_url() in text


def test_list_pages_the_waiting_escalations_too_and_each_list_keeps_its_place(
    client, ratings, board, board_chair, monkeypatch
):
    monkeypatch.setattr("subgroups.selectors.escalations.WAITING_PER_PAGE", 2)
    monkeypatch.setattr("subgroups.selectors.escalations.DECIDED_PER_PAGE", 2)
    now = timezone.now()
    for n in range(3):
        EscalationFactory(
            issue__title=f"Waiting {n}", proposed_at=now - datetime.timedelta(days=10 - n)
        )
    for n in range(3):
        decided(EscalationFactory(issue__title=f"Decided {n}"), board_chair)
    client.force_login(board_chair)

    first = client.get("/escalations/").content.decode()
    second = client.get("/escalations/?page=2&waiting=2").content.decode()

    assert "Waiting 0" in first and "Waiting 1" in first and "Waiting 2" not in first
    assert "3 escalations waiting, oldest first (page 1 of 2)" in first
    assert 'href="?waiting=2"' in first and 'href="?page=2"' in first
    assert 'aria-label="Pages of escalations waiting for the Board\'s decision"' in first
    assert "Waiting 2" in second and "Waiting 0" not in second
    assert 'href="?page=2&amp;waiting=1"' in second and 'href="?page=1&amp;waiting=2"' in second


def test_list_runs_a_fixed_number_of_queries(
    client, ratings, board, board_chair, django_assert_max_num_queries
):
    meeting = board_meeting(board)
    EscalationFactory(meeting=meeting, status="on_agenda")
    decided(EscalationFactory(), board_chair)
    client.force_login(board_chair)
    client.get("/escalations/")
    with CaptureQueriesContext(connection) as small:
        assert client.get("/escalations/").status_code == 200
    for _ in range(6):
        EscalationFactory(meeting=board_meeting(board, days=30), status="on_agenda")
        EscalationFactory()
        decided(EscalationFactory(), board_chair)
    with django_assert_max_num_queries(len(small)):
        response = client.get("/escalations/")
    assert response.content.decode().count("/escalations/") >= 20


@pytest.mark.parametrize("role", ["agency_staff", "cdop_member", "outsider"])
def test_list_is_refused_to_people_without_a_part_in_it(client, ratings, board, request, role):
    EscalationFactory()
    client.force_login(request.getfixturevalue(role))
    assert client.get("/escalations/").status_code == 403


def test_detail_shows_the_issue_the_proposal_and_the_meeting(
    client, ratings, board, group_chair, board_chair
):
    meeting = board_meeting(board)
    police = AgencyFactory(name="Hertfordshire Constabulary")
    issue = significant_issue(title="Missed health appointments")
    client.force_login(group_chair)
    client.post(
        escalate_url(issue),
        proposal(
            criteria=["beyond_remit", "lack_of_cooperation"],
            uncooperative_agencies=[str(police.pk)],
            rationale="The trusts will not share data.",
            recommendations="Write to the chief executives.",
        ),
    )
    escalation = Escalation.objects.get()
    client.force_login(board_chair)
    text = client.get(escalation.get_absolute_url()).content.decode()
    assert issue.reference in text
    assert "Missed health appointments" in text
    assert "It extends beyond the remit of the Strategic Board" in text
    assert "It has countywide or national implications" not in text
    assert "Hertfordshire Constabulary" in text
    assert "The trusts will not share data." in text
    assert "Write to the chief executives." in text
    assert "score 16" in text
    assert f'href="{meeting.get_absolute_url()}"' in text
    assert "Agenda item: Escalation from the Improving Outcomes subgroup" in text
    assert "Record the Board's decision" in text
    # The board chair does not see the register: the reference is not a link to it.
    assert f'href="{issue.get_absolute_url()}"' not in text


def test_detail_for_a_member_has_no_decision_link_and_no_meeting_link(
    client, ratings, board, member
):
    meeting = board_meeting(board)
    escalation = EscalationFactory(meeting=meeting, status="on_agenda")
    client.force_login(member)
    text = client.get(escalation.get_absolute_url()).content.decode()
    assert str(meeting) in text
    assert f'href="{meeting.get_absolute_url()}"' not in text
    assert "Record the Board's decision" not in text
    assert f'href="{escalation.issue.get_absolute_url()}"' in text


def test_detail_shows_the_decision_and_the_board_actions(
    client, ratings, board, group_chair, board_chair
):
    board_meeting(board)
    client.force_login(group_chair)
    client.post(escalate_url(significant_issue()), proposal())
    escalation = Escalation.objects.get()
    owner = UserFactory(first_name="Anne", last_name="O'Leary")
    due = timezone.localdate() + datetime.timedelta(days=30)
    decided(
        escalation,
        board_chair,
        decision="accept",
        notes="The Board will act.",
        actions=[BoardAction(title="Write to the trusts", owner=owner, due_date=due)],
    )
    client.force_login(board_chair)
    text = client.get(escalation.get_absolute_url()).content.decode()
    assert "Accepted: the Board takes action" in text
    assert "The Board will act." in text
    assert "Write to the trusts" in text
    assert escape(str(owner)) in text
    assert date_format(due) in text
    assert "Record the Board's decision" not in text


# Recording the decision ---------------------------------------------------------------------


def test_decision_form_defaults_to_today(client, ratings, board, board_chair):
    escalation = EscalationFactory()
    client.force_login(board_chair)
    text = client.get(decide_url(escalation)).content.decode()
    today = timezone.localdate()
    assert f'name="decided_on_2" type="text" value="{today.year}"' in text or (
        f'value="{today.year}"' in text
    )
    assert "What did the Board decide?" in text
    assert "Action 3" in text
    assert escape(escalation.recommendations) in text


def test_accepting_with_actions_creates_them_and_returns_to_the_escalation(
    client, ratings, board, board_chair
):
    meeting = board_meeting(board)
    escalation = EscalationFactory(meeting=meeting, status="on_agenda")
    owner = UserFactory()
    due = timezone.localdate() + datetime.timedelta(days=40)
    client.force_login(board_chair)
    response = client.post(
        decide_url(escalation),
        decision(decision="accept", notes="", **action_row(1, "Write to the trusts", owner, due)),
        follow=True,
    )
    assert response.redirect_chain[-1][0] == escalation.get_absolute_url()
    assert "The Board&#x27;s decision has been recorded" in response.content.decode()
    action = Action.objects.get()
    assert (action.title, action.owner, action.due_date) == ("Write to the trusts", owner, due)
    assert action.group == board[GroupFunction.STRATEGIC_BOARD]
    escalation.refresh_from_db()
    assert escalation.decision == "accept"
    assert escalation.issue.status == IssueStatus.OPEN


def test_a_half_filled_action_row_is_refused_on_that_row(client, ratings, board, board_chair):
    escalation = EscalationFactory()
    owner = UserFactory()
    due = timezone.localdate() + datetime.timedelta(days=40)
    client.force_login(board_chair)
    response = client.post(
        decide_url(escalation),
        decision(
            decision="accept",
            **action_row(1, "Write to the trusts", owner, due),
            action_2_title="Report back to the Board",
        ),
    )
    text = response.content.decode()
    assert 'href="#id_action_2_owner"' in text
    assert "Action 2: choose its owner, or clear the row" in text
    assert "Action 2: enter its due date, or clear the row" in text
    assert 'value="Report back to the Board"' in text
    assert 'value="Write to the trusts"' in text
    assert not Action.objects.exists()
    escalation.refresh_from_db()
    assert escalation.decision == ""


def test_accepting_with_no_action_is_refused_on_the_first_row(client, ratings, board, board_chair):
    escalation = EscalationFactory()
    client.force_login(board_chair)
    response = client.post(decide_url(escalation), decision(decision="accept"))
    text = response.content.decode()
    assert 'href="#id_action_1_title"' in text
    assert "Add at least one action" in text
    assert "Work with the ICB first." in text  # what was typed is kept


def test_returning_without_advice_is_refused_beside_the_advice(client, ratings, board, board_chair):
    escalation = EscalationFactory()
    client.force_login(board_chair)
    response = client.post(decide_url(escalation), decision(notes=""))
    text = response.content.decode()
    assert 'href="#id_notes"' in text
    assert "Enter the Board&#x27;s advice to the group" in text


def test_referring_on_records_where(client, ratings, board, secretariat):
    escalation = EscalationFactory()
    client.force_login(secretariat)
    client.post(
        decide_url(escalation),
        decision(decision="refer_on", notes="", referred_to="The national panel"),
    )
    escalation.refresh_from_db()
    assert (escalation.decision, escalation.referred_to) == ("refer_on", "The national panel")


def test_a_decided_escalation_says_so_and_has_no_form(client, ratings, board, board_chair):
    escalation = decided(EscalationFactory(), board_chair)
    client.force_login(board_chair)
    text = client.get(decide_url(escalation)).content.decode()
    assert "This escalation has been decided" in text
    assert "What did the Board decide?" not in text
    response = client.post(decide_url(escalation), decision(decision="refer_on", referred_to="X"))
    text = response.content.decode()
    assert "There is a problem" in text
    assert "cannot be recorded twice" in text
    escalation.refresh_from_db()
    assert escalation.decision == "return"


@pytest.mark.parametrize(
    ("role", "status"),
    [("group_chair", 403), ("member", 403), ("agency_staff", 404), ("outsider", 404)],
)
def test_only_the_board_chair_and_secretariat_record_the_decision(
    client, ratings, board, request, role, status
):
    escalation = EscalationFactory()
    client.force_login(request.getfixturevalue(role))
    assert client.get(decide_url(escalation)).status_code == status
    assert client.post(decide_url(escalation), decision()).status_code == status
    escalation.refresh_from_db()
    assert escalation.decision == ""


# Dashboard panels ---------------------------------------------------------------------------


def test_board_dashboard_lists_escalations_waiting(client, ratings, board, board_chair):
    escalation = EscalationFactory(issue__title="Missed health appointments")
    client.force_login(board_chair)
    text = client.get(BOARD_URL).content.decode()
    assert "Escalations waiting for the Board&#x27;s decision" in text
    assert "1 escalation from the Improving Outcomes subgroup is waiting" in text
    assert escalation.get_absolute_url() in text
    assert "Missed health appointments" in text


def test_board_dashboard_leaves_the_panel_out_when_nothing_waits(
    client, ratings, board, board_chair
):
    decided(EscalationFactory(), board_chair)
    client.force_login(board_chair)
    text = client.get(BOARD_URL).content.decode()
    assert "Escalations waiting for the Board" not in text


def test_group_dashboard_shows_the_register_panel(client, ratings, board, group_chair, board_chair):
    IssueFactory(likelihood=1, impact=2)  # Low
    IssueFactory(likelihood=4, impact=4)  # High
    IssueFactory(likelihood=4, impact=5, status=IssueStatus.CLOSED)  # not live
    late = IssueFactory(title="Late review", review_date=timezone.localdate())
    late.review_date = timezone.localdate() - datetime.timedelta(days=3)
    late.save(update_fields=["review_date"])
    waiting = EscalationFactory(issue__title="Waiting for the Board")
    back = decided(EscalationFactory(issue__title="Came back"), board_chair)
    client.force_login(group_chair)
    text = client.get(IO_URL).content.decode()
    assert 'id="panel-register"' in text
    assert "Live issues on the register by rating" in text
    assert "Low: 1; Medium: 0; High: 1; Very high: 3." in text  # the chart's figures
    # Live: the Low, the High, the late one, the escalated one and the one the Board returned.
    assert "5 live issues on the register; 1 with its review overdue" in text
    assert "Late review" in text
    assert waiting.get_absolute_url() in text
    assert back.get_absolute_url() in text
    assert "Returned to the group with advice" in text


def test_board_chair_sees_the_register_figures_but_not_its_issues(
    client, ratings, board, board_chair
):
    late = IssueFactory(title="Late review")
    late.review_date = timezone.localdate() - datetime.timedelta(days=3)
    late.save(update_fields=["review_date"])
    client.force_login(board_chair)
    text = client.get(IO_URL).content.decode()
    assert 'id="panel-register"' in text
    assert "1 with its review overdue" in text
    assert "Late review" not in text
    assert "Open the register" not in text


def test_other_groups_dashboards_have_no_register_panel(client, ratings, board, secretariat):
    IssueFactory()
    client.force_login(secretariat)
    slug = board[GroupFunction.CASE_REVIEW].slug
    text = client.get(f"/board/{slug}/dashboard/").content.decode()
    assert 'id="panel-register"' not in text


@pytest.mark.parametrize(("url", "role"), [(BOARD_URL, "board_chair"), (IO_URL, "group_chair")])
def test_dashboards_with_the_panels_run_a_fixed_number_of_queries(
    client, ratings, board, request, url, role, django_assert_max_num_queries
):
    user = request.getfixturevalue(role)
    chair = request.getfixturevalue("board_chair")
    EscalationFactory()
    decided(EscalationFactory(), chair)
    IssueFactory()
    client.force_login(user)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    for days in (5, 15, 25):
        meeting = board_meeting(board, days=days)
        EscalationFactory(meeting=meeting, status="on_agenda")
        decided(EscalationFactory(), chair)
        late = IssueFactory()
        late.review_date = timezone.localdate() - datetime.timedelta(days=days)
        late.save(update_fields=["review_date"])
    with django_assert_max_num_queries(len(small)):
        response = client.get(url)
    assert response.status_code == 200
