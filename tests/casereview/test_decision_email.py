"""The board chair is emailed when the Case Review subgroup puts a case to them: the reference
and the recommendation, never the child; once each, however often the task runs."""

from __future__ import annotations

import pytest

from casereview.models import CaseEmail
from casereview.services import cases as services
from casereview.services import notifications
from casereview.tasks.cases import send_decision_needed
from tests.casereview.factories import NotificationFactory
from tests.casereview.test_decision import consider

pytestmark = pytest.mark.django_db


def test_the_board_chair_is_told_a_decision_is_needed(
    board, board_chair, case_review_member, mailoutbox, django_capture_on_commit_callbacks
):
    notification = NotificationFactory(first_name="Zebedee", last_name="Quartermain")
    with django_capture_on_commit_callbacks(execute=True):
        consider(notification, case_review_member)

    assert [m.to for m in mailoutbox] == [[board_chair.email]]
    email = mailoutbox[0]
    body = email.body + email.alternatives[0][0]
    assert notification.reference in email.subject
    assert "Local child safeguarding practice review" in body
    assert f"/case-review/cases/{notification.pk}/decision/" in body
    assert "Zebedee" not in body and "Quartermain" not in body


def test_the_decision_email_goes_once_however_often_the_task_runs(
    board, board_chair, case_review_member, mailoutbox, django_capture_on_commit_callbacks
):
    notification = NotificationFactory()
    with django_capture_on_commit_callbacks(execute=True):
        consider(notification, case_review_member)
    assert send_decision_needed(notification.pk) == 0
    assert services.decision_needed_send(notification_pk=notification.pk) == 0
    assert len(mailoutbox) == 1
    assert CaseEmail.objects.filter(notification=notification, kind="decision_needed").count() == 1


def test_a_failed_send_gives_the_claim_back(board, board_chair, case_review_member, monkeypatch):
    notification = NotificationFactory()
    consider(notification, case_review_member)

    def broken(*args, **kwargs):
        raise ConnectionError("mail server down")

    monkeypatch.setattr(notifications, "send_templated_email", broken)
    with pytest.raises(ConnectionError):
        services.decision_needed_send(notification_pk=notification.pk)
    assert not CaseEmail.objects.filter(kind="decision_needed").exists()
