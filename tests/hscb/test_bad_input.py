"""Every form answers bad input with a message beside the field and an error summary: never a
500, never data silently dropped. Garbage, over-long text, wrong types and missing fields."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from hscb.models import Group

pytestmark = pytest.mark.django_db

LONG = "x" * 5000


@dataclass
class FormCase:
    name: str
    url: str
    valid: dict[str, str]
    signed_in_as: str | None = None


FORMS = [
    FormCase(
        "sign in", "/accounts/sign-in/", {"username": "person@agency.example", "password": "p"}
    ),
    FormCase("reset request", "/accounts/password/reset/", {"email": "person@agency.example"}),
    FormCase(
        "change password",
        "/accounts/password/change/",
        {
            "old_password": "x",
            "new_password1": "a good new pass 26",
            "new_password2": "a good new pass 26",
        },
        signed_in_as="member",
    ),
    FormCase(
        "group remit",
        "/board/improving-outcomes/remit/",
        {"remit": "A remit."},
        signed_in_as="group_chair",
    ),
]


def post(client, request, case: FormCase, data):
    if case.signed_in_as:
        client.force_login(request.getfixturevalue(case.signed_in_as))
    else:
        request.getfixturevalue("board")
    return client.post(case.url, data)


def assert_error_page(response, *fields: str) -> str:
    text = response.content.decode()
    assert response.status_code == 200, f"expected the form again, got {response.status_code}"
    assert "There is a problem" in text
    assert "<title>Error: " in text
    for field in fields:
        assert f'href="#id_{field}"' in text, f"no error summary link to {field}"
        assert f'id="id_{field}-error"' in text or "govuk-error-message" in text
    return text


@pytest.mark.parametrize("case", FORMS, ids=lambda c: c.name)
def test_missing_fields_are_named_in_the_error_summary(client, request, case):
    response = post(client, request, case, {})
    assert_error_page(response, *case.valid)


# The field each form names first when every field holds text it cannot take.
FIRST_REFUSED = {
    "sign in": "username",
    "reset request": "email",
    "change password": "old_password",
    "group remit": "remit",
}


def nothing_changed(request, case: FormCase) -> None:
    """A refused form saved nothing: the remit and the member's password are as they were."""
    if case.name == "group remit":
        assert Group.objects.get(slug="improving-outcomes").remit.startswith("Looks at how well")
    if case.name == "change password":
        member = request.getfixturevalue("member")
        member.refresh_from_db()
        assert member.check_password(request.getfixturevalue("password"))


@pytest.mark.parametrize("case", FORMS, ids=lambda c: c.name)
def test_over_long_text_is_refused_with_a_message(client, request, case):
    response = post(client, request, case, dict.fromkeys(case.valid, LONG))
    assert_error_page(response, FIRST_REFUSED[case.name])
    nothing_changed(request, case)


@pytest.mark.parametrize("case", FORMS, ids=lambda c: c.name)
def test_null_characters_and_control_garbage_are_refused(client, request, case):
    response = post(client, request, case, dict.fromkeys(case.valid, "abc\x00\x01\ufffe"))
    text = assert_error_page(response, FIRST_REFUSED[case.name])
    assert "Null characters are not allowed." in text or "correct format" in text
    nothing_changed(request, case)


@pytest.mark.parametrize("case", FORMS, ids=lambda c: c.name)
def test_repeated_fields_count_as_their_last_value(client, request, case):
    data = {name: ["1", "2", "[object Object]"] for name in case.valid}
    response = post(client, request, case, data)
    if case.name == "group remit":  # any text is a remit: the last value is the one saved
        assert response.status_code == 302
        assert Group.objects.get(slug="improving-outcomes").remit == "[object Object]"
    elif case.name == "sign in":  # a well-formed address and the wrong password
        assert "Enter a correct email address and password" in assert_error_page(response)
    else:
        assert_error_page(response, FIRST_REFUSED[case.name])
        nothing_changed(request, case)


def test_an_email_in_the_wrong_format_gets_the_govuk_message(client, board):
    text = assert_error_page(
        client.post("/accounts/password/reset/", {"email": "not-an-email"}), "email"
    )
    assert "Enter an email address in the correct format, like name@example.com" in text
    assert 'value="not-an-email"' in text


def test_an_over_long_email_is_refused_before_the_lockout_records_it(client, board):
    response = client.post(
        "/accounts/sign-in/", {"username": f"{LONG}@agency.example", "password": "p"}
    )
    text = assert_error_page(response, "username")
    assert "Ensure this value has at most 254 characters" in text


def test_an_over_long_remit_is_refused_and_what_was_typed_is_kept(client, board, group_chair):
    client.force_login(group_chair)
    before = Group.objects.get(slug="improving-outcomes").remit
    typed = "Our remit. " * 400
    text = assert_error_page(
        client.post("/board/improving-outcomes/remit/", {"remit": typed}), "remit"
    )
    assert "Ensure this value has at most 4000 characters" in text
    assert typed.strip()[:200] in text
    assert Group.objects.get(slug="improving-outcomes").remit == before


def test_a_blank_remit_is_refused(client, board, group_chair):
    client.force_login(group_chair)
    text = assert_error_page(
        client.post("/board/improving-outcomes/remit/", {"remit": "   "}), "remit"
    )
    assert "Enter the group&#x27;s remit" in text


def test_new_passwords_that_do_not_match_or_are_weak_are_refused(client, member, password):
    client.force_login(member)
    text = assert_error_page(
        client.post(
            "/accounts/password/change/",
            {"old_password": password, "new_password1": "short", "new_password2": "shorter"},
        ),
        "new_password2",
    )
    assert "The two password fields didn’t match." in text


def test_too_many_fields_gets_the_bad_request_page_not_a_500(client, board):
    response = client.post("/accounts/sign-in/", {f"f{i}": "x" for i in range(1100)})
    assert response.status_code == 400
    assert "Something was wrong with that request" in response.content.decode()


def test_a_body_that_is_not_form_data_is_treated_as_an_empty_form(client, board):
    response = client.post(
        "/accounts/sign-in/", data=b"\xff\xfe{not json", content_type="application/json"
    )
    assert_error_page(response, "username", "password")
