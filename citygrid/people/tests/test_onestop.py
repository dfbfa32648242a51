"""One-stop requests: a vulnerable person's need filed as a case through the intake service."""

from datetime import date

import pytest
from django.urls import reverse

from citygrid.cases.models import Case
from citygrid.cases.testing import street_order_class
from citygrid.housing.models import House
from citygrid.people.models import Residency
from citygrid.people.tests.test_groups import make_person, make_vulnerable

pytestmark = pytest.mark.django_db

WORKER_PERMS = ["people.view_vulnerablegroup", "cases.add_case", "cases.view_case"]


def test_request_creates_one_case_at_the_grid(client, tree, make_user):
    category = street_order_class("0599", "其他街面秩序")
    membership = make_vulnerable(make_person(tree.grid_a1, "张三"))
    user = make_user(perms=WORKER_PERMS, scope=[tree.county_a])
    client.force_login(user)
    url = reverse("people:vulnerablegroup_request", args=[membership.pk])
    form = client.get(url).context["form"]
    assert form.initial["description"] == "空巢/独居老人帮扶诉求："
    response = client.post(url, {"category": category.pk, "description": "屋顶漏水需维修"})
    assert response.status_code == 302
    case = Case.objects.get()
    assert (case.category, case.region, case.reporter) == (category, tree.grid_a1, user)
    person_url = reverse("people:person", args=[membership.person_id])
    assert case.description.startswith("屋顶漏水需维修")
    assert f"人员页面 {person_url}" in case.description
    assert membership.person.id_number not in case.description
    assert "张三" not in case.description
    page = client.get(membership.get_absolute_url()).content.decode()
    assert case.number in page and case.get_absolute_url() in page


def test_request_located_at_the_current_home(client, tree, make_user):
    category = street_order_class("0599", "其他街面秩序")
    membership = make_vulnerable(make_person(tree.grid_a1, "张三"))
    house = House(region=tree.grid_a2, number="1", address="甲二路1号", lng=120.015, lat=30.005)
    house.full_clean()
    house.save()
    Residency.objects.create(person=membership.person, house=house, started_on=date(2024, 1, 1))
    client.force_login(make_user(perms=WORKER_PERMS, scope=[tree.county_a]))
    url = reverse("people:vulnerablegroup_request", args=[membership.pk])
    client.post(url, {"category": category.pk, "description": "需要助餐"})
    case = Case.objects.get()
    assert (case.region, case.lng, case.lat) == (tree.grid_a2, 120.015, 30.005)


def test_request_refused_without_case_permission(client, tree, make_user):
    category = street_order_class("0599", "其他街面秩序")
    membership = make_vulnerable(make_person(tree.grid_a1, "张三"))
    client.force_login(make_user(perms=["people.view_vulnerablegroup"], scope=[tree.county_a]))
    url = reverse("people:vulnerablegroup_request", args=[membership.pk])
    assert client.post(url, {"category": category.pk, "description": "x"}).status_code == 403
    assert not Case.objects.exists()


def test_request_without_position_explains(client, tree, make_user):
    category = street_order_class("0599", "其他街面秩序")
    membership = make_vulnerable(make_person(tree.community_a, "张三"))
    client.force_login(make_user(perms=WORKER_PERMS, scope=[tree.county_a]))
    url = reverse("people:vulnerablegroup_request", args=[membership.pk])
    response = client.post(url, {"category": category.pk, "description": "需要助餐"})
    assert response.status_code == 200
    assert "无法定位" in response.content.decode()
    assert not Case.objects.exists()
