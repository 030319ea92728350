"""Schedule the nightly records retention run in django-celery-beat.

A schedule is data, so the secretariat can change its time or pause it in the admin. The run
reminds the authors of drafts about to expire and deletes what the board's records policy
(settings RETENTION_* and DRAFT_EXPIRY_*) no longer keeps.
"""

from django.db import migrations

SCHEDULE = {
    "name": "Apply the records retention policy",
    "task": "hscb.tasks.apply_retention",
    "crontab": {"minute": "30", "hour": "2", "day_of_week": "*"},
    "description": (
        "Every night at 2:30am, remind the authors of draft notifications about to expire, "
        "then delete the drafts, cases, child deaths and access-log entries the board's "
        "records policy no longer keeps, with the child's details in their history."
    ),
}


def create_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        **SCHEDULE["crontab"], day_of_month="*", month_of_year="*", timezone="Europe/London"
    )
    PeriodicTask.objects.get_or_create(
        name=SCHEDULE["name"],
        defaults={
            "task": SCHEDULE["task"],
            "crontab": crontab,
            "description": SCHEDULE["description"],
        },
    )


def remove_schedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=SCHEDULE["name"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("hscb", "0007_user_safeguarding_lead_second_factor"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
