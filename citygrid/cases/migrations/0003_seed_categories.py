from django.db import migrations

from citygrid.cases.seeds import seed_categories


def seed(apps, schema_editor):
    seed_categories(apps.get_model("cases", "CaseCategory"))


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_seed_calendar")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
