"""Custodian assignments (归口): generic record tests, inheritance down the tree, and the explicit
re-assignment of open memberships after an assignment changed."""

from datetime import date

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from citygrid.cases.models import Department
from citygrid.core import records
from citygrid.core.models import ObjectChange
from citygrid.core.testing import NoApiTests, NotExportableTests, NotImportableTests, PageTests
from citygrid.people.models import CustodianAssignment, VulnerableGroup
from citygrid.people.models.care import custodian_for
from citygrid.people.tests.test_groups import make_person, make_vulnerable

pytestmark = pytest.mark.django_db


def department(region, name, code) -> Department:
    return Department.objects.create(region=region, name=name, code=code)


def assign(region, dept, category="empty_nest_elder") -> CustodianAssignment:
    return CustodianAssignment.objects.create(region=region, category=category, department=dept)


class TestCustodianAssignmentRecords(PageTests, NotExportableTests, NotImportableTests, NoApiTests):
    """Assignments are configuration: no export, no import and no API of their own."""

    model = CustodianAssignment
    edited_field = "department"

    def perms(self, *actions):
        declared = self.model._meta.default_permissions
        return super().perms(*(a for a in actions if a in declared))

    def in_scope(self, tree):
        return assign(tree.county_a, department(tree.county_a, "甲区民政局", "MZ-A"))

    def out_of_scope(self, tree):
        return assign(tree.county_b, department(tree.county_b, "乙区民政局", "MZ-B"))

    def form_data(self, tree):
        dept = department(tree.county_a, "甲区残联", "CL-A")
        return {"category": "disabled", "region": tree.township_a.pk, "department": dept.pk}

    def outside_form_data(self, tree):
        dept = department(tree.county_a, "甲区残联", "CL-A")
        return {"category": "disabled", "region": tree.township_b.pk, "department": dept.pk}

    def edit_data(self, tree, obj):
        dept = department(tree.county_a, "甲街道办", "JD-A")
        return {"category": obj.category, "region": obj.region_id, "department": dept.pk}, dept


def test_city_default_and_district_override(tree):
    city = department(tree.city, "市民政局", "MZ")
    district = department(tree.county_a, "甲区民政局", "MZ-A")
    assign(tree.city, city)
    assign(tree.county_a, district)
    assert custodian_for("empty_nest_elder", tree.grid_a1) == district
    assert custodian_for("empty_nest_elder", tree.grid_b1) == city
    assert custodian_for("disabled", tree.grid_a1) is None
    assert make_vulnerable(make_person(tree.grid_a1, "甲")).custodian_department == district
    assert make_vulnerable(make_person(tree.grid_b1, "乙")).custodian_department == city
    chosen = department(tree.township_a, "甲街道办", "JD-A")
    explicit = make_vulnerable(make_person(tree.grid_a2, "丙"), custodian_department=chosen)
    assert explicit.custodian_department == chosen


def test_every_write_derives_the_custodian_with_one_lookup(tree):
    """`derive()` fills it, so the bulk half of the write path does too; a single write looks
    the assignments up once, even when none applies (validation derives before the write)."""
    city = department(tree.city, "市民政局", "MZ")
    assign(tree.city, city)
    started = date(2025, 1, 1)
    batch = [
        VulnerableGroup(
            person=make_person(tree.grid_a1, name), kind="empty_nest_elder", started_on=started
        )
        for name in ("甲", "乙")
    ]
    records.create_records(VulnerableGroup, batch, actor=None)
    assert [m.custodian_department for m in VulnerableGroup.objects.all()] == [city, city]

    unassigned = VulnerableGroup(
        person=make_person(tree.grid_a1, "丙"), kind="disabled", started_on=started
    )
    table = CustodianAssignment._meta.db_table
    with CaptureQueriesContext(connection) as queries:
        records.save_record(unassigned, actor=None)
    assert sum(table in q["sql"] for q in queries.captured_queries) == 1
    unassigned.refresh_from_db()
    assert unassigned.custodian_department is None


def test_reassign_after_assignment_changed(client, tree, make_user):
    old = department(tree.city, "市民政局", "MZ")
    new = department(tree.city, "市老龄办", "LL")
    other = department(tree.county_a, "甲区残联", "CL-A")
    override = department(tree.county_b, "乙区民政局", "MZ-B")
    assignment = assign(tree.city, old)
    follows = make_vulnerable(make_person(tree.grid_a1, "甲"))
    no_department = make_vulnerable(make_person(tree.grid_a2, "乙"))
    VulnerableGroup.objects.filter(pk=no_department.pk).update(custodian_department=None)
    # 丙 has a department chosen by hand, 丁 has ended, 戊 is governed by a district override.
    make_vulnerable(make_person(tree.grid_a1, "丙"), custodian_department=other)
    make_vulnerable(make_person(tree.grid_a1, "丁"), ended_on=date(2025, 6, 1))
    assign(tree.county_b, override)
    make_vulnerable(make_person(tree.grid_b1, "戊"), custodian_department=old)
    disabled = make_vulnerable(make_person(tree.grid_a1, "己"), kind="disabled")
    VulnerableGroup.objects.filter(pk=disabled.pk).update(custodian_department=old)

    user = make_user(
        perms=[
            "people.view_custodianassignment",
            "people.change_custodianassignment",
            "people.view_vulnerablegroup",
            "people.change_vulnerablegroup",
        ],
        scope=[tree.city],
    )
    client.force_login(user)
    response = client.post(
        assignment.get_absolute_url().replace(f"{assignment.pk}/", f"{assignment.pk}/edit/"),
        {"category": "empty_nest_elder", "region": tree.city.pk, "department": new.pk},
    )
    assert response.status_code == 302
    # Changing the assignment alone rewrites nothing.
    follows.refresh_from_db()
    assert follows.custodian_department == old
    page = client.get(assignment.get_absolute_url())
    assert page.context["pending"] == 2

    response = client.post(reverse("people:custodianassignment_reassign", args=[assignment.pk]))
    assert response.status_code == 302
    result = {
        m.person.name: m.custodian_department
        for m in VulnerableGroup.objects.select_related("person", "custodian_department")
    }
    assert result == {
        "甲": new,
        "乙": new,
        "丙": other,
        "丁": old,
        "戊": old,
        "己": old,
    }
    changes = ObjectChange.objects.filter(
        content_type=ContentType.objects.get_for_model(VulnerableGroup),
        action="update",
        user=user,
    )
    assert sorted(c.object_id for c in changes) == sorted([follows.pk, no_department.pk])
    assert {c.postchange_data["custodian_department"] for c in changes} == {new.pk}


def test_reassign_needs_membership_permission(client, tree, make_user):
    old = department(tree.city, "市民政局", "MZ")
    assignment = assign(tree.city, old, category="mental_disorder")
    client.force_login(
        make_user(
            perms=["people.view_custodianassignment", "people.change_custodianassignment"],
            scope=[tree.city],
        )
    )
    url = reverse("people:custodianassignment_reassign", args=[assignment.pk])
    assert client.post(url).status_code == 403
    page = client.get(assignment.get_absolute_url())
    assert page.context["pending"] == 0 and not page.context["may_reassign"]
