"""Bad input on the two death notification forms is answered with messages beside the fields and
an error summary, never a 500, and keeps what was typed (escaped); nothing is saved. Script typed
into any text field comes back as text, and is stored as text."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone
from django.utils.html import escape

from cdop.models import ChildDeath
from tests.cdop.test_notify_views import FORMS, PUBLIC, date_fields, public_post
from tests.hscb.test_bad_input import LONG, assert_error_page

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert('x')</script>"
HUGE = "99999999999999999999999"
TEXT_FIELDS = [
    "first_name",
    "last_name",
    "nhs_number",
    "place_detail",
    "circumstances",
    "notifier_role",
    "notifier_phone",
    "died_at_time",
]
PUBLIC_TEXT_FIELDS = [*TEXT_FIELDS, "notifier_name", "notifier_organisation", "notifier_email"]
# Text that is stored as typed when the rest of the form is right.
FREE_TEXT = ["first_name", "last_name", "place_detail", "circumstances", "notifier_role"]


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(params=list(FORMS))
def form(request, client, board):
    url, make, who = FORMS[request.param]
    if who:
        client.force_login(request.getfixturevalue(who))
    return request.param, client, url, make


GARBAGE = [
    # (what was typed, the field the error summary links to, words of the message)
    ({"first_name": ""}, "first_name", "Enter the child&#x27;s first name"),
    ({"last_name": "   "}, "last_name", "Enter the child&#x27;s last name"),
    ({"first_name": "x" * 101}, "first_name", "100 characters or fewer"),
    ({"circumstances": "x" * 10001}, "circumstances", "10,000 characters or fewer"),
    ({"notifier_role": LONG}, "notifier_role", "200 characters or fewer"),
    ({"place_detail": LONG}, "place_detail", "200 characters or fewer"),
    ({"first_name": "Ame\x00lia"}, "first_name", "Null characters are not allowed"),
    ({"circumstances": "a\x00b"}, "circumstances", "Null characters are not allowed"),
    ({"notifier_phone": "\x00\x01\ufffe"}, "notifier_phone", "Null characters are not allowed"),
    ({"notifier_phone": "ring me"}, "notifier_phone", "Enter a telephone number"),
    ({"nhs_number": HUGE}, "nhs_number", "NHS number must be 10 digits"),
    ({"nhs_number": "abcdefghij"}, "nhs_number", "NHS number must only include numbers"),
    ({"date_of_birth_2": HUGE}, "date_of_birth_2", "must be a real date"),
    ({"date_of_birth_0": HUGE}, "date_of_birth_0", "must be a real date"),
    ({"died_on_1": "-3"}, "died_on_1", "must be a real date"),
    ({"died_on_0": "31", "died_on_1": "2", "died_on_2": "2024"}, "died_on", "must be a real date"),
    ({"died_on_2": "26"}, "died_on", "Enter the year as 4 numbers, like 2027"),
    ({"died_on_0": "1", "died_on_1": "1", "died_on_2": "1066"}, "died_on", "between 1900 and 2100"),
    ({"died_on_0": "", "died_on_1": "", "died_on_2": ""}, "died_on", "Enter the date of death"),
    ({"died_on_1": ""}, "died_on_1", "must include a month"),
    ({"died_at_time": "25:99"}, "died_at_time", "24-hour clock"),
    ({"died_at_time": "teatime\x00"}, "died_at_time", "24-hour clock"),
    ({"place_area": "abc"}, "place_area", "Select the area from the list"),
    ({"place_area": HUGE}, "place_area", "Select the area from the list"),
    ({"residence_area": "-1"}, "residence_area", "Select the area from the list"),
    ({"residence_area": "0"}, "residence_area", "Select the area from the list"),
    (
        {"looked_after": "yes", "looked_after_by": "1e9"},
        "looked_after_by",
        "Select the area from the list",
    ),
    ({"sex": "dragon"}, "sex_1", "Select the child&#x27;s sex"),
    ({"ethnicity": SCRIPT}, "ethnicity", "Select the child&#x27;s ethnic group"),
    ({"born_alive": "maybe"}, "born_alive_1", "Select yes if the child was born alive"),
    (
        {"looked_after": "[object Object]"},
        "looked_after_1",
        "Select yes if the child was looked after",
    ),
    ({"place_setting": ""}, "place_setting_1", "Select where the child died"),
    ({"expectation": "perhaps"}, "expectation_1", "Select whether the death was expected"),
]


@pytest.mark.parametrize(
    ("changes", "field", "words"), GARBAGE, ids=[g[1] + str(i) for i, g in enumerate(GARBAGE)]
)
def test_garbage_is_answered_with_an_error_summary(form, changes, field, words):
    _name, client, url, make = form
    text = assert_error_page(client.post(url, make(**changes)), field)
    assert words in text
    assert not ChildDeath.objects.exists()


PUBLIC_GARBAGE = [
    ({"notifier_email": "not an address"}, "notifier_email", "correct format"),
    (
        {"notifier_email": "a@" + "b" * 260 + ".example"},
        "notifier_email",
        "254 characters or fewer",
    ),
    ({"notifier_email": "x\x00@example.org"}, "notifier_email", "Null characters are not allowed"),
    ({"notifier_name": ""}, "notifier_name", "Enter your full name"),
    ({"notifier_organisation": ""}, "notifier_organisation", "Enter the name of your organisation"),
    (
        {"notifier_organisation": "  "},
        "notifier_organisation",
        "Enter the name of your organisation",
    ),
    ({"notifier_organisation": LONG}, "notifier_organisation", "200 characters or fewer"),
    ({"notifier_organisation": "a\x00b"}, "notifier_organisation", "Null characters"),
]


@pytest.mark.parametrize(
    ("changes", "field", "words"), PUBLIC_GARBAGE, ids=[g[1] for g in PUBLIC_GARBAGE]
)
def test_garbage_about_the_public_notifier_is_answered_with_an_error_summary(
    client, board, changes, field, words
):
    text = assert_error_page(client.post(PUBLIC, public_post(**changes)), field)
    assert words in text
    assert not ChildDeath.objects.exists()


def test_an_empty_post_names_every_question(form):
    name, client, url, _make = form
    text = assert_error_page(
        client.post(url, {}),
        "born_alive_1",
        "first_name",
        "last_name",
        "date_of_birth",
        "sex_1",
        "ethnicity",
        "died_on",
        "place_area",
        "place_setting_1",
        "residence_area",
        "looked_after_1",
        "expectation_1",
        "notifier_role",
        "notifier_phone",
    )
    if name == "public":
        for field in ("notifier_name", "notifier_organisation", "notifier_email"):
            assert f'href="#id_{field}"' in text


def test_the_error_summary_lists_problems_in_the_pages_order(client, board):
    text = client.post(PUBLIC, {}).content.decode()
    order = [
        "#id_born_alive_1",
        "#id_first_name",
        "#id_died_on",
        "#id_notifier_name",
        "#id_notifier_role",
        "#id_notifier_email",
        "#id_notifier_phone",
    ]
    positions = [text.index(f'href="{anchor}"') for anchor in order]
    assert positions == sorted(positions)


def test_repeated_fields_count_as_their_last_value(form):
    _name, client, url, make = form
    data = make()
    data["first_name"] = ["1", "2", "[object Object]"]
    data["sex"] = ["female", "dragon"]
    text = assert_error_page(client.post(url, data), "sex_1")
    assert 'value="[object Object]"' in text


def test_a_date_too_far_in_the_future_for_a_database_is_refused(form):
    _name, client, url, make = form
    text = assert_error_page(
        client.post(url, make(**date_fields("died_on", datetime.date(2100, 12, 31)))), "died_on"
    )
    assert "The date of death must be today or in the past" in text


# Script injection ----------------------------------------------------------------------------


def test_script_in_every_text_field_comes_back_escaped(form):
    name, client, url, make = form
    fields = PUBLIC_TEXT_FIELDS if name == "public" else TEXT_FIELDS
    data = make(**dict.fromkeys(fields, SCRIPT), sex="")  # a missing answer: the form again
    text = assert_error_page(client.post(url, data), "sex_1")
    assert SCRIPT not in text
    assert "<script>alert" not in text
    assert text.count(escape(SCRIPT)) >= len(fields)
    assert not ChildDeath.objects.exists()


def test_script_in_the_jurisdiction_message_is_escaped(form):
    from tests.cdop.factories import other_area

    _name, client, url, make = form
    area = other_area("Elsewhere")
    area.cdop_name = SCRIPT
    area.save()
    keynes = other_area("Milton Keynes")
    text = assert_error_page(
        client.post(url, make(residence_area=str(area.pk), place_area=str(keynes.pk))),
        "place_area",
    )
    assert SCRIPT not in text
    assert escape(SCRIPT) in text


def test_script_in_free_text_is_stored_as_text(form):
    name, client, url, make = form
    fields = (
        [*FREE_TEXT, "notifier_name", "notifier_organisation"] if name == "public" else FREE_TEXT
    )
    response = client.post(url, make(**dict.fromkeys(fields, SCRIPT), nhs_number=""))
    assert response.status_code == 302
    death = ChildDeath.objects.get()
    for field in fields:
        assert getattr(death, field) == SCRIPT
    assert death.name_key == f"{SCRIPT.casefold()}|{SCRIPT.casefold()}"
    if name == "signed in":
        text = client.get(response["Location"]).content.decode()
        assert death.reference in text
        assert SCRIPT not in text
        assert escape(SCRIPT) in text


def test_a_time_of_death_later_today_is_refused_through_the_form(form):
    _name, client, url, make = form
    today = timezone.localdate()  # the sign-in's session is today's
    # Just after midnight: never later than the sign-in, which an idle session would not survive.
    at = datetime.datetime.combine(today, datetime.time(0, 1), tzinfo=ZoneInfo("Europe/London"))
    with time_machine.travel(at, tick=False):
        response = client.post(url, make(**date_fields("died_on", today), died_at_time="00:30"))
    text = assert_error_page(response, "died_at_time")
    assert "The time of death must be in the past" in text
    assert 'value="00:30"' in text
    assert not ChildDeath.objects.exists()


def test_garbage_over_the_rate_limit_comes_back_as_typed_never_a_500(client, board, settings):
    settings.CDOP_PUBLIC_FORM_LIMIT = 1
    for _ in range(4):
        client.post(PUBLIC, {})
    garbage = public_post(
        first_name=SCRIPT,
        place_area=HUGE,
        residence_area="-1",
        looked_after_by="abc",
        notifier_organisation="\x00",
        sex="dragon",
        ethnicity=HUGE,
        born_alive="maybe",
        died_at_time="teatime\x00",
        **{"date_of_birth_2": HUGE, "died_on_1": "-3"},
    )
    response = client.post(PUBLIC, garbage)
    text = response.content.decode()
    assert response.status_code == 429
    assert "Too many notifications have been sent from your network" in text
    assert escape(SCRIPT) in text and SCRIPT not in text
    assert f'value="{HUGE}"' in text
    assert not ChildDeath.objects.exists()
