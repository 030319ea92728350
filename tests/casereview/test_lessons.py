"""Lessons learnt: recorded per review by the case team without the child's details (any of
their names, their date of birth however written, their NHS number however spaced), approved or
sent back by the secretariat, and, once approved, found by everyone with a board role through
search and filters; never by agency staff without a seat, and never with a child's name or the
case reference."""

from __future__ import annotations

import datetime

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from casereview.models import (
    DuplicateStatus,
    Lesson,
    LessonStatus,
    MatchReason,
    Notification,
    PossibleDuplicate,
    PracticeArea,
)
from casereview.services import lessons as services
from tests.casereview.factories import (
    LessonFactory,
    NotificationFactory,
    ReviewFactory,
    review_type,
)
from tests.casereview.test_reviews_support import days, name_the_child
from tests.hscb.factories import AgencyFactory
from tests.hscb.test_bad_input import assert_error_page

pytestmark = pytest.mark.django_db

BOARD_ROLES = [
    "secretariat",
    "board_chair",
    "group_chair",
    "member",
    "cdop_member",
    "case_review_member",
]


@pytest.fixture
def review(board):
    return ReviewFactory()


def record(review, by, **changes) -> Lesson:
    values = {
        "theme": "Hearing the child",
        "lesson": "Practitioners should speak to the child alone at every visit.",
        "practice_area": PracticeArea.VOICE_OF_CHILD,
        "agencies": [],
        **changes,
    }
    return services.lesson_create(review=review, by=by, **values)


def lesson_form(**changes) -> dict:
    return {
        "theme": "Hearing the child",
        "lesson": "Practitioners should speak to the child alone at every visit.",
        "practice_area": "voice_of_child",
        **changes,
    }


# Recording a lesson -----------------------------------------------------------------------------


def test_the_case_team_records_a_lesson_with_its_agencies(client, secretariat, review):
    police, school = AgencyFactory(name="County Police"), AgencyFactory(name="Oak School")
    client.force_login(secretariat)
    url = f"{review.get_absolute_url()}lessons/new/"
    text = client.get(url).content.decode()
    assert "Do not include names or details that could identify the child or family" in text
    response = client.post(url, lesson_form(agencies=[str(police.pk), str(school.pk)]))
    assert response.status_code == 302
    assert response.url == f"{review.get_absolute_url()}#lessons"
    lesson = Lesson.objects.get()
    assert (lesson.review, lesson.recorded_by, lesson.practice_area) == (
        review,
        secretariat,
        PracticeArea.VOICE_OF_CHILD,
    )
    assert set(lesson.agencies.all()) == {police, school}
    assert lesson.status == LessonStatus.PENDING
    text = client.get(review.get_absolute_url()).content.decode()
    assert "Hearing the child" in text and "County Police, Oak School" in text
    assert "Waiting for approval" in text
    assert "Hearing the child" not in client.get("/lessons/").content.decode()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"theme": " "}, "theme", "Enter the theme"),
        ({"theme": "x" * 121}, "theme", "120 characters or fewer"),
        ({"lesson": ""}, "lesson", "Enter the lesson"),
        ({"lesson": "x" * 5001}, "lesson", "5,000 characters or fewer"),
        ({"practice_area": "astrology"}, "practice_area", "Choose the area of practice"),
    ],
)
def test_lesson_rules_are_kept_by_the_service(secretariat, review, changes, field, message):
    with pytest.raises(ValidationError) as refused:
        record(review, secretariat, **changes)
    assert message in " ".join(refused.value.message_dict[field])
    assert not Lesson.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"theme": ""}, "theme", "Enter the theme"),
        ({"theme": "x" * 121}, "theme", "120 characters or fewer"),
        ({"lesson": ""}, "lesson", "Enter the lesson"),
        ({"lesson": "x" * 5001}, "lesson", "5,000 characters or fewer"),
        ({"practice_area": "astrology"}, "practice_area", "from the list"),
        ({"practice_area": ""}, "practice_area", "Choose the area of practice"),
        ({"agencies": ["abc"]}, "agencies_1", "Choose the agencies from the list"),
        ({"agencies": ["99999999999999999999999"]}, "agencies_1", "from the list"),
        ({"lesson": "a\x00b"}, "lesson", "Null characters are not allowed"),
    ],
)
def test_the_lesson_form_refuses_bad_input_and_keeps_what_was_typed(
    client, secretariat, review, changes, field, message
):
    client.force_login(secretariat)
    response = client.post(f"{review.get_absolute_url()}lessons/new/", lesson_form(**changes))
    text = assert_error_page(response, field)
    assert message in text
    if field != "theme":
        assert 'value="Hearing the child"' in text
    assert not Lesson.objects.exists()


def test_an_agency_that_no_longer_takes_part_is_refused(client, secretariat, review):
    closed = AgencyFactory(name="Old Trust", is_active=False)
    with pytest.raises(ValidationError) as refused:
        record(review, secretariat, agencies=[closed])
    assert "not Old Trust" in refused.value.message_dict["agencies"][0]
    client.force_login(secretariat)
    response = client.post(
        f"{review.get_absolute_url()}lessons/new/", lesson_form(agencies=[str(closed.pk)])
    )
    assert "Choose the agencies from the list" in assert_error_page(response, "agencies_1")


def child_named(review, **details):
    """Give the review's child names, a date of birth and an NHS number no test person has."""
    values = {
        "first_name": "Zoë",
        "last_name": "Quillfeather-Moss",
        "other_names": "Zee, Bubba",
        "date_of_birth": datetime.date(2015, 3, 27),
        "nhs_number": "9434765919",
        **details,
    }
    Notification.objects.filter(pk=review.notification_id).update(**values)
    review.notification.refresh_from_db()
    return review


# Every written form of each detail is tested without the database: tests/hscb/test_child_details.py
REFUSED = [
    ("Zoë was not seen alone.", "name"),
    ("Nobody asked MOSS about home.", "name"),
    ("Known as bubba at nursery.", "name"),
    ("Born 27th March 2015.", "date of birth"),
    ("Born 27-3-15.", "date of birth"),
    ("NHS number 943 476 5919 was on every record.", "NHS number"),
    ("Zoe (27/03/2015, 943-476-5919)", "name, date of birth and NHS number"),
]


def test_a_lesson_holding_any_of_the_childs_details_is_refused_by_the_service(secretariat, review):
    child_named(review)
    for text, found in REFUSED:
        for field in ("lesson", "theme"):
            with pytest.raises(ValidationError) as refused:
                record(review, secretariat, **{field: text})
            (message,) = refused.value.message_dict[field]
            assert message.startswith(f"Remove the child's {found} from the {field}."), text
            # The message says what to take out, never the details themselves.
            for detail in ("Zo", "Quillfeather", "Moss", "Bubba", "27", "2015", "943"):
                assert detail not in message
    assert not Lesson.objects.exists()


def test_a_lesson_without_the_childs_details_is_recorded(secretariat, review):
    child_named(review)
    for text in [
        "Zoey and the Mossley family were seen.",  # other names that hold the child's
        "Born 28/03/2015; seen on 27/04/2015.",  # other dates
        "Reference 9434765918 is not the child's NHS number.",
    ]:
        assert record(review, secretariat, lesson=text).lesson == text
    assert Lesson.objects.count() == 3


def test_the_names_on_the_childs_other_records_are_refused_too(secretariat, review):
    """A notification merged into the review's, or linked to it as the same child, may spell
    the child's names differently."""
    child_named(review)
    merged = NotificationFactory(
        first_name="Zoey", last_name="Moss", merged_into=review.notification
    )
    linked = NotificationFactory(first_name="Zowie", last_name="Quill")
    PossibleDuplicate.objects.create(
        notification=linked,
        match=review.notification,
        reason=MatchReason.NAME_AND_DOB,
        status=DuplicateStatus.LINKED,
    )
    for text in ("Zoey was at nursery.", "Zowie was at nursery."):
        with pytest.raises(ValidationError):
            record(review, secretariat, lesson=text)
    assert merged.pk and not Lesson.objects.exists()


def test_the_lesson_form_says_what_to_remove_without_the_childs_details(
    client, secretariat, review
):
    child_named(review)
    client.force_login(secretariat)
    response = client.post(
        f"{review.get_absolute_url()}lessons/new/",
        lesson_form(theme="Seen alone", lesson="Zoë, born 27 March 2015, was not seen alone."),
    )
    text = assert_error_page(response, "lesson")
    assert "Remove the child&#x27;s name and date of birth from the lesson." in text
    # The page shows what was typed, so the person can take the details out.
    assert "Zoë, born 27 March 2015, was not seen alone." in text
    assert not Lesson.objects.exists()


@pytest.mark.parametrize("role", ["board_chair", "member", "agency_staff", "outsider"])
def test_only_the_case_team_records_lessons(client, request, role, review):
    client.force_login(request.getfixturevalue(role))
    url = f"{review.get_absolute_url()}lessons/new/"
    assert client.get(url).status_code == 404
    assert client.post(url, lesson_form()).status_code == 404
    assert not Lesson.objects.exists()


# The lessons page -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", BOARD_ROLES)
def test_everyone_with_a_board_role_finds_the_lessons(client, request, role, board):
    lesson = LessonFactory(agencies=[AgencyFactory(name="County Police")])
    client.force_login(request.getfixturevalue(role))
    response = client.get("/lessons/")
    assert response.status_code == 200
    text = response.content.decode()
    assert lesson.theme in text and escape(lesson.lesson) in text
    assert "Information sharing" in text and "County Police" in text
    assert f"Local child safeguarding practice review, {lesson.review.started_on.year}" in text


@pytest.mark.parametrize("role", ["agency_staff", "outsider"])
def test_lessons_are_refused_to_people_without_a_seat(client, request, role, board):
    LessonFactory()
    client.force_login(request.getfixturevalue(role))
    assert client.get("/lessons/").status_code == 403


def test_the_lessons_page_never_shows_the_child_or_the_case(client, member, board):
    lesson = LessonFactory()
    name_the_child(lesson.review)
    child = lesson.review.notification
    client.force_login(member)
    text = client.get("/lessons/").content.decode()
    assert lesson.theme in text
    assert "Zephyrine" not in text and "Quillfeather" not in text
    assert child.reference not in text
    assert "9434765919" not in text
    assert lesson.review.get_absolute_url() not in text


def test_lessons_are_searched_by_words_in_the_theme_or_lesson(client, member, board):
    LessonFactory(theme="Safe sleeping", lesson="Talk about co-sleeping at every visit.")
    LessonFactory(theme="Escalation", lesson="Challenge a decision you disagree with.")
    client.force_login(member)

    def found(query: str) -> set[str]:
        text = client.get(f"/lessons/?{query}").content.decode()
        return {t for t in ("Safe sleeping", "Escalation") if f"<strong>{t}</strong>" in text}

    assert found("q=sleeping") == {"Safe sleeping"}
    assert found("q=CHALLENGE+decision") == {"Escalation"}
    assert found("q=visit+challenge") == set()
    assert found("q=") == {"Safe sleeping", "Escalation"}


def test_lessons_are_filtered_by_area_agency_type_and_year(client, member, board):
    police = AgencyFactory(name="County Police")
    LessonFactory(
        theme="Alpha",
        practice_area=PracticeArea.NEGLECT,
        agencies=[police, AgencyFactory(name="Zeta Trust")],
    )
    LessonFactory(
        theme="Bravo",
        review=ReviewFactory(review_type=review_type("scr"), started_on=days(-800)),
    )
    client.force_login(member)

    def found(query: str) -> set[str]:
        text = client.get(f"/lessons/?{query}").content.decode()
        return {t for t in ("Alpha", "Bravo") if f"<strong>{t}</strong>" in text}

    assert found("practice_area=neglect") == {"Alpha"}
    for words in ["police", "COUNTY+pol"]:
        assert found(f"agency={words}") == {"Alpha"}, words
    # Every word must be in the name of one agency the lesson names.
    assert found("agency=police+zeta") == set()
    assert found(f"review_type={review_type('scr').pk}") == {"Bravo"}
    assert found(f"year={days(-800).year}") == {"Bravo"}
    assert found("") == {"Alpha", "Bravo"}


def test_a_filter_that_cannot_be_read_is_an_error_not_a_500(client, member, board):
    LessonFactory(theme="Alpha")
    client.force_login(member)
    response = client.get(f"/lessons/?practice_area=x&agency={'x' * 201}&year=1&q=a%00b")
    assert response.status_code == 200
    text = response.content.decode()
    assert "There is a problem" in text and "Alpha" in text


def test_lessons_search_agencies_rather_than_listing_them(client, member, board):
    """The filter does not offer every agency the lessons name: the page would grow with
    them."""
    LessonFactory(theme="Alpha", agencies=[AgencyFactory(name="Quillford Community Trust")])
    LessonFactory(theme="Bravo", agencies=[AgencyFactory(name="Zebedee Borough Council")])
    client.force_login(member)

    text = client.get("/lessons/?agency=quillford").content.decode()

    form = text[text.index('method="get"') :]
    form = form[: form.index("</form>")]
    assert '<select name="agency"' not in form
    assert 'name="agency" value="quillford"' in form
    assert "Zebedee" not in form and "Quillford Community Trust" not in form
    assert "<strong>Alpha</strong>" in text and "<strong>Bravo</strong>" not in text


def test_lessons_come_twenty_to_a_page(client, member, board):
    review = ReviewFactory()
    for n in range(23):
        LessonFactory(review=review, theme=f"Theme number {n:02d}")
    client.force_login(member)
    first = client.get("/lessons/").content.decode()
    second = client.get("/lessons/?page=2").content.decode()
    assert "23 lessons (page 1 of 2)" in first
    assert "Theme number 22" in first and "Theme number 00" in second
    assert "Theme number 00" not in first


def test_the_lessons_page_runs_a_fixed_number_of_queries(
    client, member, board, django_assert_max_num_queries
):
    LessonFactory(agencies=[AgencyFactory()])
    client.force_login(member)
    client.get("/lessons/")
    with CaptureQueriesContext(connection) as few:
        assert client.get("/lessons/").status_code == 200
    for n in range(8):
        LessonFactory(
            review=ReviewFactory(started_on=days(-400 * (n % 3))),
            agencies=AgencyFactory.create_batch(2),
        )
    with django_assert_max_num_queries(len(few)):
        response = client.get("/lessons/?q=Practitioners")
    assert response.content.decode().count("Sharing injury concerns") == 9


# Approval by the secretariat --------------------------------------------------------------------


def lesson_history(lesson: Lesson) -> list[LogEntry]:
    return list(LogEntry.objects.get_for_object(lesson).order_by("timestamp", "pk"))


def test_lessons_waiting_for_approval_or_sent_back_are_nowhere_on_the_lessons_page(
    client, member, board
):
    police, school = AgencyFactory(name="County Police"), AgencyFactory(name="Oak School")
    LessonFactory(theme="Approved theme", agencies=[police])
    LessonFactory(
        theme="Pending theme",
        status=LessonStatus.PENDING,
        agencies=[school],
        review=ReviewFactory(started_on=days(-800)),
    )
    LessonFactory(theme="Returned theme", status=LessonStatus.RETURNED)
    client.force_login(member)
    text = client.get("/lessons/").content.decode()
    assert "Approved theme" in text and "1 lesson" in text
    assert "Pending theme" not in text and "Returned theme" not in text
    # Nor do the filters give away the agency or the year of a lesson not yet approved.
    assert "County Police" in text and "Oak School" not in text
    assert f'value="{days(-800).year}"' not in text
    assert "Pending theme" not in client.get("/lessons/?q=Pending").content.decode()
    assert "waiting for approval" not in text


def test_the_secretariat_is_shown_how_many_lessons_wait_and_where(client, secretariat, board):
    LessonFactory.create_batch(2, status=LessonStatus.PENDING)
    client.force_login(secretariat)
    text = client.get("/lessons/").content.decode()
    assert "2 lessons are waiting for approval" in text
    assert "/admin/casereview/lesson/?status__exact=pending" in text
    admin_list = client.get("/admin/casereview/lesson/?status__exact=pending").content.decode()
    assert admin_list.count("Waiting for approval") >= 2


def test_the_secretariat_approves_lessons_in_the_admin_and_the_history_says_who(
    client, secretariat, member, board
):
    waiting = LessonFactory.create_batch(2, status=LessonStatus.PENDING)
    returned = LessonFactory(theme="Sent back before", status=LessonStatus.RETURNED)
    client.force_login(secretariat)
    response = client.post(
        "/admin/casereview/lesson/",
        {
            "action": "approve_selected",
            "_selected_action": [str(x.pk) for x in [*waiting, returned]],
            "index": "0",
        },
        follow=True,
    )
    text = response.content.decode()
    assert "2 lessons approved" in text
    assert "Not approved: “Sent back before”: Only a lesson waiting for approval" in text
    for lesson in waiting:
        lesson.refresh_from_db()
        assert (lesson.status, lesson.decided_by) == (LessonStatus.APPROVED, secretariat)
        change = lesson_history(lesson)[-1]
        assert change.actor == secretariat
        assert change.changes_dict["status"] == ["pending", "approved"]
    returned.refresh_from_db()
    assert returned.status == LessonStatus.RETURNED
    client.force_login(member)
    assert client.get("/lessons/").content.decode().count("Sharing injury concerns") == 2


def test_the_secretariat_approves_one_lesson_from_its_page(client, secretariat, board):
    lesson = LessonFactory(status=LessonStatus.PENDING)
    client.force_login(secretariat)
    page = client.get(f"/admin/casereview/lesson/{lesson.pk}/change/").content.decode()
    assert f"/admin/casereview/lesson/{lesson.pk}/approve/" in page
    confirm = client.get(f"/admin/casereview/lesson/{lesson.pk}/approve/").content.decode()
    assert "Approve the lesson" in confirm and lesson.lesson in confirm
    response = client.post(f"/admin/casereview/lesson/{lesson.pk}/approve/")
    assert response.url == f"/admin/casereview/lesson/{lesson.pk}/change/"
    lesson.refresh_from_db()
    assert lesson.status == LessonStatus.APPROVED
    # Approving twice is refused with a message, not a 500.
    again = client.post(f"/admin/casereview/lesson/{lesson.pk}/approve/", follow=True)
    assert "Only a lesson waiting for approval can be approved" in again.content.decode()


def test_the_secretariat_sends_a_lesson_back_with_the_reason_the_case_team_reads(
    client, secretariat, case_review_member, member, board
):
    lesson = LessonFactory()
    client.force_login(secretariat)
    url = f"/admin/casereview/lesson/{lesson.pk}/send-back/"
    refused = client.post(url, {"reason": "  "})
    assert "Enter why the lesson is sent back" in refused.content.decode()
    response = client.post(url, {"reason": "Say which agency missed the bruise."}, follow=True)
    assert response.redirect_chain == [(f"/admin/casereview/lesson/{lesson.pk}/change/", 302)]
    assert "has been sent back to the case team" in response.content.decode()
    lesson.refresh_from_db()
    assert (lesson.status, lesson.return_reason) == (
        LessonStatus.RETURNED,
        "Say which agency missed the bruise.",
    )
    assert lesson_history(lesson)[-1].changes_dict["status"] == ["approved", "returned"]
    client.force_login(member)
    assert "Sharing injury concerns" not in client.get("/lessons/").content.decode()
    client.force_login(case_review_member)
    review_page = client.get(lesson.review.get_absolute_url()).content.decode()
    assert "Sent back" in review_page and "Say which agency missed the bruise." in review_page


@pytest.mark.parametrize("role", ["case_review_member", "board_chair", "member"])
def test_only_the_secretariat_approves_or_sends_back(request, role, board):
    lesson = LessonFactory(status=LessonStatus.PENDING)
    person = request.getfixturevalue(role)
    with pytest.raises(PermissionDenied):
        services.lesson_approve(lesson=lesson, by=person)
    with pytest.raises(PermissionDenied):
        services.lesson_send_back(lesson=lesson, by=person, reason="No.")
    lesson.refresh_from_db()
    assert lesson.status == LessonStatus.PENDING


def test_a_lesson_recorded_before_the_full_check_cannot_be_approved_with_the_childs_details(
    secretariat, board
):
    lesson = LessonFactory(status=LessonStatus.PENDING, lesson="Zoë was seen on 27.3.15.")
    child_named(lesson.review)
    with pytest.raises(ValidationError) as refused:
        services.lesson_approve(lesson=lesson, by=secretariat)
    assert "holds the child's name and date of birth: send it back" in refused.value.messages[0]
    lesson.refresh_from_db()
    assert lesson.status == LessonStatus.PENDING


def test_the_case_team_changes_a_sent_back_lesson_which_waits_for_approval_again(
    client, secretariat, case_review_member, board
):
    lesson = LessonFactory(status=LessonStatus.RETURNED, return_reason="Too vague.")
    child_named(lesson.review)
    client.force_login(case_review_member)
    url = f"/case-review/lessons/{lesson.pk}/change/"
    page = client.get(url).content.decode()
    assert "Too vague." in page and 'value="Sharing injury concerns"' in page
    refused = client.post(url, lesson_form(lesson="Zee was seen alone on 27 Mar 2015."))
    assert "Remove the child&#x27;s name and date of birth" in assert_error_page(refused, "lesson")
    lesson.refresh_from_db()
    assert lesson.status == LessonStatus.RETURNED
    response = client.post(url, lesson_form(lesson="Share the body map on the same day."))
    assert response.url == f"{lesson.review.get_absolute_url()}#lessons"
    lesson.refresh_from_db()
    assert (lesson.status, lesson.return_reason, lesson.lesson) == (
        LessonStatus.PENDING,
        "",
        "Share the body map on the same day.",
    )
    approved = LessonFactory(review=lesson.review)
    services.lesson_update(
        lesson=approved,
        by=secretariat,
        theme=approved.theme,
        text="Changed after approval.",
        practice_area=approved.practice_area,
    )
    approved.refresh_from_db()
    assert approved.status == LessonStatus.PENDING


@pytest.mark.parametrize("role", ["board_chair", "member", "agency_staff"])
def test_only_the_case_team_changes_lessons(client, request, role, board):
    lesson = LessonFactory()
    client.force_login(request.getfixturevalue(role))
    url = f"/case-review/lessons/{lesson.pk}/change/"
    assert client.get(url).status_code == 404
    assert client.post(url, lesson_form(lesson="Changed.")).status_code == 404
    lesson.refresh_from_db()
    assert lesson.lesson != "Changed."
