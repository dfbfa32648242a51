"""House codes, the house form's place rules, sensitive inputs, house imports by code, the house
page, hazard checks and global search."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from citygrid.core.models import ImportJob
from citygrid.core.testing import csv_bytes
from citygrid.housing import numbering
from citygrid.housing.models import HazardCheck, House
from citygrid.housing.tests import factories as f

pytestmark = pytest.mark.django_db

HOUSE_PERMS = ["housing.view_house", "housing.add_house", "housing.change_house"]


# --- numbering ------------------------------------------------------------------------------


def test_house_codes_are_grid_serial_and_check_char(tree):
    b = f.building(tree.grid_a1)
    first, second = f.house(b, "101"), f.house(b, "102")
    assert first.code == "330101001001001" + "00001" + numbering.mod11_2("33010100100100100001")
    assert second.code[:20] == "33010100100100100002"
    assert numbering.is_valid(first.code) and numbering.is_valid(second.code)
    other = f.house(f.building(tree.grid_a2), "101")
    assert other.code[:20] == "33010100100100200001"  # serials run per grid


def test_rental_numbers_have_their_own_serial(tree):
    h1, h2 = f.house(f.building(tree.grid_a1), "101"), f.house(f.building(tree.grid_a1), "102")
    r1, r2 = f.rental(h1), f.rental(h2)
    assert r1.rental_no[:21] == "R33010100100100100001"
    assert r2.rental_no[:21] == "R33010100100100100002"
    assert numbering.is_valid(r1.rental_no) and len(r1.rental_no) == 22


def test_is_valid_rejects_altered_codes(tree):
    code = f.house(f.building(tree.grid_a1), "101").code
    altered_digit = code[:10] + str((int(code[10]) + 1) % 10) + code[11:]
    swapped = code[:15] + code[16] + code[15] + code[17:]
    assert not numbering.is_valid(altered_digit)
    assert not numbering.is_valid(code[:-1] + ("0" if code[-1] != "0" else "1"))
    assert not numbering.is_valid(code[:-1])
    assert not numbering.is_valid("A" + code[1:])
    if swapped != code:
        assert not numbering.is_valid(swapped)


def test_code_stays_when_house_moves_grid(tree):
    b = f.building(tree.grid_a1)
    h = f.house(b, "101")
    code = h.code
    b.region = tree.grid_a2
    b.save()
    h.refresh_from_db()
    h.save()
    h.refresh_from_db()
    assert (h.code, h.region_code) == (code, tree.grid_a2.code)


# --- house form -----------------------------------------------------------------------------


def _form(client, data, pk=None):
    url = reverse("housing:house_edit", args=[pk]) if pk else reverse("housing:house_add")
    return client.post(url, data)


BASE = {"use": "01", "ownership": "01", "occupancy": "owner_occupied"}


def test_house_in_building_takes_the_building_grid(client, make_user, tree):
    b = f.building(tree.grid_a2)
    client.force_login(make_user(perms=HOUSE_PERMS, scope=[tree.county_a]))
    data = {**BASE, "building": b.pk, "region": tree.grid_a1.pk, "entrance": 1, "number": "101"}
    assert _form(client, data).status_code == 302
    assert House.objects.get().region_id == tree.grid_a2.pk


def test_standalone_house_needs_grid_and_address(client, make_user, tree):
    client.force_login(make_user(perms=HOUSE_PERMS, scope=[tree.county_a]))
    response = _form(client, {**BASE, "number": "8号"})
    assert "不在楼栋中的房屋须选择所属网格" in str(response.context["form"].errors)
    response = _form(client, {**BASE, "number": "8号", "region": tree.grid_a1.pk})
    assert "不在楼栋中的房屋须填写详细地址" in str(response.context["form"].errors)
    response = _form(
        client, {**BASE, "number": "8号", "region": tree.grid_a1.pk, "address": "甲村8号"}
    )
    assert response.status_code == 302
    assert House.objects.get().region_id == tree.grid_a1.pk


def test_edit_form_never_shows_stored_identifiers(client, make_user, tree):
    h = f.house(f.building(tree.grid_a1), "101", owner_id_number=f.ID_A, owner_phone="13812345678")
    client.force_login(make_user(perms=HOUSE_PERMS, scope=[tree.county_a]))
    page = client.get(reverse("housing:house_edit", args=[h.pk])).content.decode()
    assert f.ID_A not in page and "13812345678" not in page
    assert "138****5678" in page
    data = {
        **BASE,
        "building": h.building_id,
        "entrance": 1,
        "floor": 1,
        "number": "101",
        "owner_name": "新产权人",
    }
    assert _form(client, data, h.pk).status_code == 302
    h.refresh_from_db()
    assert (h.owner_id_number, h.owner_phone, h.owner_name) == (f.ID_A, "13812345678", "新产权人")
    response = _form(client, {**data, "owner_id_number": "110105199001011233"}, h.pk)
    assert "身份证号码校验位错误" in str(response.context["form"].errors)


def test_house_page_masks_owner_and_lists_residents(client, make_user, tree):
    h = f.house(
        f.building(tree.grid_a1, lng=120.005, lat=30.005),
        "101",
        owner_id_number=f.ID_A,
        owner_phone="13812345678",
    )
    now = f.person(tree.grid_a1, "现住甲", f.id_number(21))
    before = f.person(tree.grid_a1, "曾住乙", f.id_number(22))
    f.residency(now, h)
    f.residency(before, h, started_on="2020-01-01", ended_on="2024-12-31")
    client.force_login(
        make_user(perms=["housing.view_house", "people.view_residency"], scope=[tree.county_a])
    )
    response = client.get(h.get_absolute_url())
    page = response.content.decode()
    assert f.ID_A not in page and "13812345678" not in page
    assert "110105********1232" in page and "138****5678" in page
    assert [r.person.name for r in response.context["current_residents"]] == ["现住甲"]
    assert [r.person.name for r in response.context["past_residents"]] == ["曾住乙"]
    assert 'id="case-map"' in page  # the building's position draws the mini-map

    client.force_login(make_user(perms=["housing.view_house"], scope=[tree.county_a]))
    page = client.get(h.get_absolute_url()).content.decode()
    assert "现住甲" not in page and "您没有查看人房关联的权限" in page


def test_house_api_writes_plaintext_reads_masked(api_client, make_user, tree):
    b = f.building(tree.grid_a1)
    api_client.force_authenticate(make_user(perms=HOUSE_PERMS, scope=[tree.county_a]))
    response = api_client.post(
        reverse("api:house-list"),
        {"building": b.pk, "number": "101", "entrance": 1, "owner_phone": "13812345678"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert "owner_phone" not in body and body["owner_phone_masked"] == "138****5678"
    assert body["region"] == tree.grid_a1.pk and numbering.is_valid(body["code"])
    response = api_client.post(
        reverse("api:house-list"),
        {"building": b.pk, "number": "102", "owner_id_number": "123"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"]["owner_id_number"]


def test_house_filters(client, make_user, tree):
    estate = f.estate(tree.community_a)
    h1 = f.house(f.building(tree.grid_a1, "1号楼", estate=estate), "101", occupancy="rented")
    h2 = f.house(f.building(tree.grid_a2, "2号楼"), "101")
    client.force_login(make_user(perms=["housing.view_house"], scope=[tree.county_a]))

    def shown(query):
        response = client.get(reverse("housing:house_list") + query)
        return {row.record.pk for row in response.context["table"].page.object_list}

    assert shown(f"?estate_id={estate.pk}") == {h1.pk}
    assert shown(f"?building_id={h2.building_id}") == {h2.pk}
    assert shown("?occupancy=rented") == {h1.pk}
    assert shown(f"?within={tree.grid_a2.code}") == {h2.pk}
    assert shown(f"?q={h1.code}") == {h1.pk}


# --- imports by code ------------------------------------------------------------------------


def _import(client, rows):
    upload = SimpleUploadedFile("h.csv", csv_bytes(rows), content_type="text/csv")
    client.post(reverse("housing:house_import"), {"file": upload})
    return ImportJob.objects.latest("pk")


def test_import_updates_by_code_and_refuses_unknown_code(client, make_user, tree):
    h = f.house(f.building(tree.grid_a1), "101")
    client.force_login(
        make_user(perms=[*HOUSE_PERMS, "housing.import_house"], scope=[tree.county_a])
    )
    job = _import(client, [{"房屋编码": h.code, "门牌号": "101", "使用状态": "空置"}])
    assert (job.status, job.created_count, job.updated_count) == ("done", 0, 1)
    h.refresh_from_db()
    assert h.occupancy == "vacant"

    body = h.code[:15] + "99999"
    job = _import(client, [{"房屋编码": body + numbering.mod11_2(body), "门牌号": "1"}])
    assert job.status == "invalid"
    assert job.errors[0]["column"] == "房屋编码" and "不存在" in job.errors[0]["message"]
    job = _import(client, [{"房屋编码": h.code[:-1] + "X", "门牌号": "1"}])
    assert "校验位" in job.errors[0]["message"]


def test_import_standalone_house_and_ambiguous_building(client, make_user, tree):
    f.building(tree.grid_a1, "1号楼")
    f.building(tree.grid_a2, "1号楼")
    client.force_login(
        make_user(perms=[*HOUSE_PERMS, "housing.import_house"], scope=[tree.county_a])
    )
    job = _import(
        client,
        [{"楼栋名称": "", "网格代码": tree.grid_a1.code, "门牌号": "8号", "详细地址": "甲村8号"}],
    )
    assert (job.status, job.created_count) == ("done", 1)
    assert House.objects.get(address="甲村8号").region_id == tree.grid_a1.pk
    job = _import(client, [{"楼栋名称": "1号楼", "网格代码": "", "门牌号": "101"}])
    assert job.status == "invalid"
    assert job.errors[0]["column"] == "楼栋名称" and "同名楼栋" in job.errors[0]["message"]


def test_import_outside_scope_is_refused(client, make_user, tree):
    f.building(tree.grid_b1, "乙楼")
    client.force_login(
        make_user(perms=[*HOUSE_PERMS, "housing.import_house"], scope=[tree.county_a])
    )
    job = _import(client, [{"楼栋名称": "乙楼", "门牌号": "101"}])
    assert job.status == "invalid" and not House.objects.exists()


# --- hazard checks --------------------------------------------------------------------------

CHECK_PERMS = ["housing.view_hazardcheck", "housing.add_hazardcheck", "housing.view_house"]


def test_register_check_from_house_page(client, make_user, tree):
    h = f.house(f.building(tree.grid_a1), "101")
    client.force_login(make_user(perms=CHECK_PERMS, scope=[tree.county_a]))
    page = client.get(h.get_absolute_url()).content.decode()
    add = reverse("housing:hazardcheck_add") + f"?house={h.pk}"
    assert add in page
    form = client.get(add).context["form"]
    assert form.initial["house"] == str(h.pk)
    data = {"house": h.pk, "checked_on": "2026-03-02", "inspector": "张网格", "result": "rectify"}
    response = client.post(reverse("housing:hazardcheck_add"), {**data, "hazard": "01"})
    assert "限期整改须填写整改期限" in str(response.context["form"].errors)
    response = client.post(
        reverse("housing:hazardcheck_add"), {**data, "hazard": "01", "rectify_by": "2026-03-20"}
    )
    assert response.status_code == 302
    check = HazardCheck.objects.get()
    assert (check.region_id, check.get_hazard_label()) == (tree.grid_a1.pk, "消防隐患")
    assert "消防隐患" in client.get(h.get_absolute_url()).content.decode()


def test_check_list_filters_and_scope(client, make_user, tree):
    h = f.house(f.building(tree.grid_a1), "101")
    passed = f.check(h)
    found = f.check(h, result="rectify", hazard="04", rectify_by="2026-04-01")
    outside = f.check(f.house(f.building(tree.grid_b1), "101"))
    client.force_login(make_user(perms=CHECK_PERMS, scope=[tree.county_a]))

    def shown(query=""):
        response = client.get(reverse("housing:hazardcheck_list") + query)
        return {row.record.pk for row in response.context["table"].page.object_list}

    assert shown() == {passed.pk, found.pk}
    assert outside.pk not in shown()
    assert shown("?result=rectify") == {found.pk}
    assert shown("?hazard=04") == {found.pk}
    assert client.get(outside.get_absolute_url()).status_code == 404


def test_check_needs_permission(client, make_user, tree):
    h = f.house(f.building(tree.grid_a1), "101")
    client.force_login(make_user(perms=["housing.view_hazardcheck"], scope=[tree.county_a]))
    data = {"house": h.pk, "checked_on": "2026-03-02", "inspector": "x", "result": "passed"}
    assert client.post(reverse("housing:hazardcheck_add"), data).status_code == 403
    assert not HazardCheck.objects.exists()


# --- search ---------------------------------------------------------------------------------


def test_global_search_finds_housing_records_in_scope(client, make_user, tree):
    h = f.house(f.building(tree.grid_a1, "幸福1号楼"), "101")
    r = f.rental(h)
    f.building(tree.grid_b1, "幸福9号楼")
    client.force_login(
        make_user(
            perms=["housing.view_house", "housing.view_building", "housing.view_rental"],
            scope=[tree.county_a],
        )
    )
    page = client.get(reverse("core:search") + "?q=幸福").content.decode()
    assert "幸福1号楼" in page and "幸福9号楼" not in page
    assert h.code in client.get(reverse("core:search") + f"?q={h.code}").content.decode()
    assert r.rental_no in client.get(reverse("core:search") + f"?q={r.rental_no}").content.decode()
