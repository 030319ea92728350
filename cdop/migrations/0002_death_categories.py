"""The ten standard categories of child death: reference data the secretariat edits in the
admin."""

from django.db import migrations

from cdop.migrations._seeds import CATEGORIES


def seed(apps, schema_editor):
    DeathCategory = apps.get_model("cdop", "DeathCategory")
    for number, name, description in CATEGORIES:
        DeathCategory.objects.update_or_create(
            number=number, defaults={"name": name, "description": description}
        )


class Migration(migrations.Migration):
    dependencies = [("cdop", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
