"""Generic record tests for estates, buildings, houses and rentals (list/detail/edit/delete/
import/export/API with the four permission cases)."""

import pytest

from citygrid.core.testing import (
    ApiReadTests,
    ApiWriteTests,
    ExportTests,
    PageTests,
    RecordTestCases,
)
from citygrid.housing.models import Building, Estate, HazardCheck, House, Rental
from citygrid.housing.tests import factories as f

pytestmark = pytest.mark.django_db


class NotImportedRecordTests(PageTests, ExportTests, ApiReadTests, ApiWriteTests):
    """Every generic test but import, for records registered one at a time."""


class TestEstateRecords(RecordTestCases):
    model = Estate
    api_basename = "estate"
    edited_field = "name"

    def in_scope(self, tree):
        return f.estate(tree.community_a, "甲幸福小区")

    def out_of_scope(self, tree):
        return f.estate(tree.community_b, "乙安康小区")

    def form_data(self, tree):
        return {"region": tree.community_a.pk, "name": "新建小区", "address": "甲路1号"}

    def outside_form_data(self, tree):
        return {"region": tree.community_b.pk, "name": "越界小区"}

    def edit_data(self, tree, obj):
        return {"region": obj.region_id, "name": "改名小区"}, "改名小区"

    def import_rows(self, tree):
        return [
            {"区域代码": tree.community_a.code, "小区名称": "导入小区一", "物业公司": "甲物业"},
            {"区域代码": tree.grid_a1.code, "小区名称": "导入小区二"},
        ]

    def bad_import_rows(self, tree):
        rows = self.import_rows(tree)
        rows.append({"区域代码": "330101001001999", "小区名称": "无处小区"})
        return rows, "区域代码"

    def api_data(self, tree):
        return {"region": tree.community_a.pk, "name": "接口小区"}

    def export_marker(self, obj):
        return obj.name


class TestBuildingRecords(RecordTestCases):
    model = Building
    api_basename = "building"
    edited_field = "name"

    def in_scope(self, tree):
        return f.building(tree.grid_a1, "甲1号楼", estate=f.estate(tree.community_a))

    def out_of_scope(self, tree):
        return f.building(tree.grid_b1, "乙1号楼")

    def form_data(self, tree):
        return {
            "estate": f.estate(tree.community_a).pk,
            "region": tree.grid_a2.pk,
            "name": "甲2号楼",
            "use": "01",
            "floors": 6,
            "underground_floors": 0,
            "entrances": 2,
            "houses_per_floor": 2,
        }

    def outside_form_data(self, tree):
        return {**self.form_data(tree), "estate": "", "region": tree.grid_b1.pk}

    def edit_data(self, tree, obj):
        data = {
            "estate": obj.estate_id or "",
            "region": obj.region_id,
            "name": "甲9号楼",
            "use": obj.use,
            "floors": obj.floors,
            "underground_floors": obj.underground_floors,
            "entrances": obj.entrances,
            "houses_per_floor": obj.houses_per_floor,
        }
        return data, "甲9号楼"

    def import_rows(self, tree):
        f.estate(tree.community_a, "导入小区")
        return [
            {
                "网格代码": tree.grid_a1.code,
                "小区名称": "导入小区",
                "楼栋名称": "1号楼",
                "建筑用途": "住宅",
                "地上层数": "18",
                "单元数": "2",
            },
            {"网格代码": tree.grid_a2.code, "楼栋名称": "幸福路12号", "地上层数": "3"},
        ]

    def bad_import_rows(self, tree):
        rows = self.import_rows(tree)
        rows.append({"网格代码": tree.grid_a1.code, "楼栋名称": "坏楼", "地上层数": "六"})
        return rows, "地上层数"

    def api_data(self, tree):
        return {"region": tree.grid_a1.pk, "name": "接口楼", "use": "01", "floors": 5}

    def export_marker(self, obj):
        return obj.name


class TestHouseRecords(RecordTestCases):
    model = House
    api_basename = "house"
    edited_field = "owner_name"

    def _building(self, tree):
        return f.building(tree.grid_a1, "1号楼", estate=f.estate(tree.community_a))

    def in_scope(self, tree):
        return f.house(self._building(tree), "101", owner_phone="13800000001")

    def out_of_scope(self, tree):
        return f.house(f.building(tree.grid_b1, "乙楼"), "101")

    def form_data(self, tree):
        return {
            "building": self._building(tree).pk,
            "entrance": 1,
            "floor": 2,
            "number": "201",
            "use": "01",
            "ownership": "01",
            "occupancy": "owner_occupied",
            "owner_id_number": f.ID_A,
            "owner_phone": "138 0000 0002",
        }

    def outside_form_data(self, tree):
        return {**self.form_data(tree), "building": f.building(tree.grid_b1, "乙楼").pk}

    def edit_data(self, tree, obj):
        data = {
            "building": obj.building_id,
            "entrance": obj.entrance,
            "floor": obj.floor,
            "number": obj.number,
            "use": obj.use,
            "ownership": obj.ownership,
            "occupancy": obj.occupancy,
            "owner_name": "王五",
        }
        return data, "王五"

    def import_rows(self, tree):
        self._building(tree)
        return [
            {
                "小区名称": "幸福小区",
                "楼栋名称": "1号楼",
                "单元": "1",
                "楼层": "3",
                "门牌号": "301",
                "使用状态": "出租",
                "产权人证件号码": f.ID_C,
                "产权人电话": "13800000009",
            },
            {"楼栋名称": "1号楼", "网格代码": tree.grid_a1.code, "单元": "2", "门牌号": "302"},
        ]

    def bad_import_rows(self, tree):
        rows = self.import_rows(tree)
        rows.append(
            {
                "楼栋名称": "1号楼",
                "单元": "1",
                "门牌号": "102",
                "产权人证件号码": "110105199001011233",
            }
        )
        return rows, "产权人证件号码"

    def api_data(self, tree):
        return {"building": self._building(tree).pk, "entrance": 1, "floor": 3, "number": "302"}

    def export_marker(self, obj):
        return obj.code


class TestRentalRecords(NotImportedRecordTests):
    """Rentals are registered on the form or declared online, never imported."""

    model = Rental
    api_basename = "rental"
    edited_field = "landlord_name"

    def _building(self, tree):
        return f.building(tree.grid_a1, "1号楼")

    def in_scope(self, tree):
        return f.rental(f.house(self._building(tree), "101"))

    def out_of_scope(self, tree):
        return f.rental(f.house(f.building(tree.grid_b1, "乙楼"), "101"))

    def _free_house(self, tree):
        return House.objects.filter(number="202").first() or f.house(
            self._building(tree), "202", floor=2
        )

    def form_data(self, tree):
        return {
            "house": self._free_house(tree).pk,
            "use": "01",
            "landlord_name": "李房东",
            "landlord_id_number": f.ID_B,
            "landlord_phone": "13900000002",
            "rooms": 2,
            "start_date": "2026-01-01",
        }

    def outside_form_data(self, tree):
        outside = f.house(f.building(tree.grid_b1, "乙楼"), "909", floor=3)
        return {**self.form_data(tree), "house": outside.pk}

    def edit_data(self, tree, obj):
        return {"use": obj.use, "landlord_name": "赵房东", "rooms": obj.rooms}, "赵房东"

    def api_data(self, tree):
        return {
            "house": self._free_house(tree).pk,
            "use": "01",
            "landlord_name": "接口房东",
            "landlord_phone": "13900000003",
        }

    def export_marker(self, obj):
        return obj.rental_no


class TestHazardCheckRecords(NotImportedRecordTests):
    """Checks are recorded one by one at the door, never imported."""

    model = HazardCheck
    api_basename = "hazardcheck"
    edited_field = "inspector"

    def perms(self, *actions):
        return super().perms(*(a for a in actions if a != "import"))  # no import permission

    def _house(self, tree):
        return House.objects.filter(region=tree.grid_a1).first() or f.house(
            f.building(tree.grid_a1), "101"
        )

    def in_scope(self, tree):
        return f.check(self._house(tree), inspector="甲检查员")

    def out_of_scope(self, tree):
        return f.check(f.house(f.building(tree.grid_b1, "乙楼"), "101"), inspector="乙检查员")

    def form_data(self, tree):
        return {
            "house": self._house(tree).pk,
            "checked_on": "2026-03-01",
            "inspector": "张网格",
            "hazard": "01",
            "result": "rectify",
            "rectify_by": "2026-03-15",
        }

    def outside_form_data(self, tree):
        outside = f.house(f.building(tree.grid_b1, "乙楼"), "909", floor=3)
        return {**self.form_data(tree), "house": outside.pk}

    def edit_data(self, tree, obj):
        data = {
            "house": obj.house_id,
            "checked_on": "2026-03-01",
            "inspector": "李网格",
            "result": obj.result,
        }
        return data, "李网格"

    def api_data(self, tree):
        return {
            "house": self._house(tree).pk,
            "checked_on": "2026-03-01",
            "inspector": "接口检查员",
            "result": "passed",
        }

    def export_marker(self, obj):
        return obj.inspector
