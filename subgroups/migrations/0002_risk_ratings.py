"""The board's starting risk ratings, editable in the admin: scores are likelihood times impact,
1 to 25. High and Very high are significant: issues rated there may be escalated."""

from django.db import migrations

RATINGS = [
    ("Low", 1, "green", False),
    ("Medium", 5, "yellow", False),
    ("High", 10, "orange", True),
    ("Very high", 15, "red", True),
]


def create_ratings(apps, schema_editor):
    RiskRating = apps.get_model("subgroups", "RiskRating")
    if RiskRating.objects.exists():
        return
    for name, min_score, colour, significant in RATINGS:
        RiskRating.objects.create(
            name=name, min_score=min_score, colour=colour, significant=significant
        )


class Migration(migrations.Migration):
    dependencies = [("subgroups", "0001_register")]

    operations = [migrations.RunPython(create_ratings, migrations.RunPython.noop)]
