"""Villager groups (村小组) under the demo city's villages: the fifth level of the organisation
system (市 → 区县 → 乡镇 → 村 → 村小组), a node below a village beside its grids, not a grid.

Numbered from 901 inside the village's code so that they never take a grid's serial (grids
are numbered from 001 west to east, north to south). They have no boundary: a villager group is
a body of households, not an area the map divides.
"""

from django.db import transaction
from django.db.models import Count, Q

from citygrid.core import writeguard
from citygrid.regions.choices import RegionLevel
from citygrid.regions.models import Region

FIRST_SERIAL = 901
NUMERALS = "一二三四五六七八九十"


def is_village(community: Region) -> bool:
    """Villagers' committees take community serials from 201 (standards §4.3)."""
    return community.code[9:12] >= "201"


@transaction.atomic
@writeguard.unlogged()
def create_village_groups(city: Region) -> int:
    """A village gets one more group than it has grids (at most ten); returns how many were made.
    Idempotent: a village that already has groups is left alone."""
    villages = (
        Region.objects.filter(level=RegionLevel.COMMUNITY, code__within=city.code)
        .annotate(
            grids=Count("children", filter=Q(children__level=RegionLevel.GRID)),
            groups=Count("children", filter=Q(children__level=RegionLevel.VILLAGE_GROUP)),
        )
        .order_by("code")
    )
    batch = [
        Region(
            parent=village,
            level=RegionLevel.VILLAGE_GROUP,
            code=f"{village.code}{FIRST_SERIAL + number:03d}",
            name=f"{village.name}第{NUMERALS[number]}村民小组",
            introduction=f"{village.name}下辖的村民小组。",
        )
        for village in villages
        if is_village(village) and not village.groups
        for number in range(min(village.grids + 1, len(NUMERALS)))
    ]
    Region.objects.bulk_create(batch, batch_size=500)
    return len(batch)
