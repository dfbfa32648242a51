"""The unit register's own rules: USCC checked and unique, the grid found from the position,
refusals that change nothing, personal data sealed, licences on the unit page."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from citygrid.core import records
from citygrid.core.crypto import blind_index
from citygrid.core.models import ObjectChange
from citygrid.units.models import Unit, UnitLicence
from citygrid.units.tests import factories as f

pytestmark = pytest.mark.django_db

BAD_USCC = "91330100MA00000159"  # a valid code with its check character changed
UNIT_PERMS = ["units.view_unit", "units.add_unit", "units.change_unit"]
LICENCE_PERMS = ["units.add_unitlicence", "units.change_unitlicence", "units.delete_unitlicence"]


def form(**values) -> dict:
    data = {"name": "新店", "unit_class": "bar", "status": "open", "staff_count": 3}
    data.update(values)
    return data


def test_grid_follows_the_position(tree):
    unit = f.unit(lng=120.015, lat=30.005)
    assert (unit.region, unit.region_code) == (tree.grid_a2, tree.grid_a2.code)
    unit.lng = 120.005
    records.save_record(unit, actor=None)
    unit.refresh_from_db()
    assert unit.region == tree.grid_a1


def test_position_outside_every_grid_without_region_is_refused(tree):
    unit = Unit(name="荒郊饭店", unit_class="restaurant", lng=121.5, lat=31.0)
    with pytest.raises(ValidationError) as error:
        records.save_record(unit, actor=None)
    assert error.value.message_dict == {"region": ["该位置不在任何网格内"]}
    assert not Unit.objects.exists()


def test_outside_every_grid_a_chosen_region_is_kept(tree):
    unit = f.unit("村口小卖部", lng=121.5, lat=31.0, region=tree.community_a, unit_class="food")
    assert unit.region == tree.community_a


def test_no_position_and_no_region_is_refused(tree):
    with pytest.raises(ValidationError) as error:
        records.save_record(Unit(name="无名", unit_class="other"), actor=None)
    assert error.value.message_dict == {"region": ["请填写经纬度或选择所属网格"]}


def test_a_region_must_be_a_grid_community_or_village_group(tree):
    with pytest.raises(ValidationError) as error:
        f.unit("区里", lng=None, lat=None, region=tree.county_a)
    assert "region" in error.value.message_dict


def test_wrong_uscc_is_a_field_error(tree):
    with pytest.raises(ValidationError) as error:
        f.unit(uscc=BAD_USCC)
    assert list(error.value.message_dict) == ["uscc"]
    assert not Unit.objects.exists()


def test_uscc_is_unique_with_a_chinese_message_and_blank_is_not_a_code(tree):
    f.unit("甲", uscc=f.USCC_A.lower())
    assert Unit.objects.get().uscc == f.USCC_A
    with pytest.raises(ValidationError) as error:
        f.unit("乙", uscc=f.USCC_A)
    assert error.value.message_dict == {"uscc": ["已有相同统一社会信用代码的单位"]}
    f.unit("丙", uscc="")
    f.unit("丁", uscc="  ")
    assert Unit.objects.filter(uscc__isnull=True).count() == 2


def test_people_and_phones_are_sealed_indexed_and_masked(tree):
    unit = f.unit(
        legal_representative="张三丰",
        legal_representative_phone="13800001111",
        contact_name="李四",
        contact_phone="13900002222",
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT legal_representative, contact_phone FROM units_unit WHERE id = %s", [unit.pk]
        )
        stored = cursor.fetchone()
    assert "张三丰" not in stored[0] and "13900002222" not in stored[1]
    assert unit.contact_phone_index == blind_index("13900002222")
    assert unit.legal_representative_index == blind_index("张三丰")
    assert unit.masked("legal_representative") == "张*丰"
    assert unit.masked("contact_phone") == "139****2222"
    change = ObjectChange.objects.get(
        content_type=ContentType.objects.get_for_model(Unit), object_id=unit.pk
    )
    assert "张三丰" not in str(change.postchange_data)
    assert "13800001111" not in str(change.postchange_data)


# --- pages --------------------------------------------------------------------------------------


def test_form_wrong_uscc_shows_the_chinese_field_error_and_saves_nothing(client, tree, make_user):
    client.force_login(make_user(perms=UNIT_PERMS, scope=[tree.county_a]))
    response = client.post(
        reverse("units:unit_add"), form(uscc=BAD_USCC, lng="120.005", lat="30.005")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["uscc"] == ["统一社会信用代码校验位错误"]
    assert "统一社会信用代码校验位错误" in response.content.decode()
    assert not Unit.objects.exists()


def test_form_outside_every_grid_is_refused(client, tree, make_user):
    client.force_login(make_user(perms=UNIT_PERMS, scope=[tree.county_a]))
    response = client.post(reverse("units:unit_add"), form(lng="121.5", lat="31.0"))
    assert response.status_code == 200
    assert response.context["form"].errors["region"] == ["该位置不在任何网格内"]
    assert not Unit.objects.exists()


def test_form_masks_the_list_and_badges_licences(client, tree, make_user):
    today = timezone.localdate()
    soon = f.unit("将到期饭店", contact_phone="13900002222", legal_representative="张三丰")
    f.licence(soon, expires_on=today + datetime.timedelta(days=10))
    gone = f.unit("已过期饭店", lng=120.006)
    f.licence(gone, expires_on=today - datetime.timedelta(days=1))
    fine = f.unit("正常饭店", lng=120.007)
    f.licence(fine, expires_on=today + datetime.timedelta(days=200))
    client.force_login(make_user(perms=UNIT_PERMS, scope=[tree.county_a]))
    page = client.get(reverse("units:unit_list")).content.decode()
    assert "139****2222" in page and "13900002222" not in page and "张三丰" not in page
    assert "证照即将到期" in page and "证照已过期" in page

    def listed(**params):
        response = client.get(reverse("units:unit_list"), params)
        return {row.record.name for row in response.context["table"].page.object_list}

    assert listed(licence="expiring") == {"将到期饭店"}
    assert listed(licence="expired") == {"已过期饭店"}
    assert listed(licence=["expiring", "expired"]) == {"将到期饭店", "已过期饭店"}
    detail = client.get(soon.get_absolute_url()).content.decode()
    assert "证照即将到期" in detail


def test_licences_are_added_edited_and_deleted_on_the_unit_page(client, tree, make_user):
    unit = f.unit()
    client.force_login(make_user(perms=UNIT_PERMS + LICENCE_PERMS, scope=[tree.county_a]))
    add = reverse("units:licence_add", args=[unit.pk])
    response = client.post(
        add,
        {"kind": "food", "number": "JY-001", "issued_on": "2025-01-01", "expires_on": "2030-01-01"},
    )
    assert response.status_code == 302
    licence = UnitLicence.objects.get()
    ct = ContentType.objects.get_for_model(UnitLicence)
    assert ObjectChange.objects.filter(content_type=ct, action="create").count() == 1
    # Bad dates: the page again with the error, nothing changed.
    edit = reverse("units:licence_edit", args=[unit.pk, licence.pk])
    response = client.post(
        edit,
        {"kind": "food", "number": "JY-001", "issued_on": "2025-01-01", "expires_on": "2024-01-01"},
    )
    assert response.status_code == 400
    assert "有效期至不能早于发证日期" in response.content.decode()
    licence.refresh_from_db()
    assert licence.expires_on == datetime.date(2030, 1, 1)
    response = client.post(edit, {"kind": "food", "number": "JY-002", "expires_on": "2031-01-01"})
    assert response.status_code == 302
    licence.refresh_from_db()
    assert (licence.number, licence.expires_on) == ("JY-002", datetime.date(2031, 1, 1))
    # The same licence twice is refused.
    response = client.post(add, {"kind": "food", "number": "JY-002"})
    assert "该单位已登记此证照" in response.content.decode()
    client.post(reverse("units:licence_delete", args=[unit.pk, licence.pk]))
    assert not UnitLicence.objects.exists()
    assert ObjectChange.objects.filter(content_type=ct, action="delete").count() == 1
    # Its history is read with the unit's permission.
    assert UnitLicence.changelog_permission == "units.view_unit"


def test_licences_of_a_unit_out_of_scope_are_404(client, tree, make_user):
    outside = f.unit("乙饭店", lng=120.105)
    licence = f.licence(outside)
    client.force_login(make_user(perms=UNIT_PERMS + LICENCE_PERMS, scope=[tree.county_a]))
    add = reverse("units:licence_add", args=[outside.pk])
    assert client.post(add, {"kind": "food", "number": "X"}).status_code == 404
    delete = reverse("units:licence_delete", args=[outside.pk, licence.pk])
    assert client.post(delete).status_code == 404
    assert UnitLicence.objects.count() == 1


def test_licence_writes_need_their_permission(client, tree, make_user):
    unit = f.unit()
    client.force_login(make_user(perms=UNIT_PERMS, scope=[tree.county_a]))
    add = reverse("units:licence_add", args=[unit.pk])
    assert client.post(add, {"kind": "food", "number": "X"}).status_code == 403
    assert not UnitLicence.objects.exists()


# --- API ----------------------------------------------------------------------------------------


def test_api_refusals_are_structured_and_change_nothing(api_client, tree, make_user):
    api_client.force_authenticate(make_user(perms=UNIT_PERMS, scope=[tree.county_a]))
    url = reverse("api:unit-list")
    response = api_client.post(
        url, {"name": "坏码", "unit_class": "bar", "uscc": BAD_USCC, "lng": 120.005, "lat": 30.005}
    )
    assert response.status_code == 400 and "uscc" in response.json()["errors"]
    response = api_client.post(url, {"name": "荒郊", "unit_class": "bar", "lng": 121.5, "lat": 31})
    assert response.status_code == 400
    assert response.json()["errors"]["region"] == ["该位置不在任何网格内"]
    assert not Unit.objects.exists()
    response = api_client.post(
        url,
        {
            "name": "好店",
            "unit_class": "bar",
            "lng": 120.015,
            "lat": 30.005,
            "contact_phone": "13900002222",
        },
    )
    assert response.status_code == 201
    body = response.json()
    assert body["region"] == tree.grid_a2.pk and body["contact_phone_masked"] == "139****2222"
    assert "contact_phone" not in body
