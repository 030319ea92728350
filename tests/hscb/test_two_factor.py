"""Two-factor sign-in: who must have it, setting up an app, codes after the password, backup
codes, turning it on and off, the secretariat's reset, and the demonstration's codes."""

from __future__ import annotations

import datetime
import re
from base64 import b32encode
from urllib.parse import quote

import pytest
import time_machine
from auditlog.models import LogEntry
from axes.models import AccessAttempt
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from hscb.lib.twofactor import second_factor_required
from hscb.models import User
from tests.clients import BoardClient, app_for, code_for
from tests.hscb.factories import UserFactory

pytestmark = pytest.mark.django_db

SIGN_IN = "/accounts/sign-in/"
VERIFY = "/accounts/sign-in/code/"
BACKUP = "/accounts/sign-in/backup-code/"
SET_UP = "/accounts/two-factor/set-up/"
CODES = "/accounts/two-factor/backup-codes/"


def sign_in(client, user, password, next_url: str = "") -> object:
    url = f"{SIGN_IN}?next={quote(next_url)}" if next_url else SIGN_IN
    return client.post(url, {"username": user.email, "password": password})


def text(response) -> str:
    return response.content.decode()


@pytest.mark.parametrize(
    ("role", "required"),
    [
        ("secretariat", True),
        ("board_chair", True),
        ("case_review_member", True),
        ("cdop_member", True),
        ("group_chair", False),
        ("member", False),
        ("agency_staff", False),
        ("outsider", False),
    ],
)
def test_who_must_sign_in_with_a_second_factor(request, role, required):
    assert second_factor_required(request.getfixturevalue(role)) is required


def test_every_staff_account_must_have_one(db):
    assert second_factor_required(UserFactory(is_staff=True, agency=None))
    assert second_factor_required(UserFactory(is_superuser=True, agency=None))


# Setting up an app after the password ----------------------------------------------------------


def test_someone_who_must_have_one_sets_up_an_app_before_anything_opens(
    client, cdop_member, password
):
    response = sign_in(client, cdop_member, password, next_url="/cdop/")
    assert response["Location"] == f"{SET_UP}?next=%2Fcdop%2F"
    for page in ["/", "/cdop/", "/account/", "/admin/", "/board/"]:
        blocked = client.get(page)
        assert blocked.status_code == 302, page
        assert blocked["Location"].startswith(f"{SET_UP}?next="), page

    page = client.get(response["Location"])
    body = text(page)
    assert "Set up an authenticator app" in body
    # The QR code is made on the server and shown as an image: no script, allowed by the CSP.
    assert re.search(r'<img class="app-qr-code" src="data:image/svg\+xml', body)
    assert "img-src 'self' data:" in page["Content-Security-Policy"]
    key = re.search(r'<code class="app-secret-key" id="secret-key">([A-Z2-7 ]+)</code>', body)
    device = TOTPDevice.objects.get(user=cdop_member, confirmed=False)
    assert key.group(1).replace(" ", "") == b32encode(device.bin_key).decode().rstrip("=")
    # Only the signing-out button shows: the menu would lead nowhere yet.
    assert "Sign out" in body and "Your actions" not in body

    wrong = client.post(response["Location"], {"code": "000000"})
    assert "The code is not right" in text(wrong) and "There is a problem" in text(wrong)
    assert not TOTPDevice.objects.filter(user=cdop_member, confirmed=True).exists()

    done = client.post(response["Location"], {"code": code_for(device)})
    assert done.status_code == 302 and done["Location"].startswith(CODES)
    shown = text(client.get(done["Location"]))
    backup = StaticDevice.objects.get(user=cdop_member)
    codes = sorted(backup.token_set.values_list("token", flat=True))
    assert len(codes) == 10
    for code in codes:
        assert f"{code[:4]} {code[4:]}" in shown
    # Shown once: asking again shows no codes.
    again = client.get(done["Location"])
    assert again["Location"] == "/account/"
    assert client.post(done["Location"], {"next": "/cdop/"})["Location"] == "/cdop/"
    assert client.get("/cdop/").status_code == 200


def test_an_app_cannot_be_replaced_before_its_code_is_given(client, secretariat, password):
    app_for(secretariat)
    sign_in(client, secretariat, password)
    response = client.get(SET_UP)
    assert response.status_code == 302 and response["Location"].startswith(VERIFY)
    assert not TOTPDevice.objects.filter(user=secretariat, confirmed=False).exists()


def test_a_signed_in_session_replaces_the_app_only_with_a_code_from_it(
    client, secretariat, django_capture_on_commit_callbacks
):
    """A session left open at a desk is not enough to take someone's second factor."""
    old = app_for(secretariat)
    client.force_login(secretariat)
    page = text(client.get(SET_UP))
    assert "Code from your current authenticator app" in page
    new = TOTPDevice.objects.get(user=secretariat, confirmed=False)

    refused = client.post(SET_UP, {"current_code": "", "code": code_for(new)})
    assert "Enter the code your current app shows now" in text(refused)
    wrong = client.post(SET_UP, {"current_code": "000000", "code": code_for(new)})
    assert "The code is not right, or has been used" in text(wrong)
    assert TOTPDevice.objects.get(pk=old.pk).confirmed
    assert AccessAttempt.objects.get(username=secretariat.email).failures_since_start == 1

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(SET_UP, {"current_code": code_for(old), "code": code_for(new)})
    assert done["Location"].startswith(CODES)
    assert list(TOTPDevice.objects.filter(user=secretariat).values_list("pk", flat=True)) == [
        new.pk
    ]
    [notice] = mail.outbox
    assert notice.to == [secretariat.email] and "has changed" in notice.subject
    assert "two-factor sign-in is on, with an authenticator app added" in notice.body
    assert LogEntry.objects.get_for_object(old).filter(action=LogEntry.Action.DELETE).exists()


def test_wrong_codes_when_changing_a_second_factor_lock_the_session_out(
    client, secretariat, settings
):
    app_for(secretariat)
    client.force_login(secretariat)
    url = "/accounts/two-factor/new-backup-codes/"
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post(url, {"current_code": "000000"}).status_code == 200
    assert client.post(url, {"current_code": "000000"}).status_code == 429
    assert "_auth_user_id" not in client.session


# The code after the password -------------------------------------------------------------------


def test_the_code_is_asked_after_the_password_and_opens_the_page_asked_for(
    client, board_chair, password
):
    device = app_for(board_chair)
    response = sign_in(client, board_chair, password, next_url="/dashboard/")
    assert response["Location"] == f"{VERIFY}?next=%2Fdashboard%2F"
    assert client.get("/dashboard/")["Location"].startswith(VERIFY)
    page = text(client.get(response["Location"]))
    assert "Check your authenticator app" in page and "use a backup code" in page

    wrong = client.post(response["Location"], {"code": "12345"})
    assert "Enter the 6-digit code" in text(wrong)
    done = client.post(response["Location"], {"code": code_for(device)})
    assert done["Location"] == "/dashboard/"
    assert client.get("/dashboard/").status_code == 200


def test_the_admin_is_closed_until_the_code_is_given(client, secretariat, password):
    device = app_for(secretariat)
    sign_in(client, secretariat, password)
    assert client.get("/admin/hscb/user/")["Location"].startswith(VERIFY)
    client.post(VERIFY, {"code": code_for(device)})
    assert client.get("/admin/hscb/user/").status_code == 200


def test_a_code_works_once(client, case_review_member, password):
    device = app_for(case_review_member)
    code = code_for(device)
    sign_in(client, case_review_member, password)
    assert client.post(VERIFY, {"code": code})["Location"] == "/"
    client.post("/accounts/sign-out/")

    other = BoardClient()
    sign_in(other, case_review_member, password)
    reused = other.post(VERIFY, {"code": code})
    assert reused.status_code == 200 and "The code is not right, or has been used" in text(reused)


def test_a_backup_code_works_once(client, cdop_member, password):
    app_for(cdop_member)
    backup = StaticDevice.objects.create(user=cdop_member, name="Backup codes")
    backup.token_set.create(token="abcd2345")
    sign_in(client, cdop_member, password)
    assert client.post(BACKUP, {"code": "ABCD 2345"})["Location"] == "/"
    client.post("/accounts/sign-out/")

    sign_in(client, cdop_member, password)
    again = client.post(BACKUP, {"code": "abcd2345"})
    assert "That backup code is not right, or has been used" in text(again)
    assert client.get("/cdop/")["Location"].startswith(VERIFY)


def test_wrong_codes_count_towards_the_lockout_and_end_the_session(
    client, secretariat, password, settings
):
    device = app_for(secretariat)
    sign_in(client, secretariat, password)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post(VERIFY, {"code": "000000"}).status_code == 200
    locked = client.post(VERIFY, {"code": "000000"})
    assert locked.status_code == 429 and "Sign-in locked" in text(locked)
    assert "_auth_user_id" not in client.session
    # The right password and the right code are both refused now.
    assert sign_in(client, secretariat, password).status_code == 429
    assert AccessAttempt.objects.get(username=secretariat.email).failures_since_start == 5
    # Once the lockout ends, the app's code works.
    with time_machine.travel(datetime.timedelta(hours=settings.AXES_COOLOFF_TIME, minutes=1)):
        sign_in(client, secretariat, password)
        assert client.post(VERIFY, {"code": code_for(device)})["Location"] == "/"


def test_a_right_password_does_not_clear_wrong_codes(client, secretariat, password, settings):
    """Otherwise someone who knows the password could guess codes for ever, a few at a time."""
    app_for(secretariat)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, secretariat, password)
        client.post(VERIFY, {"code": "000000"})
        client.post("/accounts/sign-out/")
    sign_in(client, secretariat, password)
    assert client.post(VERIFY, {"code": "000000"}).status_code == 429


def test_the_whole_sign_in_clears_that_pairs_failures(client, secretariat, password):
    device = app_for(secretariat)
    client.post(SIGN_IN, {"username": secretariat.email, "password": "wrong"})
    sign_in(client, secretariat, password)
    assert AccessAttempt.objects.filter(username=secretariat.email).exists()
    client.post(VERIFY, {"code": code_for(device)})
    assert not AccessAttempt.objects.filter(username=secretariat.email).exists()


# Turning it on and off -------------------------------------------------------------------------


def test_anyone_else_signs_in_with_a_password_and_may_turn_it_on_and_off(client, member, password):
    assert sign_in(client, member, password)["Location"] == "/"
    account = text(client.get("/account/"))
    assert "Off: you sign in with your password alone." in account
    assert f'href="{SET_UP}"' in account

    client.get(SET_UP)
    device = TOTPDevice.objects.get(user=member, confirmed=False)
    assert client.post(SET_UP, {"code": code_for(device)})["Location"].startswith(CODES)
    assert "10 backup codes left" in text(client.get("/account/"))
    client.post("/accounts/sign-out/")

    assert sign_in(client, member, password)["Location"].startswith(VERIFY)
    client.post(VERIFY, {"code": code_for(device, steps_ahead=1)})
    assert "Turn off two-factor sign-in" in text(client.get("/account/"))
    refused = client.post("/accounts/two-factor/turn-off/", {"current_code": "000000"})
    assert "The code is not right" in text(refused)
    backup = StaticDevice.objects.get(user=member).token_set.first().token
    turned_off = client.post("/accounts/two-factor/turn-off/", {"current_code": backup})
    assert turned_off["Location"] == "/account/"
    assert not TOTPDevice.objects.filter(user=member).exists()
    assert not StaticDevice.objects.filter(user=member).exists()


def test_someone_who_must_have_it_cannot_turn_it_off(client, board_chair):
    client.force_login(board_chair)
    assert "Turn off two-factor sign-in" not in text(client.get("/account/"))
    assert client.post("/accounts/two-factor/turn-off/")["Location"] == "/account/"
    assert TOTPDevice.objects.filter(user=board_chair, confirmed=True).exists()


def test_new_backup_codes_replace_the_old_ones(client, secretariat):
    device = app_for(secretariat)
    client.force_login(secretariat)
    old = StaticDevice.objects.create(user=secretariat, name="Backup codes")
    old.token_set.create(token="abcd2345")
    assert "Get new backup codes" in text(client.get("/accounts/two-factor/new-backup-codes/"))
    response = client.post(
        "/accounts/two-factor/new-backup-codes/", {"current_code": code_for(device)}
    )
    assert response["Location"].startswith(CODES)
    shown = text(client.get(response["Location"]))
    tokens = list(
        StaticDevice.objects.get(user=secretariat).token_set.values_list("token", flat=True)
    )
    assert len(tokens) == 10 and "abcd2345" not in tokens
    assert all(f"{t[:4]} {t[4:]}" in shown for t in tokens)


# The secretariat's reset -----------------------------------------------------------------------


def test_the_secretariat_resets_a_second_factor_from_the_admin(
    client, secretariat, cdop_member, password, django_capture_on_commit_callbacks
):
    app_for(cdop_member)
    StaticDevice.objects.create(user=cdop_member, name="Backup codes")
    theirs = BoardClient()
    theirs.force_login(cdop_member)
    assert theirs.get("/cdop/").status_code == 200

    client.force_login(secretariat)
    chosen = {"action": "reset_second_factor", "_selected_action": [cdop_member.pk]}
    asked = text(client.post("/admin/hscb/user/", chosen))
    assert "Are you sure you want to reset two-factor sign-in for 1 person?" in asked
    assert cdop_member.email in asked
    assert TOTPDevice.objects.filter(user=cdop_member).exists()  # nothing done yet
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/hscb/user/", {**chosen, "post": "yes"}, follow=True)
    assert "Two-factor sign-in reset for 1 person" in text(response)
    assert not TOTPDevice.objects.filter(user=cdop_member).exists()
    assert not StaticDevice.objects.filter(user=cdop_member).exists()
    reset_at = User.objects.get(pk=cdop_member.pk).second_factor_reset_at
    assert reset_at is not None

    entry = LogEntry.objects.get_for_object(cdop_member).latest("timestamp")
    assert "second_factor_reset_at" in entry.changes_dict
    assert entry.actor == secretariat
    [notice] = mail.outbox
    assert notice.to == [cdop_member.email]
    assert "has been reset" in notice.subject

    # Their session has ended; at the next sign-in they set up an app again.
    assert theirs.get("/cdop/")["Location"].startswith(SIGN_IN)
    assert sign_in(theirs, cdop_member, password)["Location"].startswith(SET_UP)


def test_only_a_superuser_resets_a_superusers_second_factor(
    client, secretariat, django_capture_on_commit_callbacks
):
    boss = UserFactory(is_superuser=True, is_staff=True, agency=None)
    app_for(boss)
    client.force_login(secretariat)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/admin/hscb/user/",
            {"action": "reset_second_factor", "_selected_action": [boss.pk], "post": "yes"},
        )
    assert TOTPDevice.objects.filter(user=boss).exists()
    assert mail.outbox == []


def test_the_user_page_says_whether_two_factor_sign_in_is_on(client, secretariat, cdop_member):
    app_for(cdop_member)
    client.force_login(secretariat)
    page = text(client.get(f"/admin/hscb/user/{cdop_member.pk}/change/"))
    assert "On: an authenticator app and 0 backup codes. Required for this person." in page


# The demonstration -----------------------------------------------------------------------------


def test_the_demonstration_accounts_sign_in_with_codes_from_demo_code(
    board, client, settings, capsys
):
    settings.DEBUG = True
    call_command("load_demo", password="demonstration 2026")
    printed = capsys.readouterr().out
    assert "manage.py demo_code EMAIL" in printed
    chair = User.objects.get(email="board.chair@demo.example")
    assert TOTPDevice.objects.filter(user=chair, confirmed=True).exists()

    call_command("demo_code", chair.email)
    code = capsys.readouterr().out.split()[0]
    assert re.fullmatch(r"[0-9]{6}", code)
    client.post(SIGN_IN, {"username": chair.email, "password": "demonstration 2026"})
    assert client.post(VERIFY, {"code": code})["Location"] == "/"

    with pytest.raises(CommandError, match="not a demonstration account"):
        call_command("demo_code", "someone@agency.example")
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("demo_code", chair.email)


def test_the_admin_shows_nobody_a_secret_key_or_backup_codes(
    client, admin_client, secretariat, cdop_member
):
    device = app_for(cdop_member)
    backup = StaticDevice.objects.create(user=cdop_member, name="Backup codes")
    backup.token_set.create(token="abcd2345")
    client.force_login(secretariat)
    for who in (client, admin_client):
        for url in [
            "/admin/otp_totp/totpdevice/",
            f"/admin/otp_totp/totpdevice/{device.pk}/qrcode/",
            f"/admin/otp_totp/totpdevice/{device.pk}/config/",
            f"/admin/otp_static/staticdevice/{backup.pk}/change/",
        ]:
            assert who.get(url).status_code == 404, url
        page = text(who.get(f"/admin/hscb/user/{cdop_member.pk}/change/"))
        assert device.key not in page and "abcd2345" not in page
