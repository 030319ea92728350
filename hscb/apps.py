from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class HscbConfig(AppConfig):
    name = "hscb"
    verbose_name = "Board"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from hscb import models
        from hscb.permissions import sync_secretariat_permissions

        auditlog.register(models.Agency)
        auditlog.register(models.Area)
        auditlog.register(
            models.User, exclude_fields=["password", "last_login"], m2m_fields={"groups"}
        )
        auditlog.register(models.Group)
        auditlog.register(models.Objective)
        auditlog.register(models.Membership)
        post_migrate.connect(sync_secretariat_permissions, sender=self)
