"""The demo teams tree: mirrored units with duties, sub-centres, members with staff files, the
demo accounts placed, and nothing added twice."""

import random

import pytest

from citygrid.demo.regions import create_demo_accounts, generate_demo_city
from citygrid.demo.teams import generate_demo_teams
from citygrid.demo.tests.test_cases import SMALL
from citygrid.orgs import tree
from citygrid.orgs.choices import UnitKind
from citygrid.orgs.models import OrgUnit, Staff, StaffRecord

pytestmark = pytest.mark.django_db


def test_demo_teams(django_user_model):
    city = generate_demo_city(seed=11, size=SMALL).city
    create_demo_accounts(city)
    result = generate_demo_teams(city, rng=random.Random(3))
    assert result.members > 0 and result.staff_records >= result.members
    centre = OrgUnit.objects.get(mirrors=city)
    assert centre.kind == UnitKind.COMMAND_CENTRE and "统筹全市" in centre.duties
    assert OrgUnit.objects.filter(kind=UnitKind.SUB_CENTRE, code__startswith="ZH-").exists()
    leader = Staff.objects.get(user__username="city_leader")
    assert leader.unit == centre
    assert Staff.objects.filter(user__username="grid_worker", source="grid_worker").exists()
    assert StaffRecord.objects.count() == result.staff_records
    (node,) = tree.nodes([centre])
    assert (
        node.total == Staff.objects.filter(active=True).exclude(grid_worker__active=False).count()
    )
    again = generate_demo_teams(city, rng=random.Random(3))
    assert again.members == 0
    assert Staff.objects.filter(user__username="city_leader").count() == 1
