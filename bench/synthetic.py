"""Deterministic synthetic city data, so benchmarks are repeatable without a database.

The area is ~60 km × 60 km around lng 120.2, lat 30.25 (WGS84 degrees, as stored in
`Region.boundary`). Grids are denser in the centre than at the edge, like a real city.
"""

import json
import math

import numpy as np
import shapely

CENTER_LNG, CENTER_LAT = 120.2, 30.25
HALF_SIZE_KM = 30.0
KM_PER_DEG_LAT = 110.574
KM_PER_DEG_LNG = 111.320 * math.cos(math.radians(CENTER_LAT))
HALF_LNG = HALF_SIZE_KM / KM_PER_DEG_LNG
HALF_LAT = HALF_SIZE_KM / KM_PER_DEG_LAT
EXTENT = (
    CENTER_LNG - HALF_LNG,
    CENTER_LAT - HALF_LAT,
    CENTER_LNG + HALF_LNG,
    CENTER_LAT + HALF_LAT,
)


def _seeds(rng: np.random.Generator, n: int) -> np.ndarray:
    """`n` distinct cell seeds: 60 % clustered around the centre (σ 8 km), the rest uniform."""
    min_lng, min_lat, max_lng, max_lat = EXTENT
    clustered = rng.normal(
        (CENTER_LNG, CENTER_LAT), (8 / KM_PER_DEG_LNG, 8 / KM_PER_DEG_LAT), size=(n, 2)
    )
    inside = (
        (clustered[:, 0] > min_lng)
        & (clustered[:, 0] < max_lng)
        & (clustered[:, 1] > min_lat)
        & (clustered[:, 1] < max_lat)
    )
    clustered = clustered[inside][: int(n * 0.6)]
    uniform = rng.uniform((min_lng, min_lat), (max_lng, max_lat), size=(n - len(clustered), 2))
    # unique() sorts by longitude; shuffle so ids are not ordered west to east.
    return rng.permutation(np.unique(np.concatenate([clustered, uniform]), axis=0))


def grid_tiling(n: int = 10_000, seed: int = 1) -> list[tuple[int, dict]]:
    """~n irregular grid polygons tiling EXTENT, as `(id, GeoJSON Polygon dict)` rows.

    The rows look like `Region.objects.values_list("pk", "boundary")`: ids from 1, plain JSON
    (lists, not tuples). Cells are Voronoi polygons of the seeds clipped to the extent, so
    neighbours share their edges exactly, as a surveyed grid layer does.
    """
    seeds = _seeds(np.random.default_rng(seed), n)
    extent = shapely.box(*EXTENT)
    cells = shapely.get_parts(
        shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=extent, ordered=True)
    )
    cells = shapely.intersection(cells, extent)
    bad = ~(shapely.is_valid(cells) & (shapely.get_type_id(cells) == 3) & ~shapely.is_empty(cells))
    if bad.any():
        raise ValueError(f"{int(bad.sum())} synthetic grid cells are not valid polygons")
    return [(pk, json.loads(shapely.to_geojson(cell))) for pk, cell in enumerate(cells, start=1)]


def random_points(n: int, seed: int, outside: float = 0.1) -> tuple[list[float], list[float]]:
    """`n` points as (lngs, lats) float lists, the shape the batch locate API passes on.

    A fraction `outside` lies in a 2 km band around the extent, where no grid contains them,
    so "not found" look-ups are measured too.
    """
    rng = np.random.default_rng(seed)
    min_lng, min_lat, max_lng, max_lat = EXTENT
    n_out = round(n * outside)
    inner = rng.uniform((min_lng, min_lat), (max_lng, max_lat), size=(n - n_out, 2))
    band_lng, band_lat = 2 / KM_PER_DEG_LNG, 2 / KM_PER_DEG_LAT
    outer = np.empty((0, 2))
    while len(outer) < n_out:
        # Rejection sampling: the band is ~12 % of the enlarged box.
        drawn = rng.uniform(
            (min_lng - band_lng, min_lat - band_lat),
            (max_lng + band_lng, max_lat + band_lat),
            size=(n_out * 10, 2),
        )
        in_extent = (
            (drawn[:, 0] >= min_lng)
            & (drawn[:, 0] <= max_lng)
            & (drawn[:, 1] >= min_lat)
            & (drawn[:, 1] <= max_lat)
        )
        outer = np.concatenate([outer, drawn[~in_extent]])
    outer = outer[:n_out]
    points = rng.permutation(np.concatenate([inner, outer]))
    return points[:, 0].tolist(), points[:, 1].tolist()
