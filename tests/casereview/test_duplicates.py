"""Possible duplicates: the secretariat links, merges or dismisses each, once. A merge moves the
later notification's agencies and documents to the earlier one and stops its deadlines chasing
anyone. The pages show both notifications side by side and log that their details were seen."""

from __future__ import annotations

import datetime

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from casereview.models import (
    Attachment,
    Clock,
    DuplicateStatus,
    MatchReason,
    Notification,
    NotificationStatus,
    PossibleDuplicate,
)
from casereview.services.duplicates import duplicate_resolve, duplicates_flag
from hscb.services import reminders as engine
from tests.casereview.factories import (
    AttachmentFactory,
    DecisionFactory,
    NotificationFactory,
)
from tests.hscb.factories import AgencyFactory, UserFactory
from tests.hscb.test_bad_input import assert_error_page

pytestmark = pytest.mark.django_db

LIST = "/case-review/duplicates/"


def flag_pair(older=None, newer=None, **kwargs) -> PossibleDuplicate:
    """A flag as the submission leaves it: the later notification matches the earlier one."""
    older = older or NotificationFactory(
        nhs_number="9434765919",
        submitted_at=timezone.now() - datetime.timedelta(days=3),
        **kwargs,
    )
    newer = newer or NotificationFactory(nhs_number="9434765919", **kwargs)
    return PossibleDuplicate.objects.create(
        notification=newer, match=older, reason=MatchReason.NHS_NUMBER
    )


def resolve_url(flag) -> str:
    return f"/case-review/duplicates/{flag.pk}/"


def accessed(notification, user) -> bool:
    return LogEntry.objects.filter(
        action=LogEntry.Action.ACCESS,
        content_type=ContentType.objects.get_for_model(Notification),
        object_pk=str(notification.pk),
        actor=user,
    ).exists()


# The service ----------------------------------------------------------------------------------


def test_linking_records_who_and_when_and_leaves_both_cases_going(board, secretariat):
    flag = flag_pair()
    resolved = duplicate_resolve(
        duplicate=flag, resolution=DuplicateStatus.LINKED, note="  Same child.  ", by=secretariat
    )
    assert resolved.status == DuplicateStatus.LINKED
    assert resolved.resolved_by == secretariat
    assert resolved.resolved_at is not None
    assert resolved.note == "Same child."
    statuses = set(Notification.objects.values_list("status", flat=True))
    assert statuses == {NotificationStatus.SUBMITTED}


def test_not_a_duplicate_closes_the_flag(board, secretariat):
    flag = flag_pair()
    duplicate_resolve(
        duplicate=flag, resolution=DuplicateStatus.NOT_DUPLICATE, note="", by=secretariat
    )
    flag.refresh_from_db()
    assert flag.status == DuplicateStatus.NOT_DUPLICATE


def test_merging_joins_the_later_notification_to_the_earlier_moving_nothing(board, secretariat):
    police, school, trust = (AgencyFactory() for _ in range(3))
    older = NotificationFactory(
        agencies_involved=[police], submitted_at=timezone.now() - datetime.timedelta(days=2)
    )
    newer = NotificationFactory(agencies_involved=[school, police], agency=trust)
    document = AttachmentFactory(notification=newer)
    # The flag may name them either way round: the later submission is the one merged.
    flag = PossibleDuplicate.objects.create(
        notification=older, match=newer, reason=MatchReason.NAME_AND_DOB
    )
    duplicate_resolve(duplicate=flag, resolution=DuplicateStatus.MERGED, note="", by=secretariat)

    newer.refresh_from_db()
    older.refresh_from_db()
    assert newer.status == NotificationStatus.MERGED
    assert newer.merged_into == older
    assert older.status == NotificationStatus.SUBMITTED
    # Each agency keeps what it sent: nothing crosses to the other notification's agency.
    assert set(older.agencies_involved.all()) == {police}
    assert set(newer.agencies_involved.all()) == {school, police}
    assert Attachment.objects.get(pk=document.pk).notification == newer
    clock = Clock.objects.get(notification=newer)
    assert clock.met_on is None
    assert clock.reminder_next_on is None
    assert PossibleDuplicate.objects.get(pk=flag.pk).status == DuplicateStatus.MERGED


def test_a_merged_notifications_deadline_reminds_nobody(board, secretariat):
    officer = UserFactory()
    older = NotificationFactory(
        case_officer=officer, submitted_at=timezone.now() - datetime.timedelta(days=1)
    )
    newer = NotificationFactory(case_officer=officer)
    due = Clock.objects.get(notification=newer).due_on
    flag = PossibleDuplicate.objects.create(
        notification=newer, match=older, reason=MatchReason.NHS_NUMBER
    )
    duplicate_resolve(duplicate=flag, resolution=DuplicateStatus.MERGED, note="", by=secretariat)
    mail.outbox.clear()
    engine.reminders_send(today=due)
    assert len(mail.outbox) == 1  # the earlier notification's deadline only
    assert older.reference in mail.outbox[0].body
    assert newer.reference not in mail.outbox[0].body


def test_a_decided_notification_cannot_be_merged(board, secretariat):
    older = NotificationFactory(submitted_at=timezone.now() - datetime.timedelta(days=5))
    newer = DecisionFactory().notification
    flag = flag_pair(older=older, newer=newer)
    with pytest.raises(ValidationError) as refused:
        duplicate_resolve(
            duplicate=flag, resolution=DuplicateStatus.MERGED, note="", by=secretariat
        )
    assert "cannot be merged" in refused.value.message_dict["resolution"][0]
    assert Notification.objects.get(pk=newer.pk).status == NotificationStatus.DECIDED
    assert PossibleDuplicate.objects.get(pk=flag.pk).status == DuplicateStatus.OPEN


def test_merging_into_a_notification_already_merged_is_refused(board, secretariat):
    flag = flag_pair()
    Notification.objects.filter(pk=flag.match_id).update(status=NotificationStatus.MERGED)
    with pytest.raises(ValidationError, match="has itself been merged"):
        duplicate_resolve(
            duplicate=flag, resolution=DuplicateStatus.MERGED, note="", by=secretariat
        )
    assert PossibleDuplicate.objects.get(pk=flag.pk).status == DuplicateStatus.OPEN


def test_a_possible_duplicate_is_resolved_once(board, secretariat):
    flag = flag_pair()
    duplicate_resolve(duplicate=flag, resolution=DuplicateStatus.LINKED, note="", by=secretariat)
    with pytest.raises(ValidationError, match="cannot be resolved twice"):
        duplicate_resolve(
            duplicate=flag, resolution=DuplicateStatus.MERGED, note="", by=secretariat
        )
    assert Notification.objects.get(pk=flag.notification_id).status == "submitted"


@pytest.mark.parametrize("role", ["case_review_member", "board_chair", "member"])
def test_only_the_secretariat_resolves(request, board, role):
    flag = flag_pair()
    with pytest.raises(PermissionDenied):
        duplicate_resolve(
            duplicate=flag,
            resolution=DuplicateStatus.LINKED,
            note="",
            by=request.getfixturevalue(role),
        )
    assert PossibleDuplicate.objects.get(pk=flag.pk).status == DuplicateStatus.OPEN


@pytest.mark.parametrize(
    ("resolution", "note", "field", "message"),
    [
        ("open", "", "resolution", "Choose linked, merged or not the same child"),
        ("maybe", "", "resolution", "Choose linked, merged or not the same child"),
        ("linked", "x" * 2001, "note", "2,000 characters or fewer"),
        ("linked", "a\x00b", "note", "null characters"),
    ],
)
def test_the_resolution_is_checked(board, secretariat, resolution, note, field, message):
    flag = flag_pair()
    with pytest.raises(ValidationError) as refused:
        duplicate_resolve(duplicate=flag, resolution=resolution, note=note, by=secretariat)
    assert message in refused.value.message_dict[field][0]
    assert PossibleDuplicate.objects.get(pk=flag.pk).status == DuplicateStatus.OPEN


# The pages --------------------------------------------------------------------------------------


def test_the_list_shows_each_pair_side_by_side_and_logs_the_view(client, board, secretariat):
    agency = AgencyFactory(name="Hertfordshire Constabulary", short_name="Police")
    flag = flag_pair(last_name="O'Brien", agencies_involved=[agency])
    client.force_login(secretariat)
    text = client.get(LIST).content.decode()
    older, newer = flag.match, flag.notification
    for expected in (
        older.reference,
        newer.reference,
        escape(older.child_name),
        escape(newer.child_name),
        "9434765919",
        "Same NHS number",
        "Police",
        resolve_url(flag),
    ):
        assert expected in text, expected
    assert accessed(older, secretariat)
    assert accessed(newer, secretariat)


@pytest.mark.parametrize("role", ["case_review_member", "board_chair", "member", "agency_staff"])
def test_the_list_is_for_the_secretariat(client, request, board, role):
    user = request.getfixturevalue(role)
    flag_pair()
    client.force_login(user)
    assert client.get(LIST).status_code == 403
    assert not LogEntry.objects.filter(action=LogEntry.Action.ACCESS, actor=user).exists()


def test_the_list_runs_a_fixed_number_of_queries(
    client, board, secretariat, django_assert_max_num_queries
):
    for _ in range(12):
        flag_pair(agencies_involved=[AgencyFactory()])
    client.force_login(secretariat)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(LIST).status_code == 200
    for _ in range(20):
        flag_pair(agencies_involved=[AgencyFactory(), AgencyFactory()])
    duplicate_resolve(
        duplicate=PossibleDuplicate.objects.first(),
        resolution=DuplicateStatus.LINKED,
        note="",
        by=secretariat,
    )
    with django_assert_max_num_queries(len(captured)):
        assert client.get(LIST).status_code == 200


def test_the_secretariat_resolves_a_pair_through_the_form(client, board, secretariat):
    flag = flag_pair()
    client.force_login(secretariat)
    page = client.get(resolve_url(flag)).content.decode()
    assert "Link them: the same child, different incidents" in page
    assert accessed(flag.notification, secretariat)
    response = client.post(
        resolve_url(flag), {"resolution": "merged", "note": "Same incident."}, follow=True
    )
    assert "are merged: the same incident" in response.content.decode()
    flag.refresh_from_db()
    assert flag.status == DuplicateStatus.MERGED
    assert flag.note == "Same incident."
    assert Notification.objects.get(pk=flag.notification_id).merged_into_id == flag.match_id


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({}, "resolution_1"),
        ({"resolution": "open"}, "resolution_1"),
        ({"resolution": "\x00"}, "resolution_1"),
        ({"resolution": "linked", "note": "x" * 2001}, "note"),
        ({"resolution": "linked", "note": "a\x00b"}, "note"),
    ],
)
def test_the_form_refuses_bad_input(client, board, secretariat, data, field):
    flag = flag_pair()
    client.force_login(secretariat)
    assert_error_page(client.post(resolve_url(flag), data), field)
    assert PossibleDuplicate.objects.get(pk=flag.pk).status == DuplicateStatus.OPEN


def test_the_form_refuses_to_merge_a_decided_notification(client, board, secretariat):
    older = NotificationFactory(submitted_at=timezone.now() - datetime.timedelta(days=5))
    flag = flag_pair(older=older, newer=DecisionFactory().notification)
    client.force_login(secretariat)
    text = assert_error_page(
        client.post(resolve_url(flag), {"resolution": "merged"}), "resolution_1"
    )
    assert "cannot be merged" in text
    assert client.post(resolve_url(flag), {"resolution": "linked"}).status_code == 302


def test_a_pair_resolved_already_says_so(client, board, secretariat):
    flag = flag_pair()
    duplicate_resolve(duplicate=flag, resolution=DuplicateStatus.LINKED, note="", by=secretariat)
    client.force_login(secretariat)
    assert "cannot be resolved twice" in client.get(resolve_url(flag)).content.decode()
    text = assert_error_page(client.post(resolve_url(flag), {"resolution": "merged"}))
    assert "cannot be resolved twice" in text
    assert PossibleDuplicate.objects.get(pk=flag.pk).status == DuplicateStatus.LINKED


def test_the_resolve_page_is_forbidden_to_case_review_and_hidden_from_others(
    client, board, case_review_member, member, board_chair
):
    flag = flag_pair()
    client.force_login(case_review_member)
    assert client.get(resolve_url(flag)).status_code == 403
    assert client.post(resolve_url(flag), {"resolution": "linked"}).status_code == 403
    for user in (member, board_chair):
        client.force_login(user)
        assert client.get(resolve_url(flag)).status_code == 404
    assert PossibleDuplicate.objects.get(pk=flag.pk).status == DuplicateStatus.OPEN
    assert not accessed(flag.notification, case_review_member)


def test_names_match_whatever_their_case_spacing_or_accent_encoding(board):
    import unicodedata

    born = datetime.date(2019, 5, 4)
    earlier = NotificationFactory(first_name="Zoë", last_name="Adams  Smith", date_of_birth=born)
    later = NotificationFactory(
        first_name=unicodedata.normalize("NFD", "ZOË"), last_name=" adams smith", date_of_birth=born
    )
    flags = duplicates_flag(notification=later)
    assert [(f.match, f.reason) for f in flags] == [(earlier, MatchReason.NAME_AND_DOB)]


def test_a_linked_notification_is_shown_on_both_cases(client, board, secretariat):
    flag = flag_pair()
    duplicate_resolve(duplicate=flag, resolution=DuplicateStatus.LINKED, note="", by=secretariat)
    client.force_login(secretariat)
    for this, other in ((flag.notification, flag.match), (flag.match, flag.notification)):
        text = client.get(this.get_absolute_url()).content.decode()
        assert "The same child as" in text and other.reference in text
        assert "This may be about the same child" not in text


def test_a_later_notification_that_has_gone_further_is_not_merged(board, secretariat):
    older = NotificationFactory(submitted_at=timezone.now() - datetime.timedelta(days=2))
    newer = NotificationFactory(panel_notified_on=timezone.localdate())
    flag = PossibleDuplicate.objects.create(
        notification=newer, match=older, reason=MatchReason.NHS_NUMBER
    )
    with pytest.raises(ValidationError, match="has gone further"):
        duplicate_resolve(
            duplicate=flag, resolution=DuplicateStatus.MERGED, note="", by=secretariat
        )
    assert Notification.objects.get(pk=newer.pk).status == NotificationStatus.SUBMITTED
