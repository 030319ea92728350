"""The actions forms and filters answer bad input with messages, never a 500, and keep what
was typed: missing fields, over-long text, null characters, wrong types, repeated fields."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from hscb.models import Action, ActionNote, ActionStatus, GroupFunction
from tests.hscb.factories import ActionFactory, AgendaItemFactory, MeetingFactory
from tests.hscb.test_bad_input import LONG, assert_error_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def group(board):
    return board[GroupFunction.IMPROVING_OUTCOMES]


@pytest.fixture
def meeting(group):
    return MeetingFactory(group=group)


@pytest.fixture
def action(group, member):
    return ActionFactory(group=group, owner=member)


def due(days: int = 30) -> dict[str, str]:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return {"due_date_0": str(day.day), "due_date_1": str(day.month), "due_date_2": str(day.year)}


def create(client, user, meeting, data):
    client.force_login(user)
    return client.post(f"/meetings/{meeting.pk}/actions/new/", data)


def valid_create(owner) -> dict[str, str]:
    return {"title": "Audit the referral forms", "owner": str(owner.pk), **due()}


# Recording an action ----------------------------------------------------------------------------


def test_create_with_nothing_names_every_required_field(client, meeting, group_chair):
    text = assert_error_page(create(client, group_chair, meeting, {}), "title", "owner", "due_date")
    assert "Enter the action" in text
    assert "Choose the owner of the action" in text
    assert "Enter the due date" in text
    assert not Action.objects.exists()


def test_create_refuses_over_long_text_and_keeps_it(client, meeting, group_chair, member):
    data = {**valid_create(member), "title": LONG, "description": LONG}
    text = assert_error_page(create(client, group_chair, meeting, data), "title", "description")
    assert "The action must be 300 characters or fewer" in text
    assert "The details must be 4,000 characters or fewer" in text
    assert LONG in text
    assert not Action.objects.exists()


def test_create_refuses_null_characters(client, meeting, group_chair, member):
    data = {**valid_create(member), "title": "abc\x00\x01", "description": "x\x00"}
    text = assert_error_page(create(client, group_chair, meeting, data), "title", "description")
    assert "Null characters are not allowed." in text
    assert not Action.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"owner": "abc"}, "owner", "Choose the owner from the list"),
        ({"owner": "999999"}, "owner", "Choose the owner from the list"),
        ({"owner": "99999999999999999999999"}, "owner", "Choose the owner from the list"),
        ({"agenda_item": "abc"}, "agenda_item", "Choose an item on this meeting"),
        ({"agenda_item": "99999999999999999999"}, "agenda_item", "Choose an item on this"),
        ({"due_date_0": "x"}, "due_date_0", "The due date must be a real date"),
        ({"due_date_0": "31", "due_date_1": "2"}, "due_date", "The due date must be a real date"),
        ({"due_date_1": "13"}, "due_date", "The due date must be a real date"),
        ({"due_date_2": "99999"}, "due_date_2", "The due date must be a real date"),
        ({"due_date_2": "0"}, "due_date", "The due date must be a real date"),
        ({"due_date_2": "27"}, "due_date", "The due date must be today or in the future"),
        ({"due_date_2": "2100"}, "due_date", "within the next 5 years"),
        ({"due_date_1": ""}, "due_date_1", "The due date must include a month"),
        # Numbers too big for a date, negative numbers and the year 0.
        ({"due_date_0": "99999999999999999999"}, "due_date_0", "The due date must be a real"),
        ({"due_date_1": "99999999999999999999"}, "due_date_1", "The due date must be a real"),
        ({"due_date_2": "99999999999999999999"}, "due_date_2", "The due date must be a real"),
        ({"due_date_0": "9999"}, "due_date", "The due date must be a real date"),
        ({"due_date_0": "-1"}, "due_date_0", "The due date must be a real date"),
        ({"due_date_1": "-12"}, "due_date_1", "The due date must be a real date"),
        ({"due_date_2": "-2027"}, "due_date_2", "The due date must be a real date"),
        ({"due_date_2": "0000"}, "due_date", "The due date must be a real date"),
        ({"due_date_2": "9999"}, "due_date", "within the next 5 years"),
    ],
)
def test_create_refuses_wrong_types_beside_the_field(
    client, meeting, group_chair, member, changes, field, message
):
    data = {**valid_create(member), **changes}
    text = assert_error_page(create(client, group_chair, meeting, data), field)
    assert message in text
    assert "Audit the referral forms" in text
    assert not Action.objects.exists()


def test_create_takes_the_last_of_repeated_fields(client, meeting, group_chair, member):
    item = AgendaItemFactory(meeting=meeting)
    data = {
        **valid_create(member),
        "title": ["1", "2", "The last title"],
        "owner": ["abc", str(member.pk)],
        "agenda_item": ["x", str(item.pk)],
    }
    response = create(client, group_chair, meeting, data)
    assert response.status_code == 302
    action = Action.objects.get()
    assert (action.title, action.owner, action.agenda_item) == ("The last title", member, item)
    assert action.notes.get().text == f"Recorded and given to {member.get_full_name()}."


def test_create_for_a_meeting_that_does_not_exist_is_404(client, group_chair, member):
    client.force_login(group_chair)
    response = client.post("/meetings/999999/actions/new/", valid_create(member))
    assert response.status_code == 404


# Updating an action -----------------------------------------------------------------------------


def update(client, user, action, data):
    client.force_login(user)
    return client.post(f"/actions/{action.pk}/update/", data)


def nothing_saved(action) -> None:
    stored = Action.objects.get(pk=action.pk)
    assert stored.status == ActionStatus.OPEN
    assert stored.due_date == action.due_date
    assert stored.owner_id == action.owner_id
    assert not ActionNote.objects.exists()


def test_update_with_nothing_asks_for_a_note_and_a_status(client, action, member):
    text = assert_error_page(update(client, member, action, {}), "status_1", "note")
    assert "Enter a progress note" in text
    assert "Choose the action" in text
    nothing_saved(action)


def test_a_blank_note_is_refused(client, action, member):
    data = {"seen_status": "open", "status": "done", "note": "   \n  "}
    text = assert_error_page(update(client, member, action, data), "note")
    assert "Enter a progress note" in text
    nothing_saved(action)


def test_an_over_long_note_is_refused_and_kept(client, action, member):
    data = {"seen_status": "open", "status": "unchanged", "note": LONG}
    text = assert_error_page(update(client, member, action, data), "note")
    assert "The progress note must be 4,000 characters or fewer" in text
    assert LONG in text
    nothing_saved(action)


def test_a_note_with_null_characters_is_refused(client, action, member):
    data = {"seen_status": "open", "status": "unchanged", "note": "abc\x00\ufffe"}
    text = assert_error_page(update(client, member, action, data), "note")
    assert "Null characters are not allowed." in text
    nothing_saved(action)


@pytest.mark.parametrize("status", ["open", "nonsense", "reopen", "", "[object Object]"])
def test_a_status_not_offered_is_refused(client, action, member, status):
    data = {"seen_status": "open", "status": status, "note": "Trying it on."}
    text = assert_error_page(update(client, member, action, data), "status_1")
    assert "Trying it on." in text
    nothing_saved(action)


@pytest.mark.parametrize(
    ("seen", "message"),
    [
        ("x" * 40, "This form was out of date"),
        ("", "This form was out of date"),
        ("\x00", "This form was out of date"),
        ("done", "Someone else changed this action"),
    ],
)
def test_a_garbled_or_stale_seen_status_is_refused_above_the_form(
    client, action, member, seen, message
):
    data = {"seen_status": seen, "status": "done", "note": "Done."}
    text = assert_error_page(update(client, member, action, data))
    assert message in text
    assert 'name="seen_status" value="open"' in text  # the form now carries the real status
    nothing_saved(action)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"owner": "abc"}, "owner", "Choose the owner from the list"),
        ({"owner": ""}, "owner", "Choose the owner of the action"),
        ({"due_date_0": "", "due_date_1": "", "due_date_2": ""}, "due_date", "Enter the due"),
        ({"due_date_0": "32"}, "due_date", "The due date must be a real date"),
        ({"due_date_2": "2001"}, "due_date", "The due date must be today or in the future"),
        ({"due_date_0": "99999999999999999999"}, "due_date_0", "The due date must be a real"),
        ({"due_date_1": "-1"}, "due_date_1", "The due date must be a real date"),
        ({"due_date_2": "0"}, "due_date", "The due date must be a real date"),
    ],
)
def test_a_chairs_update_refuses_a_bad_due_date_or_owner(
    client, action, group_chair, member, changes, field, message
):
    data = {
        "seen_status": "open",
        "status": "unchanged",
        "note": "Moving it.",
        "owner": str(member.pk),
        **due(60),
        **changes,
    }
    text = assert_error_page(update(client, group_chair, action, data), field)
    assert message in text
    assert "Moving it." in text
    nothing_saved(action)


def test_update_takes_the_last_of_repeated_fields(client, action, member):
    data = {
        "seen_status": ["done", "open"],
        "status": ["cancelled", "in_progress"],
        "note": ["first", "The last note"],
    }
    assert update(client, member, action, data).status_code == 302
    action.refresh_from_db()
    assert action.status == ActionStatus.IN_PROGRESS
    assert action.notes.get().text == "The last note"


def test_update_of_an_action_that_does_not_exist_is_404(client, member):
    client.force_login(member)
    assert client.post("/actions/999999/update/", {"note": "x"}).status_code == 404


# Filters and pages ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "status=nonsense",
        "owner=abc",
        "owner=99999999999999999999999",
        "meeting=-1",
        "meeting=abc",
        "overdue=maybe",
        "page=abc",
        "page=99999",
        "page=-1",
        "status=any&status=%00",
        "owner=%00",
    ],
)
def test_garbled_filters_show_the_list_not_an_error(client, group, member, query):
    ActionFactory(group=group, owner=member, title="Still listed")
    client.force_login(member)
    for url in (f"/board/{group.slug}/actions/?{query}", f"/actions/?{query}"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "<h1" in response.content.decode()


def test_an_unknown_owner_filter_is_reported_not_ignored_silently(client, group, member):
    ActionFactory(group=group, owner=member, title="Still listed")
    client.force_login(member)
    text = client.get(f"/board/{group.slug}/actions/?owner=999999").content.decode()
    assert "Select a valid choice" in text
    assert "Still listed" in text


def test_chasing_with_a_garbled_next_goes_to_the_action(client, action, group_chair):
    client.force_login(group_chair)
    for nxt in ["javascript:alert(1)", "\x00", "http://evil.example", "/\\evil.example"]:
        response = client.post(f"/actions/{action.pk}/chase/", {"next": nxt})
        assert response.status_code == 302
        assert response["Location"] == f"/actions/{action.pk}/"
