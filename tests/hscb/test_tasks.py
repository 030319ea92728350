"""The set-your-password invitation goes out once, after commit, through a Celery task."""

from __future__ import annotations

import datetime
import re
from smtplib import SMTPException
from unittest import mock

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from hscb import tasks
from hscb.models import User
from hscb.services import board as services

pytestmark = pytest.mark.django_db


def new_person(**extra) -> User:
    return User(email="New.Starter@Agency.example", first_name="Amara", last_name="Okoro", **extra)


def test_inviting_queues_the_email_only_when_the_transaction_commits(
    board, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        user = services.user_invite(user=new_person())
        assert mail.outbox == []
    assert len(callbacks) == 1
    callbacks[0]()
    user.refresh_from_db()
    assert user.email == "new.starter@agency.example"
    assert not user.has_usable_password()
    assert user.invitation_sent_at is not None
    [message] = mail.outbox
    assert message.to == ["new.starter@agency.example"]
    assert (
        message.subject
        == "Set your password for the Hertfordshire Safeguarding Children Board's system"
    )
    assert re.search(r"http://127\.0\.0\.1:8000/accounts/welcome/\w+/[\w-]+/", message.body)
    assert message.alternatives[0].mimetype == "text/html"


def test_the_task_sends_once_however_often_it_runs(board):
    user = User.objects.create_user("twice@agency.example")
    assert tasks.send_set_password_email(user.pk) is True
    assert tasks.send_set_password_email(user.pk) is False
    assert len(mail.outbox) == 1


def test_a_failed_send_gives_the_claim_back_so_a_retry_sends(board):
    user = User.objects.create_user("flaky@agency.example")
    with (
        mock.patch("hscb.services.board.send_templated_email", side_effect=SMTPException("down")),
        pytest.raises(SMTPException),
    ):
        services.invitation_send(user_pk=user.pk)
    user.refresh_from_db()
    assert user.invitation_sent_at is None
    assert services.invitation_send(user_pk=user.pk) is True
    assert len(mail.outbox) == 1


def test_closed_accounts_are_not_invited(board):
    user = User.objects.create_user("gone@agency.example", is_active=False)
    assert tasks.send_set_password_email(user.pk) is False
    assert mail.outbox == []


def test_reinviting_sends_a_fresh_link(board, django_capture_on_commit_callbacks):
    user = User.objects.create_user("again@agency.example")
    tasks.send_set_password_email(user.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.user_reinvite(user=user)
    assert len(mail.outbox) == 2


def test_the_invitation_link_sets_a_password_once(
    client, board, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        user = services.user_invite(user=new_person())
    link = re.search(r"http://127\.0\.0\.1:8000(\S+)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    assert "Set your password" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "my own secret 2026", "new_password2": "my own secret 2026"},
    )
    assert done["Location"] == "/accounts/welcome/done/"
    user.refresh_from_db()
    assert user.check_password("my own secret 2026")
    assert "This link has expired" in client.get(link, follow=True).content.decode()


def test_expired_sessions_are_cleared(db):
    Session.objects.create(
        session_key="old", session_data="", expire_date=timezone.now() - datetime.timedelta(days=1)
    )
    Session.objects.create(
        session_key="live", session_data="", expire_date=timezone.now() + datetime.timedelta(days=1)
    )
    tasks.clear_expired_sessions()
    assert list(Session.objects.values_list("session_key", flat=True)) == ["live"]


def test_the_session_clean_up_is_scheduled_in_the_database(db):
    task = PeriodicTask.objects.get(task="hscb.tasks.clear_expired_sessions")
    assert task.enabled and task.crontab.hour == "3"


def test_ping_answers_in_process_when_eager():
    result = tasks.worker_ping.delay(4).get()
    assert result["double"] == 8 and result["eager"] is True
