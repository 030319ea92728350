"""The progress form answers bad input with a message by the field and an error summary, keeps
what was typed, and saves nothing: never a 500."""

from __future__ import annotations

import re

import pytest
from django.utils.html import escape

from hscb.models import GroupFunction, Priority, ProgressUpdate, Rag
from tests.hscb.factories import PriorityFactory
from tests.hscb.test_bad_input import LONG, assert_error_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def url(board, client, group_chair) -> str:
    priority = PriorityFactory(rag=Rag.AMBER, commentary="As it was.")
    priority.groups.add(board[GroupFunction.IMPROVING_OUTCOMES])
    client.force_login(group_chair)
    return f"/plan/priorities/{priority.pk}/progress/"


def nothing_saved() -> None:
    assert not ProgressUpdate.objects.exists()
    priority = Priority.objects.get()
    assert (priority.rag, priority.commentary) == (Rag.AMBER, "As it was.")


def test_missing_fields_are_named_in_the_error_summary(client, url):
    text = assert_error_page(client.post(url, {}), "progress_1", "commentary")
    assert "Select red, amber or green" in text
    assert "Enter a short commentary" in text
    # The summary's link for the radios leads to the first of them, which exists.
    assert re.search(r'<input\s+type="radio"\s+name="progress"[^>]*id="id_progress_1"', text)
    nothing_saved()


def test_a_blank_commentary_is_refused(client, url):
    text = assert_error_page(client.post(url, {"progress": "red", "commentary": " \n "}))
    assert "Enter a short commentary" in text
    # The choice made is kept.
    assert re.search(r'value="red"\s+checked', text)
    nothing_saved()


def test_an_over_long_commentary_is_refused_and_what_was_typed_is_kept(client, url):
    typed = "The audit found gaps. " * 50  # 1,100 characters
    text = assert_error_page(
        client.post(url, {"progress": "amber", "commentary": typed}), "commentary"
    )
    assert "The commentary must be 1,000 characters or fewer" in text
    assert typed.strip()[:300] in text
    nothing_saved()


@pytest.mark.parametrize("progress", ["purple", "RED", "1", "[object Object]", LONG, "red\x00"])
def test_a_rating_that_is_not_red_amber_or_green_is_refused(client, url, progress):
    text = assert_error_page(
        client.post(url, {"progress": progress, "commentary": "Fine."}), "progress_1"
    )
    assert "Select red, amber or green" in text
    assert "Fine." in text
    nothing_saved()


def test_null_characters_and_control_garbage_are_refused(client, url):
    text = assert_error_page(
        client.post(url, {"progress": "green", "commentary": "abc\x00\x01\ufffe"}), "commentary"
    )
    assert "Null characters are not allowed." in text
    nothing_saved()


def test_over_long_text_in_every_field_is_refused(client, url):
    text = assert_error_page(
        client.post(url, {"progress": LONG, "commentary": LONG}), "progress_1", "commentary"
    )
    assert "1,000 characters or fewer" in text
    nothing_saved()


def test_repeated_fields_count_as_their_last_value(client, url):
    response = client.post(
        url, {"progress": ["red", "purple", "green"], "commentary": ["first", "[object Object]"]}
    )
    assert response.status_code == 302
    update = ProgressUpdate.objects.get()
    assert (update.rag, update.commentary) == (Rag.GREEN, "[object Object]")


def test_unknown_fields_are_ignored(client, url):
    response = client.post(
        url,
        {
            "progress": "green",
            "commentary": "On track.",
            "author": "1",
            "written_at": "2001-01-01",
            "rag": "red",
        },
    )
    assert response.status_code == 302
    update = ProgressUpdate.objects.get()
    assert update.rag == Rag.GREEN and update.written_at.year > 2001


def test_a_body_that_is_not_form_data_is_treated_as_an_empty_form(client, url):
    response = client.post(url, data=b"\xff\xfe{not json", content_type="application/json")
    assert_error_page(response, "progress_1", "commentary")
    nothing_saved()


def test_html_in_the_commentary_is_shown_as_text(client, url):
    client.post(url, {"progress": "red", "commentary": "<script>alert(1)</script> & more"})
    plan_page = client.get(ProgressUpdate.objects.get().priority.plan.get_absolute_url())
    body = plan_page.content.decode()
    assert "<script>alert(1)</script>" not in body
    assert escape("<script>alert(1)</script> & more") in body


def test_a_priority_number_that_is_not_a_number_is_not_found(client, url):
    assert client.get("/plan/priorities/abc/progress/").status_code == 404
    assert client.get("/plan/priorities/99999999999999999999/progress/").status_code == 404
    assert client.get("/plan/abc/").status_code == 404
    assert client.get("/plan/99999999999999999999/").status_code == 404
