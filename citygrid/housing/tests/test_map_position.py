"""`House.map_lng/map_lat`: where maps draw a house — its own point, else its building's — kept
right on every write that moves a house or a building, without history rows of its own."""

import importlib

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from citygrid.core import records
from citygrid.core.models import ObjectChange
from citygrid.housing.actions import generate_houses
from citygrid.housing.models import House
from citygrid.housing.models.houses import follow_buildings
from citygrid.housing.tests import factories as f

pytestmark = pytest.mark.django_db

fill = importlib.import_module("citygrid.housing.migrations.0004_house_map_position")


def at(house) -> tuple:
    return House.objects.values_list("map_lng", "map_lat").get(pk=house.pk)


@pytest.fixture
def block(tree):
    """A building at (120.003, 30.003) with a flat of its own point and one without, a
    standalone cottage, and a second building's flat."""
    building = f.building(tree.grid_a1, lng=120.003, lat=30.003)
    other = f.building(tree.grid_a1, name="2号楼", lng=120.008, lat=30.008)
    return {
        "building": building,
        "pinned": f.house(building, "101", lng=120.0031, lat=30.0031),
        "plain": f.house(building, "102"),
        "half": f.house(building, "201", floor=2, lng=120.0032),  # no latitude: not its own
        "cottage": f.house(region=tree.grid_a1, number="8", address="甲村8号"),
        "neighbour": f.house(other, "101"),
    }


def test_a_house_is_drawn_at_its_own_point_else_its_buildings(block):
    assert at(block["pinned"]) == (120.0031, 30.0031)
    assert at(block["plain"]) == (120.003, 30.003)
    assert at(block["half"]) == (120.003, 30.003)
    assert at(block["cottage"]) == (None, None)
    assert at(block["neighbour"]) == (120.008, 30.008)


def test_moving_a_building_moves_its_houses_without_a_point(block, make_user, tree):
    user = make_user(perms=["housing.change_building"], scope=[tree.county_a])
    building = type(block["building"]).objects.get(pk=block["building"].pk)
    building.lng, building.lat = 120.005, 30.004
    before = ObjectChange.objects.count()
    records.save_record(building, actor=user)
    assert at(block["plain"]) == (120.005, 30.004)
    assert at(block["half"]) == (120.005, 30.004)
    assert at(block["pinned"]) == (120.0031, 30.0031)  # its own point stays
    assert at(block["neighbour"]) == (120.008, 30.008)  # another building's house
    # One history row, the building's: a house's map position is bookkeeping.
    assert ObjectChange.objects.count() == before + 1


def test_a_building_edit_through_the_api_moves_its_houses(block, api_client, make_user, tree):
    user = make_user(perms=["housing.view_building", "housing.change_building"], scope=[tree.city])
    api_client.force_authenticate(user)
    url = reverse("api:building-detail", args=[block["building"].pk])
    response = api_client.patch(url, {"lng": 120.006, "lat": 30.005}, format="json")
    assert response.status_code == 200, response.content
    assert at(block["plain"]) == (120.006, 30.005)


def test_a_building_write_that_leaves_the_position_alone_touches_no_house(block, make_user, tree):
    user = make_user(perms=["housing.change_building"], scope=[tree.county_a])
    building = type(block["building"]).objects.select_related("region").get(pk=block["building"].pk)
    building.head_name = "楼栋长甲"
    with CaptureQueriesContext(connection) as captured:
        records.save_record(building, actor=user)
    assert captured.captured_queries
    assert not any("housing_house" in q["sql"] for q in captured.captured_queries)
    assert at(block["plain"]) == (120.003, 30.003)


def test_editing_a_houses_point_moves_it(block, make_user, tree):
    user = make_user(perms=["housing.change_house"], scope=[tree.county_a])
    pinned = House.objects.get(pk=block["pinned"].pk)
    pinned.lng = pinned.lat = None
    records.save_record(pinned, actor=user)
    assert at(pinned) == (120.003, 30.003)  # back to its building's
    plain = House.objects.get(pk=block["plain"].pk)
    plain.lng, plain.lat = 120.0035, 30.0036
    records.save_record(plain, actor=user, update_fields=["lng", "lat"])
    assert at(plain) == (120.0035, 30.0036)


def test_a_house_moved_to_another_building_follows_it(block, make_user, tree):
    user = make_user(perms=["housing.change_house"], scope=[tree.county_a])
    plain = House.objects.get(pk=block["plain"].pk)
    plain.building = block["neighbour"].building
    plain.number = "102"
    records.save_record(plain, actor=user)
    assert at(plain) == (120.008, 30.008)


def test_generated_and_bulk_created_houses_have_their_position(block, make_user, tree):
    user = make_user(perms=["housing.add_house", "housing.view_building"], scope=[tree.city])
    building = f.building(tree.grid_a2, name="3号楼", floors=1, entrances=1, houses_per_floor=2)
    records.save_record(building, actor=user)
    building.lng, building.lat = 120.013, 30.004
    records.save_record(building, actor=user)
    created = generate_houses(building, actor=user)
    assert [at(h) for h in created] == [(120.013, 30.004)] * 2


def test_follow_buildings_is_the_bulk_paths_update(block):
    building = block["building"]
    type(building).objects.filter(pk=building.pk).update(lng=121.0, lat=31.0)  # fixture write
    other = block["neighbour"].building
    assert follow_buildings([building.pk, other.pk]) == 2  # plain and half
    assert at(block["plain"]) == (121.0, 31.0)
    assert at(block["half"]) == (121.0, 31.0)
    assert at(block["pinned"]) == (120.0031, 30.0031)  # its own point
    assert at(block["neighbour"]) == (120.008, 30.008)  # its building did not move
    assert follow_buildings([building.pk, other.pk]) == 0  # nothing left to move


def test_the_data_migration_fills_existing_houses_in_one_update(block, django_assert_num_queries):
    House.objects.update(map_lng=None, map_lat=None)  # as before the migration
    state = MigrationLoader(connection).project_state(("housing", "0004_house_map_position"))
    with django_assert_num_queries(1):
        fill.fill_positions(state.apps, None)
    assert at(block["pinned"]) == (120.0031, 30.0031)
    assert at(block["plain"]) == (120.003, 30.003)
    assert at(block["half"]) == (120.003, 30.003)
    assert at(block["cottage"]) == (None, None)
    assert at(block["neighbour"]) == (120.008, 30.008)
