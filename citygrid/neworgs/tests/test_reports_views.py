"""The monthly report's pages, actions and exports, as a community and a township see them."""

import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from citygrid.core import records
from citygrid.neworgs import reports
from citygrid.neworgs.models import (
    MonthlyReport,
    MonthlyReportReminder,
    NewOrganisation,
    OrgBranch,
)
from citygrid.neworgs.models.reports import ReportState
from citygrid.regions.models import Region

pytestmark = pytest.mark.django_db

FILER = [
    "neworgs.view_monthlyreport",
    "neworgs.submit_monthlyreport",
]
TOWNSHIP = [*FILER, "neworgs.remind_monthlyreport"]


@pytest.fixture
def month():
    return timezone.localdate().replace(day=1)


@pytest.fixture
def community_a2(tree):
    region = Region(parent=tree.township_a, level="community", code="330101001002", name="甲二社区")
    region.save()
    return region


def page(region, month):
    return f"{reverse('neworgs:monthlyreport_home')}?region={region.pk}&month={month:%Y-%m}"


def test_a_community_generates_and_submits_from_its_page(client, tree, make_user, month):
    organisation = NewOrganisation(
        region=tree.grid_a1, name="甲公司", kind="enterprise", head_name="张三", employees=12
    )
    records.save_record(organisation, actor=None)
    user = make_user(FILER, scope=[tree.community_a])
    client.force_login(user)

    response = client.get(reverse("neworgs:monthlyreport_home"))
    assert response.status_code == 200
    assert "本月月报尚未生成" in response.content.decode()

    data = {"region": tree.community_a.pk, "month": f"{month:%Y-%m}"}
    response = client.post(reverse("neworgs:monthlyreport_generate"), data, follow=True)
    text = response.content.decode()
    assert "月报已生成，请审核后上报" in text
    assert "非公有制经济组织" in text and ">12<" in text
    report = MonthlyReport.objects.get()
    response = client.post(reverse("neworgs:monthlyreport_submit", args=[report.pk]), follow=True)
    assert "月报已上报" in response.content.decode()
    assert MonthlyReport.objects.get().state == ReportState.SUBMITTED
    response = client.post(reverse("neworgs:monthlyreport_submit", args=[report.pk]), follow=True)
    assert "该月报已上报，不能重复上报" in response.content.decode()


def test_a_township_sees_its_board_and_reminds_the_late(
    client, tree, community_a2, make_user, month
):
    filer = make_user(FILER, scope=[tree.community_a])
    make_user(FILER, scope=[community_a2])
    report = reports.generate_report(tree.community_a, month, actor=filer)
    reports.submit_report(report, actor=filer)
    township = make_user(TOWNSHIP, scope=[tree.township_a])
    client.force_login(township)

    text = client.get(page(tree.township_a, month)).content.decode()
    assert "共 2 个，已上报 1 个，未上报 1 个" in text
    assert "催报" in text

    data = {"region": community_a2.pk, "month": f"{month:%Y-%m}"}
    response = client.post(reverse("neworgs:monthlyreport_remind"), data, follow=True)
    assert "已向甲二社区催报" in response.content.decode()
    assert MonthlyReportReminder.objects.get().region == community_a2

    export = client.get(
        reverse("neworgs:monthlyreport_board_export"),
        {"region": tree.township_a.pk, "month": f"{month:%Y-%m}"},
    )
    sheet = load_workbook(io.BytesIO(export.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == ["区划代码", "区域名称", "上报状态", "上报人", "上报时间", "最近催报时间"]
    assert [row[:3] for row in rows[1:]] == [
        ["330101001001", "甲社区", "已上报"],
        ["330101001002", "甲二社区", "未生成"],
    ]


def test_the_report_exports_with_chinese_headers(client, tree, make_user, month):
    for employees, branches in ((10, ["party"]), (20, [])):
        organisation = NewOrganisation(
            region=tree.grid_a1,
            name=f"公司{employees}",
            kind="enterprise",
            head_name="张三",
            employees=employees,
        )
        records.save_record(organisation, actor=None)
        for kind in branches:
            records.save_record(OrgBranch(organisation=organisation, kind=kind), actor=None)
    user = make_user(FILER, scope=[tree.community_a])
    report = reports.generate_report(tree.community_a, month, actor=user)
    client.force_login(user)

    response = client.get(reverse("neworgs:monthlyreport_export", args=[report.pk]))

    book = load_workbook(io.BytesIO(response.content))
    rows = [[cell.value for cell in row] for row in book["月报"].iter_rows()]
    assert rows[0][:7] == [
        "组织类型",
        "期末总数",
        "本月新增",
        "本月注销",
        "专职工作人员数",
        "从业人员数",
        "建立党组织数",
    ]
    assert rows[0][11] == "党组织覆盖率"
    assert rows[1][:7] == ["非公有制经济组织", 2, 2, 0, 0, 30, 1]
    assert rows[1][11] == 0.5
    assert rows[-1][0] == "合计"


def test_scope_a_community_never_sees_beside_or_above(client, tree, make_user, month):
    township = make_user(FILER, scope=[tree.township_a])
    above = reports.generate_report(tree.township_a, month, actor=township)
    beside = reports.generate_report(
        tree.community_b, month, actor=make_user(FILER, scope=[tree.community_b])
    )
    client.force_login(make_user(FILER, scope=[tree.community_a]))

    for region in (tree.township_a, tree.community_b):
        assert client.get(page(region, month)).status_code == 404
    for report in (above, beside):
        assert client.get(reverse("neworgs:monthlyreport", args=[report.pk])).status_code == 404
        assert (
            client.get(reverse("neworgs:monthlyreport_export", args=[report.pk])).status_code == 404
        )
        assert (
            client.post(reverse("neworgs:monthlyreport_submit", args=[report.pk])).status_code
            == 404
        )
    data = {"region": tree.community_b.pk, "month": f"{month:%Y-%m}"}
    assert client.post(reverse("neworgs:monthlyreport_generate"), data).status_code == 404
    assert MonthlyReport.objects.get(pk=beside.pk).state == ReportState.DRAFT


def test_a_township_user_opens_a_community_report(client, tree, make_user, month):
    filer = make_user(FILER, scope=[tree.community_a])
    report = reports.generate_report(tree.community_a, month, actor=filer)
    client.force_login(make_user(["neworgs.view_monthlyreport"], scope=[tree.township_a]))
    response = client.get(reverse("neworgs:monthlyreport", args=[report.pk]), follow=True)
    text = response.content.decode()
    assert "甲社区" in text and "草稿（待审核上报）" in text
    assert "生成月报" not in text and "上报</button>" not in text  # no submit permission


def test_without_the_view_permission_the_page_is_forbidden(client, tree, make_user):
    client.force_login(make_user([], scope=[tree.community_a]))
    assert client.get(reverse("neworgs:monthlyreport_home")).status_code == 403
