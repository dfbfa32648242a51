"""GB/T 30428.2-style component and event classes every deployment starts with.

Major-class names follow the standard; codes and minor classes are implementation practice and
editable (standards §5.3): local standards override them.
"""

import json
from pathlib import Path

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "categories.json"

REGISTER = "位于公共区域、属于本类问题、现场照片清晰可辨"
CLOSING = "问题已按要求处置，现场核查照片与处置反馈一致"


def seed_categories(category_model) -> None:
    """Idempotent; takes the model so the data migration can pass its historical one."""
    for major in json.loads(FIXTURE.read_text(encoding="utf-8")):
        parent, _ = category_model.objects.get_or_create(
            kind=major["kind"], code=major["code"], defaults={"name": major["name"]}
        )
        for code, name in major["minors"]:
            category_model.objects.get_or_create(
                kind=major["kind"],
                code=code,
                defaults={
                    "name": name,
                    "parent": parent,
                    "register_criteria": REGISTER,
                    "closing_criteria": CLOSING,
                },
            )
