"""An area's child death overview panel email is where child details are sent: a change to it
is in the area's history and is emailed, once, to the old address and to the chair of our
Child Death Overview Panel."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.core import mail

from hscb import tasks
from hscb.models import Area, GroupFunction, MembershipRole
from hscb.services import board as services
from tests.hscb.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

OLD, NEW = "cdop@bedford.example", "panel@bedford-cdop.example"


@pytest.fixture
def bedford(board) -> Area:
    return Area.objects.create(
        name="Bedford Borough",
        cdop_name="Bedford Borough Child Death Overview Panel",
        cdop_email=OLD,
        cdop_phone="01234 567890",
    )


@pytest.fixture
def panel_chair(board):
    return MembershipFactory(
        group=board[GroupFunction.CHILD_DEATH_OVERVIEW],
        role=MembershipRole.CHAIR,
        user=UserFactory(email="cdop.chair@board.example", first_name="Priya", last_name="Shah"),
    ).user


def area_data(area: Area, **changes: str) -> dict[str, str]:
    data = {
        "name": area.name,
        "ons_code": area.ons_code,
        "cdop_name": area.cdop_name,
        "cdop_email": area.cdop_email,
        "cdop_phone": area.cdop_phone,
    }
    return {**data, **changes}


def test_a_new_panel_email_is_in_the_history_and_told_to_the_old_address_and_the_chair(
    client, secretariat, bedford, panel_chair, django_capture_on_commit_callbacks
):
    client.force_login(secretariat)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/admin/hscb/area/{bedford.pk}/change/", area_data(bedford, cdop_email=NEW)
        )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Area.objects.get(pk=bedford.pk).cdop_email == NEW

    entry = LogEntry.objects.get_for_object(bedford).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.actor == secretariat and entry.changes_dict["cdop_email"] == [OLD, NEW]

    assert sorted(m.to[0] for m in mail.outbox) == ["cdop.chair@board.example", OLD]
    to_old = next(m for m in mail.outbox if m.to == [OLD])
    to_chair = next(m for m in mail.outbox if m.to == [panel_chair.email])
    for message in (to_old, to_chair):
        assert message.subject == (
            "The child death overview panel email address for Bedford Borough has changed"
        )
        assert NEW in message.body and NEW in message.alternatives[0][0]
    assert to_old.body.startswith("To the Bedford Borough Child Death Overview Panel,")
    assert "will no longer send emails to this address" in to_old.body
    assert to_chair.body.startswith("Dear Priya Shah,")
    assert f"Old address: {OLD}" in to_chair.body
    assert secretariat.get_full_name() in to_chair.body

    # The task run again (a retry, a duplicate delivery) sends nothing more.
    assert tasks.send_area_panel_email_changed.delay(entry.pk).get() == 0
    assert len(mail.outbox) == 2


def test_a_panel_email_given_for_the_first_time_is_told_to_the_chair(
    client, secretariat, panel_chair, board, django_capture_on_commit_callbacks
):
    area = Area.objects.create(name="Somewhere Else")
    client.force_login(secretariat)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/admin/hscb/area/{area.pk}/change/", area_data(area, cdop_email=NEW))
    assert [m.to for m in mail.outbox] == [[panel_chair.email]]
    assert "Old address: none" in mail.outbox[0].body


def test_other_changes_to_an_area_are_in_its_history_but_emailed_to_no_one(
    client, secretariat, bedford, panel_chair, django_capture_on_commit_callbacks
):
    client.force_login(secretariat)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/admin/hscb/area/{bedford.pk}/change/", area_data(bedford, cdop_phone="01234 000000")
        )
    entry = LogEntry.objects.get_for_object(bedford).filter(action=LogEntry.Action.UPDATE).get()
    assert "cdop_phone" in entry.changes_dict
    assert mail.outbox == []
    assert tasks.send_area_panel_email_changed.delay(entry.pk).get() == 0
    assert mail.outbox == []


def test_the_panel_email_task_sends_to_no_address_it_is_given(
    bedford, panel_chair, secretariat, agency_staff, django_capture_on_commit_callbacks
):
    agency_staff.email = "moved@agency.example"
    services.user_update(user=agency_staff, editor=secretariat)
    not_an_area = LogEntry.objects.get_for_object(agency_staff).latest("pk")
    for forged in ["collector@elsewhere.example", not_an_area.pk, 10**9]:
        assert tasks.send_area_panel_email_changed.delay(forged).get() == 0
    assert mail.outbox == []


def test_loading_the_board_again_with_a_new_panel_email_tells_too(
    bedford, panel_chair, django_capture_on_commit_callbacks
):
    data = {"areas": [{"name": "Bedford Borough", "cdop_email": NEW}], "groups": []}
    with django_capture_on_commit_callbacks(execute=True):
        services.board_load(data=data, update=True)
    assert sorted(m.to[0] for m in mail.outbox) == ["cdop.chair@board.example", OLD]
