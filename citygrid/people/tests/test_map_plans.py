"""PostgreSQL's plans for the population map at a size where scanning would be the planner's
choice without the indexes: the houses of a small bbox through `house_map_position_idx`, the
stored counts of a few grids through `grid_population_unique`. Rows are inserted and the
tables analysed; no planner switch is turned off."""

import pytest
from django.db import connection
from django.utils import timezone

from citygrid.housing.models import House
from citygrid.people import geo, grid_population
from citygrid.people.choices import VULNERABLE_GROUP_KINDS
from citygrid.people.models import GridPopulation, Person, Residency, VulnerableGroup

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL plans"),
]

SIDE = 150  # houses per row and column: 22 500 houses, 0.001° apart
HOUSES = SIDE * SIDE


def analyse(*models) -> None:
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {model._meta.db_table}")


@pytest.fixture
def city(tree):
    """22 500 houses on a lattice over grid A1 and around it, a resident in each."""
    grid = tree.grid_a1
    houses = House.objects.bulk_create(
        House(
            region=grid,
            region_code=grid.code,
            code=f"H{i:020d}",
            number=str(i),
            address=f"甲路{i}号",
            map_lng=119.95 + (i % SIDE) * 0.001,
            map_lat=29.95 + (i // SIDE) * 0.001,
        )
        for i in range(HOUSES)
    )
    persons = Person.objects.bulk_create(
        Person(
            region=grid,
            region_code=grid.code,
            name=f"居民{i}",
            id_type="414",
            id_number_index=f"E{i:08d}",
        )
        for i in range(HOUSES)
    )
    Residency.objects.bulk_create(
        Residency(region=grid, region_code=grid.code, person=p, house=h, started_on="2025-01-01")
        for p, h in zip(persons, houses, strict=True)
    )
    analyse(House, Person, Residency)


def plan(queryset) -> str:
    return queryset.explain()


def test_houses_in_a_small_bbox_come_from_the_position_index(city, make_user, tree):
    user = make_user(perms=["people.view_person"], scope=[tree.county_a])
    persons = geo.category_persons(user, geo.ALL)
    bbox = (120.0005, 30.0005, 120.0025, 30.0025)  # about 200 m: 9 houses
    text = plan(geo.house_rows(persons, bbox))
    assert "house_map_position_idx" in text, text
    assert "Seq Scan on housing_house" not in text, text
    assert len(geo.house_counts(persons, bbox)) == 4


def test_stored_counts_of_a_few_grids_come_from_their_index(tree, make_user):
    now = timezone.now()
    GridPopulation.objects.bulk_create(
        GridPopulation(region_code=f"3301{i:011d}", category=category, count=1, computed_at=now)
        for i in range(10_000)
        for category in grid_population.CATEGORIES
    )
    analyse(GridPopulation)
    user = make_user(perms=["people.view_person"], scope=[tree.county_a])
    codes = [tree.grid_a1.code, tree.grid_a2.code]
    text = plan(grid_population.rows(user, "floating", 15, codes))
    assert "grid_population_unique" in text, text
    assert "Seq Scan" not in text, text


def test_open_members_of_a_kind_come_from_their_partial_index(city, make_user, tree):
    """22 500 vulnerable-group rows of four kinds, some ended: the map's live count of one kind
    reads that kind's open rows through `vulnerablegroup_open_kind_idx`."""
    kinds = [k.value for k in VULNERABLE_GROUP_KINDS]
    VulnerableGroup.objects.bulk_create(
        VulnerableGroup(
            person=person,
            region=tree.grid_a1,
            region_code=tree.grid_a1.code,
            kind=kinds[i % 4],
            started_on="2025-01-01",
            ended_on="2025-06-01" if i % 3 == 0 else None,
        )
        for i, person in enumerate(Person.objects.order_by("pk"))
    )
    analyse(VulnerableGroup)
    user = make_user(
        perms=["people.view_person", "people.view_vulnerablegroup"], scope=[tree.county_a]
    )
    persons = geo.category_persons(user, kinds[1])
    text = plan(persons)
    assert "vulnerablegroup_open_kind_idx" in text, text
    assert "Seq Scan on people_vulnerablegroup" not in text, text
