"""Lessons wait for the secretariat's approval before anyone beyond the case team reads them;
drafts remember when their notifier was told they will expire.

Every lesson already recorded becomes "waiting for approval" (the field's default): the old check
only refused the child's full name and NHS number written together, so a lesson that passed it
may still hold a first name, a date of birth or a spaced NHS number. The secretariat approves
each one in the admin before it shows on the lessons page again.
"""

import django.db.models.deletion
import django_fsm
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("casereview", "0005_referred_by_panel"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="lesson",
            name="decided_at",
            field=models.DateTimeField(
                blank=True, null=True, verbose_name="approved or sent back at"
            ),
        ),
        migrations.AddField(
            model_name="lesson",
            name="decided_by",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="approved or sent back by",
            ),
        ),
        migrations.AddField(
            model_name="lesson",
            name="return_reason",
            field=models.TextField(
                blank=True, max_length=2000, verbose_name="why it was sent back"
            ),
        ),
        migrations.AddField(
            model_name="lesson",
            name="status",
            field=django_fsm.FSMField(
                choices=[
                    ("pending", "Waiting for approval"),
                    ("approved", "Approved"),
                    ("returned", "Sent back"),
                ],
                db_index=True,
                default="pending",
                max_length=16,
            ),
        ),
        migrations.AddField(
            model_name="notification",
            name="expiry_reminded_at",
            field=models.DateTimeField(
                blank=True,
                editable=False,
                help_text="A draft: when its notifier was told that it will be deleted if left "
                "untouched. A change made to the draft after it (`updated_at`) starts the wait "
                "again.",
                null=True,
            ),
        ),
    ]
