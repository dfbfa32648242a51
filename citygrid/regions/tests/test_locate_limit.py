"""A batch `locate` call holds at most CITYGRID_MAX_LOCATE_POINTS points."""

import pytest

pytestmark = pytest.mark.django_db

URL = "/api/regions/locate/"


def test_a_batch_over_the_cap_is_refused_before_any_point_is_read(
    api_client, tree, make_user, settings
):
    settings.CITYGRID_MAX_LOCATE_POINTS = 2
    api_client.force_authenticate(make_user(perms=["regions.view_region"], scope=[tree.city]))
    point = {"lng": 120.005, "lat": 30.005}
    response = api_client.post(URL, {"points": [point] * 3}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "too_many_points"
    assert response.json()["message"] == "一次最多定位 2 个坐标"
    response = api_client.post(URL, {"points": [point] * 2}, format="json")
    assert response.status_code == 200 and response.json()["count"] == 2
