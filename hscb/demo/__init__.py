"""Demonstration data: partner agencies, people and their seats on the board's groups, this
year's business plan, meetings past and coming, and the actions arising from them.

Only `manage.py load_demo` calls this, and it refuses to run with DEBUG off. Every name here is
invented; every address is on the reserved `.example` domain, so no email can reach anyone.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group as PermissionGroup
from django.db import transaction
from django.utils import timezone
from django_otp.oath import TOTP

from hscb.demo.meetings import _load_meetings, _set_quorum_rules
from hscb.demo.people import AGENCIES, DOMAIN, ENDED, ENDING, OTHER_PEOPLE, ROLE_USERS, SEATS
from hscb.demo.plan import PRIORITIES, _load_plan
from hscb.lib.twofactor import app_device, app_set_up_without_phone, second_factor_required
from hscb.models import Agency, Group, Membership, User
from hscb.rules import SECRETARIAT_GROUP

__all__ = [
    "PRIORITIES",
    "ROLE_USERS",
    "BoardNotLoaded",
    "DemoReport",
    "demo_code",
    "demo_load",
    "demo_set_password",
    "register_demo",
]


@dataclass
class DemoReport:
    created_users: list[User] = field(default_factory=list)
    created_agencies: int = 0
    created_memberships: int = 0
    role_users: dict[str, str] = field(default_factory=dict)
    created_plan: bool = False
    created_priorities: int = 0
    created_meetings: int = 0
    created_actions: int = 0
    # What each app's loader added, in words ("3 serious incident notifications").
    created_by_apps: list[str] = field(default_factory=list)
    # The accounts that sign in with a code from an authenticator app.
    second_factor_users: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class DemoContext:
    """What an app's demonstration loader is given: the day, the board's groups by function,
    the demonstration people by full name, the agencies by short name and the secretariat."""

    today: datetime.date
    groups: dict[str, Group]
    people: dict[str, User]
    agencies: dict[str, Agency]
    secretariat: User


# Apps add their own demonstration records (the core imports no app): a loader creates what is
# missing, changes nothing that exists, and returns what it added in words (or "" for nothing).
DemoLoader = Callable[[DemoContext], str]
_loaders: dict[str, DemoLoader] = {}


def register_demo(key: str, loader: DemoLoader) -> None:
    """Called from an app's `ready()`; registering a key again replaces its loader."""
    _loaders[key] = loader


class BoardNotLoaded(Exception):
    pass


@transaction.atomic
def demo_load(*, password: str, today: datetime.date | None = None) -> DemoReport:
    """Create what is missing of the demonstration data; change nothing that exists.

    Records are found by what identifies them (a person's address, a plan's year, a priority's
    number); a group's meetings and actions are made only while the group has no meetings, so
    running this again, on any day, adds nothing twice.
    """
    today = today or timezone.localdate()
    groups = {g.function: g for g in Group.objects.exclude(function="")}
    missing = [f for f in SEATS if f not in groups]
    if missing:
        raise BoardNotLoaded(f"The board's groups are not loaded ({len(missing)} missing).")
    report = DemoReport()

    agencies: dict[str, Agency] = {}
    for name, short, sector in AGENCIES:
        agency, created = Agency.objects.get_or_create(
            name=name, defaults={"short_name": short, "sector": sector}
        )
        agencies[short] = agency
        report.created_agencies += created

    password_hash = make_password(password)
    people: dict[tuple[str, str], User] = {}
    for person in [*ROLE_USERS.values(), *OTHER_PEOPLE]:
        user, created = User.objects.get_or_create(
            email=person.address,
            defaults={
                "first_name": person.first,
                "last_name": person.last,
                "job_title": person.title,
                "agency": agencies[person.agency],
                "password": password_hash,
            },
        )
        people[(person.first, person.last)] = user
        if created:
            report.created_users.append(user)
    report.role_users = {role: p.address for role, p in ROLE_USERS.items()}

    secretariat = people[(ROLE_USERS["secretariat"].first, ROLE_USERS["secretariat"].last)]
    if not secretariat.is_staff:
        secretariat.is_staff = True
        secretariat.save(update_fields=["is_staff"])
    secretariat.groups.add(PermissionGroup.objects.get(name=SECRETARIAT_GROUP))

    start = today - datetime.timedelta(days=365)
    for function, seats in SEATS.items():
        for first, last, role in seats:
            user = people[(first, last)]
            # Found by person and group, so a seat the secretariat has since changed is kept.
            _, created = Membership.objects.get_or_create(
                user=user,
                group=groups[function],
                defaults={"role": role, "agency": user.agency, "start_date": start},
            )
            report.created_memberships += created
    for function, first, last, role, began, ends in [ENDED, ENDING]:
        user = people[(first, last)]
        _, created = Membership.objects.get_or_create(
            user=user,
            group=groups[function],
            defaults={
                "role": role,
                "agency": user.agency,
                "start_date": today - datetime.timedelta(days=began),
                "end_date": today - datetime.timedelta(days=ends),
            },
        )
        report.created_memberships += created

    by_name = _by_name(people)
    _load_plan(today=today, groups=groups, people=by_name, report=report)
    _set_quorum_rules(groups=groups, agencies=agencies)
    _load_meetings(
        today=today, groups=groups, people=by_name, secretariat=secretariat, report=report
    )
    context = DemoContext(
        today=today, groups=groups, people=by_name, agencies=agencies, secretariat=secretariat
    )
    for loader in _loaders.values():
        added = loader(context)
        if added:
            report.created_by_apps.append(added)
    report.second_factor_users = _set_up_second_factors()
    return report


def _set_up_second_factors() -> list[str]:
    """Give every demonstration account that must sign in with a second factor an authenticator
    app (a key kept here, so `manage.py demo_code` can say the current code). Returns the
    addresses of the accounts that sign in with one."""
    with_app = []
    for user in User.objects.filter(email__endswith=f"@{DOMAIN}", is_active=True):
        if second_factor_required(user):
            app_set_up_without_phone(user)
        if app_device(user) is not None:
            with_app.append(user.email)
    return with_app


def demo_code(*, email: str) -> tuple[str, int]:
    """The code a demonstration account's authenticator app would show now, and for how many
    more seconds. Only `manage.py demo_code` calls this, and it refuses to run with DEBUG off."""
    user = User.objects.filter(email=email.strip().lower(), email__endswith=f"@{DOMAIN}").first()
    device = app_device(user) if user is not None else None
    if device is None:
        raise LookupError(f"{email} is not a demonstration account with an authenticator app.")
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    now = time.time()
    totp.time = now
    return f"{totp.token():0{device.digits}d}", device.step - int(now - device.t0) % device.step


def _by_name(people: dict[tuple[str, str], User]) -> dict[str, User]:
    return {f"{first} {last}": user for (first, last), user in people.items()}


def demo_set_password(*, password: str) -> int:
    """Give every demonstration account a new password; returns how many were changed."""
    users = list(User.objects.filter(email__endswith=f"@{DOMAIN}"))
    password_hash = make_password(password)
    for user in users:
        user.password = password_hash
    User.objects.bulk_update(users, ["password"])
    return len(users)
