"""Every write in the board core that matters goes through a function here."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from hscb.lib.email import send_templated_email
from hscb.models import Area, Group, Objective, User


def _password_link(user: User, url_name: str) -> str:
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return settings.SITE_URL + reverse(url_name, kwargs={"uidb64": uidb64, "token": token})


# People ---------------------------------------------------------------------------------------


def user_invite(*, user: User) -> User:
    """Save a new person with no password and email them a link to set one.

    The email goes from a Celery task once the transaction commits, so a rolled-back save
    sends nothing and the task always finds the row.
    """
    from hscb.tasks import send_set_password_email

    with transaction.atomic():
        user.email = user.email.strip().lower()
        user.set_unusable_password()
        user.invitation_sent_at = None
        user.save()
        transaction.on_commit(lambda: send_set_password_email.delay(user.pk))
    return user


def user_reinvite(*, user: User) -> None:
    """Send a fresh set-your-password email (the first was lost, or its link ran out)."""
    from hscb.tasks import send_set_password_email

    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(invitation_sent_at=None)
        transaction.on_commit(lambda: send_set_password_email.delay(user.pk))


def invitation_send(*, user_pk: int) -> bool:
    """Send the set-your-password email once. Returns False when it was already sent.

    The row is claimed with a conditional update before sending, so two runs of the task (a
    retry, a duplicate delivery) send one email. A failed send gives the claim back.
    """
    sent_at = timezone.now()
    claimed = User.objects.filter(pk=user_pk, is_active=True, invitation_sent_at=None).update(
        invitation_sent_at=sent_at
    )
    if not claimed:
        return False
    user = User.objects.select_related("agency").get(pk=user_pk)
    try:
        send_templated_email(
            "set_password",
            to=[user.email],
            context={"user": user, "link": _password_link(user, "set_password")},
        )
    except Exception:
        User.objects.filter(pk=user_pk, invitation_sent_at=sent_at).update(invitation_sent_at=None)
        raise
    return True


def password_reset_send(*, user_pk: int) -> bool:
    """Email a reset link to an active user. Someone who asks twice gets two working links."""
    user = User.objects.filter(pk=user_pk, is_active=True).first()
    if user is None:
        return False
    send_templated_email(
        "password_reset",
        to=[user.email],
        context={"user": user, "link": _password_link(user, "password_reset_confirm")},
    )
    return True


def password_reset_request(*, users: Iterable[User]) -> None:
    from hscb.tasks import send_password_reset_email

    for user in users:
        transaction.on_commit(lambda pk=user.pk: send_password_reset_email.delay(pk))


# Groups ---------------------------------------------------------------------------------------


def group_remit_update(*, group: Group, remit: str) -> Group:
    """Change a group's remit. The history row (who, when, before, after) comes from auditlog."""
    group.remit = remit.strip()
    group.save(update_fields=["remit"])
    return group


@dataclass
class BoardLoadReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0

    def summary(self) -> str:
        return (
            f"{len(self.created)} created, {len(self.updated)} updated, {self.unchanged} unchanged"
        )


def _upsert(model, lookup: Mapping, values: Mapping, *, update: bool, report: BoardLoadReport):
    obj = model.objects.filter(**lookup).first()
    label = f"{model._meta.verbose_name} {next(iter(lookup.values()))}"
    if obj is None:
        obj = model.objects.create(**lookup, **values)
        report.created.append(label)
        return obj
    changed = [k for k, v in values.items() if getattr(obj, k) != v]
    if update and changed:
        for key in changed:
            setattr(obj, key, values[key])
        obj.save()
        report.updated.append(label)
    else:
        report.unchanged += 1
    return obj


@transaction.atomic
def board_load(*, data: Mapping, update: bool = False) -> BoardLoadReport:
    """Load the board's structure (areas, groups and their objectives) from the shipped fixture.

    Safe to run again: what exists is kept. Records changed since in the admin are left as they
    are unless `update` is given, which puts the fixture's values back.
    """
    report = BoardLoadReport()
    for area in data["areas"]:
        _upsert(Area, {"name": area["name"]}, _without(area, "name"), update=update, report=report)

    groups: dict[str, Group] = {}
    for item in data["groups"]:  # a group comes after the group it is accountable to
        values = _without(item, "slug", "objectives", "accountable_to")
        values["accountable_to"] = (
            groups[item["accountable_to"]] if item["accountable_to"] else None
        )
        group = _upsert(Group, {"slug": item["slug"]}, values, update=update, report=report)
        groups[item["slug"]] = group
        for order, text in enumerate(item["objectives"], start=1):
            _upsert(
                Objective,
                {"group": group, "order": order},
                {"text": text},
                update=update,
                report=report,
            )
    return report


def _without(item: Mapping, *keys: str) -> dict:
    return {k: v for k, v in item.items() if k not in keys}
