"""Coverage rates per child region and per kind, checked against counts worked out by hand."""

import pytest
from django.urls import reverse

from citygrid.neworgs import coverage

pytestmark = pytest.mark.django_db


@pytest.fixture
def orgs(tree, make_org):
    # Grid A1: 3 enterprises (party in 2, union in 1), 1 foundation (party), 1 closed enterprise
    # with a party branch (not counted). Grid A2: 1 social group without any body. Community A
    # itself: 1 enterprise with women and comprehensive office. County B: 1 enterprise (party).
    make_org(tree.grid_a1, "一", branches=["party", "union"])
    make_org(tree.grid_a1, "二", branches=["party"])
    make_org(tree.grid_a1, "三")
    make_org(tree.grid_a1, "四", kind="foundation", branches=["party"])
    make_org(tree.grid_a1, "五", branches=["party"], closed_on="2025-01-01")
    make_org(tree.grid_a2, "六", kind="social_group")
    make_org(tree.community_a, "七", branches=["women", "comprehensive_office"])
    make_org(tree.grid_b1, "八", branches=["party"])


def _rates(counts):
    return {label: rate for label, _, rate in counts.rates()}


def test_rates_per_child_region_and_kind(orgs, tree, make_user):
    user = make_user(perms=["neworgs.view_neworganisation"], scope=[tree.county_a])
    result = coverage.compute(user, tree.community_a)
    rows = {row.name: row.counts for row in result.rows}
    assert list(rows) == [coverage.OWN_LEVEL, "甲一网格", "甲二网格"]
    a1 = rows["甲一网格"]
    assert a1.total == 4
    assert _rates(a1) == {
        "党组织": "75.0%",
        "工会": "25.0%",
        "共青团": "0.0%",
        "妇联": "0.0%",
        "综治工作室": "0.0%",
    }
    assert rows["甲二网格"].total == 1 and _rates(rows["甲二网格"])["党组织"] == "0.0%"
    assert _rates(rows[coverage.OWN_LEVEL])["综治工作室"] == "100.0%"
    # Whole community: 6 active; party in 3 → 50.0 %; by kind: enterprises 4, party 2.
    assert result.total.total == 6 and _rates(result.total)["党组织"] == "50.0%"
    by_kind = {label: counts for label, counts in result.by_kind}
    assert by_kind["非公有制经济组织"].total == 4
    assert _rates(by_kind["非公有制经济组织"])["党组织"] == "50.0%"
    assert _rates(by_kind["基金会"])["党组织"] == "100.0%"
    assert _rates(by_kind["民办非企业单位"])["党组织"] == "—"
    # One kind only: grid A1's enterprises are 3, party in 2.
    only = coverage.compute(user, tree.community_a, "enterprise")
    a1 = next(row.counts for row in only.rows if row.name == "甲一网格")
    assert a1.total == 3 and _rates(a1)["党组织"] == "66.7%"


def test_city_level_counts_per_county_in_scope(orgs, tree, make_user):
    user = make_user(perms=["neworgs.view_neworganisation"], scope=[tree.city])
    rows = {row.name: row.counts.total for row in coverage.compute(user, tree.city).rows}
    assert rows == {"甲区": 6, "乙区": 1}


def test_page_drills_down_and_refuses_outside(orgs, client, tree, make_user):
    user = make_user(perms=["neworgs.view_neworganisation"], scope=[tree.county_a])
    client.force_login(user)
    url = reverse("neworgs:coverage")
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["coverage"].region == tree.county_a
    assert f'href="?region={tree.township_a.code}"' in page.content.decode()
    page = client.get(url, {"region": tree.community_a.code})
    assert "75.0%" in page.content.decode()
    assert client.get(url, {"region": tree.county_b.code}).status_code == 404
    client.force_login(make_user(scope=[tree.county_a]))
    assert client.get(url).status_code == 403
