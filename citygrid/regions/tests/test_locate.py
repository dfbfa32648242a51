"""Point → grid: the API, its scope, the batch form and the cross-process index refresh."""

import pytest

from citygrid.core.models import VersionStamp
from citygrid.core.testing import square
from citygrid.regions.geo import index
from citygrid.regions.geo.transforms import wgs84_to_gcj02
from citygrid.regions.models import Region
from citygrid.regions.models.regions import GEOMETRY_STAMP

pytestmark = pytest.mark.django_db

URL = "/api/regions/locate/"


@pytest.fixture
def viewer(tree, make_user):
    return make_user(perms=["regions.view_region"], scope=[tree.city])


def test_locate_returns_grid_with_ancestors(api_client, tree, viewer):
    api_client.force_authenticate(viewer)
    response = api_client.get(URL, {"lng": 120.005, "lat": 30.005})
    assert response.status_code == 200
    body = response.json()
    assert body["grid"]["code"] == tree.grid_a1.code
    assert [a["code"] for a in body["ancestors"]] == ["3301", "330101", "330101001", "330101001001"]


def test_locate_outside_every_grid_is_404_with_message(api_client, tree, viewer):
    api_client.force_authenticate(viewer)
    response = api_client.get(URL, {"lng": 121.5, "lat": 31.0})
    assert response.status_code == 404
    assert response.json() == {
        "code": "outside_grids",
        "message": "该坐标不在任何（您可见的）网格内",
        "errors": {},
    }


def test_locate_converts_gcj02_input(api_client, tree, viewer):
    api_client.force_authenticate(viewer)
    lng, lat = wgs84_to_gcj02(120.0195, 30.005)  # in A2 in WGS-84, shifted by ~500 m in GCJ
    response = api_client.get(URL, {"lng": lng, "lat": lat, "crs": "gcj02"})
    assert response.json()["grid"]["code"] == tree.grid_a2.code


def test_locate_validates_input(api_client, tree, viewer):
    api_client.force_authenticate(viewer)
    response = api_client.get(URL, {"lng": "east", "lat": 95})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"lng", "lat"}


def test_locate_hides_grids_outside_the_scope(api_client, tree, make_user):
    api_client.force_authenticate(make_user(perms=["regions.view_region"], scope=[tree.grid_a1]))
    assert api_client.get(URL, {"lng": 120.005, "lat": 30.005}).status_code == 200
    assert api_client.get(URL, {"lng": 120.105, "lat": 30.005}).status_code == 404


def test_locate_batch(api_client, tree, viewer):
    api_client.force_authenticate(viewer)
    points = [
        {"lng": 120.005, "lat": 30.005},
        {"lng": 120.015, "lat": 30.005},
        {"lng": 120.105, "lat": 30.005},
        {"lng": 100.0, "lat": 20.0},
    ]
    response = api_client.post(URL, {"points": points}, format="json")
    assert response.status_code == 200
    codes = [r["grid_code"] for r in response.json()["results"]]
    assert codes == [tree.grid_a1.code, tree.grid_a2.code, tree.grid_b1.code, None]


def test_shared_border_goes_to_the_lower_id(tree):
    built = index.GridIndex.build(
        [(tree.grid_a2.pk, tree.grid_a2.boundary), (tree.grid_a1.pk, tree.grid_a1.boundary)]
    )
    assert built.locate(120.01, 30.005) == min(tree.grid_a1.pk, tree.grid_a2.pk)


def test_index_rebuilds_when_another_process_changes_a_grid(api_client, tree, viewer):
    api_client.force_authenticate(viewer)
    assert api_client.get(URL, {"lng": 120.055, "lat": 30.005}).status_code == 404
    cached = index.load_index()
    # Another process moves grid B1: only the database row and the stamp change here.
    Region.objects.filter(pk=tree.grid_b1.pk).update(boundary=square(120.05, 30.0))
    VersionStamp.bump(GEOMETRY_STAMP)
    response = api_client.get(URL, {"lng": 120.055, "lat": 30.005})
    assert response.status_code == 200
    assert response.json()["grid"]["code"] == tree.grid_b1.code
    assert index.load_index() is not cached


def test_index_is_reused_while_the_stamp_is_unchanged(tree):
    assert index.load_index() is index.load_index()
