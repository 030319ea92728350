"""Tasks take primary keys (or nothing) and find every recipient in the database: none takes an
address, a recipient or free text that a periodic task's arguments could point elsewhere."""

from __future__ import annotations

import inspect

from hscb.celery import app

OURS = ("hscb.", "subgroups.", "casereview.", "cdop.", "audits.")


def test_every_task_of_ours_takes_primary_keys_or_nothing():
    app.loader.import_default_modules()
    tasks = {name: task for name, task in app.tasks.items() if name.startswith(OURS)}
    assert "hscb.tasks.send_email_changed_notice" in tasks
    assert any(name.endswith("send_death_referral") for name in tasks)
    for name, task in tasks.items():
        parameters = [
            p for p in inspect.signature(task.run).parameters.values() if p.name != "self"
        ]
        for parameter in parameters:
            # `worker_ping` doubles a number to show a worker is up: a number, not a key.
            assert parameter.annotation == "int", f"{name}({parameter.name}: ...)"
            assert parameter.name.endswith("_pk") or name.endswith("worker_ping"), (
                f"{name}({parameter.name})"
            )
