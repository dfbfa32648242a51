"""End-to-end journeys through the real UI: login, grid map, import, data scope."""

import csv
import re

import pytest
from playwright.sync_api import expect

from citygrid.regions.models import GridWorker, Region

pytestmark = pytest.mark.browser

REGION_HEADER = [
    "区划代码",
    "名称",
    "层级",
    "网格类型",
    "边界(WKT)",
    "简介",
    "启用日期",
    "停用日期",
]
NEW_GRID_CODE = "330101001001009"
PASSWORD = "Test@2026pw"  # what make_user() in the root conftest gives every user

# Leaflet animates zooms over later frames and, when an animation ends, moves the map to the
# animation's target, undoing any setView() the test made meanwhile (e.g. during the automatic
# fitBounds() after the first load). Switch animations off the moment leaflet.js defines `L`.
NO_MAP_ANIMATION = """
(() => {
  let leaflet;
  Object.defineProperty(window, "L", {
    configurable: true,
    get: () => leaflet,
    set: (value) => {
      leaflet = value;
      if (value && value.Map) {
        value.Map.mergeOptions({ zoomAnimation: false, fadeAnimation: false,
                                 markerZoomAnimation: false });
      }
    },
  });
})();
"""


def test_login_lands_on_home_and_rejects_wrong_password(page, live_server, make_user, submit_login):
    admin = make_user(superuser=True, username="chief")
    admin.full_name = "张主任"
    admin.save(update_fields=["full_name"])

    submit_login("chief", "not-the-password")
    expect(page.locator("#login-form .alert-danger")).to_have_text("用户名或密码错误")
    expect(page.locator("#current-user")).to_have_count(0)

    submit_login("chief", PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator("#current-user")).to_have_text("张主任")


def test_map_draws_grids_in_view_and_popup_masks_phone(page, tree, make_user, log_in):
    worker = GridWorker(region=tree.grid_a1, name="王小明", role="grid_worker", phone="13800001111")
    worker.full_clean()
    worker.save()
    user = make_user(perms=["regions.view_region", "regions.view_gridworker"], scope=[tree.city])
    log_in(user)

    # The live server must serve vendored assets, or the map silently never starts.
    assert page.request.get("/static/vendor/leaflet/leaflet.js").ok

    page.add_init_script(NO_MAP_ANIMATION)
    page.goto("/territory/map/")
    grid_map = page.locator("#grid-map")
    # The first load must have landed before we move: it fits the view to the user's regions.
    expect(grid_map).to_have_attribute("data-level", re.compile(r"\w+"))
    a1 = tree.grid_a1
    page.evaluate(
        "([lat, lng]) => cityGridMap.setView([lat, lng], 15, {animate: false})",
        [a1.center_lat, a1.center_lng],
    )
    expect(page.locator('#grid-map[data-level="grid"]')).to_be_attached()

    # The grids in view according to the database, with the same bbox overlap test as the API.
    bounds = page.evaluate(
        "(() => { const b = cityGridMap.getBounds();"
        " return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]; })()"
    )
    west, south, east, north = bounds
    in_view = set(
        Region.objects.filter(
            level="grid",
            bbox_min_lng__lte=east,
            bbox_max_lng__gte=west,
            bbox_min_lat__lte=north,
            bbox_max_lat__gte=south,
        ).values_list("name", flat=True)
    )
    # At zoom 15 around A1 the view holds A1 and its neighbour A2, but not B1 ten km east.
    assert in_view == {"甲一网格", "甲二网格"}
    expect(grid_map).to_have_attribute("data-count", str(len(in_view)))
    expect(grid_map.locator("path.leaflet-interactive")).to_have_count(len(in_view))
    drawn = page.evaluate(
        "(() => { const names = [];"
        " cityGridMap.eachLayer(l => { if (l.feature) names.push(l.feature.properties.name); });"
        " return names; })()"
    )
    assert sorted(drawn) == sorted(in_view)

    # Click the middle of A1 as a user would: container pixel + the map's offset on the page.
    point = page.evaluate(
        "([lat, lng]) => { const p = cityGridMap.latLngToContainerPoint([lat, lng]);"
        " return [p.x, p.y]; }",
        [a1.center_lat, a1.center_lng],
    )
    box = grid_map.bounding_box()
    page.mouse.click(box["x"] + point[0], box["y"] + point[1])

    card = page.locator(".leaflet-popup .region-card")
    expect(card).to_contain_text("甲一网格")
    expect(card).to_have_attribute("data-region", str(a1.pk))
    team = card.locator(".team")
    expect(team).to_contain_text("王小明")
    expect(team).to_contain_text("138****1111")
    assert "13800001111" not in page.content()


def _write_regions_csv(path, rows):
    # UTF-8 with BOM, as Excel on Chinese Windows saves it.
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(REGION_HEADER)
        writer.writerows(rows)
    return path


def _upload(page, path, valid_only=False):
    page.goto("/territory/regions/import/")
    form = page.locator("#import-form")
    form.locator('input[name="file"]').set_input_files(path)
    if valid_only:
        form.locator('input[name="valid_only"]').check()
    with page.expect_navigation():
        form.locator('button[type="submit"]').click()
    expect(page).to_have_url(re.compile(r"/core/imports/\d+/$"))


def _error_rows(page):
    return [
        [cell.strip() for cell in row.locator("td").all_inner_texts()]
        for row in page.locator("#import-errors tbody tr").all()
    ]


def test_import_rejects_bad_file_then_imports_only_valid_rows(
    page, tree, make_user, log_in, tmp_path
):
    user = make_user(
        perms=[
            "regions.view_region",
            "regions.add_region",
            "regions.change_region",
            "regions.import_region",
        ],
        scope=[tree.city],
    )
    csv_path = _write_regions_csv(
        tmp_path / "regions.csv",
        [
            [
                NEW_GRID_CODE,
                "甲九网格",
                "网格",
                "基础网格",
                "POLYGON ((120.03 30, 120.04 30, 120.04 30.01, 120.03 30.01, 120.03 30))",
                "新划入的网格",
                "2026-01-01",
                "",
            ],
            # Row 3 of the file: 12 characters with a letter where a 15-digit code belongs.
            ["33010100100A", "坏代码网格", "网格", "", "", "", "", ""],
        ],
    )
    log_in(user)

    _upload(page, csv_path)
    expect(page.locator("#job-state")).to_have_text("校验未通过")
    errors = _error_rows(page)
    assert [row[:2] for row in errors] == [["3", "区划代码"]], errors
    # All-or-nothing by default: the valid row must not have been written either.
    assert not Region.objects.filter(code=NEW_GRID_CODE).exists()

    _upload(page, csv_path, valid_only=True)
    expect(page.locator("#job-state")).to_have_text("已完成")
    expect(page.locator("#job-message")).to_contain_text("新增 1 条")
    grid = Region.objects.get(code=NEW_GRID_CODE)
    assert (grid.name, grid.level, grid.parent_id) == ("甲九网格", "grid", tree.community_a.pk)
    assert not Region.objects.filter(name="坏代码网格").exists()


def test_grid_worker_sees_only_own_grid(page, tree, make_user, log_in):
    user = make_user(perms=["regions.view_region", "regions.view_gridworker"], scope=[tree.grid_a1])
    log_in(user)

    # Out-of-scope records answer 404, not 403: their existence is not disclosed.
    response = page.goto(f"/territory/regions/{tree.grid_b1.pk}/")
    assert response.status == 404

    response = page.goto(f"/territory/regions/{tree.grid_a1.pk}/")
    assert response.status == 200
    expect(page.locator("h2.page-title")).to_have_text("甲一网格")

    page.goto("/territory/regions/")
    table = page.locator("#object-table")
    expect(table).to_contain_text("甲一网格")
    expect(table).not_to_contain_text("乙一网格")
    expect(table).not_to_contain_text("甲二网格")
