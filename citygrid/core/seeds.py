"""National code tables every deployment starts with; administrators edit them afterwards."""

import json
from pathlib import Path

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "dictionaries.json"


def seed_dictionaries(dictionary_model, item_model) -> None:
    """Idempotent. Takes the models so the data migration can pass its historical ones."""
    for entry in json.loads(FIXTURE.read_text(encoding="utf-8")):
        dictionary, _ = dictionary_model.objects.get_or_create(
            code=entry["code"], defaults={"name": entry["name"], "standard": entry["standard"]}
        )
        for sort, (value, label) in enumerate(entry["items"]):
            item_model.objects.get_or_create(
                dictionary=dictionary, value=value, defaults={"label": label, "sort": sort}
            )
