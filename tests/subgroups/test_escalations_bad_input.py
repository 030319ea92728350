"""The escalation and decision forms answer bad input with the form again, an error summary and
nothing saved: never a 500. Missing fields, over-long text, null characters, wrong types and
repeated fields."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from hscb.models import Action
from subgroups.models import Escalation
from tests.hscb.factories import UserFactory
from tests.hscb.test_bad_input import assert_error_page
from tests.subgroups.factories import EscalationFactory, IssueFactory

pytestmark = pytest.mark.django_db

LONG = "x" * 8001


@pytest.fixture
def escalate(client, ratings, board, group_chair):
    issue = IssueFactory(likelihood=4, impact=4)
    client.force_login(group_chair)

    def post(data):
        return client.post(f"/register/{issue.pk}/escalate/", data)

    yield post
    assert not Escalation.objects.exists(), "a refused proposal saved an escalation"


@pytest.fixture
def decide(client, ratings, board, board_chair):
    escalation = EscalationFactory()
    client.force_login(board_chair)

    def post(data):
        return client.post(f"/escalations/{escalation.pk}/decision/", data)

    yield post
    escalation.refresh_from_db()
    assert escalation.decision == "", "a refused decision was saved"
    assert not Action.objects.exists()


def _date(prefix: str, day: datetime.date) -> dict[str, str]:
    return {
        f"{prefix}_0": str(day.day),
        f"{prefix}_1": str(day.month),
        f"{prefix}_2": str(day.year),
    }


def test_empty_proposal_names_every_missing_answer(escalate):
    assert_error_page(escalate({}), "criteria_1", "rationale", "recommendations")


def test_over_long_proposal_text_is_refused(escalate):
    text = assert_error_page(
        escalate({"criteria": "beyond_remit", "rationale": LONG, "recommendations": LONG}),
        "rationale",
        "recommendations",
    )
    assert "must be 8,000 characters or fewer" in text


def test_null_characters_in_the_proposal_are_refused(escalate):
    assert_error_page(
        escalate({"criteria": "beyond_remit", "rationale": "a\x00b", "recommendations": "ok"}),
        "rationale",
    )


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"criteria": "not_a_criterion"}, "criteria_1"),
        ({"criteria": "\x00"}, "criteria_1"),
        ({"criteria": "lack_of_cooperation", "uncooperative_agencies": "abc"}, None),
        ({"criteria": "lack_of_cooperation", "uncooperative_agencies": "999999"}, None),
        ({"criteria": "lack_of_cooperation", "uncooperative_agencies": "1" * 40}, None),
    ],
)
def test_wrong_types_in_the_proposal_are_refused(escalate, data, field):
    data = {"rationale": "Why.", "recommendations": "What.", **data}
    text = assert_error_page(escalate(data), *([field] if field else []))
    if field is None:
        assert 'href="#id_uncooperative_agencies_1"' in text


def test_repeated_proposal_fields_take_the_last_and_are_checked(client, escalate):
    response = escalate(
        {
            "criteria": ["beyond_remit", "beyond_remit"],
            "rationale": ["Why.", ""],
            "recommendations": "What.",
        }
    )
    assert_error_page(response, "rationale")


def test_empty_decision_names_every_missing_answer(decide):
    assert_error_page(decide({}), "decision_1", "decided_on")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"decision": "maybe"}, "decision_1"),
        ({"decision": "\x00"}, "decision_1"),
        ({"decided_on_0": "31", "decided_on_1": "2", "decided_on_2": "2026"}, "decided_on"),
        # A part that is not a number is named by the error summary's link.
        ({"decided_on_0": "x", "decided_on_1": "y", "decided_on_2": "z"}, "decided_on_0"),
        ({"decided_on_0": "9" * 30, "decided_on_1": "1", "decided_on_2": "2026"}, "decided_on_0"),
        ({"action_1_owner": "abc", "action_1_title": "T"}, "action_1_owner"),
        ({"action_1_owner": "999999", "action_1_title": "T"}, "action_1_owner"),
        ({"action_1_title": "x" * 301}, "action_1_title"),
        ({"action_1_title": "a\x00b"}, "action_1_title"),
        ({"referred_to": "x" * 301}, "referred_to"),
        ({"notes": LONG}, "notes"),
    ],
)
def test_wrong_types_in_the_decision_are_refused(decide, data, field):
    valid = {
        "decision": "return",
        "notes": "Advice.",
        **_date("decided_on", timezone.localdate()),
    }
    assert_error_page(decide({**valid, **data}), field)


def test_decision_in_the_future_and_past_due_dates_are_refused(decide, board_chair):
    owner = UserFactory()
    text = assert_error_page(
        decide(
            {
                "decision": "accept",
                **_date("decided_on", timezone.localdate() + datetime.timedelta(days=2)),
                "action_1_title": "Write to the trusts",
                "action_1_owner": str(owner.pk),
                **_date("action_1_due", timezone.localdate() - datetime.timedelta(days=1)),
            }
        ),
        "action_1_due",
    )
    assert "Action 1: the due date must be today or in the future" in text
    assert 'value="Write to the trusts"' in text


def test_repeated_decision_fields_are_checked(decide):
    response = decide(
        {
            "decision": ["refer_on", "return"],
            "notes": ["", ""],
            **_date("decided_on", timezone.localdate()),
        }
    )
    assert_error_page(response, "notes")
