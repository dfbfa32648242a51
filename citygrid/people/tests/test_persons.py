"""Person records: the generic record tests, then the rules of the person form, search and
exports (duplicates, sex and birth date from the ID number, exact search, masking)."""

import re
from datetime import date

import pytest
from django.urls import reverse

from citygrid.core.models import AccessLog
from citygrid.core.testing import RecordTestCases
from citygrid.core.validators import id_number_check_char
from citygrid.people.models import FloatingDetail, LeftBehindDetail, Person, RegisteredDetail

pytestmark = pytest.mark.django_db


def id_number(region: str = "330101", born: str = "19900307", seq: str = "123") -> str:
    """A valid 18-digit resident ID number (odd sequence = male)."""
    body = f"{region}{born}{seq}"
    return body + id_number_check_char(body)


def make_person(region, name="张三", number=None, phone="", **fields) -> Person:
    person = Person(
        region=region, name=name, id_number=number or id_number(), phone=phone, **fields
    )
    person.full_clean()
    person.save()
    return person


def person_form(region, number, name="王小明", **extra) -> dict:
    data = {
        "region": region.pk,
        "residence_type": "registered",
        "status": "present",
        "id_type": "111",
        "id_number": number,
        "name": name,
        "ethnicity": "01",
        "nationality": "CHN",
        "registered-household_match": "01",
    }
    data.update(extra)
    return data


class TestPersonRecords(RecordTestCases):
    model = Person
    api_basename = "person"
    edited_field = "name"

    def in_scope(self, tree):
        return make_person(tree.grid_a1, "张三", id_number("330101", seq="011"), "13800000001")

    def out_of_scope(self, tree):
        return make_person(tree.grid_b1, "李四", id_number("330102", seq="021"), "13800000002")

    def form_data(self, tree):
        return person_form(tree.grid_a2, id_number("330101", "19850101", "031"))

    def outside_form_data(self, tree):
        return person_form(tree.grid_b1, id_number("330102", "19850101", "041"))

    def edit_data(self, tree, obj):
        return person_form(obj.region, "", name="张三丰"), "张三丰"

    def import_rows(self, tree):
        return [
            {
                "证件号码": id_number("330101", "19800101", "051"),
                "姓名": "钱一",
                "民族": "汉族",
                "学历": "20",
                "人口类型": "户籍人口",
                "所属网格（网格代码）": tree.grid_a1.code,
            },
            {
                "证件号码": id_number("330101", "19920202", "062"),
                "姓名": "孙二",
                "民族": "01",
                "联系电话": "13900000002",
                "人口类型": "流动人口",
                "所属网格（网格代码）": tree.grid_a2.code,
                "流入原因": "务工经商",
                "登记日期": "2025-03-01",
            },
        ]

    def bad_import_rows(self, tree):
        rows = self.import_rows(tree)
        bad = id_number("330101", "19930303", "071")
        bad = bad[:-1] + ("0" if bad[-1] != "0" else "1")  # wrong check character
        rows.append({"证件号码": bad, "姓名": "周三", "所属网格（网格代码）": tree.grid_a1.code})
        return rows, "证件号码"

    def api_data(self, tree):
        return {
            "region": tree.grid_a1.pk,
            "id_number": id_number("330101", "19881111", "081"),
            "name": "接口人员",
            "phone": "13700000001",
        }

    def export_marker(self, obj):
        return obj.masked("id_number")


# --- form: derived items, details, duplicates --------------------------------------------------


def clerk(make_user, tree, *actions, view_sensitive=False):
    perms = [f"people.{a}_person" for a in actions]
    return make_user(perms=perms, scope=[tree.county_a], view_sensitive=view_sensitive)


def test_sex_and_birth_date_come_from_the_id_number(client, tree, make_user):
    client.force_login(clerk(make_user, tree, "view", "add"))
    number = id_number("330101", "19761231", "042")  # even sequence digit: female
    response = client.post(reverse("people:person_add"), person_form(tree.grid_a1, number))
    assert response.status_code == 302, response.context["form"].errors
    person = Person.objects.get(name="王小明")
    assert (person.sex, person.birth_date) == ("2", date(1976, 12, 31))
    assert person.id_number == number
    assert RegisteredDetail.objects.filter(person=person, household_match="01").count() == 1


def test_sex_or_birth_date_contradicting_the_id_number_is_refused(client, tree, make_user):
    client.force_login(clerk(make_user, tree, "view", "add"))
    number = id_number("330101", "19761231", "042")
    data = person_form(tree.grid_a1, number, sex="1", birth_date="1976-12-30")
    response = client.post(reverse("people:person_add"), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["sex"] == ["性别与身份证号码不符"]
    assert errors["birth_date"] == ["出生日期与身份证号码不符"]
    assert not Person.objects.exists()


def test_bad_check_character_is_refused(client, tree, make_user):
    client.force_login(clerk(make_user, tree, "view", "add"))
    number = id_number()
    bad = number[:-1] + ("1" if number[-1] != "1" else "2")
    response = client.post(reverse("people:person_add"), person_form(tree.grid_a1, bad))
    assert response.context["form"].errors["id_number"] == ["身份证号码校验位错误"]
    assert not Person.objects.exists()


def test_duplicate_in_scope_links_to_the_existing_person(client, tree, make_user):
    existing = make_person(tree.grid_a1, "张三", id_number())
    client.force_login(clerk(make_user, tree, "view", "add"))
    response = client.post(
        reverse("people:person_add"), person_form(tree.grid_a2, id_number(), name="张叁")
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert f'href="{existing.get_absolute_url()}"' in page
    assert "该证件号码已登记" in page
    assert Person.objects.count() == 1


def test_duplicate_out_of_scope_names_no_one(client, tree, make_user):
    make_person(tree.grid_b1, "李四", id_number("330102"))
    client.force_login(clerk(make_user, tree, "view", "add"))
    response = client.post(
        reverse("people:person_add"), person_form(tree.grid_a1, id_number("330102"), name="李肆")
    )
    errors = response.context["form"].errors["id_number"]
    assert errors == ["该证件号码已在其他辖区登记，请联系对方办理迁移"]
    page = response.content.decode()
    assert "李四" not in page and "乙一网格" not in page
    assert Person.objects.count() == 1


def test_edit_page_never_shows_the_plaintext_numbers(client, tree, make_user):
    person = make_person(tree.grid_a1, "张三", id_number(), "13812345678")
    client.force_login(clerk(make_user, tree, "view", "change", view_sensitive=True))
    page = client.get(reverse("people:person_edit", args=[person.pk])).content.decode()
    assert person.id_number not in page and "13812345678" not in page
    assert person.masked("id_number") in page and "138****5678" in page
    # Leaving the fields empty keeps the numbers; ticking "clear" drops the phone.
    data = person_form(tree.grid_a1, "", name="张三")
    assert client.post(reverse("people:person_edit", args=[person.pk]), data).status_code == 302
    person.refresh_from_db()
    assert (person.id_number, person.phone) == (id_number(), "13812345678")
    data["clear_phone"] = "on"
    client.post(reverse("people:person_edit", args=[person.pk]), data)
    person.refresh_from_db()
    assert person.phone == ""


def test_switching_type_replaces_the_detail(client, tree, make_user):
    person = make_person(tree.grid_a1, "张三", id_number())
    RegisteredDetail.objects.create(person=person, household_number="H001")
    client.force_login(clerk(make_user, tree, "view", "change"))
    data = person_form(
        tree.grid_a1,
        "",
        name="张三",
        residence_type="floating",
        **{"floating-direction": "inflow", "floating-reason": "01"},
    )
    response = client.post(reverse("people:person_edit", args=[person.pk]), data)
    # The floating detail needs its registration date: nothing is saved without it.
    assert response.status_code == 200
    assert response.context["details"].forms["floating"].errors["registered_on"]
    person.refresh_from_db()
    assert person.residence_type == "registered"
    assert RegisteredDetail.objects.filter(person=person).exists()

    data["floating-registered_on"] = "2025-06-01"
    data["left_behind"] = "on"
    data["left_behind-kind"] = "01"
    response = client.post(reverse("people:person_edit", args=[person.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    person.refresh_from_db()
    assert person.residence_type == "floating"
    assert not RegisteredDetail.objects.filter(person=person).exists()
    detail = FloatingDetail.objects.get(person=person)
    assert (detail.reason, detail.registered_on) == ("01", date(2025, 6, 1))
    assert LeftBehindDetail.objects.get(person=person).kind == "01"
    page = client.get(person.get_absolute_url()).content.decode()
    assert "流动人口信息" in page and "务工经商" in page and "留守人员信息" in page


# --- search ----------------------------------------------------------------------------------


def _listed(client, **params):
    response = client.get(reverse("people:person_list"), params)
    assert response.status_code == 200
    return {row.record.name for row in response.context["table"].page.object_list}


def test_search_by_id_number_and_phone_is_exact(client, tree, make_user):
    make_person(tree.grid_a1, "张三", id_number(seq="011"), "13800000001")
    make_person(tree.grid_a1, "张四", id_number(seq="013"), "13800000003")
    make_person(tree.grid_b1, "李四", id_number("330102", seq="015"), "13800000005")
    client.force_login(clerk(make_user, tree, "view"))
    assert _listed(client, q=id_number(seq="011")) == {"张三"}
    assert _listed(client, q=id_number(seq="011").lower()) == {"张三"}
    assert _listed(client, q="138 0000 0003") == {"张四"}
    assert _listed(client, q="13800000005") == set()  # out of scope
    assert _listed(client, q=id_number(seq="011")[:10]) == set()  # never partial
    assert _listed(client, q="张") == {"张三", "张四"}


def test_filters_age_sex_and_region(client, tree, make_user):
    today = date.today()
    young = f"{today.year - 20}0101"
    old = f"{today.year - 70}0101"
    make_person(tree.grid_a1, "青年", id_number(born=young, seq="011"))
    make_person(tree.grid_a2, "老人", id_number(born=old, seq="022"))
    client.force_login(clerk(make_user, tree, "view"))
    assert _listed(client, age_min=60) == {"老人"}
    assert _listed(client, age_max=30) == {"青年"}
    assert _listed(client, sex="2") == {"老人"}
    assert _listed(client, region=tree.grid_a2.pk) == {"老人"}
    assert _listed(client, region=tree.community_a.pk) == {"青年", "老人"}


def test_list_masks_identity_and_shows_no_category_labels(client, tree, make_user):
    make_person(tree.grid_a1, "张三", id_number(), "13812345678")
    client.force_login(clerk(make_user, tree, "view", view_sensitive=True))
    page = client.get(reverse("people:person_list")).content.decode()
    assert id_number() not in page and "13812345678" not in page
    assert "138****5678" in page
    assert not re.search("刑满释放|社区矫正|吸毒|精神障碍", page)


# --- export ----------------------------------------------------------------------------------


def test_export_masks_names_and_numbers_without_view_sensitive(client, tree, make_user):
    make_person(tree.grid_a1, "张三丰", id_number(), "13812345678")
    client.force_login(clerk(make_user, tree, "view", "export"))
    text = client.get(reverse("people:person_export") + "?export_format=csv").getvalue()
    text = text.decode("utf-8-sig")
    assert "张*丰" in text and "张三丰" not in text
    assert id_number() not in text and "13812345678" not in text
    assert "330101********" in text and "138****5678" in text
    assert AccessLog.objects.filter(action="export", record_count=1).count() == 1


def test_export_in_clear_for_view_sensitive_when_asked_with_a_reason(client, tree, make_user):
    make_person(tree.grid_a1, "张三丰", id_number(), "13812345678")
    client.force_login(clerk(make_user, tree, "view", "export", view_sensitive=True))
    url = reverse("people:person_export")
    text = client.get(url, {"export_format": "csv"}).getvalue().decode("utf-8-sig")
    assert "张三丰" not in text and "13812345678" not in text
    asked = {"export_format": "csv", "plaintext": "1", "reason": "公安核查"}
    text = client.get(url, asked).getvalue().decode("utf-8-sig")
    assert "张三丰" in text and id_number() in text and "13812345678" in text
    assert AccessLog.objects.filter(action="export").latest("id").reason == "公安核查"


# --- API -------------------------------------------------------------------------------------


def test_api_reads_masked_and_finds_by_id_number(api_client, tree, make_user):
    person = make_person(tree.grid_a1, "张三", id_number(), "13812345678")
    api_client.force_authenticate(clerk(make_user, tree, "view", view_sensitive=True))
    body = api_client.get(reverse("api:person-list"), {"q": id_number()}).json()
    assert [r["id"] for r in body["results"]] == [person.pk]
    row = body["results"][0]
    assert row["id_number_masked"] == person.masked("id_number")
    assert row["phone_masked"] == "138****5678"
    assert "id_number" not in row and "phone" not in row


def test_api_duplicate_names_existing_only_in_scope(api_client, tree, make_user):
    inside = make_person(tree.grid_a1, "张三", id_number())
    make_person(tree.grid_b1, "李四", id_number("330102"))
    api_client.force_authenticate(clerk(make_user, tree, "view", "add"))
    url = reverse("api:person-list")
    data = {"region": tree.grid_a2.pk, "name": "重复", "id_number": id_number()}
    response = api_client.post(url, data, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "duplicate"
    assert response.json()["existing_id"] == inside.pk
    response = api_client.post(url, {**data, "id_number": id_number("330102")}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "duplicate" and "existing_id" not in body
    assert "李四" not in response.content.decode()
    assert Person.objects.count() == 2


def test_lookup_by_posted_number_keeps_it_out_of_urls(client, tree, make_user):
    person = make_person(tree.grid_a1, "张三", id_number(seq="011"), "13800000001")
    make_person(tree.grid_a1, "张四", id_number(seq="013"), "13800000009")
    make_person(tree.grid_a2, "张五", id_number(seq="015"), "13800000009")
    make_person(tree.grid_b1, "李四", id_number("330102", seq="017"), "13800000005")
    client.force_login(clerk(make_user, tree, "view"))
    url = reverse("people:person_list")
    response = client.post(url, {"number": id_number(seq="011")})
    assert response.status_code == 302
    assert response["Location"] == person.get_absolute_url()
    # One phone shared by two people: both listed, on a page whose URL carries no number.
    response = client.post(url, {"number": "138-0000-0009"})
    assert response.status_code == 200
    assert {row.record.name for row in response.context["table"].rows} == {"张四", "张五"}
    # Out of scope or partial: nothing found, nothing revealed.
    response = client.post(url, {"number": "13800000005"}, follow=True)
    assert "未找到该号码登记的人员" in response.content.decode()
    assert "李四" not in response.content.decode()
    response = client.post(url, {"number": id_number(seq="011")[:10]}, follow=True)
    assert "请输入完整的18位" in response.content.decode()


def test_lookup_needs_view_permission(client, tree, make_user):
    make_person(tree.grid_a1, "张三", id_number())
    client.force_login(make_user(scope=[tree.county_a]))
    assert client.post(reverse("people:person_list"), {"number": id_number()}).status_code == 403


def test_api_lookup_takes_the_number_in_the_body(api_client, tree, make_user):
    person = make_person(tree.grid_a1, "张三", id_number(), "13812345678")
    make_person(tree.grid_b1, "李四", id_number("330102"), "13812345678")
    api_client.force_authenticate(clerk(make_user, tree, "view"))
    url = reverse("api:person-lookup")
    body = api_client.post(url, {"number": "13812345678"}, format="json").json()
    assert [r["id"] for r in body["results"]] == [person.pk]
    response = api_client.post(url, {"number": "张三"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and "number" in response.json()["errors"]


def test_global_search_finds_names_never_numbers(tree, make_user):
    from citygrid.core.search import search

    person = make_person(tree.grid_a1, "张三丰", id_number(), "13812345678")
    user = clerk(make_user, tree, "view")

    def people(query):
        return [hits for entry, hits in search(user, query) if entry.model is Person]

    assert people("张三") == [[person]]
    # By prefix: an index answers it even with millions of persons (a given name alone does not).
    assert people("三丰") == []
    assert people(id_number()) == [] and people("13812345678") == []


def test_name_search_matches_the_start_of_the_name(client, tree, make_user):
    make_person(tree.grid_a1, "王小明", id_number(seq="201"))
    make_person(tree.grid_a1, "李小明", id_number(seq="203"))
    client.force_login(clerk(make_user, tree, "view"))

    def names(q):
        table = client.get(reverse("people:person_list"), {"q": q}).context["table"]
        return {row.record.name for row in table.page.object_list}

    assert names("王") == {"王小明"}
    assert names("李小") == {"李小明"}
    assert names("小明") == set()
