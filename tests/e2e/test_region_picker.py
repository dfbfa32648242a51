"""The person list's region filter searches the server as one types (never a list of every
region), offers only the user's territory, and filters the table."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from citygrid.people.tests.test_persons import id_number, make_person

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/shots")


@pytest.fixture
def people(tree, seeded, server_paused):
    with server_paused:
        make_person(tree.grid_a1, "张一", id_number(seq="111"))
        make_person(tree.grid_a2, "李二", id_number(seq="221"))
        make_person(tree.grid_b1, "王三", id_number(seq="331"))


def test_region_picker_searches_and_filters(page, log_in, make_user, tree, people):
    user = make_user(perms=["people.view_person"], scope=[tree.county_a])
    page.set_viewport_size({"width": 1440, "height": 900})
    log_in(user)
    searches = []
    page.on("request", lambda r: searches.append(r.url) if "/regions/search/" in r.url else None)
    page.goto("/people/persons/")
    rows = page.locator("#object-table tbody tr")
    expect(rows).to_have_count(2)
    # Nothing but the empty choice was rendered: the regions come from the search.
    assert page.locator("select#id_region option").count() == 1

    page.locator("#id_region-ts-control").fill("网格")
    options = page.locator(".ts-dropdown .option")
    expect(options).to_have_count(2)  # 甲一, 甲二: county B's grid is never offered
    expect(options.first).to_contain_text("甲一网格")
    # The list covers the fields below it (Tom Select's theme reads Bootstrap's variables,
    # which citygrid.css maps to Tabler's; unmapped, the list was transparent).
    background = page.locator(".ts-dropdown:visible").evaluate(
        "el => getComputedStyle(el).backgroundColor"
    )
    assert background == "rgb(255, 255, 255)"
    page.locator("#id_region-ts-control").fill("甲二")
    expect(options).to_have_count(1)
    options.first.click()
    assert searches and all("q=" in url for url in searches)

    page.get_by_role("button", name="查询").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("李二")
    expect(page.locator("#list-total")).to_have_text("共 1 条")
    # The chosen region survives a reload, rendered from the one selected row.
    page.reload()
    expect(page.locator(".ts-control .item")).to_contain_text("甲二网格")
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "region_picker.png"), full_page=True)


def test_a_subtree_filter_picks_the_region_and_keeps_its_code(
    page, log_in, make_user, tree, seeded, server_paused
):
    from citygrid.housing.models import House

    with server_paused:
        House.objects.create(region=tree.grid_a1, number="1", address="甲村1号")
        House.objects.create(region=tree.grid_a2, number="2", address="甲村2号")
    user = make_user(perms=["housing.view_house"], scope=[tree.county_a])
    page.set_viewport_size({"width": 1440, "height": 900})
    log_in(user)
    page.goto("/housing/houses/")
    rows = page.locator("#object-table tbody tr")
    expect(rows).to_have_count(2)
    page.locator("#id_within-ts-control").click()
    page.keyboard.type("甲一")
    page.locator(".ts-dropdown .option", has_text="甲一网格").click()
    # The first click after picking lands on the button: the picker does not grow on focus.
    page.get_by_role("button", name="查询").click()
    expect(page).to_have_url(re.compile(rf"within={tree.grid_a1.code}"))
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("甲村1号")
