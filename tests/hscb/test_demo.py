"""Demonstration data comes only from its own command, which refuses to run with DEBUG off,
and adds nothing twice: people and seats, this year's business plan, meetings and actions."""

from __future__ import annotations

import datetime
import json
import re
import shutil
import tempfile
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import TestCase, override_settings
from django.utils import timezone
from django.utils.html import escape

from hscb.demo import PRIORITIES, ROLE_USERS, demo_load
from hscb.lib.reminders import rearm
from hscb.management.commands.load_board import FIXTURE
from hscb.models import (
    Action,
    ActionNote,
    ActionStatus,
    Agency,
    AgendaItem,
    Attendance,
    AttendanceStatus,
    BusinessPlan,
    Group,
    GroupFunction,
    GroupResource,
    Meeting,
    MeetingStatus,
    Membership,
    Objective,
    Priority,
    ProgressUpdate,
    Rag,
    Target,
    User,
)
from hscb.rules import roles_of
from hscb.selectors.plan import business_year
from hscb.services.attendance import quorum_assess, seats_on
from hscb.services.board import board_load
from tests.clients import BoardClient

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
    assert re.search(r"\d+ business plan priorities, \d+ meetings, \d+ actions", first.getvalue())
    counts = (User.objects.count(), Agency.objects.count(), Membership.objects.count())

    second = StringIO()
    call_command("load_demo", "--password", "demo password 2026", stdout=second)
    assert "accounts were already there" in second.getvalue()
    assert "business added" not in second.getvalue()
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


# The board's business: this year's plan, meetings and actions -------------------------------


def _business_counts() -> dict[str, int]:
    models = [
        BusinessPlan,
        Priority,
        Target,
        ProgressUpdate,
        GroupResource,
        Meeting,
        AgendaItem,
        Attendance,
        Action,
        ActionNote,
    ]
    return {model.__name__: model.objects.count() for model in models}


def _load(**kwargs) -> None:
    call_command("load_demo", "--password", "demo password 2026", stdout=StringIO(), **kwargs)


def test_demo_refuses_with_debug_off_and_makes_no_plan_or_meetings(board, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        _load()
    assert set(_business_counts().values()) == {0}


def test_demo_adds_the_board_s_business_once_however_often_it_runs(board, settings):
    settings.DEBUG = True
    _load()
    first = _business_counts()
    assert first["BusinessPlan"] == 1
    assert 4 <= first["Priority"] <= 5
    assert first["ProgressUpdate"] >= 2 * first["Priority"]
    assert first["GroupResource"] >= 4
    assert first["Meeting"] >= 8 and first["Action"] >= 10
    _load()
    assert _business_counts() == first
    # Nor on a later day of the same business year: a group that has met gets no new meetings.
    later = timezone.localdate() + datetime.timedelta(days=3)
    if business_year(later) == business_year():
        demo_load(password="x", today=later)
        assert _business_counts() == first


def test_demo_keeps_what_the_secretariat_has_changed(board, settings):
    settings.DEBUG = True
    board_group = Group.objects.get(function=GroupFunction.STRATEGIC_BOARD)
    board_group.quorum_members = 9
    board_group.save()
    _load()
    priority = Priority.objects.get(number=1)
    priority.title = "Neglect, renamed by the secretariat"
    priority.save()
    _load()
    assert Priority.objects.get(number=1).title == "Neglect, renamed by the secretariat"
    board_group.refresh_from_db()
    assert board_group.quorum_members == 9
    held = board_group.meetings.get(status=MeetingStatus.HELD)
    assert held.quorate is False
    assert held.quorum_summary.startswith("Not quorate: 7 of 9 members needed were present")


class TestTheDemonstrationsBusiness(TestCase):
    """Checks that only read what the demonstration made: it is loaded once for them all (in a
    transaction rolled back at the end), not once a test."""

    client_class = BoardClient

    @classmethod
    def setUpTestData(cls) -> None:
        cls.media = tempfile.mkdtemp(prefix="demo-media-")
        with override_settings(
            DEBUG=True,
            MEDIA_ROOT=cls.media,
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        ):
            board_load(data=json.loads(FIXTURE.read_text(encoding="utf-8")))
            _load()

    @classmethod
    def tearDownClass(cls) -> None:
        super().tearDownClass()
        shutil.rmtree(cls.media, ignore_errors=True)

    def test_demo_plan_is_this_business_year_s(self):
        plan = BusinessPlan.objects.get()
        assert plan.year == business_year(timezone.localdate())
        assert plan.summary

    def test_demo_priorities_are_rated_as_the_progress_service_leaves_them(self):
        priorities = list(Priority.objects.prefetch_related("updates", "groups", "targets"))
        assert {p.rag for p in priorities} == {Rag.RED, Rag.AMBER, Rag.GREEN}
        for priority in priorities:
            updates = list(priority.updates.all())  # newest first
            assert 2 <= len(updates) <= 3, priority
            latest = updates[0]
            assert (priority.rag, priority.commentary) == (latest.rag, latest.commentary)
            assert priority.progress_updated_at == latest.written_at
            assert priority.progress_updated_by == latest.author
            assert all(u.written_at < timezone.now() for u in updates)
            # Everyone who rated it may rate it, as the progress page would have required.
            for update in updates:
                assert update.author.has_perm("hscb.update_priority_progress", priority), update
            assert priority.owner is not None and priority.groups.exists()
            targets = list(priority.targets.all())
            assert targets and all(t.measure and t.owner and t.due_date for t in targets)
            plan_start = datetime.date(priority.plan.year, 4, 1)
            assert all(
                plan_start <= t.due_date < plan_start.replace(year=plan_start.year + 1)
                for t in targets
            )
            assert priority.objectives.exists(), priority

    def test_demo_links_each_priority_to_the_group_objectives_it_serves(self):
        links = Objective.priorities.through.objects.count()
        assert links == sum(len(spec.objectives) for spec in PRIORITIES)
        for spec in PRIORITIES:
            priority = Priority.objects.get(number=spec.number)
            functions = set(priority.objectives.values_list("group__function", flat=True))
            assert functions == {function for function, _ in spec.objectives}

    def test_demo_resources_are_given_to_several_groups(self):
        resources = list(GroupResource.objects.all())
        assert len({r.group_id for r in resources}) == len(resources) >= 4
        assert any(r.budget is None for r in resources)
        assert any(r.budget and r.budget > 0 for r in resources)

    def test_demo_held_meetings_are_quorate_by_the_group_s_own_rule(self):
        held = list(Meeting.objects.filter(status=MeetingStatus.HELD).select_related("group"))
        assert len(held) >= 3
        for meeting in held:
            assert meeting.ends_at < timezone.now()
            assert meeting.group.quorum_members == 4
            attendance = list(meeting.attendance.all())
            quorum = quorum_assess(
                group=meeting.group, seats=seats_on(meeting), attendance=attendance
            )
            assert (meeting.quorate, meeting.quorum_summary) == (quorum.quorate, quorum.summary)
            assert meeting.quorate, meeting.quorum_summary
            apologies = [a for a in attendance if a.status == AttendanceStatus.APOLOGIES]
            substitutes = [a for a in attendance if a.substitute_for_id]
            assert len(apologies) == 1 and len(substitutes) == 1
            assert substitutes[0].substitute_for_id == apologies[0].person_id
            assert substitutes[0].agency_id == apologies[0].agency_id
            assert not substitutes[0].is_member
            items = list(meeting.items.all())
            assert items and all(i.minutes for i in items)
            assert f"{substitutes[0].person} attended in place of" in items[0].minutes
            assert any(i.decisions for i in items)
        board = Group.objects.get(function=GroupFunction.STRATEGIC_BOARD)
        assert board.quorum_agencies.count() == 3
        assert "every agency that must attend was represented" in (
            board.meetings.get(status=MeetingStatus.HELD).quorum_summary
        )

    def test_demo_coming_meetings_have_agendas_and_do_not_overlap(self):
        coming = list(Meeting.objects.upcoming())
        assert len(coming) >= 4
        assert len({m.group_id for m in coming}) >= 4
        for meeting in coming:
            assert meeting.status == MeetingStatus.SCHEDULED and meeting.quorate is None
            assert timezone.localtime(meeting.starts_at).weekday() < 5
            items = list(meeting.items.all())
            assert len(items) >= 3 and not any(i.minutes or i.decisions for i in items)
            assert not Meeting.objects.overlapping(meeting).exists()

    def test_demo_actions_are_a_mix_of_overdue_due_soon_and_done_with_ladders_armed(self):
        today = timezone.localdate()
        actions = list(Action.objects.select_related("meeting", "agenda_item"))
        overdue = [a for a in actions if a.is_overdue(today)]
        soon = [
            a
            for a in actions
            if a.is_open and today <= a.due_date <= today + datetime.timedelta(days=21)
        ]
        done = [a for a in actions if a.status == ActionStatus.DONE]
        assert len(overdue) >= 2 and len(soon) >= 2 and len(done) >= 2
        for action in actions:
            assert action.meeting.status == MeetingStatus.HELD
            # An action made from a child death panel recommendation has no agenda item.
            if action.agenda_item is not None:
                assert action.agenda_item.meeting_id == action.meeting_id
            assert action.group_id == action.meeting.group_id
            if action.is_open:
                expected = Action(due_date=action.due_date, owner_id=action.owner_id)
                rearm(expected)
                assert action.reminder_next_on == expected.reminder_next_on is not None
                assert action.reminder_last_sent is None and action.completed_on is None
            else:
                assert action.reminder_next_on is None
                assert action.completed_on and action.completed_on <= today
        for note in ActionNote.objects.select_related("action"):
            assert note.written_at < timezone.now()
            if note.status_to:
                assert note.status_from and note.status_from != note.status_to
        # Each closed or started action's last note says how it got there.
        for action in actions:
            if action.status != ActionStatus.OPEN:
                assert action.notes.first().status_to == action.status

    def test_demo_group_member_has_actions_overdue_due_soon_and_done(self):
        member = User.objects.get(email=ROLE_USERS["group member"].address)
        today = timezone.localdate()
        mine = list(Action.objects.filter(owner=member))
        assert any(a.is_overdue(today) for a in mine)
        assert any(a.is_open and a.due_date >= today for a in mine)
        assert any(a.status == ActionStatus.DONE for a in mine)

    def test_demo_plan_page_shows_the_plan_to_each_demo_account(self):
        chair = User.objects.get(email=ROLE_USERS["group chair"].address)
        self.client.force_login(chair)
        response = self.client.get("/plan/", follow=True)
        text = response.content.decode()
        assert response.status_code == 200
        for priority in Priority.objects.all():
            assert escape(priority.title) in text
        # The chair of the Improving Outcomes subgroup rates the priorities it leads.
        led = Priority.objects.filter(groups__function=GroupFunction.IMPROVING_OUTCOMES)
        assert led.exists()
        for priority in led:
            assert f"/plan/priorities/{priority.pk}/progress/" in text
        assert "£45,000.00" in text
