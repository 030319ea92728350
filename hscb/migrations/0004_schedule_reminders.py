"""Schedule the daily reminders and the chairs' weekly digest in django-celery-beat.

The schedules are data so the secretariat can change or pause them in the admin.
"""

from django.db import migrations

SCHEDULES = [
    {
        "name": "Send reminders of due and overdue items",
        "task": "hscb.tasks.send_reminders",
        "crontab": {"minute": "0", "hour": "7", "day_of_week": "*"},
        "description": (
            "Every morning at 7am, email each person one reminder listing their items that are "
            "30, 7 or 1 day from due, due today or overdue (weekly while overdue)."
        ),
    },
    {
        "name": "Send chairs their weekly digest",
        "task": "hscb.tasks.send_chair_digests",
        "crontab": {"minute": "30", "hour": "7", "day_of_week": "1"},
        "description": (
            "Every Monday at 7:30am, email each chair their group's overdue actions, items due "
            "in the next fortnight and meetings coming up."
        ),
    },
]


def create_schedules(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for item in SCHEDULES:
        crontab, _ = CrontabSchedule.objects.get_or_create(
            **item["crontab"], day_of_month="*", month_of_year="*", timezone="Europe/London"
        )
        PeriodicTask.objects.get_or_create(
            name=item["name"],
            defaults={
                "task": item["task"],
                "crontab": crontab,
                "description": item["description"],
            },
        )


def remove_schedules(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[s["name"] for s in SCHEDULES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("hscb", "0003_meetings_actions_plan"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedules, remove_schedules)]
