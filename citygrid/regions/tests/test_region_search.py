"""The region picker's search: the user's territory only, few rows, never a boundary."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from citygrid.people.filtersets import PersonFilterSet
from citygrid.regions.widgets import RegionPicker

pytestmark = pytest.mark.django_db
SEARCH = "/territory/regions/search/"


def codes(response) -> list[str]:
    return [r["code"] for r in response.json()["results"]]


def test_a_county_user_never_finds_another_countys_region(tree, client, make_user):
    client.force_login(make_user(scope=[tree.county_a]))
    assert codes(client.get(SEARCH, {"q": "乙"})) == []
    assert codes(client.get(SEARCH, {"q": "330102"})) == []
    assert codes(client.get(SEARCH, {"q": "网格"})) == ["330101001001001", "330101001001002"]


def test_code_digits_search_the_subtree_and_levels_narrow_it(tree, client, make_user):
    client.force_login(make_user(superuser=True))
    assert codes(client.get(SEARCH, {"q": "330102"})) == [
        "330102",
        "330102001",
        "330102001001",
        "330102001001001",
    ]
    assert codes(client.get(SEARCH, {"q": "3301", "levels": "county,nonsense"})) == [
        "330101",
        "330102",
    ]


def test_results_carry_a_label_and_no_geometry(tree, client, make_user):
    client.force_login(make_user(superuser=True))
    with CaptureQueriesContext(connection) as queries:
        result = client.get(SEARCH, {"q": "甲一"}).json()["results"]
    assert result == [
        {
            "id": tree.grid_a1.pk,
            "code": "330101001001001",
            "name": "甲一网格",
            "level": "grid",
            "text": "甲一网格（网格 330101001001001）",
        }
    ]
    region_sql = [q["sql"] for q in queries if "regions_region" in q["sql"]][-1]
    assert "boundary" not in region_sql and "LIMIT 20" in region_sql


def test_search_needs_a_login(tree, client):
    assert client.get(SEARCH, {"q": "甲"}).status_code == 302


def test_the_person_filter_renders_only_the_chosen_region(tree, rf, make_user):
    request = rf.get("/", {"region": tree.grid_a2.pk})
    request.user = make_user(superuser=True)
    filterset = PersonFilterSet(request.GET, request=request)
    widget = filterset.form.fields["region"].widget
    assert isinstance(widget, RegionPicker) and filterset.is_valid()
    with CaptureQueriesContext(connection) as queries:
        html = str(filterset.form["region"])
    assert len(queries) == 1 and "boundary" not in queries[0]["sql"]
    assert 'data-region-picker=""' in html
    assert 'data-search-url="/territory/regions/search/"' in html
    assert html.count("<option") == 2  # the empty choice and the chosen grid, not all nine
    assert f'<option value="{tree.grid_a2.pk}" selected>甲二网格（网格 330101001001002）' in html


def test_a_picked_region_outside_the_scope_is_refused(tree, rf, make_user):
    request = rf.get("/", {"region": tree.grid_b1.pk})
    request.user = make_user(perms=["people.view_person"], scope=[tree.county_a])
    filterset = PersonFilterSet(request.GET, request=request)
    assert not filterset.is_valid() and "region" in filterset.errors
