"""Every write in the board core that matters goes through a function here."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator, default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from hscb.lib.checks import queue_after_commit
from hscb.lib.email import send_templated_email
from hscb.lib.security import normalise_email
from hscb.lib.tokens import invitation_token_generator, lifetime_in_words
from hscb.models import (
    Area,
    ChangeNoticeSent,
    Group,
    GroupFunction,
    Membership,
    MembershipRole,
    Objective,
    User,
)


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


# What makes an account's rights: whether it signs in at all, reaches the admin, is above every
# rule, sees child details as an agency's safeguarding lead, and its permission groups.
ACCOUNT_RIGHTS = frozenset(
    {"is_active", "is_staff", "is_superuser", "is_safeguarding_lead", "groups", "user_permissions"}
)


def user_fields_kept(*, editor: User, user: User) -> frozenset[str]:
    """The fields of `user`'s account (as stored) that `editor` may not change.

    A superuser may change anything. Anyone else may not change another staff account's email
    (they could then reset its password and sign in as that person) or its rights, nor their own
    rights (no one raises, or by mistake drops, their own access), nor make anyone a superuser.
    They may change their own email: the old address is told. A superuser's account is a
    superuser's to change (`UserAdmin.has_change_permission`).
    """
    if editor.is_superuser:
        return frozenset()
    if user.pk == editor.pk:
        return ACCOUNT_RIGHTS
    if user.is_staff or user.is_superuser:
        return ACCOUNT_RIGHTS | {"email"}
    return frozenset({"is_superuser"})


def user_update(*, user: User, editor: User) -> User:
    """Save changes to a person's details made by `editor`, refusing a change to anything
    `user_fields_kept` keeps from them. A change of email address is told to the old address
    too, so a hijacked account does not go unnoticed: the task reads the old address from the
    history row of the change, never from its caller."""
    from hscb.tasks import send_email_changed_notice

    with transaction.atomic():
        stored = User.objects.select_for_update().get(pk=user.pk)
        user.email = normalise_email(user.email)
        kept = user_fields_kept(editor=editor, user=stored)
        refused = sorted(
            name
            for name in kept - {"groups", "user_permissions"}
            if getattr(user, name) != getattr(stored, name)
        )
        if refused:
            raise PermissionDenied(
                f"Only a superuser can change {', '.join(refused)} on {stored.email}'s account."
            )
        user.save()
        if user.email != stored.email:
            entry = _history_of_change(user, "email")
            if entry is not None:
                queue_after_commit(send_email_changed_notice, entry.pk)
    return user


def _history_of_change(obj: Model, field: str) -> LogEntry | None:
    """The history row auditlog has just written for a change of `field` on `obj`. The caller
    holds the row's lock, so no other change of it can have come after."""
    entry = (
        LogEntry.objects.get_for_object(obj)
        .filter(action=LogEntry.Action.UPDATE)
        .order_by("-pk")
        .first()
    )
    return entry if entry is not None and field in entry.changes_dict else None


@dataclass(frozen=True)
class RecordedChange:
    """A change of one field of a row, as its history row records it."""

    entry: LogEntry
    obj: Model
    before: str
    after: str


def _change_recorded(entry_pk: int, model: type[Model], field: str) -> RecordedChange | None:
    """The change of `field` on a `model` row that history row `entry_pk` records, or None if it
    records no such change (or the row is gone). Anything but a primary key finds nothing."""
    if isinstance(entry_pk, bool) or not isinstance(entry_pk, int):
        return None
    entry = LogEntry.objects.filter(
        pk=entry_pk,
        action=LogEntry.Action.UPDATE,
        content_type=ContentType.objects.get_for_model(model),
    ).first()
    change = entry.changes_dict.get(field) if entry is not None else None
    if not isinstance(change, list) or len(change) != 2:
        return None
    obj = model._default_manager.filter(pk=entry.object_pk).first()
    if obj is None:
        return None
    before, after = ("" if value in (None, "None") else str(value) for value in change)
    return RecordedChange(entry=entry, obj=obj, before=before, after=after)


def _claim_notice(entry_pk: int) -> bool:
    """Claim the sending of the notice about history row `entry_pk`, once: inserting its
    `ChangeNoticeSent` row is the claim, so a task that runs twice sends once."""
    try:
        with transaction.atomic():
            ChangeNoticeSent.objects.create(entry_id=entry_pk)
    except IntegrityError:
        return False
    return True


def _give_back_notice(entry_pk: int) -> None:
    ChangeNoticeSent.objects.filter(entry_id=entry_pk).delete()


def email_changed_notice_send(*, entry_pk: int) -> bool:
    """Tell the old address of an account that its email address was changed, for the history
    row that recorded the change. Sends at most once however often it runs."""
    change = _change_recorded(entry_pk, User, "email")
    if change is None or not change.before:
        return False
    if not _claim_notice(entry_pk):
        return False
    try:
        send_templated_email("email_changed", to=[change.before], context={"user": change.obj})
    except Exception:
        _give_back_notice(entry_pk)
        raise
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


# Areas ----------------------------------------------------------------------------------------


def area_update(*, area: Area) -> Area:
    """Save changes to an area. A change of its child death overview panel's email address
    (where child details are sent) is in its history, and is emailed to the old address and the
    chair of the board's own panel: the task finds both from that history row."""
    with transaction.atomic():
        stored = Area.objects.select_for_update().get(pk=area.pk)
        area.save()
        if area.cdop_email != stored.cdop_email:
            _tell_of_panel_email_change(area)
    return area


def _tell_of_panel_email_change(area: Area) -> None:
    """Queue the emails about the change of `area`'s panel address just saved (its row locked,
    or loaded by `board_load` in one transaction)."""
    from hscb.tasks import send_area_panel_email_changed

    entry = _history_of_change(area, "cdop_email")
    if entry is not None:
        queue_after_commit(send_area_panel_email_changed, entry.pk)


def area_panel_email_changed_send(*, entry_pk: int) -> int:
    """Email the old panel address (if there was one) and each chair of the Child Death
    Overview Panel that an area's panel email address was changed, for the history row that
    recorded the change. Returns the number of emails sent: none if they were sent already.

    A failure before any email has gone gives the claim back, so the retry sends them all; once
    one has gone the claim stands, so no one is told twice."""
    change = _change_recorded(entry_pk, Area, "cdop_email")
    if change is None:
        return 0
    chairs = [
        m.user
        for m in Membership.objects.current()
        .filter(
            role=MembershipRole.CHAIR,
            group__function=GroupFunction.CHILD_DEATH_OVERVIEW,
            group__is_active=True,
        )
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "pk")
    ]
    if not _claim_notice(entry_pk):
        return 0
    context = {
        "area": change.obj,
        "old_email": change.before,
        "new_email": change.after,
        "changed_by": change.entry.actor,
        "changed_at": change.entry.timestamp,
    }
    sent = 0
    try:
        if change.before:
            send_templated_email("area_panel_email_changed", to=[change.before], context=context)
            sent += 1
        for chair in chairs:
            send_templated_email(
                "area_panel_email_changed", to=[chair.email], context={**context, "chair": chair}
            )
            sent += 1
    except Exception:
        if sent == 0:
            _give_back_notice(entry_pk)
        raise
    return sent


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
        if model is Area and "cdop_email" in changed:
            _tell_of_panel_email_change(obj)
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
