"""The demo units: every class, each inside its grid, licences some of which expire soon;
the same rows for the same seed."""

import random
from datetime import date

import pytest

from citygrid.core import writeguard
from citygrid.demo.regions import generate_demo_city
from citygrid.demo.tests.test_cases import SMALL
from citygrid.demo.units import generate_demo_units
from citygrid.regions.geo.index import load_index
from citygrid.units.choices import UnitClass
from citygrid.units.models import Unit, UnitLicence

TODAY = date(2026, 6, 1)


@pytest.fixture
def city(db):
    return generate_demo_city(seed=11, size=SMALL).city


def _rows():
    return list(
        Unit.objects.order_by("pk").values_list(
            "name", "unit_class", "uscc", "lng", "lat", "region_id", "status"
        )
    )


def test_units_cover_every_class_inside_their_grids(city):
    result = generate_demo_units(city, random.Random(3), today=TODAY)
    units = list(Unit.objects.all())
    assert result.units == len(units) >= 100
    assert {u.unit_class for u in units} == set(UnitClass.values)
    index = load_index()
    assert all(index.locate(u.lng, u.lat) == u.region_id for u in units)
    assert result.licences == UnitLicence.objects.count() > len(units)
    assert result.expiring > 0
    for unit in units[:20]:
        unit.full_clean()  # valid codes, valid phones


def test_same_seed_same_units(city):
    generate_demo_units(city, random.Random(3), today=TODAY)
    first = _rows()
    with writeguard.unlogged():
        Unit.objects.all().delete()
    generate_demo_units(city, random.Random(3), today=TODAY)
    assert _rows() == first
