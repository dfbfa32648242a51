"""Every role that sees a map reads the outlines of its own territory (and only those);
the estates and buildings layers come zoomed in, in view and in scope."""

import pytest

from citygrid.accounts.roles import DEFAULT_ROLES

pytestmark = pytest.mark.django_db

URL = "/api/regions/map/"


@pytest.mark.parametrize("role", DEFAULT_ROLES, ids=lambda r: r.name)
def test_every_role_reads_outlines_in_scope(api_client, tree, make_user, role):
    api_client.force_authenticate(make_user(perms=role.permissions, scope=[tree.county_a]))
    response = api_client.get(URL, {"zoom": 15, "bbox": "119,29,121,31"})
    assert response.status_code == 200
    features = response.json()["features"]
    assert sorted(f["properties"]["code"] for f in features) == [
        tree.grid_a1.code,
        tree.grid_a2.code,
    ]
    # A link to the region's page only for those who may open it.
    linked = "regions.view_region" in role.permissions
    assert all(bool(f["properties"]["url"]) == linked for f in features)


def test_outlines_need_a_signed_in_user_with_a_territory(api_client, tree, make_user):
    assert api_client.get(URL, {"zoom": 15}).status_code in (401, 403)
    api_client.force_authenticate(make_user(perms=["cases.view_case"]))
    response = api_client.get(URL, {"zoom": 15, "bbox": "119,29,121,31"})
    assert response.status_code == 200 and response.json()["features"] == []


@pytest.fixture
def housing(tree):
    from citygrid.housing.models import Building, Estate

    inside = Estate.objects.create(region=tree.grid_a1, name="幸福花园", lng=120.005, lat=30.005)
    Estate.objects.create(region=tree.grid_b1, name="乙区花园", lng=120.105, lat=30.005)
    Estate.objects.create(region=tree.grid_a2, name="视野外小区", lng=120.015, lat=30.009)
    Building.objects.create(
        region=tree.grid_a1, estate=inside, name="3号楼", lng=120.0051, lat=30.0051
    )
    return inside


def test_estates_layer_is_zoomed_in_in_view_and_scoped(api_client, tree, make_user, housing):
    api_client.force_authenticate(make_user(perms=["housing.view_estate"], scope=[tree.county_a]))
    bbox = "119.99,29.99,120.012,30.02"
    far = api_client.get("/api/estates/map/", {"zoom": 13, "bbox": bbox}).json()
    assert far["features"] == [] and far["min_zoom"] == 14
    body = api_client.get("/api/estates/map/", {"zoom": 14, "bbox": "119.9,29.9,120.2,30.1"}).json()
    assert sorted(f["properties"]["name"] for f in body["features"]) == ["幸福花园", "视野外小区"]
    body = api_client.get("/api/estates/map/", {"zoom": 14, "bbox": bbox}).json()
    [estate] = body["features"]
    assert estate["geometry"] == {"type": "Point", "coordinates": [120.005, 30.005]}
    assert estate["properties"]["url"] == f"/housing/estates/{housing.pk}/"
    for zoom in ("x", -4722, 31):
        bad = api_client.get("/api/estates/map/", {"zoom": zoom, "bbox": bbox})
        assert bad.status_code == 400 and bad.json()["code"] == "invalid_zoom"
    # The outlines' level follows the zoom: a negative one once found no level (a 500).
    bad = api_client.get("/api/regions/map/", {"zoom": -4722})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_zoom"


def test_buildings_layer_names_the_estate(api_client, tree, make_user, housing):
    api_client.force_authenticate(make_user(perms=["housing.view_building"], scope=[tree.county_a]))
    bbox = "119.99,29.99,120.012,30.02"
    assert (
        api_client.get("/api/buildings/map/", {"zoom": 15, "bbox": bbox}).json()["features"] == []
    )
    [building] = api_client.get("/api/buildings/map/", {"zoom": 16, "bbox": bbox}).json()[
        "features"
    ]
    assert building["properties"]["name"] == "幸福花园 3号楼"
    # Without the permission the layer is refused, like the records themselves.
    api_client.force_authenticate(make_user(perms=["cases.view_case"], scope=[tree.county_a]))
    assert api_client.get("/api/buildings/map/", {"zoom": 16, "bbox": bbox}).status_code == 403


def test_first_load_tells_the_map_the_users_territory(api_client, tree, make_user):
    api_client.force_authenticate(make_user(perms=["cases.view_case"], scope=[tree.grid_b1]))
    body = api_client.get(URL, {"zoom": 12, "bbox": "0,0,1,1", "scope": "1"}).json()
    b1 = tree.grid_b1
    assert body["scope_bounds"] == [
        b1.bbox_min_lng,
        b1.bbox_min_lat,
        b1.bbox_max_lng,
        b1.bbox_max_lat,
    ]
    api_client.force_authenticate(make_user(perms=["cases.view_case"], scope=[tree.county_a]))
    body = api_client.get(URL, {"zoom": 12, "scope": "1"}).json()
    assert body["scope_bounds"] == [120.0, 30.0, tree.grid_a2.bbox_max_lng, 30.01]
    assert "scope_bounds" not in api_client.get(URL, {"zoom": 12}).json()
