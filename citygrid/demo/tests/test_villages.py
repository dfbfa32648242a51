import pytest

from citygrid.demo.regions import DemoSize, generate_demo_city
from citygrid.demo.villages import create_village_groups, is_village
from citygrid.regions.models import Region

SMALL = DemoSize(counties=4, townships=(2, 3), communities=(2, 3), grids=(3, 5))


@pytest.mark.django_db
def test_every_village_and_no_residents_community_gets_villager_groups():
    city = generate_demo_city(seed=11, size=SMALL).city
    made = create_village_groups(city)
    groups = Region.objects.filter(level="village_group")
    assert made == groups.count() > 0
    communities = Region.objects.filter(level="community")
    villages = [c for c in communities if is_village(c)]
    assert villages and len(villages) < communities.count()
    for community in communities:
        own = groups.filter(parent=community).order_by("code")
        grids = Region.objects.filter(parent=community, level="grid").count()
        if not is_village(community):
            assert not own.exists()
            continue
        assert own.count() == grids + 1
        assert [g.code[-3:] for g in own] == [f"{901 + n}" for n in range(grids + 1)]
        assert own[0].name == f"{community.name}第一村民小组"
        assert all(g.boundary is None for g in own)
    assert create_village_groups(city) == 0  # a second run adds nothing
