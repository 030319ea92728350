"""The actions pages: what each role sees, who may update and chase, the forms' effects, the
admin, and query counts that do not grow with the data."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from hscb.models import (
    Action,
    ActionNote,
    ActionStatus,
    GroupFunction,
    MeetingStatus,
    SentReminder,
)
from tests.hscb.factories import (
    ActionFactory,
    ActionNoteFactory,
    AgendaItemFactory,
    MeetingFactory,
    MembershipFactory,
    UserFactory,
)
from tests.hscb.test_bad_input import assert_error_page

pytestmark = pytest.mark.django_db


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


@pytest.fixture
def group(board):
    return board[GroupFunction.IMPROVING_OUTCOMES]


@pytest.fixture
def meeting(group):
    return MeetingFactory(group=group)


def page(client, user, url: str) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


# "Your actions" ---------------------------------------------------------------------------------


def test_my_actions_sorts_overdue_open_and_recently_closed(client, group, meeting, member):
    ActionFactory(group=group, owner=member, meeting=meeting, title="Late", due_date=days(-3))
    ActionFactory(group=group, owner=member, title="Soon", due_date=days(5))
    ActionFactory(group=group, owner=member, title="Begun", due_date=days(1), status="in_progress")
    ActionFactory(
        group=group, owner=member, title="Finished", status="done", completed_on=days(-10)
    )
    ActionFactory(
        group=group, owner=member, title="Long ago", status="done", completed_on=days(-120)
    )
    dropped = ActionFactory(group=group, owner=member, title="Dropped", status="cancelled")
    ActionNoteFactory(action=dropped, status_from="open", status_to="cancelled")
    ActionFactory(group=group, title="Someone else's", due_date=days(-3))
    text = page(client, member, "/actions/")
    overdue, rest = text.split("<caption", 2)[1:]
    assert "Late" in overdue and "3 days overdue" in overdue
    assert "govuk-tag--red" in overdue
    assert escape(str(meeting)) in overdue and f'href="/meetings/{meeting.pk}/"' in overdue
    current, closed = rest.split("Done or cancelled in the last 90 days</caption>")
    assert current.index("Begun") < current.index("Soon")
    assert "due tomorrow" in current and "due in 5 days" in current
    assert "Finished" in closed and "Dropped" in closed
    assert "Long ago" not in text
    assert "Someone else" not in text
    assert '<span class="app-figure">1</span> overdue' in text
    assert '<span class="app-figure">2</span> open or in progress' in text
    assert '<span class="app-figure">2</span> done or cancelled' in text


def test_my_actions_filters_by_status(client, group, member):
    ActionFactory(group=group, owner=member, title="Still open")
    ActionFactory(group=group, owner=member, title="All done", status="done", completed_on=days(0))
    text = page(client, member, "/actions/?status=done")
    assert "All done" in text and "Still open" not in text
    text = page(client, member, "/actions/?status=cancelled")
    assert "You have no actions with this status" in text


def test_my_actions_has_an_empty_state(client, agency_staff):
    assert "You have no actions." in page(client, agency_staff, "/actions/")


def test_an_owner_outside_the_group_sees_the_meeting_without_a_link(
    client, group, meeting, agency_staff
):
    ActionFactory(group=group, owner=agency_staff, meeting=meeting, title="From outside")
    text = page(client, agency_staff, "/actions/")
    assert escape(str(meeting)) in text
    assert f'href="/meetings/{meeting.pk}/"' not in text


def _many_actions(owner, board, count: int) -> None:
    for n in range(count):
        group = list(board.values())[n % 4]
        ActionFactory(
            group=group,
            owner=owner,
            meeting=MeetingFactory(group=group),
            due_date=days(n - count // 2),
            status=["open", "in_progress", "done", "cancelled"][n % 4],
            completed_on=days(-1) if n % 4 == 2 else None,
        )


def test_my_actions_query_count_does_not_grow(client, board, member):
    client.force_login(member)
    _many_actions(member, board, 3)
    few = queries(client, "/actions/")
    _many_actions(member, board, 40)
    assert queries(client, "/actions/") <= few <= 10


def test_my_actions_come_a_page_at_a_time_with_counts_of_all(client, board, member, monkeypatch):
    from hscb.selectors import actions as selectors

    monkeypatch.setattr(selectors, "MY_ACTIONS_PER_PAGE", 3)
    monkeypatch.setattr(selectors, "CLOSED_SHOWN", 2)
    group = board["improving_outcomes"]
    for n in range(4):
        ActionFactory(group=group, owner=member, title=f"Late {n}", due_date=days(-10 + n))
    ActionFactory(group=group, owner=member, title="Later", due_date=days(5))
    for n in range(3):
        ActionFactory(
            group=group, owner=member, title=f"Done {n}", status="done", completed_on=days(-n)
        )
    first = page(client, member, "/actions/")
    assert '<span class="app-figure">4</span> overdue' in first
    assert '<span class="app-figure">1</span> open or in progress' in first
    assert '<span class="app-figure">3</span> done or cancelled' in first
    assert "Late 2" in first and "Late 3" not in first and "Later" not in first
    assert 'aria-label="Pages of your open actions"' in first
    # The two latest closed, and a word on where the rest are.
    assert "Done 0" in first and "Done 1" in first and "Done 2" not in first
    assert "The latest 2 of 3 are shown." in first
    second = page(client, member, "/actions/?page=2")
    assert "Late 3" in second and "Later" in second and "Late 0" not in second


# A group's actions ------------------------------------------------------------------------------


def test_group_actions_list_open_ones_by_due_date_with_counts(client, group, member, cdop_member):
    ActionFactory(group=group, owner=member, title="Later one", due_date=days(20))
    ActionFactory(group=group, owner=member, title="Sooner one", due_date=days(-2))
    ActionFactory(group=group, owner=member, title="Closed one", status="done")
    ActionFactory(owner=cdop_member, title="Other group's")
    text = page(client, member, f"/board/{group.slug}/actions/")
    assert text.index("Sooner one") < text.index("Later one")
    assert "Closed one" not in text  # open or in progress by default
    assert "Other group" not in text
    assert '<span class="app-figure">2</span> open or in progress' in text
    assert '<span class="app-figure">1</span> overdue' in text
    assert "Chase the owner" not in text  # a member does not chase


def test_group_actions_filters(client, group, meeting, member, group_chair):
    other = MembershipFactory(group=group, user=UserFactory(last_name="Ødegaard")).user
    ActionFactory(group=group, owner=member, title="Member's late", due_date=days(-1))
    ActionFactory(group=group, owner=other, title="Other's", meeting=meeting)
    ActionFactory(group=group, owner=other, title="Other's done", status="done")
    url = f"/board/{group.slug}/actions/"
    text = page(client, group_chair, f"{url}?owner={other.pk}&status=any")
    assert "Other&#x27;s done" in text and "Member&#x27;s late" not in text
    text = page(client, group_chair, f"{url}?overdue=on")
    assert "Member&#x27;s late" in text and "Other&#x27;s" not in text
    text = page(client, group_chair, f"{url}?meeting={meeting.pk}")
    assert "Other&#x27;s" in text and "Member&#x27;s late" not in text
    text = page(client, group_chair, f"{url}?status=done")
    assert "Other&#x27;s done" in text and "Member&#x27;s late" not in text
    text = page(client, group_chair, f"{url}?status=done&overdue=on")
    assert "No actions match these filters" in text


def test_group_actions_filters_offer_a_fixed_number_of_owners_and_meetings(
    client, group, member, group_chair, agency_staff
):
    url = f"/board/{group.slug}/actions/"
    outside = ActionFactory(group=group, owner=agency_staff, title="Outside owner's")
    meetings = [
        MeetingFactory(group=group, starts_at=timezone.now() - datetime.timedelta(days=30 * n))
        for n in range(1, 27)
    ]
    for meeting in meetings:
        ActionFactory(group=group, owner=member, meeting=meeting, title=f"From {meeting.pk}")
    text = page(client, group_chair, url)
    owner_select = text.split('name="owner"')[1].split("</select>")[0]
    # The group's members are offered; another owner is found by the autocomplete.
    assert escape(member.get_full_name()) in owner_select
    assert escape(agency_staff.get_full_name()) not in owner_select
    meeting_select = text.split('name="meeting"')[1].split("</select>")[0]
    assert meeting_select.count("<option") == 24 + 1  # the latest 24, and "Any meeting"
    assert f'value="{meetings[-1].pk}"' not in meeting_select  # the oldest
    # Chosen anyway (through the autocomplete, or a link), each still filters and stays chosen.
    text = page(client, group_chair, f"{url}?owner={agency_staff.pk}")
    assert "Outside owner&#x27;s" in text and f"From {meetings[0].pk}" not in text
    assert f'<option value="{agency_staff.pk}" selected>' in text
    text = page(client, group_chair, f"{url}?meeting={meetings[-1].pk}")
    assert f"From {meetings[-1].pk}" in text and f"From {meetings[0].pk}" not in text
    assert f'<option value="{meetings[-1].pk}" selected>' in text
    assert outside.pk


@pytest.mark.parametrize(
    "query",
    [
        "owner=abc",
        "owner=99999999999999999999999",
        "meeting=x",
        "meeting=999999999",
        "meeting=%C2%B2",
        "owner=%C2%B2",
    ],
)
def test_group_actions_filters_answer_bad_values_with_a_message(client, group, member, query):
    text = page(client, member, f"/board/{group.slug}/actions/?{query}")
    assert "Select a valid choice" in text or "There is a problem" in text


def test_group_actions_paginate_by_25_keeping_the_filters(client, group, member):
    for n in range(30):
        ActionFactory(group=group, owner=member, title=f"Numbered {n:02d}", due_date=days(n))
    url = f"/board/{group.slug}/actions/"
    first = page(client, member, url)
    assert "Numbered 24" in first and "Numbered 25" not in first
    assert "30 actions, by due date (page 1 of 2)" in first
    assert 'href="?page=2"' in first
    second = page(client, member, f"{url}?status=current&page=2")
    assert "Numbered 25" in second and "Numbered 24" not in second
    assert "status=current&amp;page=1" in second


def test_chairs_get_a_chase_button_for_open_actions_only(client, group, member, group_chair):
    open_one = ActionFactory(group=group, owner=member, title="Open")
    done = ActionFactory(group=group, owner=member, title="Done", status="done")
    text = page(client, group_chair, f"/board/{group.slug}/actions/?status=any")
    assert f'action="/actions/{open_one.pk}/chase/"' in text
    assert f'action="/actions/{done.pk}/chase/"' not in text


def test_group_actions_query_count_does_not_grow(client, board, group, group_chair):
    client.force_login(group_chair)

    def add(count: int) -> None:
        for n in range(count):
            ActionFactory(
                group=group,
                owner=MembershipFactory(group=group).user,
                meeting=MeetingFactory(group=group),
                due_date=days(n - 5),
                last_chased_on=days(-1),
            )

    add(3)
    url = f"/board/{group.slug}/actions/?status=any"
    few = queries(client, url)
    assert few <= 12
    add(40)
    assert queries(client, url) <= few
    assert queries(client, url + "&page=2") <= few


# One action -------------------------------------------------------------------------------------


def test_action_page_shows_notes_newest_first_reminders_and_chases(client, group, meeting, member):
    item = AgendaItemFactory(meeting=meeting, title="Referral pathway")
    action = ActionFactory(
        group=group,
        owner=member,
        meeting=meeting,
        agenda_item=item,
        description="Include the flow chart.",
        due_date=days(-4),
        last_chased_on=datetime.date(2026, 11, 2),
    )
    ActionNoteFactory(
        action=action,
        text="First thoughts.",
        status_from="open",
        status_to="in_progress",
        written_at=timezone.now() - datetime.timedelta(days=3),
    )
    ActionNoteFactory(action=action, text="Latest news.")
    SentReminder.objects.create(
        recipient=member,
        content_type=ContentType.objects.get_for_model(Action),
        object_id=action.pk,
        rung=-7,
        due_date=action.due_date,
        sent_at=timezone.now() - datetime.timedelta(days=11),
    )
    text = page(client, member, f"/actions/{action.pk}/")
    assert text.index("Latest news.") < text.index("First thoughts.")
    assert "Open → In progress" in text
    assert "Due in 7 days" in text
    assert "4 days overdue" in text and "govuk-tag--red" in text
    assert "2 November 2026" in text  # last chased
    assert "Referral pathway" in text and "Include the flow chart." in text
    assert f'href="/meetings/{meeting.pk}/"' in text
    assert escape(member.get_full_name()) in text
    assert f'href="/actions/{action.pk}/update/"' in text
    assert "Chase the owner" not in text  # the owner does not chase themselves


def test_the_board_chair_sees_but_cannot_update_or_chase(client, group, member, board_chair):
    action = ActionFactory(group=group, owner=member)
    text = page(client, board_chair, f"/actions/{action.pk}/")
    assert "Update this action" not in text
    assert "Chase the owner" not in text


def test_the_group_chair_can_update_and_chase_an_open_action(client, group, member, group_chair):
    action = ActionFactory(group=group, owner=member)
    text = page(client, group_chair, f"/actions/{action.pk}/")
    assert "Update this action" in text
    assert f'action="/actions/{action.pk}/chase/"' in text
    assert 'name="csrfmiddlewaretoken"' in text
    action.status = ActionStatus.DONE
    action.save()
    assert "Chase the owner" not in page(client, group_chair, f"/actions/{action.pk}/")


# Recording an action ----------------------------------------------------------------------------


def create_data(owner, **changes) -> dict[str, str]:
    due = days(30)
    return {
        "title": "Send the audit findings to every GP practice",
        "description": "With the summary.",
        "owner": str(owner.pk),
        "due_date_0": str(due.day),
        "due_date_1": str(due.month),
        "due_date_2": str(due.year),
        "agenda_item": "",
        **changes,
    }


def test_the_chair_records_an_action_and_the_owner_is_emailed(
    client, meeting, member, group_chair, django_capture_on_commit_callbacks
):
    item = AgendaItemFactory(meeting=meeting)
    client.force_login(group_chair)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/meetings/{meeting.pk}/actions/new/",
            create_data(member, agenda_item=str(item.pk)),
        )
    assert response.status_code == 302
    assert response["Location"] == meeting.get_absolute_url()
    action = Action.objects.get()
    assert action.group == meeting.group and action.meeting == meeting
    assert action.agenda_item == item
    assert action.owner == member and action.created_by == group_chair
    assert action.due_date == days(30)
    assert action.reminder_next_on == days(0)
    [message] = mail.outbox
    assert message.to == [member.email]
    note = action.notes.get()
    assert note.text == f"Recorded and given to {member.get_full_name()}."
    assert note.author == group_chair
    assert note.emailed_at is not None
    assert escape(note.text) in page(client, member, f"/actions/{action.pk}/")


def test_the_owner_list_offers_the_groups_members_and_search_finds_anyone_else(
    client, meeting, member, group_chair
):
    outsider = UserFactory(first_name="Aaron", last_name="Aardvark")
    UserFactory(first_name="Aaron", last_name="Away", is_active=False)
    text = page(client, group_chair, f"/meetings/{meeting.pk}/actions/new/")
    members_at = text.index("Members of the Improving Outcomes subgroup")
    assert members_at < text.index(escape(member.get_full_name()))
    # Everyone else is not written into the page, which stays the same size however many
    # accounts there are: the select says where the autocomplete searches.
    assert "Aaron Aardvark" not in text and "Everyone else" not in text
    assert 'data-people-search="/people/search/"' in text
    found = client.get("/people/search/", {"q": "aaron aar"}).json()["results"]
    assert found == [
        {"value": str(outsider.pk), "label": f"Aaron Aardvark, {outsider.agency.label}"}
    ]
    assert client.get("/people/search/", {"q": "away"}).json() == {"results": []}  # closed


def test_someone_found_by_searching_stays_chosen_when_the_form_comes_back(
    client, meeting, group_chair, agency_staff
):
    client.force_login(group_chair)
    response = client.post(
        f"/meetings/{meeting.pk}/actions/new/", create_data(agency_staff, title="")
    )
    text = response.content.decode()
    assert "Enter the action" in text
    assert 'label="Found by searching"' in text
    assert f'<option value="{agency_staff.pk}" selected>' in text


def test_only_the_secretariat_finds_people_by_their_email(client, board, member, secretariat):
    found = UserFactory(first_name="Aaron", last_name="Aardvark", email="zed.q@example.org")
    client.force_login(member)
    assert client.get("/people/search/", {"q": "zed.q"}).json() == {"results": []}
    client.force_login(secretariat)
    results = client.get("/people/search/", {"q": "zed.q"}).json()["results"]
    assert [r["value"] for r in results] == [str(found.pk)]


def test_an_owner_named_in_the_address_is_shown_only_if_they_own_one_of_the_actions(
    client, group, member, agency_staff
):
    stranger = UserFactory(first_name="Zelda", last_name="Stranger")
    closed = UserFactory(first_name="Gone", last_name="Owner", is_active=False)
    ActionFactory(group=group, owner=closed, title="Left behind", status="done")
    url = f"/board/{group.slug}/actions/"
    text = page(client, member, f"{url}?owner={stranger.pk}")
    assert "Zelda Stranger" not in text
    # The owner of one of the group's actions, even with a closed account, stays chosen.
    text = page(client, member, f"{url}?owner={closed.pk}&status=any")
    assert f'<option value="{closed.pk}" selected>' in text and "Left behind" in text


def test_only_the_boards_members_and_secretariat_can_search_for_people(
    client, board, member, agency_staff, group_chair, secretariat
):
    UserFactory(first_name="Aaron", last_name="Aardvark")
    client.force_login(agency_staff)  # no seat on any group
    assert client.get("/people/search/", {"q": "aaron"}).status_code == 403
    for person in (member, group_chair, secretariat):
        client.force_login(person)
        results = client.get("/people/search/", {"q": "aaron"}).json()["results"]
        assert [r["label"].split(",")[0] for r in results] == ["Aaron Aardvark"]


@pytest.mark.parametrize(
    "query", ["", " ", "a", "x" * 5000, "%", "_", "a b c d e f g", "\x00", "zz\x00q", "qq\x00"]
)
def test_a_search_for_people_answers_any_text_without_error(client, board, secretariat, query):
    UserFactory(first_name="Aaron", last_name="Aardvark")
    client.force_login(secretariat)
    response = client.get("/people/search/", {"q": query})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert response.json() == {"results": []}


def test_a_search_for_people_runs_a_fixed_number_of_queries_and_gives_twenty_at_most(
    client, board, secretariat
):
    client.force_login(secretariat)
    UserFactory(first_name="Aaron", last_name="Abbott")
    with CaptureQueriesContext(connection) as few:
        client.get("/people/search/", {"q": "ab"})
    for n in range(25):
        UserFactory(first_name="Aaron", last_name=f"Abbott{n:02d}")
    with CaptureQueriesContext(connection) as many:
        results = client.get("/people/search/", {"q": "ab"}).json()["results"]
    assert len(many) == len(few)
    assert len(results) == 20
    assert [r["label"].split(",")[0] for r in results[:2]] == ["Aaron Abbott", "Aaron Abbott00"]


def test_anyone_with_an_account_can_own_an_action(client, meeting, group_chair, agency_staff):
    client.force_login(group_chair)
    response = client.post(f"/meetings/{meeting.pk}/actions/new/", create_data(agency_staff))
    assert response.status_code == 302
    assert Action.objects.get().owner == agency_staff


def test_a_past_due_date_is_refused_and_the_input_kept(client, meeting, member, group_chair):
    client.force_login(group_chair)
    data = create_data(member, due_date_0="1", due_date_1="1", due_date_2="2020")
    response = client.post(f"/meetings/{meeting.pk}/actions/new/", data)
    text = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in text
    assert "The due date must be today or in the future" in text
    assert "Send the audit findings to every GP practice" in text
    assert 'name="due_date_2" value="2020"' in text
    assert not Action.objects.exists()


def test_an_agenda_item_of_another_meeting_is_refused(client, group, meeting, member, group_chair):
    other = AgendaItemFactory(meeting=MeetingFactory(group=group))
    client.force_login(group_chair)
    data = create_data(member, agenda_item=str(other.pk))
    response = client.post(f"/meetings/{meeting.pk}/actions/new/", data)
    assert "Choose an item on this meeting&#x27;s agenda" in response.content.decode()
    assert not Action.objects.exists()


def test_no_action_is_recorded_for_a_cancelled_meeting(client, group, member, group_chair):
    cancelled = MeetingFactory(group=group, status=MeetingStatus.CANCELLED)
    client.force_login(group_chair)
    response = client.post(f"/meetings/{cancelled.pk}/actions/new/", create_data(member))
    text = assert_error_page(response)
    assert "This meeting was cancelled, so no actions can arise from it" in text
    assert "Send the audit findings to every GP practice" in text
    assert not Action.objects.exists()


def test_a_member_cannot_record_an_action(client, meeting, member):
    client.force_login(member)
    response = client.post(f"/meetings/{meeting.pk}/actions/new/", create_data(member))
    assert response.status_code == 403
    assert not Action.objects.exists()


# Updating an action -----------------------------------------------------------------------------


def update_data(**changes) -> dict[str, str]:
    return {"seen_status": "open", "status": "unchanged", "note": "Letters drafted.", **changes}


def test_an_owner_updates_their_own_action(client, group, member):
    action = ActionFactory(group=group, owner=member)
    text = page(client, member, f"/actions/{action.pk}/update/")
    assert "Progress note" in text
    assert "due_date_0" not in text and 'name="owner"' not in text  # not theirs to change
    response = client.post(
        f"/actions/{action.pk}/update/", update_data(status="in_progress"), follow=True
    )
    assert response.redirect_chain[-1][0] == f"/actions/{action.pk}/"
    assert "Your update has been saved." in response.content.decode()
    action.refresh_from_db()
    assert action.status == ActionStatus.IN_PROGRESS
    note = action.notes.get()
    assert (note.author, note.text, note.status_to) == (member, "Letters drafted.", "in_progress")


def test_an_owner_cannot_slip_in_a_new_due_date(client, group, member):
    action = ActionFactory(group=group, owner=member)
    due = action.due_date
    client.force_login(member)
    later = days(200)
    data = update_data(due_date_0=later.day, due_date_1=later.month, due_date_2=later.year)
    assert client.post(f"/actions/{action.pk}/update/", data).status_code == 302
    action.refresh_from_db()
    assert action.due_date == due


def test_a_member_cannot_update_someone_elses_action(client, group, member, group_chair):
    action = ActionFactory(group=group, owner=group_chair)
    client.force_login(member)
    assert client.get(f"/actions/{action.pk}/update/").status_code == 403
    assert client.post(f"/actions/{action.pk}/update/", update_data()).status_code == 403
    assert not ActionNote.objects.exists()


def test_the_chair_moves_the_due_date_and_hands_the_action_on(
    client, group, member, group_chair, django_capture_on_commit_callbacks
):
    action = ActionFactory(group=group, owner=member)
    newcomer = MembershipFactory(group=group).user
    text = page(client, group_chair, f"/actions/{action.pk}/update/")
    assert 'name="due_date_0"' in text and 'name="owner"' in text
    later = days(90)
    data = update_data(
        owner=str(newcomer.pk),
        due_date_0=str(later.day),
        due_date_1=str(later.month),
        due_date_2=str(later.year),
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/actions/{action.pk}/update/", data)
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.owner == newcomer and action.due_date == later
    note = action.notes.get()
    assert "Due date changed from" in note.text and "Owner changed from" in note.text
    assert [m.to for m in mail.outbox] == [[newcomer.email]]


def test_the_status_choices_follow_the_current_status(client, group, member):
    action = ActionFactory(group=group, owner=member, status="done")
    text = page(client, member, f"/actions/{action.pk}/update/")
    assert "Reopen it: back to in progress" in text
    assert 'value="cancelled"' not in text
    assert "No change: it stays done" in text


def test_a_change_made_by_someone_else_meanwhile_is_reported_and_the_input_kept(
    client, group, member
):
    action = ActionFactory(group=group, owner=member)
    url = f"/actions/{action.pk}/update/"
    assert 'name="seen_status" value="open"' in page(client, member, url)
    Action.objects.filter(pk=action.pk).update(status=ActionStatus.IN_PROGRESS)  # behind it
    response = client.post(url, update_data(status="done", note="All sent today."))
    text = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in text
    assert "Someone else changed this action while you were updating it" in text
    assert "All sent today." in text
    assert 'name="seen_status" value="in_progress"' in text  # a resubmission will go through
    action.refresh_from_db()
    assert action.status == ActionStatus.IN_PROGRESS
    assert not ActionNote.objects.exists()
    resubmitted = update_data(seen_status="in_progress", status="done", note="All sent today.")
    assert client.post(url, resubmitted).status_code == 302
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE


# Chasing ----------------------------------------------------------------------------------------


def test_the_chair_chases_once_a_day_and_returns_to_the_list(
    client, group, member, group_chair, django_capture_on_commit_callbacks
):
    action = ActionFactory(group=group, owner=member)
    back = f"/board/{group.slug}/actions/?status=any"
    client.force_login(group_chair)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/actions/{action.pk}/chase/", {"next": back}, follow=True)
    assert response.redirect_chain[0][0] == back
    text = response.content.decode()
    assert escape(f"{member.get_full_name()} has been sent a reminder") in text
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/actions/{action.pk}/chase/", {"next": back}, follow=True)
    assert "already chased today" in response.content.decode()
    assert len(mail.outbox) == 1
    assert action.notes.count() == 1


def test_a_chase_never_sends_people_off_the_site(client, group, member, group_chair):
    action = ActionFactory(group=group, owner=member)
    client.force_login(group_chair)
    response = client.post(
        f"/actions/{action.pk}/chase/",
        {"next": "https://evil.example/"},
        headers={"referer": "//evil.example/x"},
    )
    assert response["Location"] == f"/actions/{action.pk}/"


def test_a_chase_goes_back_to_the_referring_page(client, group, member, secretariat):
    action = ActionFactory(group=group, owner=member)
    client.force_login(secretariat)
    response = client.post(
        f"/actions/{action.pk}/chase/", headers={"referer": "http://testserver/actions/"}
    )
    assert response["Location"] == "http://testserver/actions/"


def test_members_and_owners_cannot_chase(client, group, member, cdop_member):
    action = ActionFactory(group=group, owner=member)
    client.force_login(member)
    assert client.post(f"/actions/{action.pk}/chase/").status_code == 403
    client.force_login(cdop_member)
    assert client.post(f"/actions/{action.pk}/chase/").status_code == 404
    assert client.get(f"/actions/{action.pk}/chase/").status_code == 405
    action.refresh_from_db()
    assert action.last_chased_on is None


def test_a_closed_action_is_not_chased(client, group, member, group_chair):
    action = ActionFactory(group=group, owner=member, status="done")
    client.force_login(group_chair)
    response = client.post(f"/actions/{action.pk}/chase/", follow=True)
    assert "there is nothing to chase" in response.content.decode()
    assert not ActionNote.objects.exists()


# The admin --------------------------------------------------------------------------------------


def test_admin_change_of_due_date_rearms_and_notes_it(client, group, member, secretariat):
    action = ActionFactory(group=group, owner=member, title="Old wording")
    Action.objects.filter(pk=action.pk).update(reminder_last_sent=-30)
    client.force_login(secretariat)
    url = f"/admin/hscb/action/{action.pk}/change/"
    form = client.get(url).content.decode()
    assert "The status is changed on the action" in form
    assert 'name="status"' not in form  # read-only
    later = days(120)
    response = client.post(
        url,
        {
            "title": "New wording",
            "description": "",
            "owner": str(member.pk),
            "due_date": later.strftime("%d/%m/%Y"),
            "notes-TOTAL_FORMS": "0",
            "notes-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    action.refresh_from_db()
    assert action.title == "New wording"
    assert action.due_date == later
    assert action.reminder_last_sent is None
    note = action.notes.get()
    assert note.text.startswith("Changed in the administration pages.")
    assert note.author == secretariat


def test_admin_refuses_a_past_due_date_beside_the_field(client, group, member, secretariat):
    action = ActionFactory(group=group, owner=member)
    client.force_login(secretariat)
    response = client.post(
        f"/admin/hscb/action/{action.pk}/change/",
        {
            "title": action.title,
            "description": "",
            "owner": str(member.pk),
            "due_date": "01/01/2020",
            "notes-TOTAL_FORMS": "0",
            "notes-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "The due date must be today or in the future" in response.content.decode()


def test_admin_adds_an_action_through_the_service(
    client, group, meeting, member, secretariat, django_capture_on_commit_callbacks
):
    client.force_login(secretariat)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/hscb/action/add/",
            {
                "group": str(group.pk),
                "meeting": str(meeting.pk),
                "agenda_item": "",
                "title": "Added in the admin",
                "description": "",
                "owner": str(member.pk),
                "due_date": days(10).strftime("%d/%m/%Y"),
                "notes-TOTAL_FORMS": "0",
                "notes-INITIAL_FORMS": "0",
            },
        )
    assert response.status_code == 302, response.content.decode()[:3000]
    action = Action.objects.get()
    assert action.created_by == secretariat
    assert action.reminder_next_on is not None
    assert [m.to for m in mail.outbox] == [[member.email]]
    note = action.notes.get()
    assert (note.author, note.text) == (
        secretariat,
        f"Recorded and given to {member.get_full_name()}.",
    )
    assert note.emailed_at is not None


def test_admin_never_deletes_an_action(client, group, member, secretariat):
    action = ActionFactory(group=group, owner=member)
    client.force_login(secretariat)
    assert client.post(f"/admin/hscb/action/{action.pk}/delete/", {"post": "yes"}).status_code == (
        403
    )
    assert Action.objects.filter(pk=action.pk).exists()


def test_admin_list_shows_overdue_actions(client, group, member, secretariat):
    ActionFactory(group=group, owner=member, title="Late in the admin", due_date=days(-2))
    ActionFactory(group=group, owner=member, title="On time in the admin", due_date=days(2))
    client.force_login(secretariat)
    text = client.get("/admin/hscb/action/?overdue=yes").content.decode()
    assert "Late in the admin" in text and "On time in the admin" not in text
