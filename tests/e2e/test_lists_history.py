"""Lists tell the truth and history reads like Chinese, as a person sees them at a desk (1440 px)
and on a phone (390 px): the footer counts the rows, filters have Chinese labels and no box asks
for an id, and the 变更历史 of a person and of a case shows labels, names, local times and the
actor's name (screenshots in /tmp/shots)."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from citygrid.cases import actions
from citygrid.cases.intake import Report, report_case
from citygrid.cases.models import Department, DispatchRule
from citygrid.cases.testing import street_order_class
from citygrid.cases.tests.conftest import DISPATCHER_PERMS
from citygrid.core import dictionaries, records
from citygrid.core.testing import logged
from citygrid.core.validators import id_number_check_char
from citygrid.people.models import Person

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/shots")
DESK = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
TIME = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$")
# Latin words a label or value may hold; any other one is an internal or English name.
PROPER_NAMES = {"Open311", "IP"}


def latin_words(text: str) -> set[str]:
    return set(re.findall(r"[A-Za-z][A-Za-z0-9_]*", text)) - PROPER_NAMES


@pytest.fixture
def officer(tree, make_user, server_paused):
    with server_paused:
        user = make_user(
            perms=[
                "people.view_person",
                "regions.view_region",
                "cases.view_case",
                "core.view_objectchange",
                *DISPATCHER_PERMS,
            ],
            scope=[tree.city],
            username="wangke",
        )
        user.full_name = "王科长"
        user.save(update_fields=["full_name"])
    return user


def person_with_history(tree, officer) -> Person:
    body = "33010119800101003"
    person = logged(
        Person,
        region=tree.grid_a1,
        name="周某",
        id_number=body + id_number_check_char(body),
        phone="13812345678",
    )
    person.region, person.education, person.residence_type = tree.grid_a2, "20", "floating"
    person.phone = "13900001111"
    records.save_record(person, actor=officer)
    return person


def case_with_history(tree, officer):
    category = street_order_class("0508", "占道施工")
    department = Department.objects.create(name="城管执法局", code="CG01", region=tree.city)
    DispatchRule.objects.create(category=category, department=department, region=tree.city)
    report = Report(
        category=category,
        description="人行道上堆放建材",
        lng=120.005,
        lat=30.005,
        address="甲社区1号",
        idempotency_key="phone-42-0001",
    )
    case = report_case(report, actor=officer)
    case = actions.register_case(case, actor=officer)
    return actions.dispatch_case(case, actor=officer)


def history_rows(page) -> list[list[str]]:
    rows = page.locator("#changelog tbody tr")
    return [
        [c.strip() for c in rows.nth(i).locator("td").all_inner_texts()]
        for i in range(rows.count())
    ]


@pytest.mark.parametrize("viewport", [DESK, PHONE], ids=["desk", "phone"])
def test_a_persons_history_reads_in_chinese(
    page_as, tree, officer, seeded, server_paused, viewport
):
    with server_paused:
        person = person_with_history(tree, officer)
    page = page_as(officer)
    page.set_viewport_size(viewport)
    page.goto(f"/people/persons/{person.pk}/changelog/")
    if viewport is DESK:
        edit = history_rows(page)[0]
        assert TIME.match(edit[0]) and edit[1:3] == ["王科长", "修改"]
        table = page.locator("#changelog").inner_text()
    else:
        # On a phone the changes are cards that fit the screen's width.
        cards = page.locator("#changelog-cards")
        expect(page.locator("#changelog")).to_be_hidden()
        first = cards.locator(".list-group-item").first
        expect(first).to_contain_text("王科长")
        assert TIME.match(first.locator(".change-time").inner_text())
        box = cards.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        expect(first).to_contain_text("所属区域：甲一网格 → 甲二网格")
        table = cards.inner_text()
    for shown in (
        "所属区域",
        "甲一网格",
        "甲二网格",
        "学历",
        dictionaries.label("education", "20"),
        "人口类型",
        "流动人口",
        "联系电话",
        "138****5678",
        "139****1111",
        "新建",
        "系统",
    ):
        assert shown in table, shown
    assert not latin_words(table), latin_words(table)
    for hidden in ("13812345678", "13900001111", "索引", "区域代码", "wangke"):
        assert hidden not in table
    SHOTS.mkdir(exist_ok=True)
    name = "desk" if viewport is DESK else "phone"
    page.screenshot(path=str(SHOTS / f"history_person_{name}.png"), full_page=True)


def test_a_cases_history_reads_in_chinese(page_as, tree, officer, seeded, server_paused):
    with server_paused:
        case = case_with_history(tree, officer)
    page = page_as(officer)
    page.set_viewport_size(DESK)
    page.goto(f"/cases/{case.pk}/changelog/")
    table = page.locator("#changelog").inner_text()
    for shown in (
        "王科长",
        "状态",
        "待签收",
        "城管执法局",
        "占道施工",
    ):
        assert shown in table, shown
    assert not latin_words(table), latin_words(table)
    assert "phone-42-0001" not in table and "wangke" not in table
    assert all(TIME.match(row[0]) for row in history_rows(page) if len(row) == 6)
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "history_case_desk.png"), full_page=True)


@pytest.mark.parametrize("viewport", [DESK, PHONE], ids=["desk", "phone"])
def test_a_list_counts_its_rows_and_filters_speak_chinese(
    page_as, tree, officer, server_paused, make_user, viewport
):
    with server_paused:
        admin = make_user(superuser=True, username="root")
    page = page_as(admin)
    page.set_viewport_size(viewport)
    page.goto("/territory/regions/?per_page=4")
    expect(page.locator("#list-total")).to_have_text("共 10 条")
    expect(page.locator("#object-table tbody tr")).to_have_count(4)
    expect(page.locator("#object-table a[rel=next]")).to_be_visible()
    labels = " ".join(page.locator("form.card label.form-label").all_inner_texts())
    assert "层级" in labels and "ID" not in labels and "[invalid name]" not in labels
    assert not latin_words(labels), labels
    # Filtering swaps the table in place (HTMX): the footer counts the filtered rows.
    page.locator("#id_q").fill("甲")
    page.locator("form.card button[type=submit]").click()
    expect(page.locator("#list-total")).to_have_text("共 5 条")
    expect(page.locator("#object-table tbody tr")).to_have_count(4)
    page.goto(f"/territory/regions/?parent_id={tree.county_a.pk}")
    expect(page.locator("#list-total")).to_have_text("共 1 条")
    page.goto("/core/changes/")
    options = " ".join(page.locator("#id_content_type option").all_inner_texts())
    assert "实有人口" in options and not latin_words(options), options
    SHOTS.mkdir(exist_ok=True)
    name = "desk" if viewport is DESK else "phone"
    page.goto("/territory/regions/?per_page=4")
    page.screenshot(path=str(SHOTS / f"list_regions_{name}.png"), full_page=True)
