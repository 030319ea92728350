"""The records policy's machinery in the core (hscb/lib/retention.py): the nightly schedule,
`manage.py retention` with and without `--dry-run`, the access log's own period, and the one
helper that takes a child's details out of the history of deleted rows."""

from __future__ import annotations

import datetime
import json
from io import StringIO

import pytest
import time_machine
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from casereview.models import Notification
from hscb.lib import retention
from hscb.lib.access import log_access
from hscb.models import Agency
from tests.casereview.factories import DraftFactory
from tests.hscb.factories import AgencyFactory
from tests.hscb.test_settings import run_python

pytestmark = pytest.mark.django_db


def test_the_nightly_run_is_scheduled_in_the_database_and_takes_no_arguments():
    task = PeriodicTask.objects.get(task="hscb.tasks.apply_retention")
    assert task.enabled and (task.crontab.hour, task.crontab.minute) == ("2", "30")
    assert str(task.crontab.timezone) == "Europe/London"
    assert json.loads(task.args) == [] and json.loads(task.kwargs) == {}


def test_a_date_years_before_29_february_is_28_february():
    leap = timezone.make_aware(datetime.datetime(2028, 2, 29, 2, 30))
    assert retention.years_before(leap, 25).date() == datetime.date(2003, 2, 28)


def drafts(settings) -> tuple[Notification, Notification]:
    """One draft due for deletion (reminded 10 days ago) and one whose author is due a
    reminder."""
    settings.DRAFT_EXPIRY_DAYS, settings.DRAFT_EXPIRY_REMINDER_DAYS = 30, 7
    now = timezone.now()
    expired, quiet = DraftFactory(), DraftFactory()
    Notification.objects.filter(pk=expired.pk).update(
        updated_at=now - datetime.timedelta(days=40),
        expiry_reminded_at=now - datetime.timedelta(days=10),
    )
    Notification.objects.filter(pk=quiet.pk).update(updated_at=now - datetime.timedelta(days=25))
    return expired, quiet


def test_a_dry_run_lists_each_kind_and_what_is_due_and_changes_nothing(settings):
    expired, quiet = drafts(settings)
    out = StringIO()
    call_command("retention", "--dry-run", stdout=out)
    text = out.getvalue()
    assert text.startswith("Dry run: nothing is reminded or deleted.")
    for kind in retention.KINDS.values():
        assert f"{kind.label} (kept {kind.period()})" in text
    assert (
        "Serious incident notification drafts (kept 30 days after their last change, their "
        "author reminded 7 days before)\n"
        f"  Author to remind: 1\n    Draft notification {quiet.pk}, last changed"
    ) in text
    assert f"  Due for deletion: 1\n    Draft notification {expired.pk}, last changed" in text
    assert "Serious incident notifications and their reviews (kept 25 years after" in text
    assert Notification.objects.count() == 2 and mail.outbox == []
    quiet.refresh_from_db()
    assert quiet.expiry_reminded_at is None


def test_the_command_applies_the_policy_and_is_safe_to_run_twice(settings):
    _, quiet = drafts(settings)
    out = StringIO()
    call_command("retention", "--kind", "casereview-drafts", stdout=out)
    text = out.getvalue()
    assert "Authors reminded: 1" in text and "Deleted: 1" in text
    assert "The records policy has been applied." in text
    assert "Access-log" not in text  # only the kind asked for
    assert list(Notification.objects.all()) == [quiet] and len(mail.outbox) == 1
    again = StringIO()
    call_command("retention", stdout=again)
    assert "Authors reminded: 0" in again.getvalue() and len(mail.outbox) == 1


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--kind", "everything"], "There is no kind of record called everything. Choose from:"),
        (["--dry-run", "--kind", "access-log", "--kind", "drafts"], "called drafts"),
        (["--everything"], "unrecognized arguments: --everything"),
        (["yesterday"], "unrecognized arguments: yesterday"),
    ],
)
def test_the_command_refuses_nonsense_with_a_message(arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("retention", *arguments, stdout=StringIO())


def test_access_log_entries_go_after_their_period_and_nothing_else_of_the_history(settings):
    settings.RETENTION_ACCESS_LOG_YEARS = 6
    viewed = timezone.make_aware(datetime.datetime(2026, 3, 2, 12))
    with time_machine.travel(viewed, tick=False):
        draft = DraftFactory()
        log_access(draft)
    access = LogEntry.objects.filter(action=LogEntry.Action.ACCESS)
    assert access.count() == 1
    six_years_on = viewed.replace(year=2032)
    with time_machine.travel(six_years_on - datetime.timedelta(minutes=1), tick=False):
        call_command("retention", "--kind", "access-log", stdout=StringIO())
    assert access.count() == 1
    with time_machine.travel(six_years_on + datetime.timedelta(minutes=1), tick=False):
        (plan,) = retention.retention_plan(keys=["access-log"])
        assert plan.due == [f"Entry {access.get().pk} of 2 March 2026"]
        call_command("retention", "--kind", "access-log", stdout=StringIO())
    assert not access.exists()
    assert LogEntry.objects.filter(action=LogEntry.Action.CREATE).exists()


def test_scrubbing_takes_the_registered_fields_out_and_keeps_the_rest():
    draft = DraftFactory(first_name="Zephyrine", incident_description="Zephyrine fell.")
    agency = Agency.objects.get(pk=draft.agency_id)
    notification_type = ContentType.objects.get_for_model(Notification)
    # An entry written before changes were kept as JSON, with a copy of the record.
    legacy = LogEntry.objects.create(
        content_type=notification_type,
        object_pk=str(draft.pk),
        object_repr=str(draft),
        action=LogEntry.Action.UPDATE,
        changes_text=json.dumps({"last_name": ["", "Quillfeather"]}),
        serialized_data={"fields": {"first_name": "Zephyrine"}},
    )
    other = AgencyFactory(name="Zephyrine Trust")  # another model's history is not touched
    assert retention.scrub_history({Notification: [draft.pk]}) == 2
    created = LogEntry.objects.get(
        content_type=notification_type, object_pk=str(draft.pk), action=LogEntry.Action.CREATE
    )
    assert "first_name" not in created.changes and "incident_description" not in created.changes
    assert created.changes["agency"] == ["None", str(agency.pk)]
    assert created.object_repr == f"Draft notification {draft.pk}"  # no name in it: kept
    legacy.refresh_from_db()
    assert (legacy.changes, legacy.changes_text, legacy.serialized_data) == ({}, "", None)
    assert "Zephyrine Trust" in LogEntry.objects.get_for_object(other).get().object_repr


@pytest.mark.parametrize(
    "variables",
    [
        {"DRAFT_EXPIRY_DAYS": "7", "DRAFT_EXPIRY_REMINDER_DAYS": "7"},
        {"RETENTION_CASE_REVIEW_YEARS": "0"},
    ],
    ids=["a reminder as late as the expiry", "no years"],
)
def test_a_records_policy_that_cannot_work_is_an_error_at_start_up(variables):
    result = run_python("manage.py", "check", **variables)
    assert result.returncode != 0
    assert "DRAFT_EXPIRY_REMINDER_DAYS 1 or more and less than DRAFT_EXPIRY_DAYS" in result.stderr
