"""No admin action answers with a server error: every action of every registered admin is run,
by the secretariat and by a superuser, on one real row of its model."""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Callable

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib import admin
from django.contrib.messages import get_messages
from django.db.models import Model
from django.test import RequestFactory
from django.utils import timezone
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)

from tests.casereview.factories import LessonFactory
from tests.hscb.factories import (
    BusinessPlanFactory,
    MembershipFactory,
    PaperFactory,
    PriorityFactory,
    UserFactory,
)
from tests.subgroups.factories import GoodPracticeFactory

pytestmark = pytest.mark.django_db

SIGN_IN = {
    "user_agent": "Firefox",
    "ip_address": "192.0.2.7",
    "username": "someone@agency.example",
    "http_accept": "text/html",
    "path_info": "/accounts/sign-in/",
}


NUMBERS = itertools.count()


def _device(label: str) -> Model:
    return apps.get_model(label).objects.create(user=UserFactory(), name="Test device")


# A cheap row for each model that has none when the test starts (and for people, someone who
# is neither of the two running the actions). The other models' first row is used.
ROWS: dict[str, Callable[[], Model]] = {
    "hscb.user": UserFactory,
    "hscb.membership": MembershipFactory,
    "hscb.paper": PaperFactory,
    "hscb.businessplan": BusinessPlanFactory,
    "hscb.priority": PriorityFactory,
    "subgroups.goodpractice": GoodPracticeFactory,
    "casereview.lesson": LessonFactory,
    "axes.accessattempt": lambda: AccessAttempt.objects.create(
        **{**SIGN_IN, "username": f"person{next(NUMBERS)}@agency.example"},
        get_data="",
        post_data="",
        failures_since_start=1,
    ),
    "axes.accesslog": lambda: AccessLog.objects.create(**SIGN_IN),
    "axes.accessfailurelog": lambda: AccessFailureLog.objects.create(**SIGN_IN),
    "django_celery_beat.periodictask": lambda: PeriodicTask.objects.create(
        name="Ping the worker",
        task="hscb.tasks.worker_ping",
        args="[2]",
        interval=IntervalSchedule.objects.create(every=1, period=IntervalSchedule.DAYS),
    ),
    "django_celery_beat.clockedschedule": lambda: ClockedSchedule.objects.create(
        clocked_time=timezone.now()
    ),
    "django_celery_beat.solarschedule": lambda: SolarSchedule.objects.create(
        event="sunset", latitude=51.8, longitude=-0.2
    ),
    "django_celery_beat.intervalschedule": lambda: IntervalSchedule.objects.create(
        every=2, period=IntervalSchedule.HOURS
    ),
    "django_celery_beat.crontabschedule": lambda: CrontabSchedule.objects.create(hour="4"),
    "otp_totp.totpdevice": lambda: _device("otp_totp.TOTPDevice"),
    "otp_static.staticdevice": lambda: _device("otp_static.StaticDevice"),
}


@pytest.fixture
def superuser(board, django_user_model):
    return UserFactory(is_staff=True, is_superuser=True, email="root@board.example")


def _row(model: type[Model]) -> Model | None:
    maker = ROWS.get(model._meta.label_lower)
    return maker() if maker else model._default_manager.order_by("pk").first()


@pytest.mark.parametrize("role", ["secretariat", "superuser"])
def test_every_admin_action_runs_without_a_server_error(client, request, role):
    user = request.getfixturevalue(role)
    client.force_login(user)
    asker = RequestFactory().get("/admin/")
    asker.user = user
    ran, rowless = [], []
    for model, model_admin in admin.site._registry.items():
        actions = model_admin.get_actions(asker)
        if not actions:
            continue
        row = _row(model)
        if row is None:
            rowless.append(model._meta.label_lower)
            continue
        url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        for name in actions:
            where = f"{model._meta.label_lower}: {name} by the {role}"
            response = client.post(url, {"action": name, "index": "0", "_selected_action": row.pk})
            assert response.status_code in (200, 302), where
            if response.status_code == 302:
                # Back to the list, saying what was done (or why nothing was).
                assert response["Location"].startswith(url), where
                assert list(get_messages(response.wsgi_request)), where
            else:
                # A page of its own: the deletion's confirmation, or why it cannot be done.
                text = response.content.decode()
                assert "Are you sure" in text or "Cannot delete" in text, where
            ran.append(where)
    # Every model with an action had a row to run it on: add one to ROWS when this fails.
    assert rowless == []
    assert any("cleanup_expired_attempts" in w for w in ran)
    assert any("send_new_invitation" in w for w in ran)


def test_removing_expired_sign_in_attempts_keeps_the_recent_ones(client, secretariat):
    client.force_login(secretariat)  # a sign-in removes expired attempts too: before them
    expired = ROWS["axes.accessattempt"]()
    AccessAttempt.objects.filter(pk=expired.pk).update(
        attempt_time=timezone.now() - datetime.timedelta(hours=2)
    )
    recent = ROWS["axes.accessattempt"]()
    response = client.post(
        "/admin/axes/accessattempt/",
        {"action": "cleanup_expired_attempts", "index": "0", "_selected_action": recent.pk},
        follow=True,
    )
    assert response.status_code == 200
    assert "1 expired sign-in attempt removed." in response.content.decode()
    assert list(AccessAttempt.objects.all()) == [recent]
