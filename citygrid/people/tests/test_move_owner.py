"""Linking a person to a house as its owner when the house has a current owner already: the
form warns and asks once; confirmed, it goes through (co-owners are real)."""

from datetime import date

import pytest
from django.urls import reverse

from citygrid.people.actions import register_residency
from citygrid.people.models import Residency
from citygrid.people.tests.test_persons import id_number, make_person
from citygrid.people.tests.test_residency import homes, mover  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture
def owned(tree, homes, mover):  # noqa: F811
    owner = make_person(tree.grid_a2, "王五", id_number(seq="011"))
    register_residency(
        owner, house=homes["a2"], relation="owner", started_on=date(2020, 1, 1), actor=mover
    )
    return homes["a2"]


def post(client, person, house, **extra):
    url = reverse("people:person_move", args=[person.pk])
    data = {"house": house.pk, "relation": "owner", "started_on": "2024-03-01", **extra}
    return client.post(url, data)


def test_second_owner_is_asked_to_confirm_then_registered(client, tree, owned, mover):  # noqa: F811
    person = make_person(tree.grid_a1, "张三", id_number())
    client.force_login(mover)
    response = post(client, person, owned)
    assert response.status_code == 200
    page = response.content.decode()
    assert "该房屋已登记产权人 1 人" in page
    assert 'type="checkbox" name="confirm_owner"' in page
    # The picked house stays picked for the second submit.
    assert f'<option value="{owned.pk}" selected>' in page
    assert not Residency.objects.filter(person=person).exists()
    response = post(client, person, owned, confirm_owner="on")
    assert response.status_code == 302
    assert Residency.objects.get(person=person).relation == "owner"
    assert Residency.objects.filter(house=owned, relation="owner", ended_on=None).count() == 2


def test_no_question_for_a_tenant_or_a_house_without_owner(client, tree, owned, homes, mover):  # noqa: F811
    person = make_person(tree.grid_a1, "张三", id_number())
    client.force_login(mover)
    assert post(client, person, owned, relation="household_member").status_code == 302
    other = make_person(tree.grid_a1, "李四", id_number(seq="021"))
    assert post(client, other, homes["a1"]).status_code == 302


def test_an_ended_ownership_does_not_count(client, tree, owned, homes, mover):  # noqa: F811
    Residency.objects.filter(house=owned).update(ended_on=date(2023, 1, 1))
    person = make_person(tree.grid_a1, "张三", id_number())
    client.force_login(mover)
    assert post(client, person, owned).status_code == 302
