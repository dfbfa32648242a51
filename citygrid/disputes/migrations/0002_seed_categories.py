from django.db import migrations

from citygrid.core.seeds import seed_dictionaries


def seed(apps, schema_editor):
    """The dispute categories of the plan (矛盾纠纷类别): the seed is idempotent."""
    seed_dictionaries(apps.get_model("core", "Dictionary"), apps.get_model("core", "DictItem"))


class Migration(migrations.Migration):
    dependencies = [("disputes", "0001_initial"), ("core", "0010_ethnicity_display_order_forms")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
