from django.db import migrations
from django.db.models import F

from citygrid.core.seeds import apply_display_orders


def reorder(apps, schema_editor):
    """民族 in its display order (汉族 first, then by population) on a database seeded in code
    order; running processes see the bumped stamp and reload their code tables."""
    if apply_display_orders(apps.get_model("core", "DictItem")):
        stamp = apps.get_model("core", "VersionStamp")
        if not stamp.objects.filter(name="dictionaries").update(value=F("value") + 1):
            stamp.objects.create(name="dictionaries", value=1)


class Migration(migrations.Migration):
    dependencies = [("core", "0009_job_lease")]
    operations = [migrations.RunPython(reorder, migrations.RunPython.noop)]
