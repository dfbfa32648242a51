"""人员地图 zoomed out reads counts per region made by the periodic job: the same figures as a
live count for every user, their time shown, one refresh at a time; a fixed number of queries
per request in both modes, whatever the number of persons and houses."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache

from citygrid.core.locks import only_one
from citygrid.housing.models import House
from citygrid.people import grid_population, tasks
from citygrid.people.models import GridPopulation, Residency
from citygrid.people.tests.test_map import AROUND_A1, DATA, PAGE, SPECIAL, data
from citygrid.people.tests.test_stats import VIEWER, make_person

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")
COUNTED = datetime(2026, 3, 15, 10, 30, tzinfo=TZ)


@pytest.fixture
def counted(town, monkeypatch):
    """The town counted at 10:30 on 15 March 2026."""
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: COUNTED)
    grid_population.refresh()
    monkeypatch.undo()
    return town


def rows() -> set[tuple]:
    return set(GridPopulation.objects.values_list("region_code", "category", "count"))


def test_refresh_counts_persons_living_there_per_region_and_category(town, tree):
    assert grid_population.refresh() == 10
    a1, a2, b1 = tree.grid_a1.code, tree.grid_a2.code, tree.grid_b1.code
    community = tree.community_a.code
    assert rows() == {
        (a1, "all", 4),
        (a1, "registered", 2),
        (a1, "floating", 1),
        (a1, "overseas", 1),
        # The moved-out floating person is not counted.
        (a2, "all", 2),
        (a2, "floating", 2),
        # A person not yet placed in a grid counts at their own region.
        (community, "all", 1),
        (community, "registered", 1),
        (b1, "all", 2),
        (b1, "registered", 2),
    }


@pytest.mark.parametrize("category", ["all", "registered", "floating", "overseas"])
@pytest.mark.parametrize("max_items", [500, 1])  # grids; only the city fits
def test_stored_counts_equal_live_counts_for_every_scope(
    client, town, tree, make_user, monkeypatch, category, max_items
):
    from citygrid.people import geo

    monkeypatch.setattr(geo, "MAX_ITEMS", max_items)
    users = [
        make_user(superuser=True),
        make_user(perms=VIEWER, scope=[tree.county_a]),
        make_user(perms=VIEWER, scope=[tree.community_a]),
        make_user(perms=VIEWER, scope=[tree.grid_a1, tree.grid_b1]),
    ]

    def figures():
        answers = []
        for user in users:
            client.force_login(user)
            body = data(client, category=category).json()
            answers.append((body["level"], body["items"], body["total"]))
        return answers

    live = figures()
    grid_population.refresh()
    assert figures() == live
    assert any(items for _, items, _ in live)


def test_zoomed_out_shows_the_stored_counts_and_when_they_were_made(
    client, counted, tree, make_user
):
    client.force_login(make_user(perms=VIEWER, scope=[tree.county_a]))
    make_person(tree.grid_a2, "新来的", "1", date(1995, 1, 1))  # after the count
    body = data(client).json()
    assert [(i["name"], i["count"]) for i in body["items"]] == [("甲一网格", 4), ("甲二网格", 2)]
    assert body["freshness"] == "数据更新于 2026-03-15 10:30"
    assert "数据更新于 2026-03-15 10:30" in client.get(PAGE).content.decode()
    grid_population.refresh()
    body = data(client).json()
    assert [(i["name"], i["count"]) for i in body["items"]] == [("甲一网格", 4), ("甲二网格", 3)]


def test_without_stored_counts_the_map_counts_live_and_says_so(client, town, tree, make_user):
    client.force_login(make_user(perms=VIEWER, scope=[tree.county_a]))
    body = data(client).json()
    assert [(i["name"], i["count"]) for i in body["items"]] == [("甲一网格", 4), ("甲二网格", 2)]
    assert body["freshness"] == "人口分布汇总尚未生成，当前为实时统计"
    assert "人口分布汇总尚未生成，当前为实时统计" in client.get(PAGE).content.decode()


def test_membership_categories_and_houses_are_counted_live(client, counted, tree, make_user):
    client.force_login(make_user(perms=SPECIAL, scope=[tree.county_a]))
    body = data(client, category="released_prisoner").json()
    assert [(i["name"], i["count"]) for i in body["items"]] == [("甲一网格", 1)]
    assert body["freshness"] == "实时统计"
    houses = data(client, AROUND_A1, 16).json()
    assert houses["mode"] == "houses" and houses["freshness"] == "实时统计"


def test_a_second_refresh_while_one_runs_does_nothing(town):
    with only_one(grid_population.LOCK, 60) as first:
        assert first
        assert grid_population.refresh() is None
        assert not GridPopulation.objects.exists()
    assert grid_population.refresh() == 10


def test_a_failed_refresh_releases_the_lock_and_keeps_the_old_counts(town, monkeypatch):
    grid_population.refresh()
    before = rows()

    def broken():
        raise RuntimeError("database went away")

    monkeypatch.setattr(grid_population, "_count", broken)
    with pytest.raises(RuntimeError):
        grid_population.refresh()
    assert rows() == before
    assert cache.get(grid_population.LOCK) is None


def test_the_periodic_task_refreshes(town):
    result = tasks.refresh_grid_population.enqueue()
    assert result.return_value == 10
    assert GridPopulation.objects.count() == 10


# --- queries per request ----------------------------------------------------------------------


def more_people(tree, n=5):
    """More persons and houses in view, which must not add a query."""
    building_house = House.objects.filter(building__isnull=False).first()
    for i in range(n):
        person = make_person(tree.grid_a1, f"新人{i}", "1", date(1990, 1, 1 + i))
        house = House.objects.create(
            building=building_house.building, entrance=1, floor=5, number=f"50{i}"
        )
        Residency.objects.create(person=person, house=house, started_on=date(2025, 1, 1))
        make_person(tree.grid_b1, f"乙新人{i}", "2", date(1991, 1, 1 + i))


# Session, user, the user's permissions (own, through roles, through groups), scope codes.
REQUEST = 6
# The grids in view (their codes at the finest level that fits), their names and centres.
REGIONS = 2


@pytest.mark.parametrize("grow", [False, True])
def test_queries_zoomed_out_from_stored_counts(
    client, counted, tree, make_user, django_assert_num_queries, grow
):
    if grow:
        more_people(tree)
        grid_population.refresh()
    client.force_login(make_user(perms=VIEWER, scope=[tree.county_a]))
    # + when counted, + the counts of the grids in view.
    with django_assert_num_queries(REQUEST + REGIONS + 2):
        assert data(client).status_code == 200


@pytest.mark.parametrize("grow", [False, True])
def test_queries_zoomed_in_on_houses(
    client, town, tree, make_user, django_assert_num_queries, grow
):
    if grow:
        more_people(tree)
    client.force_login(make_user(perms=VIEWER, scope=[tree.county_a]))
    # + the houses in view with their residents counted: one query.
    with django_assert_num_queries(REQUEST + 1):
        body = data(client, AROUND_A1, 16).json()
    assert body["mode"] == "houses"
    assert len(body["items"]) == (3 + 5 if grow else 3)


def test_page_and_data_need_the_view_permission_stored_counts_too(client, counted, tree, make_user):
    client.force_login(make_user(perms=["regions.view_region"], scope=[tree.county_a]))
    assert client.get(DATA, {"bbox": "119.9,29.9,120.2,30.1", "zoom": 12}).status_code == 403
    nobody = make_user(perms=["regions.view_region"], scope=[tree.county_a])
    assert not grid_population.visible(nobody).exists()
