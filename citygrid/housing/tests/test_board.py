"""The building table (楼盘表): layout, colours, resident counts, the special-group marker only
for users who may see special groups, a fixed number of queries, and batch house generation."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from citygrid.core.models import ObjectChange
from citygrid.housing import numbering
from citygrid.housing.board import build_board
from citygrid.housing.models import House
from citygrid.housing.tests import factories as f

pytestmark = pytest.mark.django_db

VIEW = ["housing.view_building", "housing.view_house"]


@pytest.fixture
def block(tree):
    """3 floors × 2 entrances × 2 doors; four houses registered, four people living there."""
    b = f.building(tree.grid_a1, "1号楼", estate=f.estate(tree.community_a))
    h101 = f.house(b, "101", entrance=1, floor=1, occupancy="owner_occupied")
    h102 = f.house(b, "102", entrance=1, floor=1, occupancy="rented")
    h302 = f.house(b, "302", entrance=1, floor=3, occupancy="vacant")
    h2101 = f.house(b, "101", entrance=2, floor=1, occupancy="other")
    a = f.person(tree.grid_a1, "甲", f.id_number(1))
    left = f.person(tree.grid_a1, "乙", f.id_number(2))
    c = f.person(tree.grid_a1, "丙", f.id_number(3))
    d = f.person(tree.grid_a1, "丁", f.id_number(4))
    f.residency(a, h101)
    f.residency(left, h101, ended_on="2025-06-01")
    f.residency(c, h102, relation="tenant")
    f.residency(d, h2101)
    f.special_group(c)  # open: the house shows the marker
    f.special_group(d, ended_on="2025-01-01")  # ended: no marker
    return b, {"101": h101, "102": h102, "302": h302, "2-101": h2101}


def _cells(board):
    return {
        (row.floor, entrance): [c.house.number if c else None for c in group]
        for row in board.rows
        for (entrance, _), group in zip(board.entrances, row.groups, strict=True)
    }


def test_board_lays_out_floors_top_down_and_entrances_as_column_groups(block, make_user, tree):
    building, houses = block
    user = make_user(perms=VIEW, scope=[tree.county_a])
    board = build_board(building, user, show_special=False)
    assert [row.label for row in board.rows] == ["3层", "2层", "1层"]
    assert board.entrances == [(1, 2), (2, 2)]
    assert _cells(board) == {
        (3, 1): ["302", None],
        (3, 2): [None, None],
        (2, 1): [None, None],
        (2, 2): [None, None],
        (1, 1): ["101", "102"],
        (1, 2): ["101", None],
    }
    assert board.house_count == 4


def test_board_colours_and_counts_current_residents(block, make_user, tree):
    building, houses = block
    user = make_user(perms=VIEW, scope=[tree.county_a])
    board = build_board(building, user, show_special=True)
    cells = {c.house.pk: c for row in board.rows for g in row.groups for c in g if c}
    expected = {
        "101": ("green", 1),  # the one who left is not counted
        "102": ("blue", 1),
        "302": ("secondary", 0),
        "2-101": ("azure", 1),
    }
    assert {k: (cells[h.pk].colour, cells[h.pk].residents) for k, h in houses.items()} == expected


def test_special_marker_only_for_open_group_of_current_resident(block, make_user, tree):
    building, houses = block
    user = make_user(perms=[*VIEW, "people.view_specialgroup"], scope=[tree.county_a])
    board = build_board(building, user, show_special=True)
    marked = {c.house.pk for row in board.rows for g in row.groups for c in g if c and c.special}
    assert marked == {houses["102"].pk}


def test_building_page_shows_marker_only_with_permission(block, client, make_user, tree):
    building, houses = block
    url = reverse("housing:building", args=[building.pk])
    client.force_login(make_user(perms=[*VIEW, "people.view_specialgroup"], scope=[tree.county_a]))
    page = client.get(url).content.decode()
    assert page.count("special-marker") == 1
    assert "有特殊人群" in page
    assert f'href="{houses["102"].get_absolute_url()}"' in page
    for label in ("自住", "出租", "空置", "其他"):
        assert label in page

    client.force_login(make_user(perms=VIEW, scope=[tree.county_a]))
    page = client.get(url).content.decode()
    assert "special-marker" not in page
    assert "有特殊人群" not in page
    assert f'href="{houses["102"].get_absolute_url()}"' in page


def test_board_query_count_is_fixed(block, make_user, tree, django_assert_num_queries):
    building, _ = block
    user = make_user(perms=[*VIEW, "people.view_specialgroup"], scope=[tree.county_a])
    build_board(building, user, show_special=True)  # warms the user's permission cache
    with django_assert_num_queries(3):
        build_board(building, user, show_special=True)
    with django_assert_num_queries(2):
        build_board(building, user, show_special=False)


def test_building_page_queries_do_not_grow_with_houses(block, client, make_user, tree):
    building, _ = block
    user = make_user(
        perms=[*VIEW, "people.view_specialgroup", "housing.add_house"], scope=[tree.county_a]
    )
    client.force_login(user)
    url = reverse("housing:building", args=[building.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    client.post(reverse("housing:building_generate", args=[building.pk]))
    assert building.houses.count() == 12
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large) == len(small)


def test_building_page_out_of_scope_is_404(block, client, make_user, tree):
    building, _ = block
    client.force_login(make_user(perms=VIEW, scope=[tree.county_b]))
    assert client.get(reverse("housing:building", args=[building.pk])).status_code == 404


# --- batch generation -----------------------------------------------------------------------


def test_generate_creates_missing_houses_only(block, client, make_user, tree):
    building, houses = block
    user = make_user(perms=[*VIEW, "housing.add_house"], scope=[tree.county_a])
    client.force_login(user)
    response = client.post(reverse("housing:building_generate", args=[building.pk]))
    assert response.status_code == 302
    doors = set(building.houses.values_list("entrance", "floor", "number"))
    expected = {(e, fl, str(fl * 100 + i)) for e in (1, 2) for fl in (1, 2, 3) for i in (1, 2)}
    assert doors == expected
    created = building.houses.exclude(pk__in=[h.pk for h in houses.values()])
    assert created.count() == 8
    codes = list(building.houses.values_list("code", flat=True))
    assert len(set(codes)) == 12
    assert all(numbering.is_valid(c) and c.startswith(tree.grid_a1.code) for c in codes)
    assert set(created.values_list("region_code", flat=True)) == {tree.grid_a1.code}
    logged = ObjectChange.objects.filter(
        content_type=ContentType.objects.get_for_model(House), action="create"
    )
    assert sorted(c.object_id for c in logged) == sorted(created.values_list("pk", flat=True))
    assert {c.user for c in logged} == {user}
    # Running it again changes nothing.
    client.post(reverse("housing:building_generate", args=[building.pk]))
    assert building.houses.count() == 12


def test_generate_without_permission_changes_nothing(block, client, make_user, tree):
    building, _ = block
    client.force_login(make_user(perms=VIEW, scope=[tree.county_a]))
    before = House.objects.count()
    response = client.post(reverse("housing:building_generate", args=[building.pk]), follow=True)
    assert "您没有“批量生成房屋”的权限" in response.content.decode()
    assert House.objects.count() == before
    assert "generate-houses" not in client.get(building.get_absolute_url()).content.decode()


def test_generate_out_of_scope_is_404(block, client, make_user, tree):
    building, _ = block
    client.force_login(make_user(perms=[*VIEW, "housing.add_house"], scope=[tree.county_b]))
    before = House.objects.count()
    response = client.post(reverse("housing:building_generate", args=[building.pk]))
    assert response.status_code == 404
    assert House.objects.count() == before


def test_estate_page_counts_houses_and_current_residents(block, client, make_user, tree):
    building, _ = block
    other = f.building(tree.grid_a2, "2号楼", estate=building.estate)
    client.force_login(make_user(perms=["housing.view_estate", *VIEW], scope=[tree.county_a]))
    response = client.get(building.estate.get_absolute_url())
    rows = {b.pk: (b.house_count, b.resident_count) for b in response.context["buildings"]}
    assert rows == {building.pk: (4, 3), other.pk: (0, 0)}


def test_sealed_juvenile_record_leaves_no_marker_except_for_superusers(block, make_user, tree):
    from citygrid.people.models import SpecialGroup

    building, houses = block
    SpecialGroup.objects.filter(ended_on__isnull=True).update(sealed=True)
    officer = make_user(perms=[*VIEW, "people.view_specialgroup"], scope=[tree.county_a])
    board = build_board(building, officer, show_special=True)
    assert not [c for row in board.rows for g in row.groups for c in g if c and c.special]
    board = build_board(building, make_user(superuser=True), show_special=True)
    marked = {c.house.pk for row in board.rows for g in row.groups for c in g if c and c.special}
    assert marked == {houses["102"].pk}
