"""An agenda item finds the record it is about by the reference typed, for every kind the apps
register: a case review notification and an escalation by their references, an action by its
number; never a record the meeting may not link."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from hscb.models import GroupFunction
from hscb.services.meetings import link_find
from tests.casereview.factories import NotificationFactory
from tests.hscb.factories import ActionFactory, MeetingFactory
from tests.subgroups.factories import EscalationFactory, ensure_ratings

pytestmark = pytest.mark.django_db


def test_a_case_review_meeting_finds_a_waiting_case_by_its_reference(board):
    meeting = MeetingFactory(group=board[GroupFunction.CASE_REVIEW])
    case = NotificationFactory()
    assert link_find(meeting, case.reference.lower()) == case
    with pytest.raises(ValidationError, match="No record this item can be about"):
        link_find(MeetingFactory(group=board[GroupFunction.AUDIT]), case.reference)


def test_a_board_meeting_finds_an_escalation_by_its_issues_reference(board):
    ensure_ratings()
    meeting = MeetingFactory(group=board[GroupFunction.STRATEGIC_BOARD])
    escalation = EscalationFactory(status="awaiting_meeting")
    reference = escalation.issue.reference
    assert link_find(meeting, reference.lower()) == escalation
    for typed in [reference + "x", "IO-", "IO-" + "9" * 30]:
        with pytest.raises(ValidationError, match="No record this item can be about"):
            link_find(meeting, typed)


def test_an_action_is_found_by_its_number_within_the_meetings_group(board):
    meeting = MeetingFactory(group=board[GroupFunction.AUDIT])
    ours = ActionFactory(group=meeting.group)
    theirs = ActionFactory(group=board[GroupFunction.CASE_REVIEW])
    assert link_find(meeting, f"Action {ours.pk}") == ours
    assert link_find(meeting, f"{ours.pk}") == ours
    for typed in [f"{theirs.pk}", "Action", "1" * 40, "１２"]:
        with pytest.raises(ValidationError):
            link_find(meeting, typed)
