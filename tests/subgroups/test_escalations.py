"""The rules of escalation to the Strategic Board and of the Board's decision, as the services
enforce them whatever page calls them (DESIGN.md §3)."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from hscb.models import Action, AgendaItem, GroupFunction
from hscb.services.meetings import meeting_schedule
from subgroups.models import Escalation, EscalationStatus, IssueStatus, IssueUpdate
from subgroups.services import register as services
from subgroups.services.register import BoardAction
from subgroups.tasks import send_escalation_proposed
from tests.hscb.factories import AgencyFactory, MeetingFactory, UserFactory
from tests.subgroups.factories import EscalationFactory, IssueFactory

pytestmark = pytest.mark.django_db


# Helpers ------------------------------------------------------------------------------------


def significant_issue(**kwargs):
    """An open issue of significant risk: Very high (score 16: likelihood 4, impact 4)."""
    kwargs.setdefault("likelihood", 4)
    kwargs.setdefault("impact", 4)
    return IssueFactory(**kwargs)


def propose(issue, by, **overrides):
    arguments = {
        "issue": issue,
        "by": by,
        "countywide_or_national": True,
        "beyond_remit": False,
        "lack_of_cooperation": False,
        "uncooperative_agencies": [],
        "rationale": "Every area of the county is affected.",
        "recommendations": "The Board asks both trusts to sign the agreement.",
    }
    arguments.update(overrides)
    return services.escalation_propose(**arguments)


def board_meeting(board, days: int = 20):
    starts = timezone.now() + datetime.timedelta(days=days)
    return MeetingFactory(group=board[GroupFunction.STRATEGIC_BOARD], starts_at=starts)


def refused_message(excinfo) -> str:
    return " ".join(excinfo.value.messages)


# Proposing ----------------------------------------------------------------------------------


def test_issue_below_threshold_cannot_be_escalated_and_the_reason_is_given(ratings, group_chair):
    issue = IssueFactory(likelihood=2, impact=3)  # score 6: Medium
    with pytest.raises(ValidationError) as excinfo:
        propose(issue, group_chair)
    message = refused_message(excinfo)
    assert "Only issues of significant risk can be escalated" in message
    assert "rated High or higher (a score of 10 or more)" in message
    assert "This issue is rated Medium (score 6)" in message
    issue.refresh_from_db()
    assert issue.status == IssueStatus.OPEN
    assert not Escalation.objects.exists()


def test_escalation_with_no_criterion_is_refused_on_the_criteria(ratings, group_chair):
    issue = significant_issue()
    with pytest.raises(ValidationError) as excinfo:
        propose(issue, group_chair, countywide_or_national=False)
    assert "criteria" in excinfo.value.message_dict
    assert "Choose at least one reason" in excinfo.value.message_dict["criteria"][0]
    assert not Escalation.objects.exists()


def test_lack_of_cooperation_without_agencies_named_is_refused(ratings, group_chair):
    issue = significant_issue()
    with pytest.raises(ValidationError) as excinfo:
        propose(issue, group_chair, countywide_or_national=False, lack_of_cooperation=True)
    assert excinfo.value.message_dict["uncooperative_agencies"] == [
        "Name the agencies whose lack of co-operation is the reason for escalating"
    ]
    assert not Escalation.objects.exists()


def test_lack_of_cooperation_keeps_the_agencies_named(ratings, group_chair):
    issue = significant_issue()
    police = AgencyFactory(name="Hertfordshire Constabulary")
    escalation = propose(
        issue,
        group_chair,
        countywide_or_national=False,
        lack_of_cooperation=True,
        uncooperative_agencies=[police],
    )
    assert list(escalation.uncooperative_agencies.all()) == [police]
    assert escalation.criteria == [
        "It results from a serious lack of co-operation of one or more agencies"
    ]


@pytest.mark.parametrize("status", [IssueStatus.RESOLVED, IssueStatus.CLOSED])
def test_resolved_or_closed_issue_cannot_be_escalated(ratings, group_chair, status):
    issue = significant_issue(status=status)
    with pytest.raises(ValidationError) as excinfo:
        propose(issue, group_chair)
    assert f"A {status} issue cannot be escalated" in refused_message(excinfo)
    assert not Escalation.objects.exists()


def test_issue_already_escalated_cannot_be_escalated_again(ratings, group_chair):
    issue = significant_issue()
    propose(issue, group_chair)
    with pytest.raises(ValidationError) as excinfo:
        propose(issue, group_chair)
    assert "already with the Strategic Board" in refused_message(excinfo)
    assert Escalation.objects.count() == 1


def test_rationale_and_recommendations_are_needed(ratings, group_chair):
    issue = significant_issue()
    with pytest.raises(ValidationError) as excinfo:
        propose(issue, group_chair, rationale="  ", recommendations="")
    assert set(excinfo.value.message_dict) == {"rationale", "recommendations"}
    issue.refresh_from_db()
    assert issue.status == IssueStatus.OPEN


def test_proposal_goes_on_the_next_board_meetings_agenda(ratings, board, group_chair):
    later = board_meeting(board, days=40)
    meeting = board_meeting(board, days=10)
    MeetingFactory(group=board[GroupFunction.IMPROVING_OUTCOMES])  # not the Board's
    issue = significant_issue(title="Missed health appointments")
    escalation = propose(issue, group_chair)
    escalation.refresh_from_db()
    assert escalation.status == EscalationStatus.ON_AGENDA
    assert escalation.meeting == meeting != later
    item = escalation.agenda_item
    assert item.meeting == meeting
    assert "Missed health appointments" in item.title
    assert item.linked_type == ContentType.objects.get_for_model(Escalation)
    assert item.linked_id == escalation.pk
    issue.refresh_from_db()
    assert issue.status == IssueStatus.ESCALATED
    update = IssueUpdate.objects.get(issue=issue)
    assert (update.status_from, update.status_to) == (IssueStatus.OPEN, IssueStatus.ESCALATED)
    assert escalation.score_when_proposed == 16


def test_proposal_waits_and_is_placed_when_a_board_meeting_is_scheduled(
    ratings, board, group_chair, secretariat, django_capture_on_commit_callbacks
):
    escalation = propose(significant_issue(), group_chair)
    assert escalation.status == EscalationStatus.AWAITING_MEETING
    assert escalation.meeting is None
    assert not AgendaItem.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        meeting = meeting_schedule(
            by=secretariat,
            group=board[GroupFunction.STRATEGIC_BOARD],
            title="",
            date=timezone.localdate() + datetime.timedelta(days=30),
            start=datetime.time(10),
            end=datetime.time(12),
            venue="County Hall",
            online_link="",
        )
    escalation.refresh_from_db()
    assert escalation.status == EscalationStatus.ON_AGENDA
    assert escalation.meeting == meeting
    assert escalation.agenda_item.meeting == meeting
    assert escalation.agenda_item.linked_id == escalation.pk


def test_scheduling_another_groups_meeting_places_nothing(
    ratings, board, group_chair, secretariat, django_capture_on_commit_callbacks
):
    escalation = propose(significant_issue(), group_chair)
    with django_capture_on_commit_callbacks(execute=True):
        meeting_schedule(
            by=secretariat,
            group=board[GroupFunction.IMPROVING_OUTCOMES],
            title="",
            date=timezone.localdate() + datetime.timedelta(days=30),
            start=datetime.time(10),
            end=datetime.time(12),
            venue="County Hall",
            online_link="",
        )
    escalation.refresh_from_db()
    assert escalation.status == EscalationStatus.AWAITING_MEETING
    assert not AgendaItem.objects.exists()


def test_board_chair_and_secretariat_are_emailed_once(
    ratings, board, group_chair, board_chair, secretariat, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        escalation = propose(significant_issue(title="Missed health appointments"), group_chair)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([board_chair.email, secretariat.email])
    assert all("Missed health appointments" in m.body for m in mail.outbox)
    assert all(escalation.get_absolute_url() in m.body for m in mail.outbox)
    escalation.refresh_from_db()
    assert escalation.notified_at is not None
    # The task run again (a retry, a duplicate delivery) sends nothing more.
    assert send_escalation_proposed.delay(escalation.pk).get() == 0
    assert len(mail.outbox) == 2


# The Board's decision -----------------------------------------------------------------------


def test_accepting_creates_board_actions_and_returns_the_issue_open(
    ratings, board, group_chair, board_chair
):
    meeting = board_meeting(board)
    escalation = propose(significant_issue(), group_chair)
    owner = UserFactory()
    due = timezone.localdate() + datetime.timedelta(days=60)
    services.escalation_decide(
        escalation=escalation,
        by=board_chair,
        decision="accept",
        decided_on=timezone.localdate(),
        notes="The Board will write to both trusts.",
        actions=[
            BoardAction(title="Write to the trusts' chief executives", owner=owner, due_date=due),
            BoardAction(title="Report back in three months", owner=board_chair, due_date=due),
        ],
    )
    escalation.refresh_from_db()
    assert escalation.status == EscalationStatus.DECIDED
    assert (escalation.decision, escalation.decided_by) == ("accept", board_chair)
    actions = Action.objects.order_by("title")
    assert [a.title for a in actions] == [
        "Report back in three months",
        "Write to the trusts' chief executives",
    ]
    for action in actions:
        assert action.group == board[GroupFunction.STRATEGIC_BOARD]
        assert (action.meeting, action.agenda_item) == (meeting, escalation.agenda_item)
        assert action.due_date == due
    issue = escalation.issue
    issue.refresh_from_db()
    assert issue.status == IssueStatus.OPEN
    update = issue.updates.first()
    assert (update.status_from, update.status_to) == (IssueStatus.ESCALATED, IssueStatus.OPEN)
    assert "Accepted" in update.text
    assert "The Board will write to both trusts." in update.text


def test_accepting_needs_at_least_one_action(ratings, board, group_chair, board_chair):
    escalation = propose(significant_issue(), group_chair)
    with pytest.raises(ValidationError) as excinfo:
        services.escalation_decide(
            escalation=escalation,
            by=board_chair,
            decision="accept",
            decided_on=timezone.localdate(),
        )
    assert "actions" in excinfo.value.message_dict
    escalation.refresh_from_db()
    assert escalation.status != EscalationStatus.DECIDED


def test_returning_needs_the_boards_advice(ratings, board, group_chair, board_chair):
    escalation = propose(significant_issue(), group_chair)
    with pytest.raises(ValidationError) as excinfo:
        services.escalation_decide(
            escalation=escalation,
            by=board_chair,
            decision="return",
            decided_on=timezone.localdate(),
        )
    assert excinfo.value.message_dict["notes"] == ["Enter the Board's advice to the group"]
    services.escalation_decide(
        escalation=escalation,
        by=board_chair,
        decision="return",
        decided_on=timezone.localdate(),
        notes="Work with the ICB first.",
    )
    escalation.issue.refresh_from_db()
    assert escalation.issue.status == IssueStatus.OPEN
    assert "Work with the ICB first." in escalation.issue.updates.first().text
    assert not Action.objects.exists()


def test_referring_on_needs_where_to(ratings, board, group_chair, secretariat):
    escalation = propose(significant_issue(), group_chair)
    with pytest.raises(ValidationError) as excinfo:
        services.escalation_decide(
            escalation=escalation,
            by=secretariat,
            decision="refer_on",
            decided_on=timezone.localdate(),
        )
    assert excinfo.value.message_dict["referred_to"] == ["Enter who the Board referred it to"]
    services.escalation_decide(
        escalation=escalation,
        by=secretariat,
        decision="refer_on",
        decided_on=timezone.localdate(),
        referred_to="The national Child Safeguarding Practice Review Panel",
    )
    escalation.refresh_from_db()
    assert escalation.referred_to == "The national Child Safeguarding Practice Review Panel"


def test_deciding_twice_is_refused(ratings, board, group_chair, board_chair):
    escalation = propose(significant_issue(), group_chair)
    today = timezone.localdate()
    services.escalation_decide(
        escalation=escalation, by=board_chair, decision="return", decided_on=today, notes="No."
    )
    again = Escalation.objects.get(pk=escalation.pk)
    with pytest.raises(ValidationError) as excinfo:
        services.escalation_decide(
            escalation=again,
            by=board_chair,
            decision="refer_on",
            decided_on=today,
            referred_to="Ofsted",
        )
    assert "cannot be recorded twice" in refused_message(excinfo)
    again.refresh_from_db()
    assert (again.decision, again.referred_to) == ("return", "")


def test_a_stale_copy_cannot_decide_after_another(ratings, board, group_chair, board_chair):
    """Two people deciding at once: the second's copy was read before the first saved."""
    escalation = propose(significant_issue(), group_chair)
    stale = Escalation.objects.get(pk=escalation.pk)
    today = timezone.localdate()
    services.escalation_decide(
        escalation=escalation, by=board_chair, decision="return", decided_on=today, notes="No."
    )
    with pytest.raises(ValidationError):
        services.escalation_decide(
            escalation=stale, by=board_chair, decision="refer_on", decided_on=today, referred_to="X"
        )
    assert Escalation.objects.get(pk=escalation.pk).decision == "return"


@pytest.mark.parametrize("role", ["group_chair", "member", "agency_staff"])
def test_only_the_board_chair_or_secretariat_may_decide(ratings, board, group_chair, request, role):
    escalation = propose(significant_issue(), group_chair)
    with pytest.raises(PermissionDenied):
        services.escalation_decide(
            escalation=escalation,
            by=request.getfixturevalue(role),
            decision="return",
            decided_on=timezone.localdate(),
            notes="Advice",
        )
    escalation.refresh_from_db()
    assert escalation.decision == ""


def test_decision_date_cannot_be_in_the_future_or_before_the_proposal(ratings, board, board_chair):
    escalation = EscalationFactory(proposed_at=timezone.now() - datetime.timedelta(days=3))
    for day, message in (
        (timezone.localdate() + datetime.timedelta(days=1), "today or in the past"),
        (timezone.localdate() - datetime.timedelta(days=10), "on or after the proposal"),
    ):
        with pytest.raises(ValidationError) as excinfo:
            services.escalation_decide(
                escalation=escalation, by=board_chair, decision="return", decided_on=day, notes="A"
            )
        assert message in excinfo.value.message_dict["decided_on"][0]


def test_an_agency_that_no_longer_takes_part_cannot_be_named_as_not_co_operating(
    ratings, group_chair
):
    issue = significant_issue()
    with pytest.raises(ValidationError) as excinfo:
        propose(
            issue,
            group_chair,
            lack_of_cooperation=True,
            uncooperative_agencies=[AgencyFactory(is_active=False)],
        )
    assert excinfo.value.message_dict["uncooperative_agencies"] == [
        "Choose agencies that still take part"
    ]
    assert not Escalation.objects.exists()


def test_a_decision_with_no_strategic_board_is_refused_not_a_crash(ratings, board, board_chair):
    escalation = EscalationFactory()
    board[GroupFunction.STRATEGIC_BOARD].memberships.all().update(end_date=timezone.localdate())
    type(board[GroupFunction.STRATEGIC_BOARD]).objects.filter(
        function=GroupFunction.STRATEGIC_BOARD
    ).update(function="")
    with pytest.raises((ValidationError, PermissionDenied)):
        services.escalation_decide(
            escalation=escalation,
            by=board_chair,
            decision="return",
            decided_on=timezone.localdate(),
            notes="Talk to the trusts first.",
        )
    escalation.refresh_from_db()
    assert escalation.decision == ""
