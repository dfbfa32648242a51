"""Imports: a USCC met twice in a file, or held by another unit, is a row error and the file
writes nothing; the grid comes from each row's position."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from citygrid.core.models import ImportJob, ObjectChange
from citygrid.core.testing import csv_bytes
from citygrid.units.models import Unit
from citygrid.units.tests import factories as f

pytestmark = pytest.mark.django_db

PERMS = ["units.view_unit", "units.add_unit", "units.change_unit", "units.import_unit"]


def row(name, uscc="", lng="120.005", lat="30.005", **more):
    return {
        "单位名称": name,
        "单位类别": "网吧",
        "统一社会信用代码": uscc,
        "经度": lng,
        "纬度": lat,
        "区域代码": "",
        **more,
    }


@pytest.fixture
def upload(client, tree, make_user):
    client.force_login(make_user(perms=PERMS, scope=[tree.county_a]))

    def run(rows):
        data = {"file": SimpleUploadedFile("units.csv", csv_bytes(rows), content_type="text/csv")}
        assert client.post(reverse("units:unit_import"), data).status_code == 302
        return ImportJob.objects.latest("pk")

    return run


def test_duplicate_uscc_within_the_file_writes_nothing(upload):
    job = upload([row("一号网吧", f.USCC_A), row("二号网吧", f.USCC_B), row("三号网吧", f.USCC_A)])
    assert job.status == ImportJob.Status.INVALID
    assert [(e["row"], e["column"], e["message"]) for e in job.errors] == [
        (4, "统一社会信用代码", "文件中重复出现")
    ]
    assert not Unit.objects.exists()


def test_uscc_held_by_another_unit_writes_nothing(upload, tree):
    held = f.unit("老字号", uscc=f.USCC_A)
    changes = ObjectChange.objects.count()
    job = upload([row("新网吧", f.USCC_B), row("冒名网吧", f.USCC_A)])
    assert job.status == ImportJob.Status.INVALID
    assert [(e["row"], e["column"], e["message"]) for e in job.errors] == [
        (3, "统一社会信用代码", "已有相同统一社会信用代码的单位")
    ]
    assert list(Unit.objects.all()) == [held]
    assert ObjectChange.objects.count() == changes


def test_same_unit_again_is_updated_by_its_code(upload, tree):
    unit = f.unit("老字号", uscc=f.USCC_A, unit_class="bar")
    job = upload([row("老字号", f.USCC_A, 从业人员数="25")])
    assert job.status == ImportJob.Status.DONE, job.errors
    assert (job.created_count, job.updated_count) == (0, 1)
    unit.refresh_from_db()
    assert (unit.unit_class, unit.staff_count) == ("internet_cafe", 25)


def test_rows_are_placed_by_position_and_refused_outside_every_grid(upload, tree):
    job = upload([row("一号", lng="120.015"), row("荒郊", lng="121.5", lat="31.0")])
    assert job.status == ImportJob.Status.INVALID
    assert [(e["row"], e["column"], e["message"]) for e in job.errors] == [
        (3, "区域代码", "该位置不在任何网格内")
    ]
    assert not Unit.objects.exists()
    job = upload(
        [
            row("一号", lng="120.015"),
            row("荒郊", lng="121.5", lat="31.0", 区域代码=tree.community_a.code),
        ]
    )
    assert job.status == ImportJob.Status.DONE, job.errors
    assert dict(Unit.objects.values_list("name", "region")) == {
        "一号": tree.grid_a2.pk,
        "荒郊": tree.community_a.pk,
    }


def test_a_row_out_of_scope_is_refused(upload, tree):
    job = upload([row("乙区网吧", lng="120.105")])
    assert job.status == ImportJob.Status.INVALID
    assert job.errors[0]["message"] == "该记录不在您的管辖范围内"
    assert not Unit.objects.exists()
