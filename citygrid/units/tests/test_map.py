"""The units map: points of the units in scope, one class per layer, only zoomed in."""

import pytest
from django.urls import reverse

from citygrid.units.tests import factories as f

pytestmark = pytest.mark.django_db

BBOX = "119.9,29.9,120.2,30.1"


def points(api_client, **params):
    response = api_client.get(reverse("api:unit-map-points"), {"bbox": BBOX, "zoom": 15, **params})
    assert response.status_code == 200
    return response.json()


def test_points_in_scope_by_class(api_client, tree, make_user):
    bar = f.unit("甲酒吧", unit_class="bar")
    cafe = f.unit("甲网吧", unit_class="internet_cafe", lng=120.015)
    f.unit("乙酒吧", unit_class="bar", lng=120.105)
    api_client.force_authenticate(make_user(perms=["units.view_unit"], scope=[tree.county_a]))
    body = points(api_client)
    assert {p["properties"]["name"] for p in body["features"]} == {"甲酒吧", "甲网吧"}
    body = points(api_client, unit_class="bar")
    assert [p["id"] for p in body["features"]] == [bar.pk]
    feature = body["features"][0]
    assert feature["geometry"]["coordinates"] == [bar.lng, bar.lat]
    assert feature["properties"]["url"] == bar.get_absolute_url()
    assert cafe.pk not in [p["id"] for p in body["features"]]


def test_nothing_when_zoomed_out_or_without_permission(api_client, tree, make_user):
    f.unit("甲酒吧", unit_class="bar")
    api_client.force_authenticate(make_user(perms=["units.view_unit"], scope=[tree.county_a]))
    assert points(api_client, zoom=12)["features"] == []
    api_client.force_authenticate(make_user(scope=[tree.county_a]))
    response = api_client.get(reverse("api:unit-map-points"), {"bbox": BBOX, "zoom": 15})
    assert response.status_code == 403


def test_map_page(client, tree, make_user):
    client.force_login(make_user(perms=["units.view_unit"], scope=[tree.county_a]))
    page = client.get(reverse("units:unit_map")).content.decode()
    assert "社会单位地图" in page and page.count("travel_agency") == 1
    client.force_login(make_user(scope=[tree.county_a]))
    assert client.get(reverse("units:unit_map")).status_code == 403
