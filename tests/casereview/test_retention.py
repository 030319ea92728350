"""Records retention for case review (casereview/services/retention.py): drafts nobody changes
are deleted after one reminder to their author, a change starts the wait again; cases are
deleted once the records policy no longer keeps them; and whatever deletes a draft, a document
or a case leaves no child's details in the history."""

from __future__ import annotations

import datetime
import json
from smtplib import SMTPException
from unittest import mock

import pytest
import time_machine
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.files.storage import default_storage
from django.utils import timezone

from casereview.models import (
    Attachment,
    Lesson,
    Notification,
    NotificationStatus,
    PlanAction,
    Review,
)
from casereview.services import notifications as notify
from hscb import tasks
from hscb.lib import retention
from tests.casereview.factories import (
    AttachmentFactory,
    DraftFactory,
    LessonFactory,
    NotificationFactory,
    PlanActionFactory,
    RecommendationFactory,
    ReviewFactory,
)

pytestmark = pytest.mark.django_db

FIRST, LAST, NHS = "Zephyrine", "Quillfeather", "9434765919"
BORN = datetime.date(2019, 2, 14)
DOCUMENT = "Zephyrine-Quillfeather-chronology.pdf"
# Noon in Europe/London on 2 March 2026: the day a draft is last changed.
T0 = timezone.make_aware(datetime.datetime(2026, 3, 2, 12))


def on_day(n: int) -> datetime.datetime:
    """The nightly run's moment, `n` days after T0."""
    return T0 + datetime.timedelta(days=n)


def history_text() -> str:
    """Everything the history holds, as one text to search."""
    return json.dumps(
        [
            [e.object_repr, e.changes, e.changes_text, e.serialized_data, e.additional_data]
            for e in LogEntry.objects.all()
        ],
        default=str,
    )


def assert_no_child_details_in_history() -> None:
    text = history_text()
    for detail in (FIRST, LAST, NHS, BORN.isoformat(), "chronology"):
        assert detail not in text, detail


def a_draft(**values) -> Notification:
    """A draft last changed at T0, naming the child, with a document named after them: its
    history holds their details."""
    with time_machine.travel(T0, tick=False):
        draft = DraftFactory(
            first_name=FIRST, last_name=LAST, nhs_number=NHS, date_of_birth=BORN, **values
        )
        AttachmentFactory(notification=draft, original_name=DOCUMENT, file__filename="stored.pdf")
    assert FIRST in history_text() and DOCUMENT in history_text()
    return draft


def run_drafts(n: int) -> retention.KindResult:
    (result,) = retention.retention_apply(now=on_day(n), keys=["casereview-drafts"])
    return result


# Drafts ----------------------------------------------------------------------------------------


def test_an_untouched_draft_is_reminded_once_then_deleted_with_the_childs_details_in_its_history(
    settings, django_capture_on_commit_callbacks
):
    settings.DRAFT_EXPIRY_DAYS, settings.DRAFT_EXPIRY_REMINDER_DAYS = 30, 7
    draft = a_draft()
    stored = Attachment.objects.get(notification=draft).file.name
    assert default_storage.exists(stored)

    assert run_drafts(22).reminded == [] and mail.outbox == []
    result = run_drafts(23)
    assert result.reminded == [f"Draft notification {draft.pk}, last changed 2 March 2026"]
    [message] = mail.outbox
    assert message.to == [draft.notifier.email]
    assert (
        message.subject
        == "Your draft serious incident notification will be deleted on 1 April 2026"
    )
    assert f"Draft: number {draft.pk}" in message.body
    assert "Last changed: 2 March 2026" in message.body
    assert f"/notifications/{draft.pk}/check/" in message.body
    for detail in (FIRST, LAST, NHS, "14 February 2019", "chronology"):
        assert detail not in message.body and detail not in message.alternatives[0][0]

    # Run again, that night or the next: never a second reminder; not deleted before its day.
    assert run_drafts(23).reminded == [] and run_drafts(29).deleted == []
    assert len(mail.outbox) == 1 and Notification.objects.filter(pk=draft.pk).exists()

    with (
        time_machine.travel(on_day(30), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert tasks.apply_retention() == {"reminded": 0, "deleted": 1, "kept": 0, "failed": 0}
    assert not Notification.objects.filter(pk=draft.pk).exists()
    assert not Attachment.objects.exists()
    assert not default_storage.exists(stored)
    assert_no_child_details_in_history()
    # Who, when and what kind of change stay.
    deleted = LogEntry.objects.get(
        content_type=ContentType.objects.get_for_model(Notification),
        object_pk=str(draft.pk),
        action=LogEntry.Action.DELETE,
    )
    assert deleted.object_repr == f"Draft notification {draft.pk}"
    assert "status" in deleted.changes and "first_name" not in deleted.changes
    # A document's history names it by its kind and number, not by its file name.
    document = LogEntry.objects.get(
        content_type=ContentType.objects.get_for_model(Attachment), action=LogEntry.Action.DELETE
    )
    assert document.object_repr == f"Attachment {document.object_pk}"
    assert run_drafts(31).deleted == []


def test_changing_a_draft_after_its_reminder_starts_the_wait_again(settings):
    settings.DRAFT_EXPIRY_DAYS, settings.DRAFT_EXPIRY_REMINDER_DAYS = 30, 7
    draft = a_draft()
    assert len(run_drafts(23).reminded) == 1
    with time_machine.travel(on_day(25), tick=False):
        notify.notification_keep_answers(
            notification=draft, step="child", data={"other_names": "Zeph"}, by=draft.notifier
        )
    assert run_drafts(30).deleted == [] and run_drafts(47).reminded == []
    assert len(run_drafts(48).reminded) == 1 and len(mail.outbox) == 2
    assert "deleted on 26 April 2026" in mail.outbox[1].subject
    assert run_drafts(54).deleted == []
    assert len(run_drafts(55).deleted) == 1
    assert not Notification.objects.exists()


def test_a_draft_is_never_deleted_sooner_than_the_reminders_notice_after_a_missed_run(settings):
    """The nightly runs stopped for weeks: the reminder goes now, the draft a week later."""
    settings.DRAFT_EXPIRY_DAYS, settings.DRAFT_EXPIRY_REMINDER_DAYS = 30, 7
    a_draft()
    result = run_drafts(60)
    assert len(result.reminded) == 1 and result.deleted == []
    assert "deleted on 8 May 2026" in mail.outbox[0].subject
    assert run_drafts(66).deleted == [] and len(run_drafts(67).deleted) == 1


def test_a_reminder_that_cannot_be_sent_is_given_back_and_the_task_retries(settings):
    settings.DRAFT_EXPIRY_DAYS, settings.DRAFT_EXPIRY_REMINDER_DAYS = 30, 7
    draft = a_draft()
    with (
        time_machine.travel(on_day(23), tick=False),
        mock.patch("casereview.services.retention.send_templated_email", side_effect=SMTPException),
        pytest.raises(tasks.EmailsNotSent),
    ):
        tasks.apply_retention.run()
    draft.refresh_from_db()
    assert draft.expiry_reminded_at is None
    assert len(run_drafts(24).reminded) == 1


def test_a_closed_account_is_not_emailed_and_its_draft_still_expires(settings):
    settings.DRAFT_EXPIRY_DAYS, settings.DRAFT_EXPIRY_REMINDER_DAYS = 30, 7
    draft = a_draft()
    type(draft.notifier).objects.filter(pk=draft.notifier_id).update(is_active=False)
    assert run_drafts(23).reminded == [] and mail.outbox == []
    assert len(run_drafts(30).deleted) == 1


def test_a_submitted_notification_is_never_treated_as_a_draft(settings, board):
    case = NotificationFactory()
    Notification.objects.filter(pk=case.pk).update(updated_at=on_day(-100))
    assert run_drafts(0).reminded == [] and run_drafts(100).deleted == []
    assert Notification.objects.filter(pk=case.pk, status=NotificationStatus.SUBMITTED).exists()


def test_discarding_a_draft_or_removing_a_document_leaves_no_child_details_in_history():
    draft = a_draft()
    notify.attachment_remove(attachment=draft.attachments.get(), by=draft.notifier)
    assert DOCUMENT not in history_text() and FIRST in history_text()
    notify.notification_discard(notification=draft, by=draft.notifier)
    assert not Notification.objects.exists()
    assert_no_child_details_in_history()


# Cases -----------------------------------------------------------------------------------------


def test_a_case_is_deleted_with_its_review_once_the_policy_no_longer_keeps_it(settings, board):
    settings.RETENTION_CASE_REVIEW_YEARS = 25
    with time_machine.travel(T0, tick=False):
        review = ReviewFactory(
            notification=NotificationFactory(
                first_name=FIRST, last_name=LAST, nhs_number=NHS, date_of_birth=BORN
            )
        )
        case = review.notification
        AttachmentFactory(notification=case, original_name=DOCUMENT, file__filename="c.pdf")
        merged = NotificationFactory(
            first_name=FIRST, last_name=LAST, merged_into=case, status=NotificationStatus.MERGED
        )
        PlanActionFactory(
            recommendation=RecommendationFactory(review=review),
            description=f"Tell {FIRST}'s school.",
        )
        LessonFactory(review=review)
    assert FIRST in history_text()
    keep = NotificationFactory(first_name="Other")
    years_on = T0.replace(year=T0.year + 25)

    plan = retention.retention_plan(
        now=years_on - datetime.timedelta(days=1), keys=["casereview-cases"]
    )
    assert plan[0].due == []
    (plan,) = retention.retention_plan(now=years_on, keys=["casereview-cases"])
    assert plan.due == [f"{case.reference}, submitted 2 March 2026"]
    assert Notification.objects.filter(pk=case.pk).exists()  # a plan changes nothing

    with time_machine.travel(years_on + datetime.timedelta(hours=14), tick=False):
        result = tasks.apply_retention()
    assert result["deleted"] == 1
    assert not Notification.objects.filter(pk__in=[case.pk, merged.pk]).exists()
    assert not Review.objects.exists() and not PlanAction.objects.exists()
    assert not Lesson.objects.exists()
    assert Notification.objects.filter(pk=keep.pk).exists()
    assert_no_child_details_in_history()
    assert LogEntry.objects.filter(
        object_pk=str(case.pk),
        content_type=ContentType.objects.get_for_model(Notification),
        action=LogEntry.Action.DELETE,
        object_repr=case.reference,
    ).exists()


def test_a_case_whose_merged_notification_is_newer_waits_for_it(settings, board):
    settings.RETENTION_CASE_REVIEW_YEARS = 25
    with time_machine.travel(T0, tick=False):
        case = NotificationFactory()
    with time_machine.travel(T0 + datetime.timedelta(days=40), tick=False):
        NotificationFactory(merged_into=case, status=NotificationStatus.MERGED)
    years_on = T0.replace(year=T0.year + 25)
    (plan,) = retention.retention_plan(
        now=years_on + datetime.timedelta(days=39), keys=["casereview-cases"]
    )
    assert plan.due == []
    (plan,) = retention.retention_plan(
        now=years_on + datetime.timedelta(days=40), keys=["casereview-cases"]
    )
    assert len(plan.due) == 1
