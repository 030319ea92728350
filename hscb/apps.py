from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class HscbConfig(AppConfig):
    name = "hscb"
    verbose_name = "Board"

    def ready(self) -> None:
        from auditlog.registry import auditlog
        from django.db.models import Q
        from django_otp.plugins.otp_static.models import StaticDevice
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from hscb import models
        from hscb.lib import reminders
        from hscb.permissions import sync_secretariat_permissions

        auditlog.register(models.Agency)
        auditlog.register(models.Area)
        auditlog.register(
            models.User, exclude_fields=["password", "last_login"], m2m_fields={"groups"}
        )
        # Setting up, replacing or losing a second factor is in the history; its key is not.
        auditlog.register(TOTPDevice, include_fields=["user", "name", "confirmed"])
        auditlog.register(StaticDevice, include_fields=["user", "name"])
        auditlog.register(models.Group)
        auditlog.register(models.Objective, m2m_fields={"priorities"})
        auditlog.register(models.Membership)
        auditlog.register(models.Meeting, exclude_fields=["papers_requested_at"])
        auditlog.register(models.AgendaItem)
        auditlog.register(models.Paper)
        auditlog.register(models.Attendance)
        auditlog.register(models.Action, exclude_fields=["reminder_last_sent", "reminder_next_on"])
        auditlog.register(models.ActionNote)
        auditlog.register(models.BusinessPlan)
        auditlog.register(models.Priority, m2m_fields={"groups"})
        auditlog.register(models.Target)
        auditlog.register(models.ProgressUpdate)
        auditlog.register(models.GroupResource)
        reminders.register(
            models.Action,
            kind="action",
            is_open=Q(status__in=models.OPEN_STATUSES),
            related=("group",),
            context=lambda action: action.group.name,
        )
        post_migrate.connect(sync_secretariat_permissions, sender=self)
