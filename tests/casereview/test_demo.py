"""The demonstration cases: written through the services at every stage of the Case Review
subgroup's work, made once (loading the demonstration again adds none of them twice), and the
emails they send never name a child."""

from __future__ import annotations

import pytest

from casereview.models import (
    ClockKind,
    Decision,
    DuplicateStatus,
    LessonStatus,
    MatchReason,
    Notification,
    NotificationStatus,
    PlanAction,
    PossibleDuplicate,
    Review,
    ReviewStatus,
)
from hscb.demo import demo_load
from hscb.demo.people import ROLE_USERS
from hscb.lib.nhs import is_valid_nhs_number
from hscb.models import Rag

pytestmark = pytest.mark.django_db

PHRASE = "6 serious incident notifications (one a draft, one under review)"


def _clocks(notification: Notification) -> dict[str, object]:
    return {clock.kind: clock for clock in notification.clocks.all()}


def _load(capture) -> object:
    # The services queue their emails for when the demonstration's transaction commits.
    with capture(execute=True):
        return demo_load(password="demo-password-1")


def test_the_demonstration_makes_a_case_at_every_stage_once(
    board, mailoutbox, django_capture_on_commit_callbacks
):
    report = _load(django_capture_on_commit_callbacks)

    assert PHRASE in report.created_by_apps
    cases = {
        f"{n.first_name} {n.last_name}/{n.agency.short_name}": n
        for n in Notification.objects.select_related("agency", "notifier")
    }
    assert len(cases) == 6
    by_status = sorted(n.status for n in cases.values())
    assert by_status == sorted(
        ["draft", "submitted", "submitted", "considered", "decided", "decided"]
    )

    # The agency staff account's draft, two steps answered.
    draft = cases["Oscar Penrose/Children's Services"]
    assert draft.status == NotificationStatus.DRAFT
    assert draft.notifier.email == ROLE_USERS["agency staff"].address
    assert (draft.age_years, draft.reference, draft.incident_date) == (4, None, None)

    # Notified twice: by children's services (the national panel told, the rapid review
    # running) and by the hospital (just submitted), flagged as a possible duplicate.
    first = cases["Lily Thornbury/Children's Services"]
    again = cases["Lily Thornbury/ENHT"]
    assert first.notifier.email == ROLE_USERS["agency staff"].address
    assert first.status == again.status == NotificationStatus.SUBMITTED
    assert first.panel_notified_on is not None
    first_clocks = _clocks(first)
    assert first_clocks[ClockKind.PANEL_NOTIFICATION].met_on == first.panel_notified_on
    assert first_clocks[ClockKind.RAPID_REVIEW].met_on is None
    assert again.panel_notified_on is None
    assert set(_clocks(again)) == {ClockKind.PANEL_NOTIFICATION}
    assert _clocks(again)[ClockKind.PANEL_NOTIFICATION].met_on is None
    flag = PossibleDuplicate.objects.get()
    assert (flag.notification, flag.match) == (again, first)
    assert (flag.reason, flag.status) == (MatchReason.NHS_NUMBER, DuplicateStatus.OPEN)
    assert first.nhs_number == again.nhs_number

    # Considered by the subgroup, awaiting the board chair.
    waiting = cases["Noah Fairley/Children's Services"]
    assert waiting.status == NotificationStatus.CONSIDERED
    assert waiting.consideration.criteria_met
    assert waiting.consideration.recommendation.code == "lcspr"
    assert not Decision.objects.filter(notification=waiting).exists()

    # Decided: a local child safeguarding practice review in progress.
    decided = cases["Amelia Brennan/ENHT"]
    assert decided.status == NotificationStatus.DECIDED
    assert decided.decision.review_type.code == "lcspr"
    assert decided.decision.decided_by.email == ROLE_USERS["board chair"].address
    assert decided.consideration.meeting is not None
    review = decided.review
    assert review.status == ReviewStatus.IN_PROGRESS
    assert review.lead_reviewer and review.lead_reviewer_independent
    assert review.terms_agreed_on is not None
    assert review.due_on == _clocks(decided)[ClockKind.DECISION].due_on
    assert _clocks(decided)[ClockKind.DECISION].met_on is None
    assert review.milestones.count() == 4
    assert review.milestones.filter(completed_on__isnull=False).count() == 1
    reports = list(review.agency_reports.all())
    assert len(reports) == 4
    assert [r.agency.short_name for r in reports if r.received_on] == ["ENHT"]
    assert list(review.recommendations.values_list("number", flat=True)) == [1, 2]
    actions = list(PlanAction.objects.filter(recommendation__review=review).select_related("owner"))
    assert len(actions) == 3
    assert [a.rag for a in actions].count(Rag.RED) == 1
    assert all(a.owner.email.endswith("@demo.example") for a in actions)
    assert all(a.reminder_next_on is not None for a in actions)
    assert all(a.updates.count() == 1 for a in actions)
    lessons = list(review.lessons.order_by("pk"))
    assert [lesson.status for lesson in lessons] == [LessonStatus.APPROVED, LessonStatus.PENDING]
    for lesson in lessons:
        assert "Brennan" not in lesson.lesson and "Amelia" not in lesson.lesson

    # The oldest: decided "no review", every deadline met.
    older = cases["Jayden Coleridge/Police"]
    assert older.status == NotificationStatus.DECIDED
    assert older.decision.review_type.code == "no_review"
    assert older.decision.reasons
    assert not Review.objects.filter(notification=older).exists()
    older_clocks = _clocks(older)
    expected = {ClockKind.PANEL_NOTIFICATION, ClockKind.RAPID_REVIEW}
    if older.decision.review_type.clock_length:  # the national panel told, under 2015 rules
        expected.add(ClockKind.DECISION)
    assert set(older_clocks) == expected
    assert all(clock.met_on is not None for clock in older_clocks.values())
    assert older.decision.decided_on < decided.decision.decided_on

    for notification in cases.values():
        if notification.nhs_number:
            assert is_valid_nhs_number(notification.nhs_number)
        if not notification.is_draft:
            assert notification.reference

    # Loading again adds nothing.
    counts = (
        Notification.objects.count(),
        PossibleDuplicate.objects.count(),
        PlanAction.objects.count(),
    )
    again_report = demo_load(password="demo-password-1")
    assert PHRASE not in again_report.created_by_apps
    assert (
        Notification.objects.count(),
        PossibleDuplicate.objects.count(),
        PlanAction.objects.count(),
    ) == counts


def test_the_demonstration_emails_name_no_child(
    board, mailoutbox, django_capture_on_commit_callbacks
):
    _load(django_capture_on_commit_callbacks)

    references = list(
        Notification.objects.submitted().order_by("pk").values_list("reference", flat=True)
    )
    assert len(references) == 5
    by_subject: dict[str, list[str]] = {}
    for message in mailoutbox:
        by_subject.setdefault(message.subject, []).extend(message.to)
    chairs_and_unit = sorted([ROLE_USERS["secretariat"].address, "jonathan.pryce@demo.example"])
    for reference in references:
        assert len(by_subject[f"Serious incident notification received: {reference}"]) == 1
        assert sorted(by_subject[f"New serious incident notification: {reference}"]) == (
            chairs_and_unit
        )
    # Only the case still awaiting the board chair: the others were decided by the time the
    # demonstration's emails went.
    waiting = Notification.objects.get(status=NotificationStatus.CONSIDERED).reference
    decisions = [s for s in by_subject if s.startswith("A case review decision is needed: ")]
    assert decisions == [f"A case review decision is needed: {waiting}"]
    assert by_subject[decisions[0]] == [ROLE_USERS["board chair"].address]
    assigned = sorted(
        address
        for subject, to in by_subject.items()
        if subject.startswith("A review action plan action is yours: ")
        for address in to
    )
    assert assigned == sorted(PlanAction.objects.values_list("owner__email", flat=True))
    names = {
        name
        for n in Notification.objects.all()
        for name in (n.first_name, n.last_name, n.other_names)
        if name
    }
    assert names
    for message in mailoutbox:
        text = " ".join([message.subject, message.body, *(str(a[0]) for a in message.alternatives)])
        for name in names:
            assert name not in text, f"{name!r} is in the email {message.subject!r}"
        for number in Notification.objects.exclude(nhs_number="").values_list(
            "nhs_number", flat=True
        ):
            assert number not in text
