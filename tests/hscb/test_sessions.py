"""Idle sessions end after SESSION_IDLE_MINUTES; the next page goes to sign-in and back."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.clients import BoardClient, app_for, code_for

pytestmark = pytest.mark.django_db

MINUTE = datetime.timedelta(minutes=1)


@pytest.fixture
def clock():
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


def test_a_session_unused_for_the_idle_time_ends(client, member, clock, settings):
    client.force_login(member)
    clock.shift(settings.SESSION_IDLE_MINUTES * MINUTE + MINUTE)
    response = client.get("/actions/?status=open")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/sign-in/?next=/actions/%3Fstatus%3Dopen"
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"]).content.decode()
    assert "You were signed out because you had not used the service for 30 minutes" in page


def test_signing_in_again_comes_back_to_the_page_asked_for(
    client, member, password, clock, settings
):
    client.force_login(member)
    clock.shift(settings.SESSION_IDLE_MINUTES * MINUTE + MINUTE)
    login = client.get("/board/")["Location"]
    response = client.post(login, {"username": member.email, "password": password})
    assert response["Location"] == "/board/"


def test_using_the_session_keeps_it(client, member, clock, settings):
    client.force_login(member)
    for _ in range(3):
        clock.shift((settings.SESSION_IDLE_MINUTES - 5) * MINUTE)
        assert client.get("/board/").status_code == 200


def test_the_warnings_questions_do_not_count_as_use(client, member, clock, settings):
    client.force_login(member)
    clock.shift((settings.SESSION_IDLE_MINUTES - 3) * MINUTE)
    status = client.get("/accounts/session/").json()
    assert status == {"signed_in": True, "seconds_left": 180}
    clock.shift(4 * MINUTE)
    assert client.get("/accounts/session/").json() == {"signed_in": False, "seconds_left": 0}
    assert client.get("/board/")["Location"].startswith("/accounts/sign-in/")


def test_stay_signed_in_counts_as_use(client, member, clock, settings):
    client.force_login(member)
    clock.shift((settings.SESSION_IDLE_MINUTES - 1) * MINUTE)
    extended = client.post("/accounts/session/extend/", HTTP_ACCEPT="application/json")
    assert extended.json() == {
        "signed_in": True,
        "seconds_left": settings.SESSION_IDLE_MINUTES * 60,
    }
    clock.shift(10 * MINUTE)
    assert client.get("/board/").status_code == 200
    # Without the script, the button is an ordinary form that comes back to the page.
    assert client.post("/accounts/session/extend/", {"next": "/board/"})["Location"] == "/board/"
    assert client.post("/accounts/session/extend/", {"next": "https://evil.example/"})[
        "Location"
    ] == ("/")


def test_a_session_owing_its_code_times_out_too(client, secretariat, password, clock, settings):
    device = app_for(secretariat)
    client.post("/accounts/sign-in/", {"username": secretariat.email, "password": password})
    clock.shift(settings.SESSION_IDLE_MINUTES * MINUTE + MINUTE)
    response = client.post("/accounts/sign-in/code/", {"code": code_for(device)})
    assert response["Location"].startswith("/accounts/sign-in/")
    assert "_auth_user_id" not in client.session


def test_the_idle_time_is_a_setting(client, member, clock, settings):
    settings.SESSION_IDLE_MINUTES = 10
    client.force_login(member)
    clock.shift(11 * MINUTE)
    assert client.get("/board/").status_code == 302


def test_pages_carry_the_warning_for_the_script(client, member, settings):
    client.force_login(member)
    page = client.get("/board/").content.decode()
    assert f'data-session-idle="{settings.SESSION_IDLE_MINUTES * 60}"' in page
    assert f'data-session-warning="{settings.SESSION_IDLE_WARNING_MINUTES * 60}"' in page
    assert '<dialog class="app-timeout-dialog" id="timeout-warning"' in page
    assert "You’re about to be signed out" in page
    assert 'action="/accounts/session/extend/"' in page
    signed_out = BoardClient().get("/accounts/sign-in/").content.decode()
    assert "timeout-warning" not in signed_out and "data-session-idle" not in signed_out


def session_writes(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return [
        q["sql"]
        for q in queries.captured_queries
        if "django_session" in q["sql"] and not q["sql"].startswith("SELECT")
    ]


def test_an_ordinary_page_writes_the_session_at_most_once_a_minute(client, member, clock):
    client.force_login(member)
    assert session_writes(client, "/board/") == []
    clock.shift(2 * MINUTE)
    assert len(session_writes(client, "/board/")) == 1
    assert session_writes(client, "/board/") == []


def test_signing_out_after_the_idle_time_just_signs_out(client, member, clock, settings):
    client.force_login(member)
    clock.shift(settings.SESSION_IDLE_MINUTES * MINUTE + MINUTE)
    assert client.post("/accounts/sign-out/")["Location"] == "/accounts/sign-in/"


def test_a_page_left_open_after_signing_out_elsewhere_is_told(client, member):
    client.force_login(member)
    client.post("/accounts/sign-out/")
    assert client.get("/accounts/session/").json() == {"signed_in": False, "seconds_left": 0}


def test_a_busy_session_still_ends_after_its_longest_life(client, member, clock, settings):
    """Use keeps a session from going idle, not alive for ever: a stolen cookie used often
    still stops working."""
    client.force_login(member)
    used_for = datetime.timedelta(0)
    while used_for < datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE) - 25 * MINUTE:
        clock.shift(25 * MINUTE)
        used_for += 25 * MINUTE
        assert client.get("/board/").status_code == 200
    clock.shift(25 * MINUTE)
    response = client.get("/board/")
    assert response["Location"].startswith("/accounts/sign-in/")
    page = client.get(response["Location"]).content.decode()
    assert "because you had been signed in for 8 hours" in page


def test_the_time_left_counts_the_longest_life_too(client, member, clock, settings):
    settings.SESSION_COOKIE_AGE = 40 * 60
    client.force_login(member)
    clock.shift(20 * MINUTE)
    client.post("/accounts/session/extend/")
    clock.shift(15 * MINUTE)
    assert client.get("/accounts/session/").json()["seconds_left"] == 5 * 60
