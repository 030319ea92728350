"""The Case Review subgroup's list of cases and the case page: what each role sees, the filters,
the statutory deadlines as people read them, the access log, and query counts that do not grow
with the data."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from casereview.models import (
    Clock,
    ClockKind,
    DuplicateStatus,
    MatchReason,
    Notification,
    NotificationStatus,
    PossibleDuplicate,
)
from casereview.services.clocks import clock_meet, clock_start_rapid_review
from tests.casereview.factories import (
    AttachmentFactory,
    ConsiderationFactory,
    DecisionFactory,
    DraftFactory,
    NotificationFactory,
    ReviewFactory,
)
from tests.hscb.factories import AgencyFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST = "/case-review/"
# A Wednesday in term time, far from bank holidays.
TODAY = datetime.date(2027, 3, 10)


def case_url(notification) -> str:
    return f"/case-review/cases/{notification.pk}/"


def accessed(notification, user) -> bool:
    return LogEntry.objects.filter(
        action=LogEntry.Action.ACCESS,
        content_type=ContentType.objects.get_for_model(Notification),
        object_pk=str(notification.pk),
        actor=user,
    ).exists()


@pytest.fixture
def on_a_wednesday():
    with time_machine.travel(
        timezone.make_aware(datetime.datetime.combine(TODAY, datetime.time(10))), tick=False
    ):
        yield


# The list ------------------------------------------------------------------------------------


def test_case_list_shows_reference_agency_status_and_next_deadline_but_no_child(
    client, case_review_member, on_a_wednesday
):
    agency = AgencyFactory(name="Hertfordshire Constabulary", short_name="Police")
    notification = NotificationFactory(
        agency=agency,
        last_name="O'Neill",
        aware_date=TODAY - datetime.timedelta(days=1),  # Tuesday: due the next Tuesday
    )
    client.force_login(case_review_member)
    text = client.get(LIST).content.decode()
    assert notification.reference in text
    assert escape(notification.last_name) not in text
    assert "Police" in text
    assert "With the subgroup" in text
    assert "Notify the national panel and Ofsted" in text
    assert "16 March 2027" in text
    assert "4 working days left" in text


def test_case_list_shows_an_overdue_deadline_in_red_in_working_days(
    client, secretariat, on_a_wednesday
):
    # Aware on Monday 1 March: due Monday 8 March; on Wednesday 10 March 2 working days late.
    NotificationFactory(aware_date=datetime.date(2027, 3, 1))
    client.force_login(secretariat)
    text = client.get(LIST).content.decode()
    assert "govuk-tag--red" in text
    assert "Overdue by 2 working days" in text


def test_case_list_leaves_out_drafts_and_flags_possible_duplicates(client, secretariat):
    DraftFactory(last_name="Draftington")
    first = NotificationFactory(nhs_number="9434765919")
    second = NotificationFactory(nhs_number="9434765919")
    PossibleDuplicate.objects.create(
        notification=second, match=first, reason=MatchReason.NHS_NUMBER
    )
    client.force_login(secretariat)
    text = client.get(LIST).content.decode()
    assert "Draftington" not in text
    assert text.count("Possible duplicate</strong>") == 2


@pytest.mark.parametrize("role", ["board_chair", "member", "agency_staff", "cdop_member"])
def test_case_list_is_refused_outside_the_case_team(client, request, role):
    client.force_login(request.getfixturevalue(role))
    assert client.get(LIST).status_code == 403


def test_case_list_filters_by_status_agency_deadline_and_search(
    client, case_review_member, on_a_wednesday
):
    police = AgencyFactory(name="Hertfordshire Constabulary", short_name="Police")
    overdue = NotificationFactory(
        agency=police, aware_date=datetime.date(2027, 3, 1), last_name="Overdue"
    )
    soon = NotificationFactory(aware_date=TODAY - datetime.timedelta(days=1), last_name="Soon")
    considered = ConsiderationFactory(
        notification=NotificationFactory(aware_date=TODAY, last_name="Considered")
    ).notification
    clock_meet(notification=considered, kind=ClockKind.PANEL_NOTIFICATION, on=TODAY)
    with_nhs = NotificationFactory(nhs_number="9434765919", aware_date=TODAY, last_name="Nhs")
    client.force_login(case_review_member)

    def refs(query: str) -> set[str]:
        text = client.get(f"{LIST}?{query}").content.decode()
        return {n.reference for n in (overdue, soon, considered, with_nhs) if n.reference in text}

    assert refs("status=considered") == {considered.reference}
    for words in ["constabulary", "HERTFORD+constab", "police"]:
        assert refs(f"agency={words}") == {overdue.reference}, words
    assert refs("agency=constabulary+zeta") == set()
    assert refs("deadline=overdue") == {overdue.reference}
    assert refs("deadline=due_soon") == {soon.reference, with_nhs.reference}
    assert refs(f"q={soon.reference}") == {soon.reference}
    # Only references are searched: a child's name or NHS number would sit in the address.
    assert refs("q=overdue") == set()
    assert refs("q=943+476+5919") == set()


def test_case_list_searches_agencies_rather_than_listing_them(client, case_review_member):
    """The filter does not offer every agency that has notified: the page would grow with
    them."""
    quillford = AgencyFactory(name="Quillford Community Trust")
    NotificationFactory(agency=quillford)
    NotificationFactory(agency=AgencyFactory(name="Zebedee Borough Council"))
    client.force_login(case_review_member)

    text = client.get(f"{LIST}?agency=quillford").content.decode()

    form = text[text.index('method="get"') :]
    form = form[: form.index("</form>")]
    assert '<select name="agency"' not in form
    assert 'name="agency" value="quillford"' in form
    assert "Quillford Community Trust" not in form and "Zebedee" not in form
    assert text.count("/case-review/cases/") == 1


@pytest.mark.parametrize("query", ["status=nonsense", f"agency={'x' * 201}", "deadline=later"])
def test_case_list_answers_unreadable_filters_with_an_error_summary(client, secretariat, query):
    NotificationFactory()
    client.force_login(secretariat)
    response = client.get(f"{LIST}?{query}")
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()


def test_case_list_pages_25_cases_at_a_time(client, secretariat):
    NotificationFactory.create_batch(27)
    client.force_login(secretariat)
    first = client.get(LIST).content.decode()
    assert "27 cases" in first
    assert "page 1 of 2" in first
    assert 'aria-label="Pages of cases"' in first
    assert client.get(f"{LIST}?page=2").status_code == 200


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _grow(n: int) -> None:
    for _ in range(n):
        notification = NotificationFactory(agencies_involved=[AgencyFactory()])
        AttachmentFactory(notification=notification)
        clock_start_rapid_review(notification=notification, notified_on=timezone.localdate())
    first, second = Notification.objects.submitted()[:2]
    PossibleDuplicate.objects.get_or_create(
        notification=first, match=second, defaults={"reason": MatchReason.NHS_NUMBER}
    )


@pytest.mark.parametrize("url", [LIST, f"{LIST}?deadline=overdue&q=a", f"{LIST}?status=submitted"])
def test_case_list_runs_a_fixed_number_of_queries(
    client, secretariat, url, django_assert_max_num_queries
):
    _grow(3)
    client.force_login(secretariat)
    few = _queries(client, url)
    _grow(30)
    with django_assert_max_num_queries(few):
        assert client.get(url).status_code == 200


# One case --------------------------------------------------------------------------------------


def test_case_page_shows_the_whole_case_and_logs_the_view(client, case_review_member):
    involved = AgencyFactory(name="East and North Herts NHS Trust")
    notification = NotificationFactory(
        last_name="D'Arcy",
        nhs_number="9434765919",
        agencies_involved=[involved],
        incident_description="Found with a fractured skull.",
        safety_action="Siblings placed with their grandmother.",
    )
    document = AttachmentFactory(notification=notification)
    client.force_login(case_review_member)
    text = client.get(case_url(notification)).content.decode()
    for expected in (
        notification.reference,
        escape(notification.child_name),
        "9434765919",
        "Found with a fractured skull.",
        "Siblings placed with their grandmother.",
        "East and North Herts NHS Trust",
        f"/case-review/documents/{document.pk}/",
        "strategy-meeting.pdf",
        "Statutory deadlines",
        "Notify the national panel and Ofsted",
        "Record the national notification",
        "Record the subgroup's consideration",
    ):
        assert expected in text, expected
    assert accessed(notification, case_review_member)


def test_case_page_shows_a_met_clock_late_and_an_overdue_one_in_red(
    client, secretariat, on_a_wednesday
):
    notification = NotificationFactory(aware_date=datetime.date(2027, 2, 1))  # due 8 February
    clock_meet(
        notification=notification,
        kind=ClockKind.PANEL_NOTIFICATION,
        on=datetime.date(2027, 2, 9),
    )
    # Notified 9 February: the rapid review was due 15 working days later, on 2 March.
    clock_start_rapid_review(notification=notification, notified_on=datetime.date(2027, 2, 9))
    client.force_login(secretariat)
    text = client.get(case_url(notification)).content.decode()
    assert "Met on 9 February 2027 (late)" in text
    assert "2 March 2027" in text
    assert "Overdue by 6 working days" in text
    assert "govuk-tag--red" in text
    assert f"/case-review/cases/{notification.pk}/deadlines/rapid_review/met/" in text


def test_board_chair_sees_a_case_only_once_it_is_put_to_them(client, board_chair):
    submitted = NotificationFactory()
    considered = ConsiderationFactory().notification
    decided = DecisionFactory().notification
    client.force_login(board_chair)
    assert client.get(case_url(submitted)).status_code == 404
    assert not accessed(submitted, board_chair)
    text = client.get(case_url(considered)).content.decode()
    assert "Record your decision" in text
    assert "Neglect is suspected" in text  # the subgroup's assessment
    assert "Record the national notification" not in text
    assert accessed(considered, board_chair)
    assert client.get(case_url(decided)).status_code == 200


@pytest.mark.parametrize("role", ["member", "agency_staff", "cdop_member", "group_chair"])
def test_case_page_is_not_found_for_others(client, request, role):
    user = request.getfixturevalue(role)
    notification = NotificationFactory(agency=user.agency)
    client.force_login(user)
    assert client.get(case_url(notification)).status_code == 404
    assert not accessed(notification, user)


def test_a_draft_has_no_case_page_even_for_the_case_team(client, secretariat):
    draft = DraftFactory()
    client.force_login(secretariat)
    assert client.get(case_url(draft)).status_code == 404


def test_case_page_shows_the_decision_and_links_to_the_review(client, case_review_member):
    review = ReviewFactory()
    client.force_login(case_review_member)
    text = client.get(case_url(review.notification)).content.decode()
    assert "Local child safeguarding practice review" in text
    assert f"/case-review/reviews/{review.pk}/" in text
    assert "Record your decision" not in text


def test_case_page_shows_open_duplicates_with_links_for_the_secretariat(
    client, secretariat, case_review_member
):
    first = NotificationFactory()
    second = NotificationFactory()
    flag = PossibleDuplicate.objects.create(
        notification=second, match=first, reason=MatchReason.NAME_AND_DOB
    )
    client.force_login(secretariat)
    text = client.get(case_url(first)).content.decode()
    assert second.reference in text
    assert f"/case-review/duplicates/{flag.pk}/" in text
    client.force_login(case_review_member)
    text = client.get(case_url(first)).content.decode()
    assert second.reference in text
    assert f"/case-review/duplicates/{flag.pk}/" not in text
    flag.status = DuplicateStatus.NOT_DUPLICATE
    flag.save()
    assert second.reference not in client.get(case_url(first)).content.decode()


def test_a_merged_case_says_so_and_its_running_clocks_are_stopped(client, secretariat):
    older = NotificationFactory()
    newer = NotificationFactory()
    Notification.objects.filter(pk=newer.pk).update(
        status=NotificationStatus.MERGED, merged_into=older
    )
    client.force_login(secretariat)
    text = client.get(case_url(newer)).content.decode()
    assert "was merged into it" in text
    assert older.reference in text
    assert "Stopped: the notification was merged into another" in text
    assert "Record the national notification" not in text
    assert newer.reference in client.get(case_url(older)).content.decode()


def test_case_page_runs_a_fixed_number_of_queries(
    client, secretariat, django_assert_max_num_queries
):
    notification = ReviewFactory().notification
    client.force_login(secretariat)
    few = _queries(client, case_url(notification))
    notification.agencies_involved.set(AgencyFactory.create_batch(5))
    for _ in range(5):
        AttachmentFactory(notification=notification)
    for other in NotificationFactory.create_batch(3):
        PossibleDuplicate.objects.create(
            notification=other, match=notification, reason=MatchReason.NHS_NUMBER
        )
    Clock.objects.filter(notification=notification).update(met_on=None)
    with django_assert_max_num_queries(few):
        assert client.get(case_url(notification)).status_code == 200


def test_attachment_download_serves_the_file_privately_and_logs_it(client, case_review_member):
    document = AttachmentFactory()
    client.force_login(case_review_member)
    response = client.get(f"/case-review/documents/{document.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert response["Content-Disposition"].startswith("attachment")
    assert "strategy-meeting.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert accessed(document.notification, case_review_member)


def test_attachment_download_follows_who_may_see_the_notification(client, board_chair, secretariat):
    notifier = UserFactory()
    colleague = UserFactory(agency=notifier.agency)
    lead = UserFactory(agency=notifier.agency, is_safeguarding_lead=True)
    stranger = UserFactory()
    submitted = AttachmentFactory(notification=NotificationFactory(notifier=notifier))
    considered = AttachmentFactory(notification=ConsiderationFactory().notification)
    draft = AttachmentFactory(notification=DraftFactory(notifier=notifier))

    def status(user, document) -> int:
        client.force_login(user)
        return client.get(f"/case-review/documents/{document.pk}/").status_code

    # A document may name the child: the notifier's and the agency's safeguarding leads'.
    assert status(notifier, submitted) == 200
    assert status(lead, submitted) == 200
    assert status(colleague, submitted) == 404
    assert status(stranger, submitted) == 404
    assert status(board_chair, submitted) == 404
    assert status(board_chair, considered) == 200
    assert status(notifier, draft) == 200
    assert status(colleague, draft) == 404
    assert status(secretariat, draft) == 404
    assert not accessed(submitted.notification, stranger)


def test_attachment_download_of_a_missing_file_is_not_found(client, secretariat):
    document = AttachmentFactory()
    document.file.delete(save=False)
    client.force_login(secretariat)
    assert client.get(f"/case-review/documents/{document.pk}/").status_code == 404
