"""The holes a review found stay closed: account takeover through the admin, lockout dodges,
forged addresses, over-long links, and failures that turned into a 500."""

from __future__ import annotations

import datetime
import re
from smtplib import SMTPException
from unittest import mock

import pytest
import time_machine
from auditlog.models import LogEntry
from django.contrib.auth.models import Group as PermissionGroup
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from hscb.lib.tokens import invitation_token_generator
from hscb.models import Group, GroupFunction, Membership, MembershipRole, User
from tests.clients import BoardClient
from tests.hscb.factories import UserFactory

pytestmark = pytest.mark.django_db

SIGN_IN = "/accounts/sign-in/"


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("root@board.example", "a-long-root-password-26")


def user_form(user: User, **changes) -> dict:
    """What the admin's change form for `user` posts, with `changes` on top."""
    return {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "agency": user.agency_id,
        "is_active": "on",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
        **changes,
    }


# Account takeover through the admin -------------------------------------------------------


def test_secretariat_cannot_change_a_superuser(client, secretariat, superuser):
    client.force_login(secretariat)
    response = client.post(
        f"/admin/hscb/user/{superuser.pk}/change/",
        {"email": "attacker@evil.example", "first_name": "A", "last_name": "B", "is_active": "on"},
    )
    assert response.status_code == 403
    assert User.objects.get(pk=superuser.pk).email == "root@board.example"


def test_secretariat_cannot_send_a_superuser_a_set_password_link(
    client, secretariat, superuser, django_capture_on_commit_callbacks
):
    client.force_login(secretariat)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/admin/hscb/user/",
            {"action": "send_new_invitation", "_selected_action": [superuser.pk]},
        )
    assert mail.outbox == []


def test_secretariat_grants_only_the_permission_groups_it_holds_and_keeps_the_others(
    client, secretariat, member
):
    private = PermissionGroup.objects.create(name="Panel data stewards")
    member.groups.add(private)
    client.force_login(secretariat)
    form = client.get(f"/admin/hscb/user/{member.pk}/change/").context["adminform"].form
    assert list(form.fields["groups"].queryset) == list(secretariat.groups.all())

    secretariat_group = PermissionGroup.objects.get(name="Secretariat")
    url = f"/admin/hscb/user/{member.pk}/change/"
    forged = client.post(url, user_form(member, groups=[private.pk]))
    assert forged.status_code == 200  # not a choice the form offers
    response = client.post(url, user_form(member, groups=[secretariat_group.pk]))
    assert response.status_code == 302
    assert set(member.groups.values_list("name", flat=True)) == {
        "Panel data stewards",
        "Secretariat",
    }


def test_changing_an_email_address_tells_the_old_address(
    client, secretariat, member, django_capture_on_commit_callbacks
):
    old = member.email
    client.force_login(secretariat)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/admin/hscb/user/{member.pk}/change/",
            user_form(member, email="New.Address@Agency.example"),
        )
    assert response.status_code == 302
    assert User.objects.get(pk=member.pk).email == "new.address@agency.example"
    [notice] = mail.outbox
    assert notice.to == [old]
    assert "has changed" in notice.subject


# The lockout ----------------------------------------------------------------------------------


def test_typing_the_email_in_other_cases_does_not_dodge_the_lockout(
    client, member, password, settings
):
    variants = [member.email.upper(), member.email.title(), member.email, member.email.swapcase()]
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post(SIGN_IN, {"username": variants[attempt % len(variants)], "password": "guess"})
    response = client.post(SIGN_IN, {"username": member.email.capitalize(), "password": password})
    assert response.status_code == 429


def test_a_forged_forwarded_address_is_ignored_without_a_trusted_proxy(client, board, group_chair):
    client.force_login(group_chair)
    client.post(
        "/board/improving-outcomes/remit/", {"remit": "Changed."}, HTTP_X_FORWARDED_FOR="10.9.9.9"
    )
    entry = LogEntry.objects.get_for_object(Group.objects.get(slug="improving-outcomes")).latest(
        "timestamp"
    )
    assert entry.remote_addr == "127.0.0.1"


def test_behind_a_trusted_proxy_the_address_it_saw_is_used(settings, board, group_chair):
    settings.TRUSTED_PROXY_COUNT = 1
    client = BoardClient(REMOTE_ADDR="172.18.0.1")
    client.force_login(group_chair)
    client.post(
        "/board/improving-outcomes/remit/",
        {"remit": "Changed."},
        HTTP_X_FORWARDED_FOR="6.6.6.6, 81.2.69.160",  # the visitor wrote the first; nginx the last
    )
    entry = LogEntry.objects.get_for_object(Group.objects.get(slug="improving-outcomes")).latest(
        "timestamp"
    )
    assert entry.remote_addr == "81.2.69.160"


@pytest.mark.parametrize("address", ["", "garbage", "unix:/run/gunicorn.sock"])
def test_what_is_not_an_address_is_stored_as_none(settings, board, group_chair, address):
    settings.TRUSTED_PROXY_COUNT = 1
    client = BoardClient(REMOTE_ADDR="172.18.0.1")
    client.force_login(group_chair)
    response = client.post(
        "/board/improving-outcomes/remit/", {"remit": "Changed."}, HTTP_X_FORWARDED_FOR=address
    )
    assert response.status_code == 302
    entry = LogEntry.objects.get_for_object(Group.objects.get(slug="improving-outcomes")).latest(
        "timestamp"
    )
    assert entry.remote_addr in (None, "172.18.0.1")


def test_behind_a_proxy_one_visitor_locked_out_does_not_lock_out_another(
    settings, member, password
):
    settings.TRUSTED_PROXY_COUNT = 1
    attacker = BoardClient(REMOTE_ADDR="172.18.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attacker.post(SIGN_IN, {"username": member.email, "password": "guess"})
    assert (
        attacker.post(SIGN_IN, {"username": member.email, "password": password}).status_code == 429
    )
    owner = BoardClient(REMOTE_ADDR="172.18.0.1", HTTP_X_FORWARDED_FOR="81.2.69.160")
    assert owner.post(SIGN_IN, {"username": member.email, "password": password}).status_code == 302


# One-time links -------------------------------------------------------------------------------


def test_a_reset_link_is_not_an_invitation_and_an_invitation_is_not_a_reset_link(client, member):
    uidb64 = urlsafe_base64_encode(force_bytes(member.pk))
    reset = default_token_generator.make_token(member)
    invitation = invitation_token_generator.make_token(member)
    assert (
        "expired"
        in client.get(f"/accounts/welcome/{uidb64}/{reset}/", follow=True).content.decode()
    )
    assert (
        "expired"
        in client.get(
            f"/accounts/password/reset/{uidb64}/{invitation}/", follow=True
        ).content.decode()
    )
    assert (
        "Set your password"
        in client.get(f"/accounts/welcome/{uidb64}/{invitation}/", follow=True).content.decode()
    )


def test_a_reset_link_runs_out_after_two_hours_and_an_invitation_after_three_days(client, member):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        reset = default_token_generator.make_token(member)
        invitation = invitation_token_generator.make_token(member)
    with time_machine.travel(start + datetime.timedelta(hours=2, minutes=1), tick=False):
        assert not default_token_generator.check_token(member, reset)
        assert invitation_token_generator.check_token(member, invitation)
    with time_machine.travel(start + datetime.timedelta(days=3, minutes=1), tick=False):
        assert not invitation_token_generator.check_token(member, invitation)
    assert not invitation_token_generator.check_token(member, "not-a-token")


def test_pages_and_emails_say_how_long_the_link_lasts(
    client, member, django_capture_on_commit_callbacks
):
    assert "for 2 hours" in client.get("/accounts/password/reset/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password/reset/", {"email": member.email})
    assert "for 2 hours" in mail.outbox[0].body


# Failures that must not become a 500 ----------------------------------------------------------


def test_when_email_fails_the_person_is_still_added_and_the_page_still_answers(
    client, secretariat, django_capture_on_commit_callbacks
):
    client.force_login(secretariat)
    with (
        mock.patch("hscb.services.board.send_templated_email", side_effect=SMTPException("down")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(
            "/admin/hscb/user/add/",
            {
                "email": "sam@police.example",
                "first_name": "Sam",
                "last_name": "Jones",
                "agency": secretariat.agency_id,
            },
        )
    assert response.status_code == 302
    user = User.objects.get(email="sam@police.example")
    assert user.invitation_sent_at is None  # so the secretariat's home page lists them
    home = client.get("/").content.decode()
    assert "Sam Jones (sam@police.example): invitation not sent" in home


def test_a_reset_for_a_real_address_answers_like_any_other_when_email_fails(
    client, member, django_capture_on_commit_callbacks
):
    with (
        mock.patch("hscb.services.board.send_templated_email", side_effect=SMTPException("down")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post("/accounts/password/reset/", {"email": member.email})
    assert response["Location"] == "/accounts/password/reset/sent/"


def test_two_open_seats_sent_together_in_the_admin_get_a_message_not_a_500(
    client, secretariat, board
):
    person = UserFactory()
    audit = board[GroupFunction.AUDIT]
    row = {
        "group": audit.pk,
        "role": MembershipRole.MEMBER,
        "agency": person.agency_id,
        "start_date": "2026-04-01",
    }
    data = user_form(
        person,
        **{"memberships-TOTAL_FORMS": "2"},
        **{f"memberships-0-{k}": v for k, v in row.items()},
        **{f"memberships-1-{k}": v for k, v in row.items()},
    )
    client.force_login(secretariat)
    response = client.post(f"/admin/hscb/user/{person.pk}/change/", data)
    assert response.status_code == 200
    assert "two open memberships of the Audit subgroup" in response.content.decode()
    assert not Membership.objects.filter(user=person).exists()


def test_two_open_chairs_sent_together_in_the_admin_get_a_message(client, secretariat, board):
    audit = board[GroupFunction.AUDIT]
    people = UserFactory.create_batch(2)
    data = {
        "name": audit.name,
        "slug": audit.slug,
        "kind": audit.kind,
        "function": audit.function,
        "order": audit.order,
        "is_active": "on",
        "remit": audit.remit,
        "accountable_to": audit.accountable_to_id,
        "objectives-TOTAL_FORMS": "0",
        "objectives-INITIAL_FORMS": "0",
        "memberships-TOTAL_FORMS": "2",
        "memberships-INITIAL_FORMS": "0",
    }
    for i, person in enumerate(people):
        data |= {
            f"memberships-{i}-user": person.pk,
            f"memberships-{i}-role": MembershipRole.CHAIR,
            f"memberships-{i}-start_date": "2026-04-01",
        }
    client.force_login(secretariat)
    response = client.post(f"/admin/hscb/group/{audit.pk}/change/", data)
    assert response.status_code == 200
    assert "two open chairs here" in response.content.decode()


def test_server_errors_are_emailed_to_the_admins(settings, member):
    settings.ADMINS = [("Board administrator", "admin@board.example")]
    settings.DEBUG = False
    client = BoardClient(raise_request_exception=False)
    client.force_login(member)
    with mock.patch("hscb.views.board.selectors.home_for_user", side_effect=RuntimeError("boom")):
        assert client.get("/").status_code == 500
    assert [m.to for m in mail.outbox] == [["admin@board.example"]]
    assert re.search(r"RuntimeError", mail.outbox[0].body)


# Who may change a group's remit, by POST ------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 302),
        ("secretariat", 302),
        ("board_chair", 403),
        ("group_chair", 302),
        ("member", 403),
        ("agency_staff", 403),
        ("cdop_member", 403),
        ("case_review_member", 403),
        ("outsider", 403),
    ],
)
def test_each_role_posting_a_new_remit(request, client, board, role, status):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    response = client.post("/board/improving-outcomes/remit/", {"remit": f"Written by {role}."})
    assert response.status_code == status
    changed = Group.objects.get(slug="improving-outcomes").remit == f"Written by {role}."
    assert changed is (role in {"secretariat", "group_chair"})
    if role == "anonymous":
        assert response["Location"].startswith(SIGN_IN)
