"""Person imports: a bad ID number is reported by row and column and nothing is written;
labels or codes are accepted; house codes create or keep the current home."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from citygrid.core.models import ImportJob, ObjectChange
from citygrid.core.testing import csv_bytes
from citygrid.core.validators import id_number_check_char
from citygrid.housing.models import House
from citygrid.people.models import FloatingDetail, Person, Residency
from citygrid.people.tests.test_persons import id_number

pytestmark = pytest.mark.django_db

IMPORTER = ["view", "add", "change", "import"]


def upload(client, rows) -> ImportJob:
    file = SimpleUploadedFile("people.csv", csv_bytes(rows), content_type="text/csv")
    assert client.post(reverse("people:person_import"), {"file": file}).status_code == 302
    return ImportJob.objects.latest("pk")


@pytest.fixture
def importer(client, make_user, tree):
    user = make_user(perms=[f"people.{a}_person" for a in IMPORTER], scope=[tree.county_a])
    client.force_login(user)
    return user


def test_bad_id_numbers_are_reported_by_row_and_column(client, tree, importer):
    good = id_number("330101", "19800101", "011")
    wrong_check = good[:-1] + ("0" if good[-1] != "0" else "1")
    body = "33010119801301001"  # month 13
    bad_birth = body + id_number_check_char(body)
    rows = [
        {"证件号码": good, "姓名": "甲", "所属网格（网格代码）": tree.grid_a1.code},
        {"证件号码": wrong_check, "姓名": "乙", "所属网格（网格代码）": tree.grid_a1.code},
        {"证件号码": bad_birth, "姓名": "丙", "所属网格（网格代码）": tree.grid_a1.code},
        {"证件号码": "12345", "姓名": "丁", "所属网格（网格代码）": tree.grid_a1.code},
    ]
    changes = ObjectChange.objects.count()
    job = upload(client, rows)
    assert job.status == ImportJob.Status.INVALID
    assert job.errors == [
        {"row": 3, "column": "证件号码", "message": "身份证号码校验位错误"},
        {"row": 4, "column": "证件号码", "message": "身份证号码中的出生日期无效"},
        {"row": 5, "column": "证件号码", "message": "身份证号码应为18位（或15位旧号码）"},
    ]
    assert not Person.objects.exists()
    assert ObjectChange.objects.count() == changes


def test_import_accepts_labels_and_upserts_by_id_number(client, tree, importer):
    number = id_number("330101", "19800101", "011")
    row = {
        "证件号码": number,
        "姓名": "钱一",
        "性别": "男",
        "民族": "蒙古族",
        "婚姻状况": "20",
        "人口类型": "流动人口",
        "所属网格（网格代码）": tree.grid_a1.code,
        "流入原因": "投靠亲友",
        "登记日期": "2025/03/01",
    }
    job = upload(client, [row])
    assert job.status == ImportJob.Status.DONE, job.errors
    person = Person.objects.get()
    assert (person.sex, person.ethnicity, person.marital_status) == ("1", "02", "20")
    assert person.birth_date == date(1980, 1, 1)
    detail = FloatingDetail.objects.get(person=person)
    assert (detail.reason, detail.registered_on) == ("02", date(2025, 3, 1))
    # Same number again, other name: the record is updated, not duplicated.
    job = upload(client, [{**row, "姓名": "钱壹"}])
    assert (job.created_count, job.updated_count) == (0, 1)
    person.refresh_from_db()
    assert person.name == "钱壹"
    assert Person.objects.count() == 1


def test_unknown_code_value_is_reported(client, tree, importer):
    rows = [{"证件号码": id_number(), "姓名": "甲", "民族": "火星族"}]
    job = upload(client, rows)
    assert job.errors == [{"row": 2, "column": "民族", "message": "民族“火星族”不在代码表中"}]


def test_existing_person_out_of_scope_is_not_touched(client, tree, importer):
    outsider = Person(region=tree.grid_b1, name="李四", id_number=id_number("330102"))
    outsider.full_clean()
    outsider.save()
    rows = [
        {"证件号码": id_number("330102"), "姓名": "改名", "所属网格（网格代码）": tree.grid_a1.code}
    ]
    job = upload(client, rows)
    assert job.errors == [{"row": 2, "column": "证件号码", "message": "该记录不在您的管辖范围内"}]
    outsider.refresh_from_db()
    assert (outsider.name, outsider.region) == ("李四", tree.grid_b1)


def test_house_code_creates_then_keeps_the_current_home(client, tree, importer):
    home = House(region=tree.grid_a2, number="1", address="甲二路1号")
    home.full_clean()
    home.save()
    row = {"证件号码": id_number(), "姓名": "甲", "房屋编码": home.code}
    job = upload(client, [row])
    assert job.status == ImportJob.Status.DONE, job.errors
    person = Person.objects.get()
    assert person.region == tree.grid_a2
    assert Residency.objects.get(person=person, ended_on__isnull=True).house == home
    job = upload(client, [row])
    assert job.status == ImportJob.Status.DONE, job.errors
    assert Residency.objects.filter(person=person).count() == 1


def test_house_code_and_grid_must_agree(client, tree, importer):
    home = House(region=tree.grid_a2, number="1", address="甲二路1号")
    home.full_clean()
    home.save()
    row = {
        "证件号码": id_number(),
        "姓名": "甲",
        "所属网格（网格代码）": tree.grid_a1.code,
        "房屋编码": home.code,
    }
    job = upload(client, [row])
    assert job.status == ImportJob.Status.INVALID
    assert job.errors[0]["row"] == 2 and job.errors[0]["message"] == "房屋编码与所属网格不一致"
    assert not Person.objects.exists()
