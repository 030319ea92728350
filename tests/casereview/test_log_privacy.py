"""The board-wide history log shows who viewed a child's record, never the record's details:
those are read on the record's own history page, which is itself logged."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from hscb.lib.access import log_access
from tests.casereview.factories import DraftFactory, NotificationFactory

pytestmark = pytest.mark.django_db

LOG = reverse("admin:auditlog_logentry_changelist")


def test_the_board_wide_log_hides_a_childs_details_but_lists_views(client, board, secretariat):
    draft = DraftFactory(first_name="Zebedee", last_name="Quartermain", nhs_number="9434765919")
    submitted = NotificationFactory(first_name="Ottoline", last_name="Fairweather")
    log_access(submitted)
    assert LogEntry.objects.get_for_object(draft).exists()  # the history is kept

    client.force_login(secretariat)
    listing = client.get(LOG).content.decode()
    searched = client.get(LOG, {"q": "Quartermain"}).content.decode()
    by_number = client.get(LOG, {"q": "9434765919"}).content.decode()

    for page in (listing, searched, by_number):
        assert "Zebedee" not in page
        assert "Ottoline" not in page and "Fairweather" not in page
    assert "Quartermain" not in listing
    # A search for the child's name or NHS number finds nothing (the box shows what was typed).
    assert "0 results" in searched and "0 results" in by_number
    assert submitted.reference in listing  # the view of the record is listed
    hidden = LogEntry.objects.get_for_object(draft).first()
    entry = client.get(reverse("admin:auditlog_logentry_change", args=[hidden.pk]))
    assert entry.status_code in (302, 404)
    assert b"Quartermain" not in entry.content
