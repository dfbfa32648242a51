"""Base data through the real UI: a floating person registered into a rental, found again from
the building table, masked until a permitted officer reveals the number (and the access log
shows it); an import of people with bad ID numbers reports the rows."""

import csv
import re

import pytest
from playwright.sync_api import expect

from citygrid.core.models import AccessLog
from citygrid.core.validators import id_number_check_char
from citygrid.housing.models import Building, Estate, House, Rental
from citygrid.people.models import Person, Residency
from tests.e2e.conftest import pick_region

pytestmark = pytest.mark.browser


def valid_id(body17: str) -> str:
    return body17 + id_number_check_char(body17)


ID_NUMBER = valid_id("33010219900307123")  # born 1990-03-07, 17th digit odd: male


@pytest.fixture
def building(tree, seeded, server_paused):
    with server_paused:
        estate = Estate.objects.create(region=tree.community_a, name="幸福小区")
        building = Building.objects.create(
            region=tree.grid_a1,
            estate=estate,
            name="1号楼",
            floors=3,
            entrances=1,
            houses_per_floor=2,
            lng=120.005,
            lat=30.005,
        )
        for number in (101, 102, 201, 202, 301, 302):
            House.objects.create(
                building=building,
                entrance=1,
                floor=number // 100,
                number=str(number),
                occupancy="rented" if number == 201 else "owner_occupied",
            )
        Rental.objects.create(
            house=building.houses.get(number="201"),
            landlord_name="王房东",
            landlord_phone="13900001111",
        )
    return building


def test_floating_person_into_a_rental_then_revealed_and_logged(page_as, tree, make_user, building):
    worker = make_user(
        perms=[
            "regions.view_region",
            "people.view_person",
            "people.add_person",
            "people.change_person",
            "people.view_residency",
            "people.add_residency",
            "housing.view_estate",
            "housing.view_building",
            "housing.view_house",
            "housing.view_rental",
        ],
        scope=[tree.grid_a1],
    )
    officer = make_user(perms=["people.view_person"], scope=[tree.community_a], view_sensitive=True)
    auditor = make_user(perms=["core.view_accesslog"], scope=[tree.city])
    house = building.houses.get(number="201")

    # The grid worker registers a newcomer as floating population ...
    page = page_as(worker)
    page.goto("/people/persons/add/")
    pick_region(page, "id_region", "甲一网格")
    page.select_option("#id_residence_type", "floating")
    page.fill("#id_id_number", ID_NUMBER)
    page.fill("#id_name", "赵流动")
    floating = page.locator('[data-person-detail="floating"]')
    expect(floating).to_be_visible()
    floating.locator('select[name="floating-reason"]').select_option("01")
    floating.locator('input[name="floating-registered_on"]').fill("2026-11-02")
    with page.expect_navigation():
        page.get_by_role("button", name="保存").click()
    expect(page).to_have_url(re.compile(r"/people/persons/\d+/$"))
    person = Person.objects.get(name="赵流动")
    assert (person.residence_type, person.sex, str(person.birth_date)) == (
        "floating",
        "1",
        "1990-03-07",
    )
    assert person.floating.reason == "01"

    # ... and into the rented flat, found by the house code on its door plate.
    page.get_by_role("link", name="迁居/变更住址").click()
    page.locator("#id_house-ts-control").fill(house.code)
    page.locator(".ts-dropdown .option", has_text=house.code).click()
    expect(page.locator("select#id_house")).to_have_value(str(house.pk))
    page.select_option("#id_relation", "tenant")
    with page.expect_navigation():
        page.get_by_role("button", name="办理").click()
    home = Residency.objects.get(person=person, ended_on__isnull=True)
    assert (home.house_id, home.relation, home.rental_id) == (
        house.pk,
        "tenant",
        house.rentals.get().pk,
    )

    # The building table leads back to them: cell 201 has one resident.
    page.goto(building.get_absolute_url())
    cell = page.locator(f'#building-board a[data-house="{house.pk}"]')
    expect(cell).to_contain_text("201")
    expect(cell).to_contain_text("1")
    with page.expect_navigation():
        cell.click()
    with page.expect_navigation():
        page.get_by_role("link", name="赵流动").first.click()
    masked = page.locator('#person-sensitive [data-sensitive="id_number"]')
    expect(masked).to_have_text("330102********" + ID_NUMBER[-4:])
    assert ID_NUMBER not in page.content()
    # Grid workers have no "view sensitive": no way to the plaintext at all.
    expect(page.locator("#person-reveal")).to_have_count(0)

    # An officer whose role may see it asks for the plaintext, giving a reason.
    page = page_as(officer)
    page.goto(person.get_absolute_url())
    page.locator("#person-reveal summary").click()
    page.fill('#person-reveal input[name="reason"]', "核实租住登记")
    page.get_by_role("button", name="显示明文").click()
    expect(page.locator('#person-sensitive [data-sensitive="id_number"]')).to_contain_text(
        ID_NUMBER
    )
    log = AccessLog.objects.get(action="view_sensitive", object_id=person.pk)
    assert (log.user_id, log.reason) == (officer.pk, "核实租住登记")
    assert ID_NUMBER not in f"{log.detail}{log.reason}"

    # The auditor finds that row in the access log.
    page = page_as(auditor)
    page.goto("/core/access-log/")
    row = page.locator("#object-table tbody tr").filter(has_text="核实租住登记")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(officer.username)
    expect(row).to_contain_text("查看明文")


def test_import_of_people_reports_bad_id_numbers_per_row(
    page_as, tree, make_user, seeded, tmp_path
):
    user = make_user(
        perms=[
            "people.view_person",
            "people.add_person",
            "people.change_person",
            "people.import_person",
        ],
        scope=[tree.community_a],
    )
    good = valid_id("33010119850101002")
    bad_check = good[:-1] + ("0" if good[-1] != "0" else "1")
    bad_birth = valid_id("33010119851301002")  # month 13
    path = tmp_path / "people.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["证件号码", "姓名", "所属网格（网格代码）", "人口类型"])
        writer.writerow([good, "钱正确", tree.grid_a1.code, "户籍人口"])
        writer.writerow([bad_check, "孙校验", tree.grid_a1.code, "户籍人口"])
        writer.writerow([bad_birth, "李日期", tree.grid_a1.code, "流动人口"])

    page = page_as(user)
    page.goto("/people/persons/import/")
    form = page.locator("#import-form")
    form.locator('input[name="file"]').set_input_files(path)
    with page.expect_navigation():
        form.locator('button[type="submit"]').click()
    expect(page).to_have_url(re.compile(r"/core/imports/\d+/$"))
    expect(page.locator("#job-state")).to_have_text("校验未通过")
    rows = [
        [cell.strip() for cell in row.locator("td").all_inner_texts()]
        for row in page.locator("#import-errors tbody tr").all()
    ]
    assert [row[:2] for row in rows] == [["3", "证件号码"], ["4", "证件号码"]], rows
    assert "校验位" in rows[0][2] and "出生日期" in rows[1][2]
    # All or nothing: the good row was not written either.
    assert not Person.objects.exists()
