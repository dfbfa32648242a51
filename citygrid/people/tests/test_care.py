"""Care records: generic record tests, need-to-know on special-group categories, and the overdue
rule (latest record's next date passed while the membership is open)."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from citygrid.people.care import overdue_categories, overdue_records
from citygrid.people.models import CareRecord, KeyPerson
from citygrid.people.tests.test_groups import (
    PageOnlyRecordTests,
    make_person,
    make_special,
    make_vulnerable,
)

pytestmark = pytest.mark.django_db


def care(person, category, on, next_date=None, helper="社工小李") -> CareRecord:
    return CareRecord.objects.create(
        person=person,
        category=category,
        date=on,
        helper=helper,
        measures="上门走访",
        next_date=next_date,
    )


class TestCareRecordRecords(PageOnlyRecordTests):
    model = CareRecord
    api_basename = "carerecord"
    edited_field = "helper"

    def in_scope(self, tree):
        person = make_vulnerable(make_person(tree.grid_a1, "张三")).person
        return care(person, "empty_nest_elder", date(2025, 3, 1))

    def out_of_scope(self, tree):
        person = make_vulnerable(make_person(tree.grid_b1, "李四")).person
        return care(person, "empty_nest_elder", date(2025, 3, 1))

    def form_data(self, tree):
        person = make_vulnerable(make_person(tree.grid_a2, "王五")).person
        return {
            "person": person.pk,
            "category": "empty_nest_elder",
            "date": "2025-03-01",
            "helper": "社工小李",
            "measures": "送米送油",
            "next_date": "2025-04-01",
        }

    def outside_form_data(self, tree):
        person = make_vulnerable(make_person(tree.grid_b1, "赵六")).person
        return {**self.form_data(tree), "person": person.pk}

    def edit_data(self, tree, obj):
        return {
            "category": obj.category,
            "date": "2025-03-01",
            "helper": "社工老王",
            "measures": obj.measures,
        }, "社工老王"

    def export_marker(self, obj):
        return obj.person.name


def test_overdue_exact_set(tree):
    today = date(2025, 5, 1)
    # Latest record past due, open membership: overdue (the earlier, kept promise does not help).
    p1 = make_vulnerable(make_person(tree.grid_a1, "甲")).person
    care(p1, "empty_nest_elder", date(2025, 1, 1), date(2025, 2, 1))
    care(p1, "empty_nest_elder", date(2025, 3, 1), date(2025, 4, 1))
    make_special(p1)
    care(p1, "mental_disorder", date(2025, 3, 1), date(2025, 3, 15))
    # An earlier record past due, the latest not yet due: not overdue.
    p2 = make_vulnerable(make_person(tree.grid_a1, "乙")).person
    care(p2, "empty_nest_elder", date(2025, 1, 1), date(2025, 2, 1))
    care(p2, "empty_nest_elder", date(2025, 4, 1), date(2025, 6, 1))
    # Membership ended: no more care due.
    p3 = make_vulnerable(make_person(tree.grid_a1, "丙"), ended_on=date(2025, 3, 1)).person
    care(p3, "empty_nest_elder", date(2025, 1, 1), date(2025, 2, 1))
    # Key persons: no next date set / due exactly today are not overdue; yesterday is.
    keys = []
    for name in ("丁", "戊", "己"):
        person = make_person(tree.grid_a1, name)
        KeyPerson.objects.create(person=person, type="01", started_on=date(2025, 1, 1))
        keys.append(person)
    care(keys[0], "key_person", date(2025, 3, 1))
    care(keys[1], "key_person", date(2025, 3, 1), today)
    care(keys[2], "key_person", date(2025, 3, 1), today - timedelta(days=1))

    found = {(r.person.name, r.category) for r in overdue_records(today=today)}
    assert found == {("甲", "empty_nest_elder"), ("甲", "mental_disorder"), ("己", "key_person")}
    assert overdue_categories(p1, today) == {"empty_nest_elder", "mental_disorder"}
    assert overdue_categories(p2, today) == set()


def test_overdue_filter_and_badges(client, tree, make_user):
    today = date.today()
    late = make_vulnerable(make_person(tree.grid_a1, "甲"))
    care(late.person, "empty_nest_elder", today - timedelta(days=60), today - timedelta(days=30))
    fine = make_vulnerable(make_person(tree.grid_a1, "乙"))
    care(fine.person, "empty_nest_elder", today - timedelta(days=10), today + timedelta(days=20))
    client.force_login(
        make_user(
            perms=["people.view_carerecord", "people.view_vulnerablegroup", "people.view_person"],
            scope=[tree.county_a],
        )
    )
    listing = client.get(reverse("people:carerecord_list"), {"overdue": "true"})
    assert [r.person.name for r in listing.context["table"].data] == ["甲"]
    members = client.get(reverse("people:vulnerablegroup_list"), {"overdue": "true"})
    assert [m.pk for m in members.context["table"].data] == [late.pk]
    assert 'id="overdue-badge"' in client.get(late.get_absolute_url()).content.decode()
    assert 'id="overdue-badge"' not in client.get(fine.get_absolute_url()).content.decode()
    part = client.get(reverse("people:person_groups", args=[late.person_id])).content.decode()
    assert "帮扶逾期" in part


def test_special_group_care_needs_to_know(client, tree, make_user):
    person = make_special(make_person(tree.grid_a1, "张三")).person
    make_vulnerable(person)
    secret = care(person, "mental_disorder", date(2025, 3, 1))
    visible = care(person, "empty_nest_elder", date(2025, 3, 1))
    worker = make_user(
        perms=["people.view_carerecord", "people.add_carerecord", "people.view_vulnerablegroup"],
        scope=[tree.county_a],
    )
    client.force_login(worker)
    listing = client.get(reverse("people:carerecord_list"))
    assert [r.pk for r in listing.context["table"].data] == [visible.pk]
    assert client.get(secret.get_absolute_url()).status_code == 404
    form = client.get(reverse("people:carerecord_add"), {"person": person.pk}).context["form"]
    assert [v for v, _ in form.fields["category"].choices] == ["", "empty_nest_elder"]
    before = CareRecord.objects.count()
    response = client.post(
        reverse("people:carerecord_add"),
        {
            "person": person.pk,
            "category": "mental_disorder",
            "date": "2025-03-02",
            "helper": "社工小李",
            "measures": "走访",
        },
    )
    assert response.status_code == 200
    assert "category" in response.context["form"].errors
    assert CareRecord.objects.count() == before


def test_care_category_must_be_an_open_membership(client, tree, make_user):
    person = make_vulnerable(make_person(tree.grid_a1, "张三")).person
    client.force_login(make_user(perms=["people.add_carerecord"], scope=[tree.county_a]))
    response = client.post(
        reverse("people:carerecord_add"),
        {
            "person": person.pk,
            "category": "low_income",
            "date": "2025-03-02",
            "helper": "社工小李",
            "measures": "走访",
        },
    )
    assert response.status_code == 200
    assert not CareRecord.objects.exists()
