"""Generic record tests for regions and grid workers (list/detail/edit/delete/import/export/API
with the four permission cases)."""

import pytest

from citygrid.core.testing import RecordTestCases
from citygrid.regions.models import GridWorker, Region

pytestmark = pytest.mark.django_db

WKT_A3 = "POLYGON ((120.02 30, 120.03 30, 120.03 30.01, 120.02 30.01, 120.02 30))"


class TestRegionRecords(RecordTestCases):
    model = Region
    api_basename = "region"
    edited_field = "name"

    def in_scope(self, tree):
        return tree.grid_a1

    def out_of_scope(self, tree):
        return tree.grid_b1

    def deletable(self, tree):
        return tree.grid_a2

    def form_data(self, tree):
        return {
            "parent": tree.community_a.pk,
            "level": "grid",
            "code": "330101001001003",
            "name": "甲三网格",
            "kind": "basic",
            "boundary": WKT_A3,
        }

    def outside_form_data(self, tree):
        return {
            "parent": tree.community_b.pk,
            "level": "grid",
            "code": "330102001001009",
            "name": "越界网格",
            "kind": "basic",
        }

    def edit_data(self, tree, obj):
        return {
            "parent": obj.parent_id,
            "level": obj.level,
            "code": obj.code,
            "name": "改名网格",
            "kind": obj.kind or "basic",
        }, "改名网格"

    def import_rows(self, tree):
        return [
            {"区划代码": "330101002", "名称": "新街道", "层级": "街道/乡镇"},
            {"区划代码": "330101002001", "名称": "新社区", "层级": "社区/村"},
            {
                "区划代码": "330101002001001",
                "名称": "新社区第一网格",
                "层级": "网格",
                "网格类型": "基础网格",
                "边界(WKT)": WKT_A3,
            },
        ]

    def bad_import_rows(self, tree):
        rows = self.import_rows(tree)
        rows.append({"区划代码": "33010100200A", "名称": "坏代码社区", "层级": "社区/村"})
        return rows, "区划代码"

    def api_data(self, tree):
        return {
            "parent": tree.community_a.pk,
            "level": "grid",
            "code": "330101001001004",
            "name": "接口网格",
            "boundary": WKT_A3,
        }

    def export_marker(self, obj):
        return obj.code


class TestGridWorkerRecords(RecordTestCases):
    model = GridWorker
    api_basename = "gridworker"
    edited_field = "name"

    def worker(self, grid, name, phone):
        worker = GridWorker(region=grid, name=name, role="grid_worker", phone=phone)
        worker.full_clean()
        worker.save()
        return worker

    def in_scope(self, tree):
        return self.worker(tree.grid_a1, "张三", "13800000001")

    def out_of_scope(self, tree):
        return self.worker(tree.grid_b1, "李四", "13800000002")

    def form_data(self, tree):
        return {
            "region": tree.grid_a2.pk,
            "name": "王五",
            "role": "patroller",
            "phone": "138 0000 0003",
            "active": "on",
        }

    def outside_form_data(self, tree):
        return {**self.form_data(tree), "region": tree.grid_b1.pk}

    def edit_data(self, tree, obj):
        return {
            "region": obj.region_id,
            "name": "赵六",
            "role": obj.role,
            "phone": obj.phone,
            "active": "on",
        }, "赵六"

    def import_rows(self, tree):
        return [
            {
                "网格代码": tree.grid_a1.code,
                "姓名": "钱一",
                "岗位": "网格员",
                "手机号码": "13900000001",
            },
            {
                "网格代码": tree.grid_a2.code,
                "姓名": "孙二",
                "岗位": "监督员",
                "手机号码": "13900000002",
            },
        ]

    def bad_import_rows(self, tree):
        rows = self.import_rows(tree)
        rows.append(
            {"网格代码": tree.grid_a1.code, "姓名": "周三", "岗位": "网格员", "手机号码": "1234"}
        )
        return rows, "手机号码"

    def api_data(self, tree):
        return {
            "region": tree.grid_a1.pk,
            "name": "吴七",
            "role": "inspector",
            "phone": "13700000007",
        }

    def export_marker(self, obj):
        return obj.name
