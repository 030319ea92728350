"""Factories for serious-incident notifications, decisions, reviews and their action plans,
used by the tests and the benchmark. They build records as the services leave them."""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from casereview.migrations import _seeds
from casereview.models import (
    AbuseOrNeglect,
    AgencyReport,
    Answer,
    Attachment,
    Consideration,
    Decision,
    Ethnicity,
    Harm,
    LegalStatus,
    Lesson,
    LessonStatus,
    Milestone,
    Notification,
    NotificationStatus,
    PlanAction,
    PracticeArea,
    Recommendation,
    Review,
    ReviewType,
    Sex,
)
from hscb.lib import reminders
from hscb.lib.names import child_name_key
from hscb.models import Group, GroupFunction
from tests.hscb.factories import AgencyFactory, UserFactory, child_first_name, child_last_name


def ensure_review_types() -> dict[str, ReviewType]:
    """The review types the migration seeds (browser tests empty the tables between tests)."""
    for row in _seeds.REVIEW_TYPES:
        ReviewType.objects.get_or_create(code=row["code"], defaults=row)
    return {t.code: t for t in ReviewType.objects.all()}


def review_type(code: str) -> ReviewType:
    return ensure_review_types()[code]


def _case_review_group() -> Group:
    return Group.objects.get(function=GroupFunction.CASE_REVIEW)


def _days_ago(n: int):
    return lambda: timezone.localdate() - datetime.timedelta(days=n)


class DraftFactory(DjangoModelFactory):
    """A draft with every answer given, not yet submitted."""

    class Meta:
        model = Notification
        skip_postgeneration_save = True

    notifier = factory.SubFactory(UserFactory)
    agency = factory.SelfAttribute("notifier.agency")
    notifier_phone = "01707 123456"
    first_name = child_first_name()
    last_name = child_last_name()
    date_of_birth = factory.LazyFunction(
        lambda: timezone.localdate().replace(day=1).replace(year=timezone.localdate().year - 6)
    )
    sex = Sex.FEMALE
    ethnicity = Ethnicity.WHITE_BRITISH
    nhs_number = ""
    legal_status = LegalStatus.CHILD_IN_NEED
    incident_date = factory.LazyFunction(_days_ago(4))
    incident_description = "Admitted to hospital with injuries that the parents could not explain."
    aware_date = factory.LazyFunction(_days_ago(3))
    harm = Harm.SERIOUS_HARM
    abuse_or_neglect = AbuseOrNeglect.SUSPECTED
    safety_action = "A strategy meeting was held and the child's siblings were placed with family."

    @factory.post_generation
    def agencies_involved(self, create, extracted, **kwargs):
        if create and extracted:
            self.agencies_involved.set(extracted)


class NotificationFactory(DraftFactory):
    """A submitted notification with its reference and its first clock running, as
    `notification_submit` leaves one (the board and the review types must be loaded)."""

    status = NotificationStatus.SUBMITTED
    submitted_at = factory.LazyFunction(timezone.now)
    name_key = factory.LazyAttribute(lambda n: child_name_key(n.first_name, n.last_name))
    # Numbered apart from the references the service gives (from the primary key).
    reference = factory.Sequence(lambda n: f"SIN-{timezone.localdate():%Y}-{90000 + n}")

    @factory.post_generation
    def clocks(self, create, extracted, **kwargs):
        if not create:
            return
        from casereview.services.clocks import clock_start_panel_notification

        ensure_review_types()
        clock_start_panel_notification(notification=self)


class AttachmentFactory(DjangoModelFactory):
    class Meta:
        model = Attachment

    notification = factory.SubFactory(NotificationFactory)
    file = factory.django.FileField(filename="strategy-meeting.pdf", data=b"%PDF-1.4\n%test\n")
    original_name = "strategy-meeting.pdf"
    size = 16
    uploaded_by = factory.SelfAttribute("notification.notifier")


class ConsiderationFactory(DjangoModelFactory):
    """The subgroup's consideration, the criteria met, recommending a local child safeguarding
    practice review; the notification moved on to await the board chair's decision."""

    class Meta:
        model = Consideration
        skip_postgeneration_save = True

    notification = factory.SubFactory(NotificationFactory)
    abuse_or_neglect = Answer.YES
    child_died = Answer.NO
    seriously_harmed = Answer.YES
    concern_working_together = Answer.YES
    died_in_custody = Answer.NO
    assessment = "Neglect is suspected; health and school did not share concerns in time."
    recommendation = factory.LazyFunction(lambda: review_type("lcspr"))
    rationale = "The case meets the criteria and there is learning for every agency."
    recorded_by = factory.SubFactory(UserFactory)

    @factory.post_generation
    def move_on(self, create, extracted, **kwargs):
        if create:
            Notification.objects.filter(pk=self.notification_id).update(
                status=NotificationStatus.CONSIDERED
            )
            self.notification.refresh_from_db()


class DecisionFactory(DjangoModelFactory):
    """The board chair's decision to hold a local child safeguarding practice review."""

    class Meta:
        model = Decision
        skip_postgeneration_save = True

    notification = factory.LazyFunction(lambda: ConsiderationFactory().notification)
    review_type = factory.LazyFunction(lambda: review_type("lcspr"))
    reasons = "There is significant learning about how agencies shared information."
    criteria_met = True
    decided_by = factory.SubFactory(UserFactory)
    decided_on = factory.LazyFunction(_days_ago(10))

    @factory.post_generation
    def move_on(self, create, extracted, **kwargs):
        if create:
            Notification.objects.filter(pk=self.notification_id).update(
                status=NotificationStatus.DECIDED
            )
            self.notification.refresh_from_db()


class ReviewFactory(DjangoModelFactory):
    class Meta:
        model = Review

    notification = factory.LazyFunction(lambda: DecisionFactory().notification)
    review_type = factory.LazyFunction(lambda: review_type("lcspr"))
    started_on = factory.LazyFunction(_days_ago(10))
    due_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=170))
    lead_reviewer = "Jane Reviewer"
    lead_reviewer_organisation = "Independent Safeguarding Consultancy"
    lead_reviewer_independent = True
    terms_of_reference = "To review how agencies shared information about the child."


class MilestoneFactory(DjangoModelFactory):
    class Meta:
        model = Milestone

    review = factory.SubFactory(ReviewFactory)
    title = "Practitioner learning event"
    due_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=40))


class AgencyReportFactory(DjangoModelFactory):
    class Meta:
        model = AgencyReport

    review = factory.SubFactory(ReviewFactory)
    agency = factory.SubFactory(AgencyFactory)
    requested_on = factory.LazyFunction(_days_ago(5))
    due_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=25))


class RecommendationFactory(DjangoModelFactory):
    class Meta:
        model = Recommendation

    review = factory.SubFactory(ReviewFactory)
    number = factory.Sequence(lambda n: n + 1)
    text = "Agencies share concerns about a child's injuries on the day they see them."


class PlanActionFactory(DjangoModelFactory):
    """An open action plan action with its reminder ladder armed, as the service leaves one."""

    class Meta:
        model = PlanAction
        skip_postgeneration_save = True

    recommendation = factory.SubFactory(RecommendationFactory)
    description = "Issue a joint protocol for sharing injury concerns."
    lead_agency = factory.SubFactory(AgencyFactory)
    owner = factory.SubFactory(UserFactory)
    due_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=60))
    group = factory.LazyFunction(_case_review_group)

    @factory.post_generation
    def arm(self, create, extracted, **kwargs):
        reminders.rearm(self)
        if create:
            self.save(update_fields=["reminder_last_sent", "reminder_next_on"])


class LessonFactory(DjangoModelFactory):
    class Meta:
        model = Lesson
        skip_postgeneration_save = True

    review = factory.SubFactory(ReviewFactory)
    theme = "Sharing injury concerns"
    lesson = "Practitioners must share an unexplained injury in a non-mobile baby the same day."
    practice_area = PracticeArea.INFORMATION_SHARING
    recorded_by = factory.SubFactory(UserFactory)
    # Approved, as most tests read lessons where everyone with a board role finds them.
    status = LessonStatus.APPROVED

    @factory.post_generation
    def agencies(self, create, extracted, **kwargs):
        if create and extracted:
            self.agencies.set(extracted)
