"""A grid worker of grid A1 (scope: community 甲社区), the centre's accounts, and a case that
waits for on-site verification."""

import io
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

WORKER_PERMS = [
    "cases.view_case",
    "cases.add_case",
    "cases.verify_case",
    "cases.add_visit",
    "cases.view_task",  # like the default 网格员 role: their own tasks, finished in the app
    "people.view_person",
    "housing.view_house",
]
A1 = (120.005, 30.005)  # inside grid A1
A2 = (120.015, 30.005)  # grid A2: same community, not the worker's grid
B1 = (120.105, 30.005)  # grid B1: another county


def jpeg(name: str = "photo.jpg", size=(40, 30)) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", size, "green").save(out, format="JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


@dataclass
class Field:
    category: object
    department: object
    dispatcher: object
    handler: object
    worker: object
    outsider: object


def grid_post(user, grid, role="grid_worker", phone="13900001111"):
    from citygrid.regions.models import GridWorker

    post = GridWorker(region=grid, name=user.username, role=role, phone=phone, user=user)
    post.full_clean()
    post.save()
    return post


@pytest.fixture
def field(tree, make_user) -> Field:
    from citygrid.cases.models import Department, DispatchRule
    from citygrid.cases.testing import street_order_class

    category = street_order_class("0508", "占道施工")
    department = Department.objects.create(name="城管执法局", code="CG01", region=tree.city)
    DispatchRule.objects.create(category=category, department=department, region=tree.city)
    handler = make_user(
        perms=["cases.view_case", "cases.handle_case"], scope=[tree.city], username="handler"
    )
    department.members.add(handler)
    dispatcher = make_user(
        perms=["cases.view_case", "cases.add_case", "cases.register_case", "cases.dispatch_case"],
        scope=[tree.city],
        username="dispatcher",
    )
    worker = make_user(perms=WORKER_PERMS, scope=[tree.community_a], username="worker")
    grid_post(worker, tree.grid_a1, role="inspector")
    outsider = make_user(perms=WORKER_PERMS, scope=[tree.community_b], username="outsider")
    grid_post(outsider, tree.grid_b1, phone="13900003333")
    return Field(category, department, dispatcher, handler, worker, outsider)


@pytest.fixture
def to_verify(field):
    """to_verify(lng, lat) → a case handled and reported back, waiting for verification."""
    from citygrid.cases import actions
    from citygrid.cases.intake import Report, report_case

    def make(lng=A1[0], lat=A1[1]):
        case = report_case(
            Report(category=field.category, description="占道堆放", lng=lng, lat=lat),
            actor=field.dispatcher,
        )
        actions.register_case(case, actor=field.dispatcher)
        actions.dispatch_case(case, actor=field.dispatcher)
        actions.accept_case(case, actor=field.handler)
        return actions.report_back_case(
            case, actor=field.handler, note="已清理", photos=[jpeg("after.jpg")]
        )

    return make


@pytest.fixture
def worker_client(client, field):
    client.force_login(field.worker)
    return client
