"""The house picker's search: estate, building and door words, an address or a code; only the
user's territory, at most 20, and prefixes only."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from citygrid.housing.tests import factories as f
from citygrid.housing.widgets import SEARCH_RESULTS, search_houses

pytestmark = pytest.mark.django_db
URL = reverse("housing:house_search")


@pytest.fixture
def city(tree):
    happy = f.estate(tree.community_a, "幸福小区")
    other = f.estate(tree.community_a, "和平小区")
    one = f.building(tree.grid_a1, "1号楼", estate=happy, floors=6, entrances=2)
    three = f.building(tree.grid_a1, "3号楼", estate=happy, floors=6, entrances=2)
    peace = f.building(tree.grid_a2, "3号楼", estate=other, floors=6, entrances=2)
    far = f.estate(tree.community_b, "幸福家园")
    far_building = f.building(tree.grid_b1, "1号楼", estate=far)
    return {
        "h101": f.house(one, "101"),
        "h301": f.house(three, "301", floor=3),
        "h302": f.house(three, "302", floor=3),
        "peace301": f.house(peace, "301", floor=3),
        "street": f.house(None, "8", region=tree.grid_a2, address="幸福路8号"),
        "far": f.house(far_building, "101"),
    }


@pytest.fixture
def clerk(make_user, tree):
    return make_user(perms=["people.add_residency"], scope=[tree.county_a])


def found(client, q):
    response = client.get(URL, {"q": q})
    assert response.status_code == 200
    return [row["code"] for row in response.json()["results"]]


def test_estate_building_and_door_words_narrow_the_houses(client, city, clerk):
    client.force_login(clerk)
    assert found(client, "幸福小区 3号楼 301") == [city["h301"].code]
    assert found(client, "幸福 3号") == [city["h301"].code, city["h302"].code]
    # "幸福" also starts an address outside any estate; "幸福家园" is in another county.
    assert set(found(client, "幸福")) == {city[k].code for k in ("h101", "h301", "h302", "street")}
    assert found(client, "3号楼 301") == []  # the first word is an estate or a building
    assert found(client, "幸福路") == [city["street"].code]
    assert found(client, "小区") == []  # prefixes only: no scan for a substring


def test_codes_by_prefix_or_whole_and_labels_say_where(client, city, clerk):
    client.force_login(clerk)
    code = city["h301"].code
    assert found(client, code) == [code]
    assert found(client, code.lower()) == [code]
    prefix = found(client, city["h101"].region_code)
    assert set(prefix) == {city[k].code for k in ("h101", "h301", "h302")}
    row = client.get(URL, {"q": code}).json()["results"][0]
    assert row == {
        "id": city["h301"].pk,
        "code": code,
        "text": f"幸福小区3号楼1单元301（{code}，{city['h301'].region.name}）",
        "owners": 0,
    }


def test_only_the_users_territory(client, city, clerk, make_user, tree):
    client.force_login(clerk)
    assert found(client, "幸福家园") == []
    assert found(client, city["far"].code) == []
    client.force_login(make_user(perms=["people.add_residency"], scope=[tree.county_b]))
    assert found(client, "幸福") == [city["far"].code]
    client.logout()
    assert client.get(URL, {"q": "幸福"}).status_code == 302


def test_at_most_twenty_in_a_bounded_number_of_queries(city, clerk, tree):
    big = f.building(tree.grid_a1, "9号楼", estate=f.estate(tree.community_a, "幸福小区"))
    big.floors, big.entrances = 30, 1
    big.save()
    for n in range(25):
        f.house(big, f"{n + 1:02d}", floor=n + 1)
    with CaptureQueriesContext(connection) as queries:
        houses = search_houses(clerk, "幸福小区 9号楼")
    assert len(houses) == SEARCH_RESULTS
    # Buildings (with the estates as a subquery), their houses, then addresses: three.
    assert len(queries) == 3
    assert all(h.building == big for h in houses)


def test_empty_or_blank_query_finds_nothing(client, city, clerk):
    client.force_login(clerk)
    assert found(client, "") == []
    assert found(client, "   ") == []


def test_results_count_current_owners_not_former_ones(client, city, clerk, tree):
    owner = f.person(tree.grid_a1, "王五", f.ID_C)
    f.residency(owner, city["h301"], relation="owner")
    former = f.person(tree.grid_a1, "赵六", f.ID_B)
    f.residency(former, city["h302"], relation="owner", ended_on="2025-06-01")
    client.force_login(clerk)
    rows = client.get(URL, {"q": "幸福小区 3号楼"}).json()["results"]
    assert {row["code"]: row["owners"] for row in rows} == {
        city["h301"].code: 1,
        city["h302"].code: 0,
    }
