"""Fixtures for the workflow: a minor class with a department and rule, and the four roles."""

import io
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

TZ = ZoneInfo("Asia/Shanghai")
# A Monday in office hours, in a week without holidays.
MONDAY_10 = datetime(2026, 3, 2, 10, 0, tzinfo=TZ)

DISPATCHER_PERMS = [
    "cases.view_case",
    "cases.add_case",
    "cases.register_case",
    "cases.dispatch_case",
    "cases.close_case",
    "cases.evaluate_case",
    "cases.approve_extension_case",
    "cases.suspend_case",
    "cases.escalate_case",
    "cases.supervise_case",
    "cases.merge_case",
]
HANDLER_PERMS = ["cases.view_case", "cases.handle_case"]
INSPECTOR_PERMS = ["cases.view_case", "cases.verify_case", "cases.add_case"]


def jpeg(name: str = "photo.jpg") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "blue").save(out, format="JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


@dataclass
class Setup:
    category: object
    other_category: object
    department: object
    other_department: object
    dispatcher: object
    handler: object
    inspector: object
    outsider: object


@pytest.fixture
def setup(tree, make_user) -> Setup:
    from citygrid.cases.models import Department, DispatchRule
    from citygrid.cases.testing import street_order_class

    category = street_order_class("0508", "占道施工")
    other = street_order_class("0507", "乱堆物堆料")
    department = Department.objects.create(name="城管执法局", code="CG01", region=tree.city)
    other_department = Department.objects.create(name="住建局", code="ZJ01", region=tree.city)
    DispatchRule.objects.create(category=category, department=department, region=tree.city)
    handler = make_user(perms=HANDLER_PERMS, scope=[tree.city], username="handler")
    department.members.add(handler)
    return Setup(
        category=category,
        other_category=other,
        department=department,
        other_department=other_department,
        dispatcher=make_user(perms=DISPATCHER_PERMS, scope=[tree.city], username="dispatcher"),
        handler=handler,
        inspector=make_user(perms=INSPECTOR_PERMS, scope=[tree.county_a], username="inspector"),
        outsider=make_user(perms=DISPATCHER_PERMS, scope=[tree.county_b], username="outsider"),
    )


@pytest.fixture
def report(setup):
    """report(**overrides) → a new case in grid A1 reported by the dispatcher at MONDAY_10."""
    from citygrid.cases.intake import Report, report_case

    def make(actor=None, now=MONDAY_10, **overrides):
        fields = {
            "category": setup.category,
            "description": "人行道上堆放建材",
            "lng": 120.005,
            "lat": 30.005,
            "address": "甲社区1号",
        }
        fields.update(overrides)
        return report_case(Report(**fields), actor=actor or setup.dispatcher, now=now)

    return make
