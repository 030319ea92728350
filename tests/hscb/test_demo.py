"""Demonstration data comes only from its own command, which refuses to run with DEBUG off."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from hscb.demo import ROLE_USERS
from hscb.models import Agency, Membership, User
from hscb.rules import roles_of

pytestmark = pytest.mark.django_db


def test_migrations_create_no_people_or_agencies():
    assert not User.objects.exists()
    assert not Agency.objects.exists()


def test_demo_needs_the_board_loaded_first(settings):
    settings.DEBUG = True
    with pytest.raises(CommandError, match="load_board"):
        call_command("load_demo", stdout=StringIO())


def test_demo_refuses_with_debug_off(board, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("load_demo", stdout=StringIO())
    assert not User.objects.exists()


def test_demo_prints_one_account_per_role_and_the_password_once(board, settings):
    settings.DEBUG = True
    first = StringIO()
    call_command("load_demo", "--password", "demo password 2026", stdout=first)
    for person in ROLE_USERS.values():
        assert person.address in first.getvalue()
    assert "demo password 2026" in first.getvalue()
    counts = (User.objects.count(), Agency.objects.count(), Membership.objects.count())

    second = StringIO()
    call_command("load_demo", "--password", "demo password 2026", stdout=second)
    assert "already loaded" in second.getvalue()
    assert "demo password 2026" not in second.getvalue()
    assert (User.objects.count(), Agency.objects.count(), Membership.objects.count()) == counts


def test_demo_accounts_hold_the_roles_they_are_named_for(board, settings):
    settings.DEBUG = True
    call_command("load_demo", "--password", "demo password 2026", stdout=StringIO())

    def roles(role: str):
        return roles_of(User.objects.get(email=ROLE_USERS[role].address))

    assert roles("secretariat").is_secretariat
    assert roles("board chair").is_board_chair
    assert roles("group chair").is_group_chair and not roles("group chair").is_board_chair
    assert roles("group member").seats and not roles("group member").is_group_chair
    assert roles("agency staff").seats == ()
    assert roles("CDOP panel member").sits_on("child_death_overview")
    assert roles("case review member").sits_on("case_review")
    assert User.objects.get(email=ROLE_USERS["agency staff"].address).check_password(
        "demo password 2026"
    )


def test_reset_password_gives_every_demo_account_a_new_one(board, settings):
    settings.DEBUG = True
    call_command("load_demo", "--password", "first password 2026", stdout=StringIO())
    out = StringIO()
    call_command("load_demo", "--reset-password", "--password", "second password 2026", stdout=out)
    assert "second password 2026" in out.getvalue()
    assert User.objects.get(email=ROLE_USERS["secretariat"].address).check_password(
        "second password 2026"
    )


def test_demo_keeps_a_seat_the_secretariat_has_since_changed(board, settings):
    settings.DEBUG = True
    call_command("load_demo", "--password", "demo password 2026", stdout=StringIO())
    seat = Membership.objects.filter(role="member").first()
    seat.role = "adviser"
    seat.save()
    call_command("load_demo", "--password", "demo password 2026", stdout=StringIO())
    seat.refresh_from_db()
    assert seat.role == "adviser"
    assert Membership.objects.filter(user=seat.user, group=seat.group).count() == 1
