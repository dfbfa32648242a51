"""Map features: a screenful at most, coarser regions when zoomed out, always within scope."""

import pytest

pytestmark = pytest.mark.django_db

URL = "/api/regions/map/"


def features(api_client, **params):
    response = api_client.get(URL, params)
    assert response.status_code == 200
    return response.json()


def test_zoomed_in_shows_grids_in_view(api_client, tree, make_user):
    api_client.force_authenticate(make_user(perms=["regions.view_region"], scope=[tree.city]))
    body = features(api_client, zoom=15, bbox="119.99,29.99,120.05,30.02")
    assert body["level"] == "grid"
    assert sorted(f["properties"]["code"] for f in body["features"]) == [
        tree.grid_a1.code,
        tree.grid_a2.code,
    ]
    assert body["features"][0]["properties"]["parent_id"] == tree.community_a.pk


def test_zoomed_out_shows_one_feature_per_coarser_region(api_client, tree, make_user):
    api_client.force_authenticate(make_user(perms=["regions.view_region"], scope=[tree.city]))
    body = features(api_client, zoom=9, bbox="119,29,121,31")
    assert body["level"] == "county"
    # Counties without their own boundary are drawn as the union of their grids.
    by_code = {f["properties"]["code"]: f for f in body["features"]}
    assert set(by_code) == {"330101", "330102"}
    assert by_code["330101"]["geometry"]["type"] == "Polygon"
    body = features(api_client, zoom=12, bbox="119,29,121,31")
    assert body["level"] == "community"
    assert len(body["features"]) == 2


def test_grid_worker_sees_only_their_grid_at_every_zoom(api_client, tree, make_user):
    api_client.force_authenticate(make_user(perms=["regions.view_region"], scope=[tree.grid_a1]))
    for zoom in (8, 11, 13, 16):
        body = features(api_client, zoom=zoom, bbox="119,29,121,31")
        assert [f["properties"]["code"] for f in body["features"]] == [tree.grid_a1.code]


def test_bad_bbox_is_a_clear_error(api_client, tree, make_user):
    api_client.force_authenticate(make_user(perms=["regions.view_region"], scope=[tree.city]))
    response = api_client.get(URL, {"zoom": 15, "bbox": "a,b"})
    assert response.status_code == 400 and response.json()["code"] == "invalid_bbox"


def test_region_card_shows_team_and_respects_scope(client, tree, make_user):
    from citygrid.regions.models import GridWorker

    GridWorker.objects.create(region=tree.grid_a1, name="王小明", phone="13800001111")
    client.force_login(
        make_user(perms=["regions.view_region", "regions.view_gridworker"], scope=[tree.county_a])
    )
    card = client.get(f"/territory/regions/{tree.grid_a1.pk}/card/").content.decode()
    assert "王小明" in card and "138****1111" in card
    assert client.get(f"/territory/regions/{tree.grid_b1.pk}/card/").status_code == 404


def test_search_is_scoped(client, tree, make_user):
    client.force_login(make_user(perms=["regions.view_region"], scope=[tree.county_a]))
    page = client.get("/core/search/", {"q": "网格"}).content.decode()
    assert "甲一网格" in page and "乙一网格" not in page


def test_wip_modules_are_honest(client, tree, make_user):
    client.force_login(make_user())
    page = client.get("/core/wip/video/").content.decode()
    assert "建设中" in page and "尚未上线" in page
    assert client.get("/core/wip/unknown/").status_code == 404


def test_region_filters(client, tree, make_user):
    from citygrid.regions.models import Region

    Region.objects.create(
        parent=tree.community_a, level="grid", code="330101001001008", name="无边界网格"
    )
    client.force_login(make_user(perms=["regions.view_region"], scope=[tree.city]))

    def names(**params):
        table = client.get("/territory/regions/", params).context["table"]
        return {row.record.name for row in table.page.object_list}

    assert names(level="grid", has_boundary="no") == {"无边界网格"}
    assert names(level="grid", has_boundary="yes") == {"甲一网格", "甲二网格", "乙一网格"}
    assert names(within="330102", level="grid") == {"乙一网格"}
    assert names(q="甲二") == {"甲二网格"}


def test_export_honours_the_list_filters(client, tree, make_user):
    from citygrid.core.models import AccessLog

    user = make_user(perms=["regions.view_region", "regions.export_region"], scope=[tree.city])
    client.force_login(user)
    text = (
        client.get(
            "/territory/regions/export/",
            {"level": "grid", "within": "330101", "export_format": "csv"},
        )
        .getvalue()
        .decode("utf-8-sig")
    )
    codes = [line.split(",")[0] for line in text.strip().splitlines()[1:]]
    assert codes == [tree.grid_a1.code, tree.grid_a2.code]
    log = AccessLog.objects.get(user=user, action="export")
    assert log.record_count == 2 and "within=330101" in log.detail
