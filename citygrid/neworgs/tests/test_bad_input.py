"""A wrong credit code and a duplicated one: a clear Chinese error and nothing changed, on the
page, in the API and in an import file."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from citygrid.core.models import ImportJob, ObjectChange
from citygrid.core.testing import csv_bytes
from citygrid.neworgs.models import NewOrganisation
from citygrid.neworgs.tests.conftest import uscc

pytestmark = pytest.mark.django_db

WRONG = uscc(5)[:-1] + ("1" if uscc(5)[-1] != "1" else "2")


@pytest.fixture
def writer(make_user, tree):
    perms = ["view", "add", "change", "import"]
    return make_user(perms=[f"neworgs.{p}_neworganisation" for p in perms], scope=[tree.county_a])


def _form(tree, code):
    return {
        "region": tree.grid_a1.pk,
        "name": "新公司",
        "kind": "enterprise",
        "uscc": code,
        "head_name": "王经理",
        "full_time_staff": 0,
        "employees": 3,
    }


def test_wrong_credit_code_on_the_page(client, tree, writer):
    client.force_login(writer)
    response = client.post(reverse("neworgs:neworganisation_add"), _form(tree, WRONG))
    assert response.status_code == 200
    assert response.context["form"].errors["uscc"] == ["统一社会信用代码校验位错误"]
    assert not NewOrganisation.objects.exists()


def test_duplicate_credit_code_on_the_page_and_api(client, api_client, tree, writer, make_org):
    make_org(tree.grid_a2, "已有公司", uscc=uscc(7))
    client.force_login(writer)
    response = client.post(reverse("neworgs:neworganisation_add"), _form(tree, uscc(7)))
    assert "已有相同统一社会信用代码的组织" in str(response.context["form"].errors)
    api_client.force_authenticate(writer)
    response = api_client.post(
        reverse("api:neworganisation-list"), _form(tree, uscc(7).lower()), format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and "已存在" in body["errors"]["uscc"][0]
    assert NewOrganisation.objects.count() == 1


def test_import_with_a_duplicated_credit_code_writes_nothing(client, tree, writer):
    row = {
        "统一社会信用代码": uscc(8),
        "组织名称": "导入公司",
        "组织类型": "非公有制经济组织",
        "所属区域代码": tree.grid_a1.code,
        "负责人": "王一",
    }
    rows = [row, {**row, "组织名称": "重复公司"}]
    client.force_login(writer)
    upload = SimpleUploadedFile("orgs.csv", csv_bytes(rows), content_type="text/csv")
    client.post(reverse("neworgs:neworganisation_import"), {"file": upload})
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.INVALID
    assert [(e["row"], e["column"]) for e in job.errors] == [(3, "统一社会信用代码")]
    assert "重复" in job.errors[0]["message"]
    assert not NewOrganisation.objects.exists()
    assert not ObjectChange.objects.exists()
