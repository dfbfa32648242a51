"""Seed the national code tables every deployment needs; administrators edit them afterwards."""

import json
from pathlib import Path

from django.db import migrations

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "dictionaries.json"


def seed(apps, schema_editor):
    Dictionary = apps.get_model("core", "Dictionary")
    DictItem = apps.get_model("core", "DictItem")
    for entry in json.loads(FIXTURE.read_text(encoding="utf-8")):
        dictionary, _ = Dictionary.objects.get_or_create(
            code=entry["code"], defaults={"name": entry["name"], "standard": entry["standard"]}
        )
        for sort, (value, label) in enumerate(entry["items"]):
            DictItem.objects.get_or_create(
                dictionary=dictionary, value=value, defaults={"label": label, "sort": sort}
            )


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
