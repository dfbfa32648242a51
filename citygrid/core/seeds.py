"""National code tables every deployment starts with; administrators edit them afterwards."""

import json
from pathlib import Path

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "dictionaries.json"


def _sorts(entry: dict) -> dict[str, int]:
    """Each value's `sort`: its place in the table's `display_order` when the fixture gives one
    (民族: 汉族 first, then by population, so the common answer is at the top of the picker),
    else the code order. Values stay the standard's codes: exports and imports are unchanged."""
    order = entry.get("display_order") or [value for value, _ in entry["items"]]
    return {value: sort for sort, value in enumerate(order)}


def seed_dictionaries(dictionary_model, item_model) -> None:
    """Idempotent. Takes the models so the data migration can pass its historical ones."""
    for entry in json.loads(FIXTURE.read_text(encoding="utf-8")):
        dictionary, _ = dictionary_model.objects.get_or_create(
            code=entry["code"], defaults={"name": entry["name"], "standard": entry["standard"]}
        )
        sorts = _sorts(entry)
        for value, label in entry["items"]:
            item_model.objects.get_or_create(
                dictionary=dictionary, value=value, defaults={"label": label, "sort": sorts[value]}
            )


def apply_display_orders(item_model) -> int:
    """Give the items of tables with a `display_order` their place (a database seeded before
    the order existed); returns how many items moved."""
    moved = 0
    for entry in json.loads(FIXTURE.read_text(encoding="utf-8")):
        if "display_order" not in entry:
            continue
        for value, sort in _sorts(entry).items():
            moved += (
                item_model.objects.filter(dictionary__code=entry["code"], value=value)
                .exclude(sort=sort)
                .update(sort=sort)
            )
    return moved
