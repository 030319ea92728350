"""Names people type are shown as typed, never run as a template: the attendance form used to
put a group's name into crispy's `HTML()`, which reads its text as a Django template, so a
group named `{{ csrf_token }}` showed the page's token."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from django.utils.html import escape

from hscb.forms.layout import Markup
from tests.hscb.factories import (
    AgencyFactory,
    GroupFactory,
    MeetingFactory,
    MembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

TOKEN = "{{ csrf_token }}"
YEAR = '{% now "Y" %}'


def attendance_page(client, user, group) -> str:
    started = timezone.now() - datetime.timedelta(hours=1)
    meeting = MeetingFactory(
        group=group, starts_at=started, ends_at=started + datetime.timedelta(hours=2)
    )
    client.force_login(user)
    response = client.get(f"/meetings/{meeting.pk}/attendance/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_group_with_no_members_is_named_as_typed_on_the_attendance_form(
    client, board, secretariat
):
    group = GroupFactory(name=f"Panel {TOKEN} of {YEAR}")
    text = attendance_page(client, secretariat, group)

    assert (
        f'<p class="govuk-body">The {escape(group.name)} had no members on the day of the '
        "meeting.</p>"
    ) in text


def test_members_and_agencies_are_named_as_typed_on_the_attendance_form(client, board, secretariat):
    group = GroupFactory(name=f"Forum {YEAR}")
    agency = AgencyFactory(name=f"Agency {TOKEN}")
    person = UserFactory(first_name=TOKEN, last_name=YEAR, agency=agency)
    MembershipFactory(group=group, user=person)
    text = attendance_page(client, secretariat, group)

    assert escape(f"{person}, {agency.name}") in text  # the member's row
    assert escape(f"Someone from {agency.name}.") in text  # the substitute's hint
    assert escape(group.name) in text


def test_markup_is_written_out_as_it_is_and_plain_text_is_escaped():
    assert Markup(escape(TOKEN)).render(None, None) == escape(TOKEN)
    assert Markup("<b>{% now 'Y' %}</b>").render(None, None) == escape("<b>{% now 'Y' %}</b>")
