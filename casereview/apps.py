"""Serious-incident notifications, statutory clocks, review decisions, reviews, action
plans and lessons learnt.
"""

from __future__ import annotations

from django.apps import AppConfig


class CasereviewConfig(AppConfig):
    name = "casereview"
    verbose_name = "Case review"

    def ready(self) -> None:
        from auditlog.registry import auditlog
        from django.db.models import Q

        from casereview import models
        from hscb.lib import reminders
        from hscb.lib.access import register_child_records
        from hscb.models import GroupFunction
        from hscb.services.meetings import register_linkable

        ladder_state = ["reminder_last_sent", "reminder_next_on"]
        auditlog.register(models.ReviewType)
        # Every change to a case is in its history; every view of it is logged (ACCESS entries,
        # written by hscb.lib.access.log_access).
        auditlog.register(models.Notification, m2m_fields={"agencies_involved"})
        auditlog.register(models.Attachment)
        auditlog.register(models.PossibleDuplicate)
        auditlog.register(models.Clock, exclude_fields=ladder_state)
        auditlog.register(models.Consideration)
        auditlog.register(models.Decision)
        auditlog.register(models.Review)
        auditlog.register(models.Milestone)
        auditlog.register(models.AgencyReport)
        auditlog.register(models.Recommendation)
        auditlog.register(models.PlanAction, exclude_fields=ladder_state)
        auditlog.register(models.PlanActionUpdate)
        auditlog.register(models.Lesson, m2m_fields={"agencies"})
        # Their changes hold a child's details: read on each record's own (logged) history page.
        register_child_records(
            models.Notification,
            models.Attachment,
            models.PossibleDuplicate,
            models.Clock,
            models.Consideration,
            models.Decision,
            models.Review,
            models.Milestone,
            models.AgencyReport,
            models.Recommendation,
            models.PlanAction,
            models.PlanActionUpdate,
            models.CaseEmail,
        )

        # The case officer (or the Case Review chair) is chased about each statutory clock;
        # an action plan's owners about their actions. Neither names the child.
        reminders.register(
            models.Clock,
            kind="statutory deadline",
            is_open=Q(
                met_on__isnull=True, notification__status__in=["submitted", "considered", "decided"]
            ),
            due_field="due_on",
            related=("notification",),
            title=lambda clock: f"{clock.notification.reference}: {clock.name}",
            context=lambda clock: "Case review",
        )
        reminders.register(
            models.PlanAction,
            kind="review action plan action",
            is_open=Q(status=models.PlanActionStatus.OPEN),
            owner_list="casereview:plan_action_list",
            due_field="due_date",
            related=("recommendation__review__notification",),
            title=lambda action: (
                f"{action.recommendation.review.notification.reference}, recommendation "
                f"{action.recommendation.number}: {action.description[:80]}"
            ),
            context=lambda action: "Review action plan",
        )

        def cases_for_case_review_agendas(meeting):
            """A Case Review meeting considers the cases not yet put to the board chair."""
            if meeting.group.function != GroupFunction.CASE_REVIEW:
                return models.Notification.objects.none()
            return models.Notification.objects.filter(
                status=models.NotificationStatus.SUBMITTED
            ).order_by("submitted_at", "pk")

        # On an agenda a case is known by its reference only: never the child's name.
        register_linkable(
            models.Notification,
            heading="Serious incident notifications",
            records=cases_for_case_review_agendas,
            label=lambda n: f"Serious incident notification {n.reference}",
            can_see=lambda user, n: user.has_perm("casereview.see_case", n),
            find=lambda records, typed: records.filter(reference__iexact=typed),
        )

        from casereview.panels import register_panels

        register_panels()

        # Kept for the records policy's periods, then deleted with the child's details in their
        # history (hscb.lib.retention).
        from casereview.services import retention

        retention.register()

        from casereview import demo

        demo.register()
