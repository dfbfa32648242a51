"""Where people live: the first home, moving (history kept, memberships follow the person's
grid), and refusals that change nothing."""

from datetime import date

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from citygrid.core.errors import ActionError
from citygrid.core.models import ObjectChange
from citygrid.housing.models import House, Rental
from citygrid.people.actions import move_person, register_residency
from citygrid.people.models import AtRiskYouth, KeyPerson, Residency, SpecialGroup, VulnerableGroup
from citygrid.people.tests.test_persons import id_number, make_person

pytestmark = pytest.mark.django_db

MOVERS = [
    "people.view_person",
    "people.change_person",
    "people.view_residency",
    "people.add_residency",
]


def house(grid, address) -> House:
    h = House(region=grid, number="1", address=address)
    h.full_clean()
    h.save()
    return h


HOUSING_VIEW = ["housing.view_estate", "housing.view_building", "housing.view_house"]


@pytest.fixture
def homes(tree):
    return {
        "a1": house(tree.grid_a1, "甲一路1号"),
        "a2": house(tree.grid_a2, "甲二路2号"),
        "b1": house(tree.grid_b1, "乙一路3号"),
    }


@pytest.fixture
def mover(make_user, tree):
    return make_user(perms=MOVERS, scope=[tree.county_a])


def test_move_keeps_history_and_moves_memberships(tree, homes, mover):
    person = make_person(tree.grid_a1, "张三", id_number())
    register_residency(
        person, house=homes["a1"], relation="owner", started_on=date(2020, 1, 1), actor=mover
    )
    special = SpecialGroup.objects.create(
        person=person, kind="released_prisoner", started_on=date(2021, 1, 1)
    )
    vulnerable = VulnerableGroup.objects.create(
        person=person, kind="low_income", started_on=date(2021, 1, 1)
    )
    key = KeyPerson.objects.create(person=person, type="01", started_on=date(2021, 1, 1))
    youth = AtRiskYouth.objects.create(person=person, type="01", started_on=date(2021, 1, 1))
    assert special.region_code == tree.grid_a1.code

    new = move_person(
        person,
        house=homes["a2"],
        relation="tenant",
        relation_to_head="02",
        started_on=date(2024, 5, 1),
        actor=mover,
    )

    old = Residency.objects.get(person=person, house=homes["a1"])
    assert (old.started_on, old.ended_on) == (date(2020, 1, 1), date(2024, 5, 1))
    assert (new.house, new.relation, new.started_on, new.ended_on) == (
        homes["a2"],
        "tenant",
        date(2024, 5, 1),
        None,
    )
    assert new.region_code == tree.grid_a2.code
    person.refresh_from_db()
    assert (person.region, person.region_code) == (tree.grid_a2, tree.grid_a2.code)
    assert person.current_address == "甲二路2号"
    for membership in (special, vulnerable, key, youth):
        membership.refresh_from_db()
        assert (membership.region, membership.region_code) == (tree.grid_a2, tree.grid_a2.code)
        moved = ObjectChange.objects.get(
            content_type=ContentType.objects.get_for_model(membership),
            object_id=membership.pk,
            action="update",
        )
        assert moved.user == mover
        assert {"region", "region_code"} <= {name for name, _, _ in moved.diff()}
    change = ObjectChange.objects.filter(object_id=person.pk, action="update").latest("pk")
    assert "region" in {name for name, _, _ in change.diff()}


def test_tenant_is_tied_to_the_open_rental(tree, homes, mover):
    rental = Rental(house=homes["a2"], landlord_name="房东", landlord_phone="13900000009")
    rental.full_clean()
    rental.save()
    person = make_person(tree.grid_a1, "张三", id_number())
    residency = move_person(
        person, house=homes["a2"], relation="tenant", started_on=date(2024, 1, 1), actor=mover
    )
    assert residency.rental == rental


def test_move_out_of_scope_rolls_back(tree, homes, mover):
    person = make_person(tree.grid_a1, "张三", id_number())
    register_residency(
        person, house=homes["a1"], relation="owner", started_on=date(2020, 1, 1), actor=mover
    )
    with pytest.raises(ActionError) as refused:
        move_person(
            person, house=homes["b1"], relation="owner", started_on=date(2024, 1, 1), actor=mover
        )
    assert refused.value.code == "house_out_of_scope"
    assert Residency.objects.get(person=person).ended_on is None
    person.refresh_from_db()
    assert person.region == tree.grid_a1


def test_move_out_of_the_movers_scope_is_undone(tree, homes, make_user):
    # A mover who looks after grid A1 only cannot move someone into the next grid.
    user = make_user(perms=MOVERS, scope=[tree.grid_a1])
    person = make_person(tree.grid_a1, "张三", id_number())
    with pytest.raises(ActionError):
        move_person(
            person, house=homes["a2"], relation="owner", started_on=date(2024, 1, 1), actor=user
        )
    assert not Residency.objects.exists()
    person.refresh_from_db()
    assert person.region == tree.grid_a1


def test_move_dated_before_the_current_home_is_refused(tree, homes, mover):
    person = make_person(tree.grid_a1, "张三", id_number())
    register_residency(
        person, house=homes["a1"], relation="owner", started_on=date(2022, 1, 1), actor=mover
    )
    with pytest.raises(ActionError) as refused:
        move_person(
            person, house=homes["a2"], relation="owner", started_on=date(2021, 1, 1), actor=mover
        )
    assert refused.value.code == "before_current"
    assert Residency.objects.filter(person=person).count() == 1
    with pytest.raises(ActionError):
        register_residency(
            person, house=homes["a2"], relation="owner", started_on=date(2023, 1, 1), actor=mover
        )
    assert Residency.objects.filter(person=person).count() == 1


def test_move_page_takes_the_picked_house(client, tree, homes, mover):
    person = make_person(tree.grid_a1, "张三", id_number())
    client.force_login(mover)
    url = reverse("people:person_move", args=[person.pk])
    assert client.get(url).status_code == 200
    data = {"house": homes["a2"].pk, "relation": "owner", "started_on": "2024-03-01"}
    response = client.post(url, data)
    assert response.status_code == 302
    home = Residency.objects.get(person=person)
    assert (home.house, home.started_on) == (homes["a2"], date(2024, 3, 1))
    page = client.get(person.get_absolute_url()).content.decode()
    assert homes["a2"].code in page and "迁居/变更住址" in page


def test_move_page_refuses_a_house_outside_scope(client, tree, homes, mover):
    person = make_person(tree.grid_a1, "张三", id_number())
    client.force_login(mover)
    url = reverse("people:person_move", args=[person.pk])
    data = {"house": homes["b1"].pk, "relation": "owner", "started_on": "2024-03-01"}
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["form"].errors["house"] == ["未找到该房屋，或该房屋不在您的管辖范围内"]
    assert not Residency.objects.exists()


def test_move_page_needs_permission_and_scope(client, tree, homes, make_user, mover):
    inside = make_person(tree.grid_a1, "张三", id_number())
    outside = make_person(tree.grid_b1, "李四", id_number("330102"))
    client.force_login(make_user(perms=["people.view_person"], scope=[tree.county_a]))
    assert client.get(reverse("people:person_move", args=[inside.pk])).status_code == 403
    client.force_login(mover)
    assert client.get(reverse("people:person_move", args=[outside.pk])).status_code == 404


def test_everyone_living_in_a_house_building_or_estate_is_one_click_away(client, tree, make_user):
    from citygrid.housing.models import Building, Estate

    estate = Estate.objects.create(region=tree.community_a, name="幸福小区")
    one = Building.objects.create(region=tree.grid_a1, estate=estate, name="1号楼")
    two = Building.objects.create(region=tree.grid_a2, estate=estate, name="2号楼")
    flat_1 = House.objects.create(building=one, entrance=1, floor=1, number="101")
    flat_2 = House.objects.create(building=two, entrance=1, floor=1, number="101")
    mover = make_user(perms=MOVERS, scope=[tree.county_a])
    stays = make_person(tree.grid_a1, "留住", id_number(seq="111"))
    left = make_person(tree.grid_a1, "搬走", id_number(seq="112"))
    other = make_person(tree.grid_a2, "二号楼", id_number(seq="113"))
    register_residency(
        stays, house=flat_1, relation="owner", started_on=date(2026, 1, 1), actor=mover
    )
    register_residency(
        left, house=flat_1, relation="tenant", started_on=date(2026, 1, 1), actor=mover
    )
    move_person(left, house=flat_2, relation="tenant", started_on=date(2026, 3, 1), actor=mover)
    register_residency(
        other, house=flat_2, relation="owner", started_on=date(2026, 1, 1), actor=mover
    )

    client.force_login(
        make_user(perms=["people.view_person", *HOUSING_VIEW], scope=[tree.county_a])
    )

    def listed(**params):
        table = client.get(reverse("people:person_list"), params).context["table"]
        return {row.record.name for row in table.page.object_list}

    assert listed(house=flat_1.pk) == {"留住"}
    assert listed(building=two.pk) == {"搬走", "二号楼"}
    assert listed(estate=estate.pk) == {"留住", "搬走", "二号楼"}
    page = client.get(one.get_absolute_url()).content.decode()
    assert f"{reverse('people:person_list')}?building={one.pk}" in page
    page = client.get(estate.get_absolute_url()).content.decode()
    assert f"{reverse('people:person_list')}?estate={estate.pk}" in page
