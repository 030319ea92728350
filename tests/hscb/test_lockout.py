"""The lockout's rules beyond one account from one address: password spraying from one address,
and one account tried from many addresses (slowed down, never locked for good)."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from tests.clients import BoardClient
from tests.hscb.factories import UserFactory

pytestmark = pytest.mark.django_db

SIGN_IN = "/accounts/sign-in/"


def from_address(address: str) -> BoardClient:
    return BoardClient(REMOTE_ADDR=address)


def attempt(client, email: str, password: str):
    return client.post(SIGN_IN, {"username": email, "password": password})


@pytest.fixture
def clock():
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


# Password spraying: one address, many accounts -------------------------------------------------


def test_many_failures_from_one_address_across_accounts_lock_the_address(
    settings, member, password
):
    settings.SIGN_IN_ADDRESS_FAILURE_LIMIT = 6
    sprayer = from_address("203.0.113.9")
    for n in range(settings.SIGN_IN_ADDRESS_FAILURE_LIMIT - 1):
        # Two guesses an account: far below the per-account limit.
        assert attempt(sprayer, f"person{n // 2}@agency.example", "Winter2026!").status_code == 200
    locked = attempt(sprayer, "person9@agency.example", "Winter2026!")
    assert locked.status_code == 429
    assert "too many failed attempts to sign in from your network" in locked.content.decode()
    # Nobody signs in from that address for now, even with the right password ...
    assert attempt(sprayer, member.email, password).status_code == 429
    # ... but the account itself is not locked: its owner elsewhere signs in.
    assert attempt(from_address("81.2.69.160"), member.email, password).status_code == 302


def test_an_office_behind_one_address_is_not_locked_by_a_few_typos(settings, password):
    settings.SIGN_IN_ADDRESS_FAILURE_LIMIT = 6
    office = from_address("198.51.100.20")
    people = [UserFactory() for _ in range(4)]
    for person in people:
        attempt(office, person.email, "typo")
    for person in people:
        assert attempt(office, person.email, password).status_code == 302


# One account, many addresses -------------------------------------------------------------------


def test_one_account_tried_from_many_addresses_is_slowed_not_locked(
    settings, member, password, clock
):
    settings.SIGN_IN_ACCOUNT_FAILURE_LIMIT = 6
    for n in range(settings.SIGN_IN_ACCOUNT_FAILURE_LIMIT):
        # One guess from each address: the per-pair lockout never trips.
        attempt(from_address(f"203.0.113.{n + 10}"), member.email, "guess")
    owner = from_address("81.2.69.160")
    waiting = attempt(owner, member.email, password)
    assert waiting.status_code == 429
    text = waiting.content.decode()
    assert "Wait before you try again" in text
    assert "Try again in 5 minutes" in text
    assert "reset your password" in text

    # Attempts refused while it waits are not counted, so they cannot keep the owner out.
    for n in range(20):
        attempt(from_address(f"192.0.2.{n + 1}"), member.email, "guess")
    clock.shift(datetime.timedelta(minutes=settings.SIGN_IN_ACCOUNT_WAIT_MINUTES, seconds=1))
    assert attempt(owner, member.email, password).status_code == 302


def test_after_the_wait_each_wrong_guess_starts_another_wait(settings, member, password, clock):
    settings.SIGN_IN_ACCOUNT_FAILURE_LIMIT = 4
    for n in range(settings.SIGN_IN_ACCOUNT_FAILURE_LIMIT):
        attempt(from_address(f"203.0.113.{n + 10}"), member.email, "guess")
    clock.shift(datetime.timedelta(minutes=settings.SIGN_IN_ACCOUNT_WAIT_MINUTES, seconds=1))
    # One more guess is allowed, and wrong: the account waits again.
    assert attempt(from_address("203.0.113.99"), member.email, "guess").status_code == 429
    assert attempt(from_address("81.2.69.160"), member.email, password).status_code == 429


def test_the_reset_link_lets_the_owner_straight_in(
    settings, member, password, django_capture_on_commit_callbacks
):
    settings.SIGN_IN_ACCOUNT_FAILURE_LIMIT = 4
    for n in range(settings.SIGN_IN_ACCOUNT_FAILURE_LIMIT):
        attempt(from_address(f"203.0.113.{n + 10}"), member.email, "guess")
    owner = from_address("81.2.69.160")
    assert attempt(owner, member.email, password).status_code == 429

    with django_capture_on_commit_callbacks(execute=True):
        owner.post("/accounts/password/reset/", {"email": member.email})
    link = re.search(r"http://\S+", mail.outbox[0].body).group(0)
    form = owner.get(link.removeprefix("http://127.0.0.1:8000"), follow=True)
    owner.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a fresh secret 2026", "new_password2": "a fresh secret 2026"},
    )
    assert attempt(owner, member.email, "a fresh secret 2026").status_code == 302


def test_the_owners_own_browser_is_never_slowed_by_an_attacker(settings, member, password):
    """OWASP's device cookies: the browser that signed in before carries a signed cookie for the
    account, and the account rule does not apply to it, however often others guess."""
    settings.SIGN_IN_ACCOUNT_FAILURE_LIMIT = 4
    owner = from_address("81.2.69.160")
    assert attempt(owner, member.email, password).status_code == 302
    assert "known_device" in owner.cookies
    owner.post("/accounts/sign-out/")
    for n in range(3 * settings.SIGN_IN_ACCOUNT_FAILURE_LIMIT):
        attempt(from_address(f"203.0.113.{n + 10}"), member.email, "guess")
    assert attempt(from_address("198.51.100.7"), member.email, password).status_code == 429
    assert attempt(owner, member.email, password).status_code == 302


def test_a_forged_or_borrowed_device_cookie_counts_for_nothing(settings, member, password):
    settings.SIGN_IN_ACCOUNT_FAILURE_LIMIT = 4
    for n in range(settings.SIGN_IN_ACCOUNT_FAILURE_LIMIT):
        attempt(from_address(f"203.0.113.{n + 10}"), member.email, "guess")
    forger = from_address("198.51.100.7")
    forger.cookies["known_device"] = member.email
    assert attempt(forger, member.email, password).status_code == 429
    # A cookie signed for someone else's account does not open this one.
    other = UserFactory()
    borrowed = from_address("198.51.100.8")
    assert attempt(borrowed, other.email, password).status_code == 302
    borrowed.post("/accounts/sign-out/")
    assert attempt(borrowed, member.email, password).status_code == 429


def test_an_ipv6_connection_counts_as_one_address(settings, member, password):
    """One connection is given a whole /64: spraying from many addresses in it is one sprayer."""
    settings.SIGN_IN_ADDRESS_FAILURE_LIMIT = 6
    for n in range(settings.SIGN_IN_ADDRESS_FAILURE_LIMIT):
        attempt(from_address(f"2001:db8:0:1::{n + 1:x}"), f"p{n}@agency.example", "Winter2026!")
    assert attempt(from_address("2001:db8:0:1::ffff"), member.email, password).status_code == 429
    assert attempt(from_address("2001:db8:0:2::1"), member.email, password).status_code == 302
