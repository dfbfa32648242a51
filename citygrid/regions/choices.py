from django.db import models


class RegionLevel(models.TextChoices):
    """Levels of the territorial tree; the code length of each is fixed (standards §4.3–4.4)."""

    CITY = "city", "市"
    COUNTY = "county", "区县"
    TOWNSHIP = "township", "街道/乡镇"
    COMMUNITY = "community", "社区/村"
    GRID = "grid", "网格"
    VILLAGE_GROUP = "village_group", "村小组"


CODE_LENGTH = {
    RegionLevel.CITY: 4,
    RegionLevel.COUNTY: 6,
    RegionLevel.TOWNSHIP: 9,
    RegionLevel.COMMUNITY: 12,
    RegionLevel.GRID: 15,
    RegionLevel.VILLAGE_GROUP: 15,
}

# Every code length in the tree, shortest first: a code's ancestors are its prefixes of these.
PREFIX_LENGTHS = tuple(sorted(set(CODE_LENGTH.values())))


def ancestor_codes(code: str, *, inclusive: bool = False) -> list[str]:
    """The codes of the regions above `code`, root first (then `code` itself if `inclusive`)."""
    above = [code[:n] for n in PREFIX_LENGTHS if n < len(code)]
    return [*above, code] if inclusive else above


PARENT_LEVEL = {
    RegionLevel.CITY: None,
    RegionLevel.COUNTY: RegionLevel.CITY,
    RegionLevel.TOWNSHIP: RegionLevel.COUNTY,
    RegionLevel.COMMUNITY: RegionLevel.TOWNSHIP,
    RegionLevel.GRID: RegionLevel.COMMUNITY,
    RegionLevel.VILLAGE_GROUP: RegionLevel.COMMUNITY,
}

LEVEL_BADGE = {
    RegionLevel.CITY: "red",
    RegionLevel.COUNTY: "orange",
    RegionLevel.TOWNSHIP: "yellow",
    RegionLevel.COMMUNITY: "green",
    RegionLevel.GRID: "blue",
    RegionLevel.VILLAGE_GROUP: "cyan",
}


class GridKind(models.TextChoices):
    BASIC = "basic", "基础网格"
    DEDICATED = "dedicated", "专属网格"


class WorkerRole(models.TextChoices):
    GRID_WORKER = "grid_worker", "网格员"
    PATROLLER = "patroller", "巡查员"
    INSPECTOR = "inspector", "监督员"
