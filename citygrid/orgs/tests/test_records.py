"""Generic record tests for units and members: pages, import, export and the read-only API
with the four permission cases."""

import pytest

from citygrid.core.testing import (
    ApiReadTests,
    ApiWritesRefusedTests,
    ExportTests,
    ImportTests,
    PageTests,
    logged,
)
from citygrid.orgs.models import OrgUnit, Staff

pytestmark = pytest.mark.django_db


class ReadApiRecordTests(PageTests, ExportTests, ImportTests, ApiReadTests, ApiWritesRefusedTests):
    """Every generic test, with an API that only reads."""


def unit(region, code, name=None):
    found = OrgUnit.objects.filter(code=code).first()
    return found or logged(OrgUnit, kind="other", code=code, name=name or code, region=region)


class TestOrgUnitRecords(ReadApiRecordTests):
    model = OrgUnit
    api_basename = "orgunit"
    edited_field = "name"

    def in_scope(self, tree):
        return unit(tree.county_a, "JQ-ZZB", "甲区综治办")

    def out_of_scope(self, tree):
        return unit(tree.county_b, "YQ-ZZB", "乙区综治办")

    def form_data(self, tree):
        return {
            "kind": "other",
            "code": "JQ-NEW",
            "name": "新建单位",
            "region": tree.county_a.pk,
            "sort": 100,
            "duties": "协调",
        }

    def outside_form_data(self, tree):
        return {**self.form_data(tree), "region": tree.county_b.pk}

    def edit_data(self, tree, obj):
        data = {
            "kind": obj.kind,
            "code": obj.code,
            "name": "改名单位",
            "region": obj.region_id,
            "sort": obj.sort,
        }
        return data, "改名单位"

    def import_rows(self, tree):
        return [
            {
                "机构编码": "IMP-1",
                "单位名称": "导入单位一",
                "类型": "其他",
                "区域代码": tree.county_a.code,
                "职能定位": "负责协调",
            },
            {
                "机构编码": "IMP-2",
                "单位名称": "导入单位二",
                "类型": "分中心",
                "上级机构编码": "IMP-1",
                "区域代码": tree.township_a.code,
            },
        ]

    def bad_import_rows(self, tree):
        rows = self.import_rows(tree)
        rows.append(
            {"机构编码": "IMP-3", "单位名称": "无处单位", "类型": "其他", "区域代码": "330101999"}
        )
        return rows, "区域代码"

    def export_marker(self, obj):
        return obj.code


class TestStaffRecords(ReadApiRecordTests):
    model = Staff
    api_basename = "staff"
    edited_field = "post"

    def in_scope(self, tree):
        return logged(
            Staff,
            unit=unit(tree.county_a, "JQ-ZZB"),
            name="甲成员",
            post="科员",
            phone="13900000011",
        )

    def out_of_scope(self, tree):
        return logged(Staff, unit=unit(tree.county_b, "YQ-ZZB"), name="乙成员", post="科员")

    def form_data(self, tree):
        return {
            "unit": unit(tree.county_a, "JQ-ZZB").pk,
            "name": "新成员",
            "post": "文员",
            "phone": "13900000012",
            "gender": "female",
            "active": "on",
        }

    def outside_form_data(self, tree):
        return {**self.form_data(tree), "unit": unit(tree.county_b, "YQ-ZZB").pk}

    def edit_data(self, tree, obj):
        return {"name": obj.name, "post": "副科长", "active": "on"}, "副科长"

    def import_rows(self, tree):
        code = unit(tree.county_a, "JQ-ZZB").code
        return [
            {
                "机构编码": code,
                "姓名": "导入成员一",
                "岗位": "网格员",
                "联系电话": "13900000013",
                "性别": "男",
                "入职日期": "2024-03-01",
            },
            {"机构编码": code, "姓名": "导入成员二", "岗位": "巡查员", "学历": "本科"},
        ]

    def bad_import_rows(self, tree):
        rows = self.import_rows(tree)
        rows.append({"机构编码": "NONE-1", "姓名": "无处成员"})
        return rows, "机构编码"

    def export_marker(self, obj):
        return obj.name


def test_member_phone_is_masked_in_the_api(api_client, tree, make_user):
    member = TestStaffRecords().in_scope(tree)
    api_client.force_authenticate(make_user(perms=["orgs.view_staff"], scope=[tree.county_a]))
    data = api_client.get(f"/api/staff/{member.pk}/").json()
    assert data["phone_masked"] == "139****0011"
    assert "13900000011" not in str(data)
