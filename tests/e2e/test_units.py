"""Social units at desktop width: a wrong USCC is refused with a Chinese field error, the
corrected unit is saved into the grid at its position and shows on its class's map layer."""

import os
from pathlib import Path

import pytest

from citygrid.units.codes import sample_uscc
from tests.e2e.conftest import DESKTOP, log_in_page

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = Path(os.environ.get("CITYGRID_SHOTS", "/tmp/citygrid-shots"))


def test_create_a_unit_and_see_it_on_the_map(new_page, make_user, tree, seeded):
    from citygrid.units.models import Unit

    user = make_user(
        perms=["regions.view_region", "units.view_unit", "units.add_unit", "units.change_unit"],
        scope=[tree.county_a],
    )
    page = log_in_page(new_page(leaflet=True, viewport=DESKTOP), user)
    page.goto("/units/units/add/")
    page.get_by_label("单位名称").fill("悦来网咖")
    page.get_by_label("单位类别").select_option(label="网吧")
    page.get_by_label("统一社会信用代码").fill("91330100MA00000159")
    page.get_by_label("经度").fill("120.005")
    page.get_by_label("纬度").fill("30.005")
    page.get_by_role("button", name="保存").click()
    error = page.locator("[data-field='uscc'] .invalid-feedback")
    error.wait_for()
    assert error.inner_text() == "统一社会信用代码校验位错误"
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "units-wrong-uscc.png"), full_page=True)
    assert not Unit.objects.exists()

    page.get_by_label("统一社会信用代码").fill(sample_uscc(7))
    page.get_by_role("button", name="保存").click()
    page.locator("#unit-facts").wait_for()
    unit = Unit.objects.get()
    assert (unit.region_id, unit.uscc) == (tree.grid_a1.pk, sample_uscc(7))
    assert "甲一网格" in page.locator("#unit-facts").inner_text()

    page.goto("/units/map/")
    # The map first fits the user's territory; move it only after that.
    page.locator("#unit-map[data-region-count]:not([data-region-count='0'])").wait_for()
    page.evaluate("window.cgTestMaps[0].setView([30.005, 120.005], 16)")
    page.locator("#unit-map[data-n_internet_cafe='1']").wait_for()
    page.locator("#unit-map[data-n_bar='0']").wait_for()
    page.evaluate(
        """() => window.cgTestMaps[0].eachLayer(layer => {
             if (layer.options.pane === "cg-markers" && layer.getTooltip()) layer.openTooltip();
           })"""
    )
    assert page.locator(".leaflet-tooltip").inner_text().strip() == "悦来网咖"
    page.screenshot(path=str(SHOTS / "units-map.png"), full_page=True)
    # Its class's layer switched off, the unit is gone from the map.
    page.get_by_label("网吧").uncheck()
    assert page.locator(".leaflet-cg-markers-pane path.leaflet-interactive").count() == 0
