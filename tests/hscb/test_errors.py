"""Error pages look like the rest of the service and say what to do next."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import override_settings
from django.urls import include, path

from tests.clients import BoardClient

pytestmark = pytest.mark.django_db


def broken_view(request):
    raise RuntimeError("boom")


def fine_view(request):
    return HttpResponse("ok")


urlpatterns = [
    path("broken/", broken_view),
    path("fine/", fine_view),
    path("", include("hscb.urls")),
]


def test_page_not_found_is_styled_with_a_skip_link(client, member):
    client.force_login(member)
    response = client.get("/no-such-page/")
    text = response.content.decode()
    assert response.status_code == 404
    assert "Page not found" in text and "govuk-skip-link" in text and "Sign out" in text


def test_forbidden_page_explains_and_links_home(client, board, member):
    client.force_login(member)
    text = client.get("/board/improving-outcomes/remit/").content.decode()
    assert "You cannot do this" in text and 'href="/"' in text


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_server_error_page_is_styled_and_reveals_nothing(member):
    client = BoardClient(raise_request_exception=False)
    client.force_login(member)
    response = client.get("/broken/")
    text = response.content.decode()
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in text
    assert "boom" not in text and "Traceback" not in text
    assert "govuk-template" in text


def test_an_expired_form_gets_its_own_page(member):
    client = BoardClient(enforce_csrf_checks=True)
    client.force_login(member)
    response = client.post("/board/improving-outcomes/remit/", {"remit": "x"})
    assert response.status_code == 403
    assert "Your form has expired" in response.content.decode()


def test_dates_read_as_govuk_writes_them():
    import datetime

    from django.template import Context, Template

    rendered = Template("{{ day|date }}").render(Context({"day": datetime.date(2026, 11, 27)}))
    assert rendered == "27 November 2026"


def test_pages_carry_security_headers(client, member):
    client.force_login(member)
    response = client.get("/")
    assert "script-src 'self' 'nonce-" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    nonce = response["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in response.content.decode()
