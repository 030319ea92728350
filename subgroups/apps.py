"""Improving Outcomes register, performance, learning and development, policy and
procedures, and the Strategic Safeguarding Adolescents Group.
"""

from __future__ import annotations

import re

from django.apps import AppConfig


class SubgroupsConfig(AppConfig):
    name = "subgroups"
    verbose_name = "Subgroups"

    def ready(self) -> None:
        from auditlog.registry import auditlog
        from django.db.models import Q

        from hscb.lib import reminders
        from hscb.models import GroupFunction
        from hscb.services.meetings import register_linkable
        from hscb.signals import meeting_scheduled
        from subgroups import models
        from subgroups.models.register import OPEN_ISSUE_STATUSES

        auditlog.register(models.RiskRating)
        auditlog.register(
            models.Issue,
            exclude_fields=["reminder_last_sent", "reminder_next_on"],
            m2m_fields={"agencies", "good_practice"},
        )
        auditlog.register(models.IssueUpdate)
        auditlog.register(models.Escalation, m2m_fields={"uncooperative_agencies"})
        auditlog.register(models.GoodPractice, m2m_fields={"agencies"})
        # The owner is reminded of an issue's review date, as of an action's due date.
        reminders.register(
            models.Issue,
            kind="register issue review",
            is_open=Q(status__in=OPEN_ISSUE_STATUSES),
            due_field="review_date",
            title=lambda issue: f"{issue.reference}: {issue.title}",
            context=lambda issue: "Improving Outcomes register",
        )

        def escalations_on_board_agendas(meeting):
            if meeting.group.function != GroupFunction.STRATEGIC_BOARD:
                return models.Escalation.objects.none()
            return models.Escalation.objects.filter(
                Q(meeting=meeting) | Q(status="awaiting_meeting")
            ).select_related("issue")

        register_linkable(
            models.Escalation,
            heading="Escalations to the Strategic Board",
            records=escalations_on_board_agendas,
            label=lambda e: f"Escalation of {e.issue.reference}: {e.issue.title}",
            can_see=lambda user, e: user.has_perm("subgroups.see_escalation", e),
            related=("issue",),
            # By the issue's reference, IO-0012: its latest escalation.
            find=lambda records, typed: records.filter(
                issue_id=int(typed[3:]) if re.fullmatch(r"(?i)io-[0-9]{1,9}", typed) else None
            ).order_by("-proposed_at", "-pk")[:1],
        )

        def place_waiting_escalations(sender, meeting, by, **kwargs):
            from subgroups.services.register import escalations_place_waiting

            escalations_place_waiting(meeting=meeting, by=by)

        meeting_scheduled.connect(place_waiting_escalations, dispatch_uid="subgroups.escalations")

        from subgroups.panels import register_panels

        register_panels()

        from subgroups import demo

        demo.register()
