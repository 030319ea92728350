"""The review types the board chair decides among, and the statutory clocks they start. They are
data: the secretariat edits them in the admin when the rules change."""

from django.db import migrations

from casereview.migrations._seeds import REVIEW_TYPES


def seed(apps, schema_editor):
    ReviewType = apps.get_model("casereview", "ReviewType")
    for row in REVIEW_TYPES:
        ReviewType.objects.update_or_create(code=row["code"], defaults=row)


class Migration(migrations.Migration):
    dependencies = [("casereview", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
