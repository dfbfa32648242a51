"""Generic record tests for units (list/detail/edit/delete/import/export/API with the four
permission cases)."""

import pytest

from citygrid.core.testing import RecordTestCases
from citygrid.units.models import Unit
from citygrid.units.tests import factories as f

pytestmark = pytest.mark.django_db


class TestUnitRecords(RecordTestCases):
    model = Unit
    api_basename = "unit"
    edited_field = "name"

    def in_scope(self, tree):
        return f.unit("甲饭店", uscc=f.USCC_A, contact_phone="13800000001")

    def out_of_scope(self, tree):
        return f.unit("乙网吧", lng=120.105, lat=30.005, unit_class="internet_cafe")

    def form_data(self, tree):
        return {
            "name": "新建宾馆",
            "unit_class": "hotel",
            "uscc": f.USCC_B,
            "status": "open",
            "lng": "120.015",
            "lat": "30.005",
            "legal_representative": "张三",
            "contact_phone": "138 0000 0002",
            "staff_count": 12,
        }

    def outside_form_data(self, tree):
        return {**self.form_data(tree), "lng": "120.105"}

    def edit_data(self, tree, obj):
        data = {
            "name": "改名饭店",
            "unit_class": obj.unit_class,
            "status": obj.status,
            "lng": obj.lng,
            "lat": obj.lat,
            "staff_count": obj.staff_count,
            "uscc": obj.uscc or "",
        }
        return data, "改名饭店"

    def import_rows(self, tree):
        return [
            {
                "单位名称": "导入酒吧",
                "单位类别": "酒吧",
                "统一社会信用代码": f.USCC_C,
                "经度": "120.005",
                "纬度": "30.006",
                "联系电话": "13800000009",
                "区域代码": "",
            },
            {"单位名称": "导入小吃店", "单位类别": "餐饮饭店", "区域代码": tree.grid_a2.code},
        ]

    def bad_import_rows(self, tree):
        rows = self.import_rows(tree)
        bad = {"单位名称": "坏码单位", "单位类别": "网吧", "统一社会信用代码": "91330100MA00000159"}
        rows.append({**bad, "区域代码": tree.grid_a1.code})
        return rows, "统一社会信用代码"

    def api_data(self, tree):
        return {"name": "接口网吧", "unit_class": "internet_cafe", "lng": 120.012, "lat": 30.002}

    def export_marker(self, obj):
        return obj.name
