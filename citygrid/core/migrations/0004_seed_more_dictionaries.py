from django.db import migrations

from citygrid.core.seeds import seed_dictionaries


def seed(apps, schema_editor):
    """Code tables of the base-data platform (people, housing): the seed is idempotent."""
    seed_dictionaries(apps.get_model("core", "Dictionary"), apps.get_model("core", "DictItem"))


class Migration(migrations.Migration):
    dependencies = [("core", "0003_changelog_dictionaries")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
