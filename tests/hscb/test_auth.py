"""Signing in with an email address, lockout after repeated failures, and password resets."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from hscb.models import User
from tests.hscb.factories import UserFactory

pytestmark = pytest.mark.django_db

SIGN_IN = "/accounts/sign-in/"


def link_in(message) -> str:
    return re.search(r"http://\S+", message.body).group(0).removeprefix("http://127.0.0.1:8000")


def test_sign_in_with_email_in_any_case_goes_home(client, member, password):
    response = client.post(SIGN_IN, {"username": member.email.upper(), "password": password})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").context["user"] == member


def test_wrong_password_shows_an_error_summary_and_keeps_the_email(client, member):
    response = client.post(SIGN_IN, {"username": member.email, "password": "wrong"})
    text = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in text
    assert "Enter a correct email address and password" in text
    assert f'value="{member.email}"' in text
    assert "<title>Error: Sign in" in text


def test_closed_account_cannot_sign_in(client, member, password):
    member.is_active = False
    member.save()
    response = client.post(SIGN_IN, {"username": member.email, "password": password})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_repeated_failures_lock_the_account_even_for_the_right_password(
    client, member, password, settings
):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert (
            client.post(SIGN_IN, {"username": member.email, "password": "guess"}).status_code == 200
        )
    locked = client.post(SIGN_IN, {"username": member.email, "password": "guess"})
    assert locked.status_code == 429
    assert "Sign-in locked" in locked.content.decode()
    again = client.post(SIGN_IN, {"username": member.email, "password": password})
    assert again.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_lockout_does_not_stop_other_people_signing_in(
    client, member, agency_staff, password, settings
):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(SIGN_IN, {"username": member.email, "password": "guess"})
    response = client.post(SIGN_IN, {"username": agency_staff.email, "password": password})
    assert response.status_code == 302


def test_sign_out_is_a_post_and_ends_the_session(client, member):
    client.force_login(member)
    response = client.post("/accounts/sign-out/")
    assert response.status_code == 302 and response["Location"] == SIGN_IN
    assert client.get("/")["Location"].startswith(SIGN_IN)


def test_password_reset_emails_a_working_link(client, member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password/reset/", {"email": member.email.upper()})
    assert response["Location"] == "/accounts/password/reset/sent/"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [member.email]
    assert "Reset your password" in mail.outbox[0].subject

    form = client.get(link_in(mail.outbox[0]), follow=True)
    assert "Choose a new password" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "brand new secret 2026", "new_password2": "brand new secret 2026"},
    )
    assert done["Location"] == "/accounts/password/reset/done/"
    assert User.objects.get(pk=member.pk).check_password("brand new secret 2026")


def test_password_reset_for_an_unknown_address_says_the_same_and_sends_nothing(
    client, db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password/reset/", {"email": "nobody@nowhere.example"})
    assert response["Location"] == "/accounts/password/reset/sent/"
    assert mail.outbox == []


def test_someone_who_never_set_a_password_can_ask_for_a_reset(
    client, db, django_capture_on_commit_callbacks
):
    user = UserFactory(email="late.starter@agency.example")
    user.set_unusable_password()
    user.save()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password/reset/", {"email": user.email})
    assert [m.to for m in mail.outbox] == [[user.email]]


def test_change_password_needs_the_current_one(client, member, password):
    client.force_login(member)
    wrong = client.post(
        "/accounts/password/change/",
        {
            "old_password": "not it",
            "new_password1": "another secret 2026",
            "new_password2": "another secret 2026",
        },
    )
    assert "Your old password was entered incorrectly" in wrong.content.decode()
    right = client.post(
        "/accounts/password/change/",
        {
            "old_password": password,
            "new_password1": "another secret 2026",
            "new_password2": "another secret 2026",
        },
    )
    assert right["Location"] == "/accounts/password/change/done/"
    assert User.objects.get(pk=member.pk).check_password("another secret 2026")
