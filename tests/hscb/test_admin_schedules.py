"""The periodic tasks in the admin: the secretariat changes when a task runs and switches it on
or off; which task, its arguments and where it goes are a superuser's, as are adding, deleting
and running one now."""

from __future__ import annotations

import pytest
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

from tests.hscb.factories import UserFactory

pytestmark = pytest.mark.django_db

TASKS = "/admin/django_celery_beat/periodictask/"
TIMING = {"enabled", "interval", "crontab", "solar", "clocked", "start_time", "one_off"}
# What a forged post tries to set: another task, arguments of its own, another name and queue.
FORGED = {
    "name": "Quietly renamed",
    "regtask": "hscb.tasks.send_email_changed_notice",
    "task": "hscb.tasks.send_email_changed_notice",
    "description": "Nothing to see here",
    "args": '[1, "collector@elsewhere.example"]',
    "kwargs": '{"old_email": "collector@elsewhere.example"}',
    "queue": "elsewhere",
    "exchange": "elsewhere",
    "routing_key": "elsewhere",
    "headers": '{"x": 1}',
    "priority": "9",
    "expire_seconds": "60",
}
KEPT = [*(f for f in FORGED if f != "regtask")]


@pytest.fixture
def nightly(db) -> PeriodicTask:
    return PeriodicTask.objects.create(
        name="Send the day's reminders",
        task="hscb.tasks.send_reminders",
        crontab=CrontabSchedule.objects.create(minute="0", hour="7"),
        description="Every morning.",
    )


@pytest.fixture
def superuser(board):
    return UserFactory(is_staff=True, is_superuser=True, email="root@board.example")


def _values(task: PeriodicTask) -> dict[str, object]:
    task.refresh_from_db()
    return {name: getattr(task, name) for name in KEPT}


def test_the_secretariat_sees_a_tasks_timing_as_the_only_thing_to_change(
    client, secretariat, nightly
):
    client.force_login(secretariat)
    page = client.get(f"{TASKS}{nightly.pk}/change/")
    assert page.status_code == 200
    assert set(page.context["adminform"].form.fields) == TIMING
    text = page.content.decode()
    # The task and its name are shown, read-only.
    assert "hscb.tasks.send_reminders" in text and "Send the day&#x27;s reminders" in text


def test_the_secretariat_changes_a_tasks_timing_but_nothing_forged_with_it(
    client, secretariat, nightly
):
    before = _values(nightly)
    weekly = CrontabSchedule.objects.create(minute="30", hour="6", day_of_week="1")
    client.force_login(secretariat)
    response = client.post(
        f"{TASKS}{nightly.pk}/change/", {**FORGED, "crontab": weekly.pk, "start_time_0": ""}
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert _values(nightly) == before
    assert nightly.crontab == weekly and nightly.enabled is False  # unticked: switched off
    assert nightly.task == "hscb.tasks.send_reminders" and nightly.args == "[]"


def test_a_timing_that_is_not_one_is_refused_with_a_message(client, secretariat, nightly):
    client.force_login(secretariat)
    every_hour = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.HOURS)
    response = client.post(
        f"{TASKS}{nightly.pk}/change/",
        {"enabled": "on", "crontab": nightly.crontab_id, "interval": every_hour.pk},
    )
    assert response.status_code == 200
    assert "Only one of clocked, interval, crontab, or solar must be set" in (
        response.content.decode()
    )
    nightly.refresh_from_db()
    assert nightly.interval is None


def test_the_secretariat_switches_tasks_on_and_off_but_neither_runs_adds_nor_deletes(
    client, secretariat, nightly
):
    client.force_login(secretariat)
    off = client.post(
        TASKS, {"action": "disable_tasks", "index": "0", "_selected_action": nightly.pk}
    )
    assert off.status_code == 302
    nightly.refresh_from_db()
    assert nightly.enabled is False
    actions = client.get(TASKS).context["action_form"].fields["action"].choices
    assert {name for name, _ in actions} == {"", "enable_tasks", "disable_tasks", "toggle_tasks"}
    for name in ["run_tasks", "delete_selected"]:
        client.post(
            TASKS, {"action": name, "index": "0", "_selected_action": nightly.pk, "post": "yes"}
        )
    assert PeriodicTask.objects.filter(pk=nightly.pk).exists()
    assert client.get(f"{TASKS}add/").status_code == 403
    assert client.post(f"{TASKS}add/", {**FORGED, "crontab": nightly.crontab_id}).status_code == (
        403
    )
    assert not PeriodicTask.objects.filter(name=FORGED["name"]).exists()
    assert client.post(f"{TASKS}{nightly.pk}/delete/", {"post": "yes"}).status_code == 403
    assert PeriodicTask.objects.filter(pk=nightly.pk).exists()


def test_a_schedule_a_task_uses_is_not_deleted_with_its_task_by_the_secretariat(
    client, secretariat, nightly
):
    client.force_login(secretariat)
    url = f"/admin/django_celery_beat/crontabschedule/{nightly.crontab_id}/delete/"
    assert "periodic task" in client.get(url).content.decode()
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert PeriodicTask.objects.filter(pk=nightly.pk).exists()


def test_the_secretariat_edits_a_schedule_itself(client, secretariat, nightly):
    client.force_login(secretariat)
    response = client.post(
        f"/admin/django_celery_beat/crontabschedule/{nightly.crontab_id}/change/",
        {
            "minute": "15",
            "hour": "8",
            "day_of_month": "*",
            "month_of_year": "*",
            "day_of_week": "*",
            "timezone": "Europe/London",
            "periodictask_set-TOTAL_FORMS": "1",
            "periodictask_set-INITIAL_FORMS": "1",
            "periodictask_set-0-id": str(nightly.pk),
            "periodictask_set-0-crontab": str(nightly.crontab_id),
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    nightly.refresh_from_db()
    assert (nightly.crontab.hour, nightly.crontab.minute) == ("8", "15")


def test_a_superuser_chooses_the_task_and_its_arguments_adds_and_deletes(
    client, superuser, nightly
):
    client.force_login(superuser)
    page = client.get(f"{TASKS}{nightly.pk}/change/")
    assert {"task", "args", "kwargs", "name", "queue"} <= set(page.context["adminform"].form.fields)
    response = client.post(
        f"{TASKS}{nightly.pk}/change/",
        {
            "name": "Ping the worker",
            "regtask": "hscb.tasks.worker_ping",
            "task": "",
            "enabled": "on",
            "crontab": nightly.crontab_id,
            "args": "[3]",
            "kwargs": "{}",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    nightly.refresh_from_db()
    assert (nightly.name, nightly.task, nightly.args) == (
        "Ping the worker",
        "hscb.tasks.worker_ping",
        "[3]",
    )
    assert client.get(f"{TASKS}add/").status_code == 200
    assert client.post(f"{TASKS}{nightly.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not PeriodicTask.objects.filter(pk=nightly.pk).exists()
