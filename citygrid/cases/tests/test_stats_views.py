"""The 事件指标 page and its export: figures of the user's territory only, 403 and 404 as usual."""

import io
import re

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from citygrid.cases.models import Department
from citygrid.cases.stats.views import period_bounds
from citygrid.cases.tests.test_indicators import NOW, build_story
from citygrid.core.models import AccessLog

pytestmark = pytest.mark.django_db

URL = "/statistics/"
EXPORT = "/statistics/export/"
MARCH = {"period": "custom", "start": "2026-03-01", "end": "2026-03-31"}


@pytest.fixture
def story(tree, make_user, monkeypatch):
    built = build_story(tree, make_user)
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    return built


def viewer(make_user, *regions):
    return make_user(perms=["cases.view_case"], scope=list(regions))


def kpis(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-kpi="(\w+)">([^<]*)<', html))


def rows(html: str, table: str) -> list[list[str]]:
    body = html.split(f'id="{table}"')[1].split("</table>")[0]
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", row)]
        for row in re.findall(r"<tr data-[a-z]+=.*?</tr>", body, re.S)
    ]


def test_permitted_user_sees_kpis_of_their_region(client, story, tree, make_user):
    client.force_login(viewer(make_user, tree.city))
    response = client.get(URL, {**MARCH, "region": tree.county_a.code})
    assert response.status_code == 200
    html = response.content.decode()
    # County A in March (test_indicators.test_region_filter_is_a_subtree).
    assert kpis(html) == {
        "registered": "5",
        "closed": "3",
        "due_to_close": "4",
        "close_rate": "75.00%",
        "on_time_close_rate": "50.00%",
        "on_time_handle_rate": "60.00%",
        "rework_rate": "25.00%",
        "extension_rate": "0.00%",
        "overdue_handling": "1",
        "inspector_rate": "40.00%",
        "avg_handling_hours": "4.25",
        "satisfaction": "4.00",
    }
    assert "2026-03-01 至 2026-03-31" in html
    # One child (甲街道) holding all of county A; breadcrumb from the city down.
    assert rows(html, "region-table") == [
        [
            "甲街道",
            "5",
            "40.00%",
            "3",
            "4",
            "75.00%",
            "50.00%",
            "4",
            "60.00%",
            "25.00%",
            "1",
            "4.00",
        ]
    ]
    assert "测试市" in html.split('class="page-pretitle"')[1].split("</div>")[0]
    # Departments in county A: D1 (按期处置率 3/4) before D2 (C5 overdue: 0 of 1 due).
    ranking = rows(html, "department-table")
    assert [r[:2] for r in ranking] == [["1", "城管执法局"], ["2", "住建局"]]
    assert 'id="stats-data"' in html and "echarts.min.js" in html
    assert "stats_indicators.js" in html


def test_default_is_this_month_in_the_users_scope(client, story, tree, make_user):
    client.force_login(viewer(make_user, tree.city))
    html = client.get(URL).content.decode()
    # now = 2026-04-02: April. C9 registered at 04-01 00:00; backlog now: C6 待签收 overdue.
    assert "2026-04-01 至 2026-04-30" in html
    figures = kpis(html)
    assert (figures["registered"], figures["overdue_handling"], figures["close_rate"]) == (
        "1",
        "1",
        "0.00%",
    )
    assert [r[0] for r in rows(html, "region-table")] == ["甲区", "乙区"]


def test_department_filter(client, story, tree, make_user):
    client.force_login(viewer(make_user, tree.city))
    html = client.get(URL, {**MARCH, "department": story.d2.pk}).content.decode()
    figures = kpis(html)
    # D2 in March: 1 handled on time of 2 due, 1 extension of 3 dispatches.
    assert (figures["on_time_handle_rate"], figures["extension_rate"]) == ("50.00%", "33.33%")
    assert [r[1] for r in rows(html, "department-table")] == ["住建局"]


def test_scope_limits_every_figure(client, story, tree, make_user):
    client.force_login(viewer(make_user, tree.county_b))
    html = client.get(URL, MARCH).content.decode()
    figures = kpis(html)
    assert (figures["registered"], figures["closed"]) == ("2", "1")  # C4 C6; C4
    assert "甲区" not in html and "甲街道" not in html
    html = client.get(URL, {**MARCH, "region": tree.grid_b1.code}).content.decode()
    assert kpis(html)["registered"] == "2" and "没有下级区域" in html


def test_several_scope_regions_are_summed(client, story, tree, make_user):
    client.force_login(viewer(make_user, tree.grid_a1, tree.county_b))
    html = client.get(URL, MARCH).content.decode()
    # A1 (C1 C3 C10) + county B (C4 C6) = 5 registered; closed C1 C3 + C4 = 3.
    figures = kpis(html)
    assert (figures["registered"], figures["closed"]) == ("5", "3")
    assert [r[0] for r in rows(html, "region-table")] == ["甲一网格", "乙区"]


def test_out_of_scope_region_or_department_is_404(client, story, tree, make_user):
    client.force_login(viewer(make_user, tree.county_a))
    assert client.get(URL, {"region": tree.county_b.code}).status_code == 404
    assert client.get(URL, {"region": "999999"}).status_code == 404
    assert client.get(EXPORT, {"region": tree.county_b.code}).status_code == 404
    foreign = Department.objects.create(name="乙区城管", code="B-CG", region=tree.county_b)
    assert client.get(URL, {"department": foreign.pk}).status_code == 404
    assert client.get(URL, {"department": "x"}).status_code == 404
    # A city department handles county A's cases too: allowed.
    assert client.get(URL, {"department": story.d1.pk}).status_code == 200


def test_permission_required(client, story, tree, make_user):
    assert client.get(URL).status_code == 302  # anonymous: to the login page
    client.force_login(make_user(perms=["regions.view_region"], scope=[tree.city]))
    assert client.get(URL).status_code == 403
    assert client.get(EXPORT).status_code == 403
    assert AccessLog.objects.filter(action="export").count() == 0


def test_menu_links_the_page(client, story, tree, make_user):
    client.force_login(viewer(make_user, tree.city))
    assert 'href="/statistics/"' in client.get("/").content.decode()


def test_bad_custom_period_falls_back_to_this_month(client, story, tree, make_user):
    client.force_login(viewer(make_user, tree.city))
    html = client.get(
        URL, {"period": "custom", "start": "2026-03-31", "end": "2026-03-01"}
    ).content.decode()
    assert "开始日期不能晚于结束日期" in html and "2026-04-01 至 2026-04-30" in html
    response = client.get(URL, {"period": "decade", "department": story.d1.pk})
    html = response.content.decode()
    assert response.status_code == 200 and 'id="filter-errors"' in html
    assert "城管执法局" in html.split('id="period-label"')[1].split("</div>")[0]


def test_superuser_sees_everything(client, story, tree, make_user):
    client.force_login(make_user(superuser=True))
    html = client.get(URL, MARCH).content.decode()
    # The only root (the city) is the default; region="" is everything, the city as one row.
    assert kpis(html)["registered"] == "7"
    assert [r[0] for r in rows(html, "region-table")] == ["甲区", "乙区"]
    html = client.get(URL, {**MARCH, "region": ""}).content.decode()
    assert kpis(html)["registered"] == "7"
    assert [r[0] for r in rows(html, "region-table")] == ["测试市"]


def test_export_is_a_workbook_and_is_logged(client, story, tree, make_user):
    user = viewer(make_user, tree.city)
    client.force_login(user)
    response = client.get(EXPORT, {**MARCH, "region": tree.city.code})
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="indicators_20260301_20260331.xlsx"'
    )
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["区域", "部门"]
    regions = list(wb["区域"].iter_rows(values_only=True))
    header = regions[0]
    assert header[:4] == ("区划代码", "区域名称", "上报数", "立案数")
    col = {name: i for i, name in enumerate(header)}
    by_name = {row[1]: row for row in regions[1:]}
    assert set(by_name) == {"甲区", "乙区", "合计（测试市）"}
    total = by_name["合计（测试市）"]
    assert (total[col["立案数"]], total[col["应结案数"]]) == (7, 6)
    assert total[col["结案率"]] == pytest.approx(4 / 6)
    assert by_name["乙区"][col["满意度"]] is None  # nothing to average: an empty cell
    departments = list(wb["部门"].iter_rows(values_only=True))
    assert departments[0][:3] == ("排名", "部门代码", "部门名称")
    assert [row[:3] for row in departments[1:]] == [
        (1, "CG01", "城管执法局"),
        (2, "ZJ01", "住建局"),
    ]
    log = AccessLog.objects.get(action="export")
    assert (log.user, log.record_count) == (user, 2 + 2)
    assert "事件指标" in log.detail and "2026-03-01 至 2026-03-31" in log.detail


def test_page_query_count_is_bounded(client, story, tree, make_user, django_assert_max_num_queries):
    client.force_login(viewer(make_user, tree.city))
    client.get(URL, MARCH)  # warm the session and content-type caches
    with django_assert_max_num_queries(20):  # 18 today: auth, regions, 5 for the figures, …
        assert client.get(URL, {**MARCH, "region": tree.city.code}).status_code == 200


@pytest.mark.parametrize(
    ("period", "first", "after"),
    [
        ("month", "2026-04-01", "2026-05-01"),
        ("last_month", "2026-03-01", "2026-04-01"),
        ("quarter", "2026-04-01", "2026-07-01"),
        ("year", "2026-01-01", "2027-01-01"),
    ],
)
def test_period_presets(period, first, after):
    import datetime

    bounds = period_bounds(period, datetime.date(2026, 4, 2))
    assert [d.isoformat() for d in bounds] == [first, after]
    assert period_bounds("last_month", datetime.date(2026, 1, 15))[0].isoformat() == "2025-12-01"


def test_every_indicator_read_of_the_page_and_the_api_is_marked_for_the_replica(
    client, api_client, story, tree, make_user, monkeypatch
):
    from citygrid.cases import indicators
    from citygrid.core import routers

    marked = []
    for name in ("overview", "monthly_trend", "satisfaction_distribution", "compute"):
        real = getattr(indicators, name)

        def spy(*args, _real=real, _name=name, **kwargs):
            marked.append((_name, routers._marked.get()))
            return _real(*args, **kwargs)

        monkeypatch.setattr(indicators, name, spy)
    user = viewer(make_user, tree.city)
    client.force_login(user)
    assert client.get(URL, MARCH).status_code == 200
    assert client.get(EXPORT, MARCH).status_code == 200
    api_client.force_authenticate(user)
    api = api_client.get("/api/cases/indicators/", {"start": "2026-03-01", "end": "2026-03-31"})
    assert api.status_code == 200
    assert {name for name, _ in marked} == {
        "overview",
        "monthly_trend",
        "satisfaction_distribution",
        "compute",
    }
    assert all(on for _, on in marked), marked
