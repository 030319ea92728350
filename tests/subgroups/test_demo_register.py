"""The demonstration register: issues raised through the register's services, one escalated to
the Strategic Board, good practice; loading the demonstration again adds none of it twice."""

from __future__ import annotations

import pytest

from hscb.demo import demo_load
from subgroups.models import Escalation, GoodPractice, Issue, IssueStatus
from tests.subgroups.factories import ensure_ratings

pytestmark = pytest.mark.django_db


def test_the_demonstration_fills_the_register_once(board, mailoutbox):
    ensure_ratings()
    report = demo_load(password="demo-password-1")

    assert "4 register issues (one escalated) and good practice" in report.created_by_apps
    issues = {i.title: i for i in Issue.objects.prefetch_related("agencies")}
    assert len(issues) == 4
    missed = issues["Missed health appointments not shared with children's social care"]
    assert missed.status == IssueStatus.ESCALATED
    assert missed.rating.significant
    assert missed.agencies.count() == 3
    assert missed.reminder_next_on is not None
    escalation = Escalation.objects.get()
    assert escalation.issue == missed
    assert {a.label for a in escalation.uncooperative_agencies.all()} == {"ENHT", "WHTH"}
    assert issues["Schools not invited to strategy discussions"].status == IssueStatus.MONITORING
    assert GoodPractice.objects.count() == 2

    again = demo_load(password="demo-password-1")
    assert again.created_by_apps == [] or all("register" not in s for s in again.created_by_apps)
    assert Issue.objects.count() == 4
    assert Escalation.objects.count() == 1
    assert GoodPractice.objects.count() == 2
