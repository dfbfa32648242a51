from django.db import migrations

from citygrid.core.seeds import seed_dictionaries


def seed(apps, schema_editor):
    seed_dictionaries(apps.get_model("core", "Dictionary"), apps.get_model("core", "DictItem"))


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
