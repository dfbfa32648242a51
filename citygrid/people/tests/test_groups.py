"""Category memberships: generic record tests, kind-specific details saved with the membership,
need-to-know for special groups, sealed juvenile records."""

from datetime import date

import pytest
from django.urls import NoReverseMatch, reverse

from citygrid.core.models import AccessLog, ObjectChange
from citygrid.core.testing import (
    ApiReadTests,
    ApiWritesRefusedTests,
    ExportTests,
    PageTests,
)
from citygrid.core.validators import id_number_check_char
from citygrid.people.models import (
    AtRiskYouth,
    DisabilityDetail,
    KeyPerson,
    MentalDisorderDetail,
    Person,
    SpecialGroup,
    VulnerableGroup,
)

pytestmark = pytest.mark.django_db

_seq = {"n": 0}


def make_person(region, name: str, born: str = "19800101") -> Person:
    """A person with a valid resident ID number (county code of the region, a new serial)."""
    _seq["n"] += 1
    body = f"{region.code[:6]}{born}{_seq['n'] % 1000:03d}"
    person = Person(region=region, name=name, id_number=body + id_number_check_char(body))
    person.full_clean()
    person.save()
    return person


def make_special(person, kind="mental_disorder", sealed=False, **kwargs) -> SpecialGroup:
    membership = SpecialGroup(
        person=person, kind=kind, sealed=sealed, started_on=date(2025, 1, 1), **kwargs
    )
    membership.full_clean()
    membership.save()
    if kind == "mental_disorder":
        MentalDisorderDetail.objects.create(membership=membership, diagnosis="01", risk_level=3)
    return membership


def make_vulnerable(person, kind="empty_nest_elder", **kwargs) -> VulnerableGroup:
    membership = VulnerableGroup(person=person, kind=kind, started_on=date(2025, 1, 1), **kwargs)
    membership.full_clean()
    membership.save()
    return membership


class PageOnlyRecordTests(PageTests, ExportTests, ApiReadTests, ApiWritesRefusedTests):
    """Memberships (and their care records) are registered from the person page, a membership
    with its kind's items: no import (their resources are export-only) and a read-only API."""

    def perms(self, *actions):
        # No import permission exists for these types: "every action" means every declared one.
        declared = self.model._meta.default_permissions
        return super().perms(*(a for a in actions if a in declared))

    def test_import_is_not_offered(self):
        assert "import" not in self.model._meta.default_permissions
        with pytest.raises(NoReverseMatch):
            self.url("_import")


class TestSpecialGroupRecords(PageOnlyRecordTests):
    model = SpecialGroup
    api_basename = "specialgroup"
    edited_field = "helper_name"

    def in_scope(self, tree):
        return make_special(make_person(tree.grid_a1, "张三"))

    def out_of_scope(self, tree):
        return make_special(make_person(tree.grid_b1, "李四"))

    def form_data(self, tree):
        return {
            "person": make_person(tree.grid_a2, "王五").pk,
            "kind": "mental_disorder",
            "started_on": "2025-03-01",
            "detail-diagnosis": "01",
            "detail-risk_level": "3",
            "detail-incidents": "0",
        }

    def outside_form_data(self, tree):
        return {**self.form_data(tree), "person": make_person(tree.grid_b1, "赵六").pk}

    def edit_data(self, tree, obj):
        return {
            "started_on": "2025-01-01",
            "helper_name": "民警老周",
            "detail-diagnosis": "01",
            "detail-risk_level": "2",
            "detail-incidents": "0",
        }, "民警老周"

    def export_marker(self, obj):
        return obj.person.name


class TestVulnerableGroupRecords(PageOnlyRecordTests):
    model = VulnerableGroup
    api_basename = "vulnerablegroup"
    edited_field = "helper_name"

    def in_scope(self, tree):
        return make_vulnerable(make_person(tree.grid_a1, "张三"))

    def out_of_scope(self, tree):
        return make_vulnerable(make_person(tree.grid_b1, "李四"))

    def form_data(self, tree):
        return {
            "person": make_person(tree.grid_a2, "王五").pk,
            "kind": "empty_nest_elder",
            "living_alone": "on",
            "started_on": "2025-03-01",
        }

    def outside_form_data(self, tree):
        return {**self.form_data(tree), "person": make_person(tree.grid_b1, "赵六").pk}

    def edit_data(self, tree, obj):
        return {"started_on": "2025-01-01", "helper_name": "社工小李"}, "社工小李"

    def export_marker(self, obj):
        return obj.person.name


class TestKeyPersonRecords(PageOnlyRecordTests):
    model = KeyPerson
    api_basename = "keyperson"
    edited_field = "control_level"

    def key_person(self, person):
        membership = KeyPerson(person=person, type="01", started_on=date(2025, 1, 1))
        membership.full_clean()
        membership.save()
        return membership

    def in_scope(self, tree):
        return self.key_person(make_person(tree.grid_a1, "张三"))

    def out_of_scope(self, tree):
        return self.key_person(make_person(tree.grid_b1, "李四"))

    def form_data(self, tree):
        return {
            "person": make_person(tree.grid_a2, "王五").pk,
            "type": "02",
            "control_level": "2",
            "started_on": "2025-03-01",
        }

    def outside_form_data(self, tree):
        return {**self.form_data(tree), "person": make_person(tree.grid_b1, "赵六").pk}

    def edit_data(self, tree, obj):
        return {"type": obj.type, "control_level": "1", "started_on": "2025-01-01"}, "1"

    def export_marker(self, obj):
        return obj.person.name


def make_youth(person, type="02", **kwargs) -> AtRiskYouth:
    membership = AtRiskYouth(person=person, type=type, started_on=date(2025, 1, 1), **kwargs)
    membership.full_clean()
    membership.save()
    return membership


YOUTH_ITEMS = {
    "type": "03",
    "family_situation": "02",
    "guardian_name": "王芳",
    "guardian_relation": "50",
    "guardian_phone": "13800001234",
    "guardian_address": "幸福小区3幢201室",
    "offended": True,
    "offence_detail": "2024年多次盗窃，已训诫",
    "help_measures": "学校与社工结对帮教",
}


def youth_form_data(person) -> dict:
    data = {name: value for name, value in YOUTH_ITEMS.items() if name != "offended"}
    return {**data, "person": person.pk, "offended": "on", "started_on": "2025-03-01"}


class TestAtRiskYouthRecords(PageOnlyRecordTests):
    model = AtRiskYouth
    api_basename = "atriskyouth"
    edited_field = "help_measures"

    def in_scope(self, tree):
        return make_youth(make_person(tree.grid_a1, "小明", born="20100101"))

    def out_of_scope(self, tree):
        return make_youth(make_person(tree.grid_b1, "小红", born="20100101"))

    def form_data(self, tree):
        return youth_form_data(make_person(tree.grid_a2, "小刚", born="20100101"))

    def outside_form_data(self, tree):
        return youth_form_data(make_person(tree.grid_b1, "小强", born="20100101"))

    def edit_data(self, tree, obj):
        data = {"type": obj.type, "started_on": "2025-01-01", "help_measures": "每周家访一次"}
        return data, "每周家访一次"

    def export_marker(self, obj):
        return obj.person.name


# --- kind-specific details ---------------------------------------------------------------------


def officer(make_user, tree, *actions):
    perms = [f"people.{a}_specialgroup" for a in actions]
    return make_user(perms=perms, scope=[tree.county_a])


def test_add_page_shows_the_detail_form_of_the_chosen_kind(client, tree, make_user):
    person = make_person(tree.grid_a1, "张三")
    client.force_login(officer(make_user, tree, "view", "add"))
    url = reverse("people:specialgroup_add")
    page = client.get(url, {"kind": "mental_disorder", "person": person.pk})
    assert page.status_code == 200
    assert page.context["form"].fields["person"].queryset.get() == person
    assert page.context["detail_title"] == "严重精神障碍患者信息"
    assert "detail-risk_level" in page.content.decode()
    petitioner = client.get(url, {"kind": "petitioner", "person": person.pk})
    assert petitioner.context["detail_form"] is None


def test_membership_and_detail_saved_together(client, tree, make_user):
    person = make_person(tree.grid_a1, "张三")
    client.force_login(officer(make_user, tree, "view", "add"))
    response = client.post(
        reverse("people:specialgroup_add"),
        {
            "person": person.pk,
            "kind": "mental_disorder",
            "started_on": "2025-03-01",
            "detail-diagnosis": "04",
            "detail-risk_level": "5",
            "detail-incidents": "2",
            "detail-last_incident": "2025-02-01",
        },
    )
    assert response.status_code == 302
    membership = SpecialGroup.objects.get(person=person)
    detail = membership.mental_disorder
    assert (detail.diagnosis, detail.risk_level, detail.incidents) == ("04", 5, 2)
    assert membership.region == tree.grid_a1


def test_invalid_detail_saves_nothing(client, tree, make_user):
    person = make_person(tree.grid_a1, "张三")
    client.force_login(officer(make_user, tree, "view", "add"))
    response = client.post(
        reverse("people:specialgroup_add"),
        {
            "person": person.pk,
            "kind": "mental_disorder",
            "started_on": "2025-03-01",
            # Incidents without the date of the last one: the detail model's rule.
            "detail-diagnosis": "04",
            "detail-risk_level": "9",
            "detail-incidents": "2",
        },
    )
    assert response.status_code == 200
    errors = response.context["detail_form"].errors
    assert set(errors) == {"risk_level", "last_incident"}
    assert "有肇祸史须填写上次肇祸日期" in response.content.decode()
    assert not SpecialGroup.objects.exists()
    assert not MentalDisorderDetail.objects.exists()


def test_disabled_gets_disability_detail(client, tree, make_user):
    person = make_person(tree.grid_a1, "张三")
    client.force_login(make_user(perms=["people.add_vulnerablegroup"], scope=[tree.county_a]))
    data = {"person": person.pk, "kind": "disabled", "started_on": "2025-03-01"}
    missing = client.post(reverse("people:vulnerablegroup_add"), data)
    assert missing.status_code == 200
    assert set(missing.context["detail_form"].errors) == {"kind", "grade"}
    assert not VulnerableGroup.objects.exists()
    response = client.post(
        reverse("people:vulnerablegroup_add"), {**data, "detail-kind": "4", "detail-grade": "2"}
    )
    assert response.status_code == 302
    assert DisabilityDetail.objects.get().membership.person == person


def test_subsidy_added_on_membership_page(client, tree, make_user):
    membership = make_vulnerable(make_person(tree.grid_a1, "张三"), kind="low_income")
    client.force_login(
        make_user(
            perms=["people.view_vulnerablegroup", "people.change_vulnerablegroup"],
            scope=[tree.county_a],
        )
    )
    url = reverse("people:vulnerablegroup_subsidy_add", args=[membership.pk])
    bad = client.post(url, {"kind": "01", "monthly_amount": "0", "starts_on": "2025-01-01"})
    assert "金额应大于 0" in bad.content.decode()
    assert not membership.subsidies.exists()
    ok = client.post(url, {"kind": "01", "monthly_amount": "780.00", "starts_on": "2025-01-01"})
    assert ok.status_code == 302
    assert str(membership.subsidies.get().monthly_amount) == "780.00"
    page = client.get(membership.get_absolute_url()).content.decode()
    assert "最低生活保障" in page and "780.00" in page


def test_custodian_filled_from_assignment(tree):
    from citygrid.cases.models import Department
    from citygrid.people.models import CustodianAssignment

    health = Department.objects.create(region=tree.city, name="市卫健委", code="WJ")
    CustodianAssignment.objects.create(
        region=tree.city, category="mental_disorder", department=health
    )
    membership = make_special(make_person(tree.grid_a1, "张三"))
    assert membership.custodian_department == health


# --- at-risk youth: their own items ------------------------------------------------------------


def youth_officer(make_user, tree, *actions):
    perms = [f"people.{a}_atriskyouth" for a in actions]
    return make_user(perms=perms, scope=[tree.county_a])


def test_youth_items_saved_logged_and_shown(client, tree, make_user):
    person = make_person(tree.grid_a1, "小明", born="20100101")
    user = youth_officer(make_user, tree, "view", "add")
    client.force_login(user)
    response = client.post(reverse("people:atriskyouth_add"), youth_form_data(person))
    assert response.status_code == 302
    youth = AtRiskYouth.objects.get(person=person)
    assert {name: getattr(youth, name) for name in YOUTH_ITEMS} == YOUTH_ITEMS
    assert youth.region == tree.grid_a1
    change = ObjectChange.objects.get(object_id=youth.pk, action="create", user=user)
    assert change.prechange_data is None
    # The guardian is a third party: masked in the history and, without plaintext rights, on
    # the page too.
    masked = {"guardian_name": "王*", "guardian_phone": "138****1234"}
    assert {name: change.postchange_data[name] for name in YOUTH_ITEMS} == {
        **YOUTH_ITEMS,
        **masked,
    }
    page = client.get(youth.get_absolute_url()).content.decode()
    for shown in ("有严重不良行为青少年", "父母离异", "父母", "王*", "138****1234"):
        assert shown in page
    assert "2024年多次盗窃，已训诫" in page and "学校与社工结对帮教" in page
    assert "王芳" not in page and "13800001234" not in page


def test_youth_item_edit_logs_before_and_after(client, tree, make_user):
    youth = make_youth(
        make_person(tree.grid_a1, "小明", born="20100101"),
        offended=True,
        offence_detail="打架斗殴",
    )
    user = youth_officer(make_user, tree, "view", "change")
    client.force_login(user)
    response = client.post(
        reverse("people:atriskyouth_edit", args=[youth.pk]),
        {"type": "01", "family_situation": "05", "started_on": "2025-01-01"},
    )
    assert response.status_code == 302
    youth.refresh_from_db()
    assert (youth.type, youth.family_situation, youth.offended, youth.offence_detail) == (
        "01",
        "05",
        False,
        "",
    )
    change = ObjectChange.objects.get(object_id=youth.pk, action="update", user=user)
    diff = {name: (before, after) for name, before, after in change.diff()}
    assert {k: diff[k] for k in ("type", "family_situation", "offended", "offence_detail")} == {
        "type": ("02", "01"),
        "family_situation": ("", "05"),
        "offended": (True, False),
        "offence_detail": ("打架斗殴", ""),
    }


def test_youth_list_filters_by_type_and_offence(client, tree, make_user):
    idle = make_youth(make_person(tree.grid_a1, "小明", born="20100101"), type="01")
    offender = make_youth(make_person(tree.grid_a2, "小刚", born="20100101"), offended=True)
    client.force_login(youth_officer(make_user, tree, "view"))
    url = reverse("people:atriskyouth_list")

    def shown(params):
        table = client.get(url, params).context["table"]
        return {row.record.pk for row in table.page.object_list}

    assert shown({}) == {idle.pk, offender.pk}
    assert shown({"type": "01"}) == {idle.pk}
    assert shown({"offended": "true"}) == {offender.pk}


def test_youth_invisible_without_their_permission(client, tree, make_user):
    youth = make_youth(make_person(tree.grid_a1, "小明", born="20100101"))
    KeyPerson.objects.create(person=youth.person, type="01", started_on=date(2025, 1, 1))
    worker = make_user(perms=["people.view_person", "people.view_keyperson"], scope=[tree.county_a])
    client.force_login(worker)
    assert client.get(reverse("people:atriskyouth_list")).status_code == 403
    assert client.get(youth.get_absolute_url()).status_code == 403
    assert client.get(reverse("people:atriskyouth_export")).status_code == 403
    part = client.get(reverse("people:person_groups", args=[youth.person_id]))
    assert [f["model"] for f in part.context["families"]] == ["keyperson"]
    assert "重点青少年" not in part.content.decode()
    permitted = make_user(
        perms=["people.view_person", "people.view_atriskyouth"], scope=[tree.county_a]
    )
    client.force_login(permitted)
    part = client.get(reverse("people:person_groups", args=[youth.person_id]))
    assert [f["model"] for f in part.context["families"]] == ["atriskyouth"]
    assert [m.pk for m in part.context["families"][0]["rows"]] == [youth.pk]


# --- need-to-know ------------------------------------------------------------------------------


def test_special_groups_invisible_without_permission(client, tree, make_user):
    membership = make_special(make_person(tree.grid_a1, "张三"))
    grid_worker = make_user(
        perms=["people.view_person", "people.view_vulnerablegroup"], scope=[tree.county_a]
    )
    client.force_login(grid_worker)
    assert client.get(reverse("people:specialgroup_list")).status_code == 403
    assert client.get(membership.get_absolute_url()).status_code == 403
    assert client.get(reverse("people:specialgroup_export")).status_code == 403
    part = client.get(reverse("people:person_groups", args=[membership.person_id]))
    assert part.status_code == 200
    text = part.content.decode()
    assert "特殊人群" not in text and "严重精神障碍" not in text
    assert [f["model"] for f in part.context["families"]] == ["vulnerablegroup"]
    assert 'id="person-trail"' not in text
    assert not AccessLog.objects.filter(action="view_sensitive").exists()


def test_person_partial_shows_special_groups_with_permission(client, tree, make_user):
    membership = make_special(make_person(tree.grid_a1, "张三"), helper_name="民警老周")
    client.force_login(
        make_user(
            perms=["people.view_person", "people.view_specialgroup", "people.add_specialgroup"],
            scope=[tree.county_a],
        )
    )
    part = client.get(reverse("people:person_groups", args=[membership.person_id]))
    text = part.content.decode()
    assert "严重精神障碍患者" in text and "民*周" in text and "民警老周" not in text
    assert f"{reverse('people:specialgroup_add')}?person={membership.person_id}" in text
    # Their trail on the map is one click away (the map logs each trail it draws).
    assert f"{reverse('population:map')}?person={membership.person_id}" in text


def test_special_group_detail_is_access_logged(client, tree, make_user):
    membership = make_special(make_person(tree.grid_a1, "张三"))
    user = officer(make_user, tree, "view")
    client.force_login(user)
    page = client.get(membership.get_absolute_url(), {"reason": "走访核查"})
    assert page.status_code == 200
    assert "严重精神障碍患者信息" in page.content.decode()
    log = AccessLog.objects.get(action="view_sensitive")
    assert (log.user, log.object_id, log.detail, log.reason) == (
        user,
        membership.pk,
        "特殊人群明细",
        "走访核查",
    )


# --- sealed juvenile records -------------------------------------------------------------------


def test_sealed_record_shows_only_sealed(client, tree, make_user):
    membership = make_special(
        make_person(tree.grid_a1, "小明", born="20100101"),
        kind="released_prisoner",
        sealed=True,
        helper_name="民警老周",
    )
    client.force_login(officer(make_user, tree, "view", "change", "delete", "export"))
    page = client.get(membership.get_absolute_url()).content.decode()
    assert "已封存" in page
    assert "刑满释放" not in page and "民警老周" not in page
    listing = client.get(reverse("people:specialgroup_list"))
    row = listing.context["table"].rows[0]
    cells = [str(cell) for cell in row]
    assert "已封存" in cells[3] and "民警老周" not in " ".join(cells)
    filtered = client.get(reverse("people:specialgroup_list"), {"kind": "released_prisoner"})
    assert list(filtered.context["table"].data) == []
    for suffix in ("_edit", "_delete", "_changelog"):
        url = reverse(f"people:specialgroup{suffix}", args=[membership.pk])
        assert client.get(url).status_code == 403
    part = client.get(reverse("people:person_groups", args=[membership.person_id]))
    assert "刑满释放" not in part.content.decode()
    export = client.get(reverse("people:specialgroup_export"), {"export_format": "csv"})
    assert "刑满释放" not in export.getvalue().decode("utf-8-sig")


def test_sealed_record_open_to_superuser(client, tree, make_user):
    membership = make_special(
        make_person(tree.grid_a1, "小明", born="20100101"), kind="released_prisoner", sealed=True
    )
    client.force_login(make_user(superuser=True))
    page = client.get(membership.get_absolute_url()).content.decode()
    assert "刑满释放人员" in page and "本记录已依法封存" in page
    assert client.get(reverse("people:specialgroup_edit", args=[membership.pk])).status_code == 200


def test_person_page_loads_the_category_section(client, tree, make_user):
    person = make_person(tree.grid_a1, "张三")
    client.force_login(make_user(perms=["people.view_person"], scope=[tree.county_a]))
    page = client.get(person.get_absolute_url()).content.decode()
    assert f'hx-get="{reverse("people:person_groups", args=[person.pk])}"' in page
    outside = make_person(tree.grid_b1, "李四")
    assert client.get(reverse("people:person_groups", args=[outside.pk])).status_code == 404


def test_api_hides_sealed_rows(api_client, tree, make_user):
    sealed = make_special(
        make_person(tree.grid_a1, "小明", born="20100101"), kind="released_prisoner", sealed=True
    )
    api_client.force_authenticate(officer(make_user, tree, "view"))
    url = reverse("api:specialgroup-detail", args=[sealed.pk])
    body = api_client.get(url).json()
    assert body["sealed"] is True and "kind" not in body and "started_on" not in body
    listed = api_client.get(reverse("api:specialgroup-list"), {"kind": "released_prisoner"})
    assert listed.json()["results"] == []
