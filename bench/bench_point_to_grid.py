"""Point → grid: GridIndex (behind /api/regions/locate/) against raw shapely and a naive loop.

Design target: ≥ 500 k points/s for batch look-ups. Every figure is compared with a baseline
measured in this run on the same 10 k-grid tiling, so the ratios hold on any machine.
"""

import numpy as np
import shapely
from shapely.geometry import Point, shape
from shapely.prepared import prep

from bench.synthetic import grid_tiling, random_points
from bench.timing import BenchmarkFailed, best_of, rate
from citygrid.regions.geo.index import GridIndex

GRIDS = 10_000
BATCH_POINTS = 1_000_000
SINGLE_POINTS = 20_000
NAIVE_POINTS = 200
CHECK_POINTS = 2_000
CHECK_VERTICES = 200  # of CHECK_POINTS, placed on polygon vertices shared by several grids
TARGET = 500_000


def _check(index: GridIndex, rows: list[tuple[int, dict]]) -> None:
    """Compare the index with brute force; a boundary point may go to any grid that covers it."""
    lngs, lats = random_points(CHECK_POINTS - CHECK_VERTICES, seed=3)
    rng = np.random.default_rng(4)
    for row in rng.choice(len(rows), CHECK_VERTICES, replace=False):
        vertex = rows[row][1]["coordinates"][0][rng.integers(3)]
        lngs.append(vertex[0])
        lats.append(vertex[1])
    polygons = np.array([shape(boundary) for _, boundary in rows], dtype=object)
    ids = np.array([pk for pk, _ in rows])
    bounds = shapely.bounds(polygons)
    found = index.locate_many(lngs, lats)
    for i, (lng, lat) in enumerate(zip(lngs, lats, strict=True)):
        near = (
            (bounds[:, 0] <= lng)
            & (lng <= bounds[:, 2])
            & (bounds[:, 1] <= lat)
            & (lat <= bounds[:, 3])
        )
        covering = set(ids[near][shapely.covers(polygons[near], Point(lng, lat))].tolist())
        single = index.locate(lng, lat)
        ok = found[i] in covering if covering else found[i] == -1
        if not ok or single != (None if found[i] < 0 else found[i]):
            raise BenchmarkFailed(
                f"point ({lng}, {lat}): locate_many {found[i]}, locate {single}, "
                f"brute force {sorted(covering) or 'none'}"
            )
    print(
        f"correctness: {len(lngs):,} points ({CHECK_VERTICES} on shared vertices) match brute force"
    )


def run() -> None:
    rows = grid_tiling(GRIDS, seed=1)
    index = GridIndex.build(rows)
    ids, tree = index.ids, index.tree
    lngs, lats = random_points(BATCH_POINTS, seed=2)
    print(f"data: {len(rows):,} grids, {len(lngs):,} points (10 % outside every grid)")
    _check(index, rows)

    def raw_batch() -> np.ndarray:
        points = shapely.points(np.asarray(lngs, dtype=float), np.asarray(lats, dtype=float))
        point_idx, tree_idx = tree.query(points, predicate="intersects")
        result = np.full(len(points), -1, dtype=np.int64)
        result[point_idx] = ids[tree_idx]
        return result

    raw = best_of(raw_batch)
    batch = best_of(lambda: index.locate_many(lngs, lats))
    print(f"\nbatch, {BATCH_POINTS:,} points as float lists (like the batch API), best of 3")
    print(f"  (b) raw shapely points + STRtree.query   {rate(BATCH_POINTS, raw)}   baseline")
    print(
        f"  (a) GridIndex.locate_many                {rate(BATCH_POINTS, batch)}   "
        f"ratio {raw / batch:.2f}× baseline"
    )

    pairs = list(zip(lngs[:SINGLE_POINTS], lats[:SINGLE_POINTS], strict=True))

    def raw_single() -> list[int | None]:
        found = []
        for lng, lat in pairs:
            hits = tree.query(Point(lng, lat), predicate="intersects")
            found.append(int(ids[hits[0]]) if len(hits) else None)
        return found

    def index_single() -> list[int | None]:
        return [index.locate(lng, lat) for lng, lat in pairs]

    raw_one = best_of(raw_single)
    one = best_of(index_single)
    print(f"\nsingle point, {SINGLE_POINTS:,} calls (like GET /api/regions/locate/), best of 3")
    print(f"  (b) raw shapely STRtree.query(Point)     {rate(SINGLE_POINTS, raw_one)}   baseline")
    print(
        f"  (a) GridIndex.locate                     {rate(SINGLE_POINTS, one)}   "
        f"ratio {raw_one / one:.2f}× baseline"
    )

    prepared = [(pk, prep(shape(boundary))) for pk, boundary in rows]
    sample = pairs[:NAIVE_POINTS]

    def naive() -> list[int | None]:
        found = []
        for lng, lat in sample:
            point = Point(lng, lat)
            found.append(next((pk for pk, polygon in prepared if polygon.contains(point)), None))
        return found

    slow = best_of(naive)
    hours = BATCH_POINTS * slow / NAIVE_POINTS / 3600
    print(
        f"\nnaive loop, prepared polygons, contains() one by one: {NAIVE_POINTS} points, "
        f"EXTRAPOLATED, best of 3"
    )
    print(
        f"  (c) naive loop                           {rate(NAIVE_POINTS, slow)}   "
        f"locate_many is {slow / NAIVE_POINTS * BATCH_POINTS / batch:,.0f}× faster; "
        f"{BATCH_POINTS:,} points would take ~{hours:.1f} h"
    )

    reached = "reached" if BATCH_POINTS / batch >= TARGET else "NOT reached"
    print(
        f"\ndesign target ≥ {TARGET:,} points/s (batch): {reached} on this machine "
        f"(informational; the ratios are what to compare across runs)"
    )
