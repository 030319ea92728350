"""The secretariat's permission group, kept in step with the models after every migration."""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group as PermissionGroup
from django.contrib.auth.models import Permission
from django.db.models import Q

from hscb.rules import SECRETARIAT_GROUP

# Apps whose records the secretariat manages in full through the admin.
MANAGED_APPS = ["hscb", "subgroups", "casereview", "cdop", "audits", "django_celery_beat"]
# Records that are closed rather than deleted, so nothing about them is lost.
NEVER_DELETED = [
    *("user", "agency", "area", "group", "membership"),
    *("meeting", "action", "actionnote", "businessplan", "priority", "progressupdate"),
    *("sentreminder", "digestsent"),
    *("issue", "issueupdate", "escalation"),
]
# What the secretariat may look at beyond its own apps: history, sign-in attempts and lockouts.
EXTRA = [
    ("auditlog", "view_logentry"),
    ("axes", "view_accessattempt"),
    ("axes", "delete_accessattempt"),
    ("axes", "view_accessfailurelog"),
    ("axes", "view_accesslog"),
    ("auth", "view_group"),
]


def sync_secretariat_permissions(**kwargs) -> None:
    """Create the Secretariat group if missing and give it exactly the permissions above."""
    using = kwargs.get("using", "default")
    # post_migrate reaches this app before the apps after it have their permissions made.
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    group, _ = PermissionGroup.objects.using(using).get_or_create(name=SECRETARIAT_GROUP)
    extra = Q()
    for app_label, codename in EXTRA:
        extra |= Q(content_type__app_label=app_label, codename=codename)
    permissions = Permission.objects.using(using).filter(
        (Q(content_type__app_label__in=MANAGED_APPS) & ~Q(codename__in=_deletes())) | extra
    )
    group.permissions.set(permissions)


def _deletes() -> list[str]:
    return [f"delete_{model}" for model in NEVER_DELETED]
