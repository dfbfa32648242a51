"""What a person sees on the maps: streets of the base map under the grids (CityGrid's own
tiles, no internet), the administrator's credit without Leaflet's flag, the outlines for a
department handler too, and the view opened on the user's territory."""

import io

import pytest
from PIL import Image

from citygrid.accounts.roles import DEFAULT_ROLES, DEPARTMENT_HANDLER
from citygrid.demo.basemap import LAND, STREET, render_demo_basemap

pytestmark = pytest.mark.browser

ATTRIBUTION = "演示底图：虚构城市，由 CityGrid 生成"


@pytest.fixture
def basemap(settings, tree, tmp_path):
    """The demo renderer's base map of the test territory, configured as the flat layer."""
    path = tmp_path / "flat.mbtiles"
    render_demo_basemap(tree.city, path, range(13, 16))
    settings.BASEMAP_FILES = {**settings.BASEMAP_FILES, "flat": path}
    settings.MAP = {
        **settings.MAP,
        "flat_url": "/tiles/flat/{z}/{x}/{y}.png",
        "flat_zooms": [13, 15],
        "attribution": ATTRIBUTION,
    }
    return path


def map_pixels(page, selector: str) -> Image.Image:
    return Image.open(io.BytesIO(page.locator(selector).screenshot())).convert("RGB")


def colour_shares(image: Image.Image) -> dict[tuple[int, int, int], float]:
    total = image.width * image.height
    return {colour: n / total for n, colour in image.getcolors(total)}


def near(colour, wanted, tolerance: int = 6) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(colour, wanted, strict=True))


def test_grid_map_draws_streets_under_the_grids(page_as, make_user, tree, basemap):
    user = make_user(perms=["regions.view_region"], scope=[tree.county_a])
    page = page_as(user, leaflet=True)
    page.goto("/territory/map/")
    page.locator("#grid-map[data-count]:not([data-count='0'])").wait_for()
    # A function, not an expression: polling an expression needs eval, which the CSP forbids.
    page.wait_for_function(
        "() => document.querySelectorAll('.leaflet-tile-pane img.leaflet-tile-loaded').length > 0"
        " && document.querySelectorAll('.leaflet-tile-pane img:not(.leaflet-tile-loaded)')"
        ".length === 0"
    )
    # The view opened on the user's territory (county A's two grids), not the default centre.
    centre = page.evaluate("window.cgTestMaps[0].getCenter()")
    assert 120.0 < centre["lng"] < 120.02 and 30.0 < centre["lat"] < 30.01
    attribution = page.locator(".leaflet-control-attribution")
    assert attribution.inner_text().strip() == ATTRIBUTION
    assert attribution.locator("a, svg").count() == 0  # no "Leaflet" link, no flag
    # Hide the grids and look at what is left: the base map, drawn in more than one colour —
    # land, and the white streets along the grid edges.
    page.get_by_label("区域网格").uncheck()
    image = map_pixels(page, "#grid-map")
    # Away from the controls (zoom, layers, scale, attribution), which are white themselves.
    shares = colour_shares(image.crop((200, 150, image.width - 200, image.height - 60)))
    assert max(shares.values()) < 0.98, "the base map is one flat colour"
    assert sum(s for c, s in shares.items() if near(c, LAND)) > 0.05
    # Streets: brighter than the land around them (antialiased, so not always pure white).
    assert sum(s for c, s in shares.items() if min(c) >= min(STREET) - 8) > 0.001


def test_without_a_base_map_the_same_check_sees_one_flat_colour(page_as, make_user, tree):
    user = make_user(perms=["regions.view_region"], scope=[tree.county_a])
    page = page_as(user, leaflet=True)
    page.goto("/territory/map/")
    page.locator("#grid-map[data-count]:not([data-count='0'])").wait_for()
    page.get_by_label("区域网格").uncheck()
    image = map_pixels(page, "#grid-map")
    # Away from the controls (zoom, layers, scale, attribution): the plain background only.
    middle = image.crop((200, 150, image.width - 200, image.height - 60))
    assert max(colour_shares(middle).values()) > 0.99


def test_department_handler_sees_outlines_on_the_case_map(page_as, make_user, tree, basemap):
    [handler] = [role for role in DEFAULT_ROLES if role.name == DEPARTMENT_HANDLER]
    user = make_user(perms=handler.permissions, scope=[tree.county_a])
    page = page_as(user, leaflet=True)
    page.goto("/cases/map/")
    outlines = page.locator(".leaflet-cg-regions-pane path")
    outlines.first.wait_for()
    assert outlines.count() >= 1
    assert page.locator(".leaflet-tile-pane img").count() > 0
    assert "Leaflet" not in page.locator(".leaflet-control-attribution").inner_text()
    # Region names sit above the outlines and below the case markers.
    z_index = "name => Number(getComputedStyle(window.cgTestMaps[0].getPane(name)).zIndex)"
    labels, markers, outlines_z = (
        page.evaluate(f"({z_index})('{name}')")
        for name in ("cg-labels", "cg-markers", "cg-regions")
    )
    assert outlines_z < labels < markers


def test_estates_and_buildings_appear_on_the_grid_map_zoomed_in(page_as, make_user, tree):
    from citygrid.housing.models import Building, Estate

    estate = Estate.objects.create(region=tree.grid_a1, name="幸福花园", lng=120.005, lat=30.005)
    Building.objects.create(
        region=tree.grid_a1, estate=estate, name="3号楼", lng=120.0065, lat=30.0035
    )
    user = make_user(
        perms=["regions.view_region", "housing.view_estate", "housing.view_building"],
        scope=[tree.county_a],
    )
    page = page_as(user, leaflet=True)
    page.goto("/territory/map/")
    page.locator("#grid-map[data-count]:not([data-count='0'])").wait_for()
    page.get_by_label("小区").check()
    page.get_by_label("楼栋").check()
    page.evaluate("window.cgTestMaps[0].setView([30.005, 120.005], 16)")
    page.locator("#grid-map[data-estates-count='1'][data-buildings-count='1']").wait_for()
    markers = page.locator(".leaflet-cg-markers-pane path.leaflet-interactive")
    assert markers.count() == 2
    # The two layers load in either order and may redraw on a move, so the markers are reached
    # through the map rather than by pixel: open each marker's tooltip and read what it shows.
    page.evaluate(
        """() => window.cgTestMaps[0].eachLayer(layer => {
             if (layer.options.pane === "cg-markers" && layer.getTooltip()) layer.openTooltip();
           })"""
    )
    page.locator(".leaflet-tooltip").nth(1).wait_for()
    names = {text.strip() for text in page.locator(".leaflet-tooltip").all_inner_texts()}
    assert "幸福花园" in names  # the estate
    assert "幸福花园 3号楼" in names  # the building, named with its estate
    # Zoomed out, the buildings layer empties (a city's buildings would be a blur).
    page.evaluate("window.cgTestMaps[0].setView([30.005, 120.005], 14)")
    page.locator("#grid-map[data-buildings-count='0']").wait_for()
