"""Child Death Overview Panel: death notifications, cross-area referrals, panel reviews
and statistics.
"""

from __future__ import annotations

from django.apps import AppConfig


class CdopConfig(AppConfig):
    name = "cdop"
    verbose_name = "Child Death Overview Panel"

    def ready(self) -> None:
        from auditlog.registry import auditlog
        from django.db.models import Q

        from cdop import models
        from hscb.lib import reminders
        from hscb.lib.access import register_child_records
        from hscb.models import GroupFunction
        from hscb.services.meetings import register_linkable

        auditlog.register(models.DeathCategory)
        auditlog.register(models.ChildDeath)
        auditlog.register(models.AgencyInformation)
        auditlog.register(models.DeathDuplicate)
        auditlog.register(
            models.Referral, exclude_fields=["reminder_last_sent", "reminder_next_on"]
        )
        auditlog.register(models.PanelReview)
        auditlog.register(models.Factor)
        auditlog.register(models.PanelRecommendation)
        auditlog.register(models.AnnualReport, exclude_fields=["progress", "stage"])
        # The most sensitive records: their changes are read on each record's own logged
        # history page, never in the board-wide log (hscb.admin.log).
        register_child_records(
            models.ChildDeath,
            models.AgencyInformation,
            models.DeathDuplicate,
            models.Referral,
            models.PanelReview,
            models.Factor,
            models.PanelRecommendation,
        )
        # The panel coordinator is chased about each referral step the other panel (or we)
        # have not answered. The reminder names the reference and the area, never the child.
        reminders.register(
            models.Referral,
            kind="cross-area referral step",
            is_open=~Q(status=models.ReferralStatus.OUTCOME_REPORTED),
            due_field="next_step_due",
            related=("death", "other_area"),
            title=lambda r: (
                f"{r.death.reference}: {r.get_direction_display().lower()} "
                f"({r.other_area.name}), {r.get_status_display().lower()}"
            ),
            context=lambda r: "Child Death Overview Panel",
        )

        def deaths_for_panel_agendas(meeting):
            """A panel meeting reviews the deaths listed for it, and those ready for the panel."""
            if meeting.group.function != GroupFunction.CHILD_DEATH_OVERVIEW:
                return models.ChildDeath.objects.none()
            return models.ChildDeath.objects.filter(
                Q(panel_meeting=meeting)
                | Q(status__in=[models.DeathStatus.REVIEW_MEETING, models.DeathStatus.PANEL])
            ).order_by("died_on", "pk")

        # On an agenda a death is known by its reference only.
        register_linkable(
            models.ChildDeath,
            heading="Child deaths for review",
            records=deaths_for_panel_agendas,
            label=lambda d: f"Child death {d.reference}",
            can_see=lambda user, d: user.has_perm("cdop.see_death", d),
            find=lambda records, typed: records.filter(reference__iexact=typed),
        )

        from cdop.panels import register_panels

        register_panels()

        # Kept for the records policy's periods, then deleted with the child's details in their
        # history (hscb.lib.retention).
        from cdop.services import retention

        retention.register()

        from cdop import demo

        demo.register()
