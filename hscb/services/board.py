"""Every write in the board core that matters goes through a function here."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator, default_token_generator
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from hscb.lib.checks import queue_after_commit
from hscb.lib.email import send_templated_email
from hscb.lib.security import normalise_email
from hscb.lib.tokens import invitation_token_generator, lifetime_in_words
from hscb.models import Area, Group, Objective, User


def _password_link(user: User, url_name: str, generator: PasswordResetTokenGenerator) -> str:
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = generator.make_token(user)
    return settings.SITE_URL + reverse(url_name, kwargs={"uidb64": uidb64, "token": token})


# People ---------------------------------------------------------------------------------------


def user_invite(*, user: User) -> User:
    """Save a new person with no password and email them a link to set one.

    The email goes from a Celery task once the transaction commits, so a rolled-back save
    sends nothing and the task always finds the row.
    """
    from hscb.tasks import send_set_password_email

    with transaction.atomic():
        user.email = normalise_email(user.email)
        user.set_unusable_password()
        user.invitation_sent_at = None
        user.save()
        queue_after_commit(send_set_password_email, user.pk)
    return user


def user_update(*, user: User, old_email: str) -> User:
    """Save changes to a person's details. A change of email address is told to the old
    address too, so a hijacked account does not go unnoticed."""
    from hscb.tasks import send_email_changed_notice

    with transaction.atomic():
        user.email = normalise_email(user.email)
        user.save()
        if old_email and normalise_email(old_email) != user.email:
            queue_after_commit(send_email_changed_notice, user.pk, normalise_email(old_email))
    return user


def email_changed_notice_send(*, user_pk: int, old_email: str) -> bool:
    user = User.objects.filter(pk=user_pk).first()
    if user is None:
        return False
    send_templated_email("email_changed", to=[old_email], context={"user": user})
    return True


def user_reinvite(*, user: User) -> None:
    """Send a fresh set-your-password email (the first was lost, or its link ran out)."""
    from hscb.tasks import send_set_password_email

    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(invitation_sent_at=None)
        queue_after_commit(send_set_password_email, user.pk)


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
            context={
                "user": user,
                "link": _password_link(user, "set_password", invitation_token_generator),
                "lifetime": lifetime_in_words(settings.INVITATION_TIMEOUT),
            },
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
        context={
            "user": user,
            "link": _password_link(user, "password_reset_confirm", default_token_generator),
            "lifetime": lifetime_in_words(settings.PASSWORD_RESET_TIMEOUT),
        },
    )
    return True


def password_reset_request(*, users: Iterable[User]) -> None:
    from hscb.tasks import send_password_reset_email

    for user in users:
        queue_after_commit(send_password_reset_email, user.pk)


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

    Safe to run on every deployment: records are found by what does not change (an area's ONS
    code, a group's function), what exists is kept as the secretariat left it, and a group's
    objectives are only filled in while it has none. `update` puts the fixture's values back.
    """
    report = BoardLoadReport()
    for area in data["areas"]:
        key = "ons_code" if area.get("ons_code") else "name"
        _upsert(Area, {key: area[key]}, _without(area, key), update=update, report=report)

    groups: dict[str, Group] = {}
    for item in data["groups"]:  # a group comes after the group it is accountable to
        values = _without(item, "function", "objectives", "accountable_to")
        values["accountable_to"] = (
            groups[item["accountable_to"]] if item["accountable_to"] else None
        )
        group = _upsert(Group, {"function": item["function"]}, values, update=update, report=report)
        groups[item["slug"]] = group
        if group.objectives.exists() and not update:
            report.unchanged += len(item["objectives"])
            continue
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
