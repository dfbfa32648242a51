"""GeoJSON for the map: never more than a screenful of features.

Zoomed in, the grids in view; zoomed out, one feature per region of a coarser level (its own
boundary, or the union of its grids when it has none). A user whose scope lies below that level
gets their own scope regions instead, so the map never shows — or hides — the wrong things.
"""

import threading

import shapely
from django.conf import settings
from django.db.models import Max, Min, Q
from shapely.geometry import shape

from citygrid.core.models import VersionStamp
from citygrid.regions.choices import CODE_LENGTH, RegionLevel
from citygrid.regions.geo.shapes import to_geojson
from citygrid.regions.models import Region
from citygrid.regions.models.regions import GEOMETRY_STAMP

MAX_FEATURES = 3000
_ZOOM_LEVELS = ((12, RegionLevel.COMMUNITY), (10, RegionLevel.TOWNSHIP), (0, RegionLevel.COUNTY))
_union_cache: dict[tuple[int, int], dict | None] = {}
_union_lock = threading.Lock()


def level_for_zoom(zoom: int) -> str:
    if zoom >= settings.MAP["grid_min_zoom"]:
        return RegionLevel.GRID
    return next(level for min_zoom, level in _ZOOM_LEVELS if zoom >= min_zoom)


def effective_level(user, level: str) -> str:
    """Never coarser than the user's own scope (a grid worker sees grids, not the county)."""
    if user.is_superuser:
        return level
    codes = user.scope_codes()
    if not codes:
        return level
    shallowest = min(len(c) for c in codes)
    if CODE_LENGTH[level] >= shallowest:
        return level
    by_length = {length: lvl for lvl, length in CODE_LENGTH.items() if lvl != "village_group"}
    return by_length.get(shallowest, RegionLevel.GRID)


def _union_of_grids(region: Region, stamp: int) -> dict | None:
    key = (region.pk, stamp)
    if key in _union_cache:
        return _union_cache[key]
    boundaries = Region.objects.filter(
        level=RegionLevel.GRID, code__within=region.code, boundary__isnull=False
    ).values_list("boundary", flat=True)
    geoms = [shape(b) for b in boundaries]
    result = to_geojson(shapely.union_all(geoms).simplify(0.00005)) if geoms else None
    with _union_lock:
        if len(_union_cache) > 10000:
            _union_cache.clear()
        _union_cache[key] = result
    return result


def features(user, bbox: tuple[float, float, float, float] | None, zoom: int) -> dict:
    """Outlines inside the user's territory for any signed-in user: a map without them is
    unreadable, and a region's name and shape are no record. Links to the region pages only
    for those who may open them."""
    level = effective_level(user, level_for_zoom(zoom))
    qs = Region.objects.in_scope(user).filter(level=level).select_related("parent")
    linked = user.has_perm("regions.view_region")
    if bbox:
        west, south, east, north = bbox
        in_view = Q(
            bbox_min_lng__lte=east,
            bbox_max_lng__gte=west,
            bbox_min_lat__lte=north,
            bbox_max_lat__gte=south,
        )
        qs = qs.filter(in_view | Q(boundary__isnull=True) if level != RegionLevel.GRID else in_view)
    stamp = VersionStamp.read(GEOMETRY_STAMP)
    out = []
    for region in qs.order_by("code")[:MAX_FEATURES]:
        geometry = region.boundary or (
            _union_of_grids(region, stamp) if level != RegionLevel.GRID else None
        )
        if not geometry:
            continue
        out.append(
            {
                "type": "Feature",
                "id": region.pk,
                "geometry": geometry,
                "properties": {
                    "id": region.pk,
                    "name": region.name,
                    "code": region.code,
                    "level": region.level,
                    "level_label": region.get_level_display(),
                    "parent_id": region.parent_id,
                    "parent_name": region.parent.name if region.parent else "",
                    "url": region.get_absolute_url() if linked else "",
                },
            }
        )
    return {
        "type": "FeatureCollection",
        "level": level,
        "features": out,
        "truncated": len(out) >= MAX_FEATURES,
    }


def scope_bounds(user) -> list[float] | None:
    """[west, south, east, north] around every region with a boundary in the user's territory,
    so a map opens on the area the user works in; one aggregate over the bbox columns."""
    found = (
        Region.objects.in_scope(user)
        .filter(bbox_min_lng__isnull=False)
        .aggregate(
            west=Min("bbox_min_lng"),
            south=Min("bbox_min_lat"),
            east=Max("bbox_max_lng"),
            north=Max("bbox_max_lat"),
        )
    )
    if found["west"] is None:
        return None
    return [found["west"], found["south"], found["east"], found["north"]]
