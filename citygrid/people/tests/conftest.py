"""Fixtures shared by the population map's tests."""

from datetime import date

import pytest

from citygrid.housing.models import Building, House
from citygrid.people.models import Residency
from citygrid.people.tests.test_stats import build_population


@pytest.fixture
def town(tree, monkeypatch):
    """The population of test_stats, housed in grid A1: a building with two flats (one without
    its own position) and a standalone house."""
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: date(2026, 3, 15))
    p = build_population(tree)
    building = Building.objects.create(region=tree.grid_a1, name="1号楼", lng=120.003, lat=30.003)
    flat = House.objects.create(
        building=building, entrance=1, floor=3, number="301", lng=120.0031, lat=30.0031
    )
    flat_without_point = House.objects.create(building=building, entrance=1, floor=4, number="401")
    cottage = House.objects.create(
        region=tree.grid_a1, number="8", address="甲村8号", lng=120.006, lat=30.006
    )
    start = date(2024, 1, 1)
    for person, house in (
        (p["boy"], flat),
        (p["girl"], flat),
        (p["elder"], cottage),
        (p["foreigner"], flat_without_point),
    ):
        Residency.objects.create(person=person, house=house, started_on=start)
    # A former home no longer counts.
    Residency.objects.create(
        person=p["worker"], house=flat, started_on=start, ended_on=date(2025, 1, 1)
    )
    return {
        "p": p,
        "building": building,
        "flat": flat,
        "flat_without_point": flat_without_point,
        "cottage": cottage,
    }
