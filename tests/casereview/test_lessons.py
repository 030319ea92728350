"""Lessons learnt: recorded per review by the case team without the child's details, and found
by everyone with a board role through search and filters; never by agency staff without a seat,
and never with a child's name or the case reference."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from casereview.models import Lesson, Notification, PracticeArea
from casereview.services import reviews as services
from tests.casereview.factories import LessonFactory, ReviewFactory, review_type
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
    text = client.get(review.get_absolute_url()).content.decode()
    assert "Hearing the child" in text and "County Police, Oak School" in text


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


@pytest.mark.parametrize(
    "text",
    [
        "{first} {last} was not seen alone.",
        "{last}, {first} was not seen alone.",
        "THE CHILD {first_upper} {last_upper} WAS NOT SEEN.",
        "NHS number 9434765919 was on every record.",
    ],
)
def test_a_lesson_naming_the_child_is_refused_in_the_service_and_the_form(
    client, secretariat, board, text
):
    review = ReviewFactory()
    child = review.notification
    Notification.objects.filter(pk=child.pk).update(nhs_number="9434765919")
    child.refresh_from_db()
    written = text.format(
        first=child.first_name,
        last=child.last_name,
        first_upper=child.first_name.upper(),
        last_upper=child.last_name.upper(),
    )
    with pytest.raises(ValidationError) as refused:
        record(review, secretariat, lesson=written)
    assert refused.value.message_dict["lesson"] == [services.NAME_IN_LESSON_MESSAGE]
    client.force_login(secretariat)
    response = client.post(f"{review.get_absolute_url()}lessons/new/", lesson_form(lesson=written))
    assert escape(services.NAME_IN_LESSON_MESSAGE) in assert_error_page(response, "lesson")
    with pytest.raises(ValidationError) as refused:
        record(review, secretariat, theme=f"{child.first_name} {child.last_name}")
    assert refused.value.message_dict["theme"] == [services.NAME_IN_LESSON_MESSAGE]
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
    LessonFactory(theme="Alpha", practice_area=PracticeArea.NEGLECT, agencies=[police])
    LessonFactory(
        theme="Bravo",
        review=ReviewFactory(review_type=review_type("scr"), started_on=days(-800)),
    )
    client.force_login(member)

    def found(query: str) -> set[str]:
        text = client.get(f"/lessons/?{query}").content.decode()
        return {t for t in ("Alpha", "Bravo") if f"<strong>{t}</strong>" in text}

    assert found("practice_area=neglect") == {"Alpha"}
    assert found(f"agency={police.pk}") == {"Alpha"}
    assert found(f"review_type={review_type('scr').pk}") == {"Bravo"}
    assert found(f"year={days(-800).year}") == {"Bravo"}
    assert found("") == {"Alpha", "Bravo"}


def test_a_filter_that_cannot_be_read_is_an_error_not_a_500(client, member, board):
    LessonFactory(theme="Alpha")
    client.force_login(member)
    response = client.get("/lessons/?practice_area=x&agency=abc&year=1&q=a%00b")
    assert response.status_code == 200
    text = response.content.decode()
    assert "There is a problem" in text and "Alpha" in text


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
