"""Generic record tests for new organisations (every page, import/export, API) and for their
parts (branches, regulations, work records: pages and API; no import/export of their own)."""

import pytest

from citygrid.core.testing import (
    ApiReadTests,
    ApiWriteTests,
    NotExportableTests,
    NotImportableTests,
    PageTests,
    RecordTestCases,
    logged,
)
from citygrid.neworgs.models import NewOrganisation, OrgBranch, Regulation, WorkRecord
from citygrid.neworgs.tests.conftest import uscc

pytestmark = pytest.mark.django_db


def organisation(region, name, serial, **fields):
    return logged(
        NewOrganisation,
        region=region,
        name=name,
        kind="enterprise",
        uscc=uscc(serial),
        head_name="张经理",
        **fields,
    )


class TestNewOrganisationRecords(RecordTestCases):
    model = NewOrganisation
    api_basename = "neworganisation"
    edited_field = "name"

    def in_scope(self, tree):
        return organisation(tree.grid_a1, "甲一科技有限公司", 1, head_phone="13800000001")

    def out_of_scope(self, tree):
        return organisation(tree.grid_b1, "乙一商贸有限公司", 2)

    def form_data(self, tree):
        return {
            "region": tree.grid_a2.pk,
            "name": "甲二律师事务所",
            "kind": "private_non_enterprise",
            "uscc": uscc(3),
            "head_name": "李律师",
            "head_phone": "138 0000 0003",
            "full_time_staff": 2,
            "employees": 15,
            "established_on": "2020-05-01",
        }

    def outside_form_data(self, tree):
        return {**self.form_data(tree), "region": tree.grid_b1.pk}

    def edit_data(self, tree, obj):
        return {
            "region": obj.region_id,
            "name": "甲一科技（集团）有限公司",
            "kind": obj.kind,
            "uscc": obj.uscc,
            "head_name": obj.head_name,
            "full_time_staff": 1,
            "employees": 30,
        }, "甲一科技（集团）有限公司"

    def import_rows(self, tree):
        return [
            {
                "统一社会信用代码": uscc(11),
                "组织名称": "导入一号公司",
                "组织类型": "非公有制经济组织",
                "所属区域代码": tree.grid_a1.code,
                "负责人": "王一",
                "负责人电话": "13900000001",
                "从业人员数": "12",
            },
            {
                "统一社会信用代码": uscc(12),
                "组织名称": "导入二号协会",
                "组织类型": "社会团体",
                "所属区域代码": tree.community_a.code,
                "负责人": "王二",
                "成立日期": "2019-03-01",
            },
        ]

    def bad_import_rows(self, tree):
        rows = self.import_rows(tree)
        bad = uscc(13)[:-1] + ("0" if uscc(13)[-1] != "0" else "1")
        rows.append({**rows[0], "统一社会信用代码": bad, "组织名称": "校验位错误公司"})
        return rows, "统一社会信用代码"

    def api_data(self, tree):
        return {
            "region": tree.grid_a1.pk,
            "name": "接口基金会",
            "kind": "foundation",
            "uscc": uscc(21),
            "head_name": "赵理事长",
            "head_phone": "13700000001",
        }

    def export_marker(self, obj):
        return obj.uscc


class PartCases(PageTests, ApiReadTests, ApiWriteTests, NotImportableTests, NotExportableTests):
    """Parts are written from their organisation's page; scope follows the organisation."""

    def perms(self, *actions):
        # No file import or export of their own: no such permissions to grant.
        return super().perms(*(a for a in actions if a not in ("import", "export")))

    def organisations(self, tree):
        if not hasattr(self, "_orgs"):
            self._orgs = (
                organisation(tree.grid_a1, "甲一科技有限公司", 1),
                organisation(tree.grid_b1, "乙一商贸有限公司", 2),
            )
        return self._orgs


class TestOrgBranchRecords(PartCases):
    model = OrgBranch
    api_basename = "orgbranch"
    edited_field = "members"

    def in_scope(self, tree):
        return logged(OrgBranch, organisation=self.organisations(tree)[0], kind="party", members=3)

    def out_of_scope(self, tree):
        return logged(OrgBranch, organisation=self.organisations(tree)[1], kind="party")

    def form_data(self, tree):
        org = self.organisations(tree)[0]
        return {"organisation": org.pk, "kind": "union", "head_name": "工会主席", "members": 12}

    def outside_form_data(self, tree):
        return {**self.form_data(tree), "organisation": self.organisations(tree)[1].pk}

    def edit_data(self, tree, obj):
        return {"organisation": obj.organisation_id, "kind": obj.kind, "members": 7}, 7

    def api_data(self, tree):
        return {"organisation": self.organisations(tree)[0].pk, "kind": "women", "members": 4}


class TestWorkRecordRecords(PartCases):
    model = WorkRecord
    api_basename = "workrecord"
    edited_field = "content"

    def in_scope(self, tree):
        org = self.organisations(tree)[0]
        return logged(WorkRecord, organisation=org, date="2026-03-01", content="召开党员大会")

    def out_of_scope(self, tree):
        org = self.organisations(tree)[1]
        return logged(WorkRecord, organisation=org, date="2026-03-02", content="开展安全培训")

    def form_data(self, tree):
        org = self.organisations(tree)[0]
        return {"organisation": org.pk, "date": "2026-04-01", "content": "组织志愿服务"}

    def outside_form_data(self, tree):
        return {**self.form_data(tree), "organisation": self.organisations(tree)[1].pk}

    def edit_data(self, tree, obj):
        return {
            "organisation": obj.organisation_id,
            "date": "2026-03-01",
            "content": "召开党员大会并学习文件",
        }, "召开党员大会并学习文件"

    def api_data(self, tree):
        org = self.organisations(tree)[0]
        return {"organisation": org.pk, "date": "2026-05-01", "content": "走访职工家庭"}


class TestRegulationRecords(PartCases):
    model = Regulation
    api_basename = "regulation"
    edited_field = "title"

    def in_scope(self, tree):
        return logged(Regulation, organisation=self.organisations(tree)[0], title="三会一课制度")

    def out_of_scope(self, tree):
        return logged(Regulation, organisation=self.organisations(tree)[1], title="安全生产制度")

    def form_data(self, tree):
        return {"organisation": self.organisations(tree)[0].pk, "title": "民主评议党员制度"}

    def outside_form_data(self, tree):
        return {**self.form_data(tree), "organisation": self.organisations(tree)[1].pk}

    def edit_data(self, tree, obj):
        return {"organisation": obj.organisation_id, "title": "组织生活会制度"}, "组织生活会制度"

    def api_data(self, tree):
        return {"organisation": self.organisations(tree)[0].pk, "title": "职工代表大会制度"}
