"""人口统计: exact figures of a small population, scope (403/404), hidden special groups, export."""

import io
import json
import re
from datetime import date

import pytest
from django.core.cache import cache
from django.utils import timezone
from openpyxl import load_workbook

from citygrid.core.models import AccessLog
from citygrid.core.validators import id_number_check_char
from citygrid.people import ages
from citygrid.people.models import (
    AtRiskYouth,
    FloatingDetail,
    KeyPerson,
    Person,
    SpecialGroup,
    VulnerableGroup,
)
from citygrid.people.stats import queries

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 15)
URL = "/statistics/population/"
DATA = "/statistics/population/data/"
EXPORT = "/statistics/population/export/"
VIEWER = ["people.view_person", "people.view_vulnerablegroup", "people.view_keyperson"]
VIEWER += ["people.view_atriskyouth"]
_serial = {"n": 0}


def make_person(region, name, sex, born, **fields) -> Person:
    """A person with a valid resident ID number (or a passport when `id_type` says so)."""
    _serial["n"] += 1
    n = _serial["n"]
    if fields.get("id_type", "111") == "111":
        # Three digits whatever the process has built before (parity keeps the sex digit).
        order = f"{(2 * n + (1 if sex == '1' else 2)) % 1000:03d}"
        body = f"330101{born:%Y%m%d}{order}"
        fields["id_number"] = body + id_number_check_char(body)
    else:
        fields.setdefault("id_number", f"E{n:08d}")
        fields.update(sex=sex, birth_date=born)
    person = Person(region=region, name=name, **fields)
    person.full_clean()
    person.save()
    return person


def floating(person, direction, registered_on) -> FloatingDetail:
    destination = "外省" if direction == "outflow" else ""
    return FloatingDetail.objects.create(
        person=person, direction=direction, registered_on=registered_on, destination=destination
    )


@pytest.fixture
def today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)
    return TODAY


@pytest.fixture
def population(tree, today):
    return build_population(tree)


def build_population(tree) -> dict[str, Person]:
    """County A: 7 persons living there (one not yet in a grid) and one moved out; county B: 2."""
    a1, a2 = tree.grid_a1, tree.grid_a2
    p = {}
    # Band edges: 5 today → 5-9; born a day later → 0-4; 85 today → 85+; a day later → 80-84.
    p["boy"] = make_person(a1, "张小明", "1", date(2021, 3, 15), education="80")
    p["girl"] = make_person(
        a1, "李小红", "2", date(2021, 3, 16), residence_type="floating", ethnicity="03"
    )
    p["elder"] = make_person(a1, "王老汉", "1", date(1941, 3, 15), education="80")
    p["foreigner"] = make_person(
        a1, "安娜", "2", date(1941, 3, 16), residence_type="overseas", id_type="414"
    )
    p["worker"] = make_person(
        a2, "赵工", "1", date(1990, 6, 1), residence_type="floating", education="20"
    )
    p["returner"] = make_person(a2, "钱女士", "2", date(1990, 1, 1), residence_type="floating")
    p["gone"] = make_person(
        a2, "孙先生", "1", date(1980, 5, 5), residence_type="floating", status="moved_out"
    )
    p["unplaced"] = make_person(tree.community_a, "周女士", "2", date(2000, 1, 1), education="20")
    p["b_man"] = make_person(tree.grid_b1, "吴先生", "1", date(1970, 1, 1))
    p["b_woman"] = make_person(tree.grid_b1, "郑女士", "2", date(1975, 1, 1))
    # Flows: April 2025 is the first month of the window, March 2025 falls outside it.
    floating(p["girl"], "inflow", date(2026, 3, 1))
    floating(p["worker"], "inflow", date(2025, 4, 10))
    floating(p["returner"], "outflow", date(2025, 3, 31))
    floating(p["gone"], "inflow", date(2026, 2, 2))
    floating(p["b_man"], "inflow", date(2026, 3, 2))
    # Memberships: open ones count, ended ones and moved-out persons do not.
    start = date(2025, 1, 1)
    SpecialGroup.objects.create(person=p["elder"], kind="released_prisoner", started_on=start)
    SpecialGroup.objects.create(person=p["gone"], kind="drug_user", started_on=start)
    SpecialGroup.objects.create(person=p["b_man"], kind="released_prisoner", started_on=start)
    VulnerableGroup.objects.create(person=p["boy"], kind="left_behind_child", started_on=start)
    VulnerableGroup.objects.create(
        person=p["foreigner"], kind="empty_nest_elder", started_on=start, ended_on=date(2026, 1, 1)
    )
    VulnerableGroup.objects.create(person=p["elder"], kind="empty_nest_elder", started_on=start)
    KeyPerson.objects.create(person=p["worker"], type="01", started_on=start)
    AtRiskYouth.objects.create(person=p["girl"], type="01", started_on=start)
    return p


def kpis(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-kpi="(\w+)">([^<]*)<', html))


def child_rows(html: str) -> list[list[str]]:
    body = html.split('id="children-table"')[1].split("</table>")[0]
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr data-region=.*?</tr>", body, re.S)
    ]


def chart(html: str) -> dict:
    text = html.split('id="population-data" type="application/json">')[1].split("</script>")[0]
    return json.loads(text)


# --- queries ---------------------------------------------------------------------------------


def test_band_ranges_at_the_edges():
    bands = queries.band_ranges(TODAY)
    assert len(bands) == 18
    assert bands[0] == ("0-4岁", date(2021, 3, 16), date(2026, 3, 15))
    assert bands[1] == ("5-9岁", date(2016, 3, 16), date(2021, 3, 15))
    assert bands[-1] == ("85岁及以上", None, date(1941, 3, 15))
    # 29 February: a leap-day birthday is had on 28 February of a common year.
    assert ages.years_before(date(2024, 2, 29), 5) == date(2019, 2, 28)


def test_figures_of_county_a(population, tree, make_user):
    user = make_user(perms=VIEWER, scope=[tree.county_a])
    qs = queries.persons(user, tree.county_a)
    assert qs.count() == 7
    assert [(r.label, r.count) for r in queries.by_residence_type(qs)] == [
        ("户籍人口", 3),
        ("流动人口", 3),
        ("境外人员", 1),
    ]
    assert [(r.label, r.count) for r in queries.by_sex(qs)] == [("女性", 4), ("男性", 3)]
    bands, undated = queries.age_pyramid(qs, TODAY)
    shown = {b.label: (b.male, b.female) for b in bands if b.male or b.female}
    assert shown == {
        "0-4岁": (0, 1),
        "5-9岁": (1, 0),
        "25-29岁": (0, 1),
        "35-39岁": (1, 1),
        "80-84岁": (0, 1),
        "85岁及以上": (1, 0),
    }
    assert undated == 0
    assert [(r.label, r.count) for r in queries.by_dictionary(qs, "education", "education")] == [
        ("未填写", 3),
        ("大学本科", 2),
        ("小学", 2),
    ]
    assert [(r.label, r.count) for r in queries.by_dictionary(qs, "ethnicity", "ethnicity")] == [
        ("汉族", 6),
        ("回族", 1),
    ]


def test_categories_need_their_permission(population, tree, make_user):
    plain = make_user(perms=VIEWER, scope=[tree.county_a])
    rows = {r.value: r.count for r in queries.by_category(plain, tree.county_a)}
    assert rows == {
        "empty_nest_elder": 1,
        "left_behind_child": 1,
        "disabled": 0,
        "low_income": 0,
        "key_person": 1,
        "at_risk_youth": 1,
    }
    special = make_user(perms=[*VIEWER, "people.view_specialgroup"], scope=[tree.county_a])
    rows = {r.value: r.count for r in queries.by_category(special, tree.county_a)}
    # The drug user moved out; county B's released prisoner is not county A's.
    assert rows["released_prisoner"] == 1
    assert rows["drug_user"] == 0
    assert len(rows) == 12


def test_monthly_flow_trend(population, tree, make_user):
    user = make_user(perms=VIEWER, scope=[tree.county_a])
    trend = queries.flow_trend(user, tree.county_a, TODAY)
    assert [m.month for m in trend][0] == date(2025, 4, 1)
    assert [m.month for m in trend][-1] == date(2026, 3, 1)
    flows = {f"{m.month:%Y-%m}": (m.inflow, m.outflow) for m in trend if m.inflow or m.outflow}
    # The moved-out person's February inflow still happened; March 2025 is outside.
    assert flows == {"2025-04": (1, 0), "2026-02": (1, 0), "2026-03": (1, 0)}


def test_children_add_up_and_keep_unplaced_persons(population, tree, make_user):
    user = make_user(perms=VIEWER, scope=[tree.city])
    city = queries.children(queries.persons(user, tree.city), tree.city)
    assert [(c.label, c.total) for c in city] == [("甲区", 7), ("乙区", 2)]
    community = queries.children(queries.persons(user, tree.community_a), tree.community_a)
    assert [(c.label, c.total, c.by_type) for c in community] == [
        ("甲一网格", 4, {"registered": 2, "floating": 1, "overseas": 1}),
        ("甲二网格", 2, {"floating": 2}),
        ("（直属，未分到下级）", 1, {"registered": 1}),
    ]
    assert queries.children(queries.persons(user, tree.grid_a1), tree.grid_a1) == []


# --- page ------------------------------------------------------------------------------------


def test_page_shows_the_users_widest_region(client, population, tree, make_user):
    client.force_login(make_user(perms=VIEWER, scope=[tree.county_a]))
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "人口统计 · 甲区" in html
    assert kpis(html) == {
        "total": "7",
        "type_registered": "3",
        "type_floating": "3",
        "type_overseas": "1",
        "children": "2",
        "elderly": "2",
    }
    assert child_rows(html) == [["甲街道", "7", "3", "3", "1"]]
    data = chart(html)
    assert data["pyramid"]["male"][17] == 1 and data["pyramid"]["female"][16] == 1
    assert data["trend"]["inflow"] == [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1]
    # The city is above the user's scope: not in the breadcrumb.
    trail = html.split('id="region-trail"')[1].split("</div>")[0]
    assert "甲区" in trail and "测试市" not in trail


def test_drill_down_to_the_community(client, population, tree, make_user):
    client.force_login(make_user(perms=VIEWER, scope=[tree.city]))
    html = client.get(URL, {"region": tree.community_a.code}).content.decode()
    assert child_rows(html) == [
        ["甲一网格", "4", "2", "1", "1"],
        ["甲二网格", "2", "0", "2", "0"],
        ["（直属，未分到下级）", "1", "1", "0", "0"],
    ]
    assert f'href="?region={tree.grid_a1.code}"' in html
    trail = html.split('id="region-trail"')[1].split("</div>")[0]
    assert [*re.findall(r">([^<]+)</a>", trail)] == ["测试市", "甲区", "甲街道", "甲社区"]


def test_county_a_user_never_sees_county_b(client, population, tree, make_user):
    client.force_login(make_user(perms=VIEWER, scope=[tree.county_a]))
    assert client.get(URL, {"region": tree.county_b.code}).status_code == 404
    assert client.get(URL, {"region": tree.city.code}).status_code == 404
    assert client.get(DATA, {"region": tree.grid_b1.code}).status_code == 404
    assert client.get(URL, {"region": "999999"}).status_code == 404
    data = client.get(DATA).json()
    assert data["total"] == 7
    assert [c["name"] for c in data["children"]] == ["甲街道"]


def test_superuser_defaults_to_the_city(client, population, tree, make_user):
    client.force_login(make_user(superuser=True))
    data = client.get(DATA).json()
    assert data["region"] == {"code": "3301", "name": "测试市"}
    assert data["total"] == 9
    assert "released_prisoner" in data["categories"]["values"]


def test_without_permission_403(client, population, tree, make_user):
    client.force_login(make_user(perms=["regions.view_region"], scope=[tree.city]))
    assert client.get(URL).status_code == 403
    assert client.get(DATA).status_code == 403
    assert client.get(EXPORT).status_code == 403
    assert AccessLog.objects.count() == 0


def test_anonymous_is_sent_to_login(client, population):
    response = client.get(URL)
    assert response.status_code == 302 and "/login" in response["Location"]


def test_special_groups_hidden_without_permission(client, population, tree, make_user):
    client.force_login(make_user(perms=VIEWER, scope=[tree.county_a]))
    data = client.get(DATA).json()
    assert "released_prisoner" not in data["categories"]["values"]
    assert "刑满释放人员" not in client.get(URL).content.decode()
    client.force_login(
        make_user(perms=[*VIEWER, "people.view_specialgroup"], scope=[tree.county_a])
    )
    data = client.get(DATA).json()
    categories = dict(zip(data["categories"]["values"], data["categories"]["counts"], strict=True))
    assert categories["released_prisoner"] == 1


def test_export_has_a_sheet_per_breakdown_and_is_logged(client, population, tree, make_user):
    user = make_user(perms=VIEWER, scope=[tree.county_a])
    client.force_login(user)
    response = client.get(EXPORT, {"region": tree.community_a.code})
    assert response.status_code == 200
    assert 'filename="population_330101001001_20260315.xlsx"' in response["Content-Disposition"]
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == [
        "概况",
        "人口类型",
        "性别",
        "年龄结构",
        "民族",
        "学历",
        "人员类别",
        "流入流出",
        "下级区域",
    ]
    rows = [list(r) for r in wb["下级区域"].iter_rows(min_row=2, values_only=True)]
    assert rows == [
        ["330101001001001", "甲一网格", 4, 2, 1, 1],
        ["330101001001002", "甲二网格", 2, 0, 2, 0],
        ["330101001001", "（直属，未分到下级）", 1, 1, 0, 0],
    ]
    overview = {r[0]: r[1] for r in wb["概况"].iter_rows(min_row=2, values_only=True)}
    assert overview["实有人口"] == 7
    ages = {r[0]: r[3] for r in wb["年龄结构"].iter_rows(min_row=2, values_only=True)}
    assert ages["85岁及以上"] == 1 and ages["0-4岁"] == 1
    log = AccessLog.objects.get()
    assert log.user == user
    assert log.action == AccessLog.Action.EXPORT
    assert log.content_type.model == "person"
    assert "330101001001" in log.detail
    # No personal data in the file or the log: names never appear.
    assert "张小明" not in log.detail


def test_export_outside_scope_is_404_and_not_logged(client, population, tree, make_user):
    client.force_login(make_user(perms=VIEWER, scope=[tree.county_a]))
    assert client.get(EXPORT, {"region": tree.county_b.code}).status_code == 404
    assert AccessLog.objects.count() == 0


def test_data_is_a_fixed_number_of_aggregate_queries(
    client, population, tree, make_user, django_assert_num_queries, settings
):
    client.force_login(make_user(perms=VIEWER, scope=[tree.county_a]))
    client.get(DATA)  # warm the code-table cache; stores the county's snapshot
    # A fresh snapshot: session, user, permissions, region (7) and the snapshot row.
    with django_assert_num_queries(8):
        client.get(DATA)
    # A stale one: the same 8 and a refresh queued, nothing computed (the queue's worker runs
    # it) — whatever the population.
    settings.POPULATION_SNAPSHOT_MAX_AGE = 0
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    with django_assert_num_queries(8):
        client.get(DATA)
    # With a backend that runs the task at once (and the queued one gone): the task reads the
    # region, computes the 12 aggregates (every category: the snapshot holds them all) and
    # UPDATEs the snapshot, which the page reads again.
    cache.clear()
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with django_assert_num_queries(23):
        client.get(DATA)


def test_user_without_scope_regions_gets_404(client, population, make_user):
    client.force_login(make_user(perms=VIEWER))
    assert client.get(URL).status_code == 404
    assert client.get(EXPORT).status_code == 404
    assert AccessLog.objects.count() == 0
