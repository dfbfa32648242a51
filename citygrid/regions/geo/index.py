"""Point → grid look-up: an in-process STRtree over every grid polygon.

Grids change rarely and look-ups are hot (every report, every imported address), so each process
keeps the tree and compares the `grid_geometry` version stamp before use; a change made by any
process bumps the stamp in its own transaction, and every process rebuilds on its next look-up.
"""

import threading
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import shape

from citygrid.core.models import VersionStamp


@dataclass
class GridIndex:
    stamp: int
    ids: np.ndarray
    tree: shapely.STRtree
    geoms: np.ndarray

    @classmethod
    def build(cls, rows: list[tuple[int, dict]], stamp: int = 0) -> "GridIndex":
        ids = np.array([pk for pk, _ in rows], dtype=np.int64)
        geoms = np.array([shape(boundary) for _, boundary in rows], dtype=object)
        shapely.prepare(geoms)
        return cls(stamp=stamp, ids=ids, tree=shapely.STRtree(geoms), geoms=geoms)

    def locate_many(self, lngs, lats) -> np.ndarray:
        """Grid id per point, -1 where no grid contains it; shared borders go to the lower id."""
        points = shapely.points(np.asarray(lngs, dtype=float), np.asarray(lats, dtype=float))
        result = np.full(len(points), -1, dtype=np.int64)
        if len(self.ids) == 0 or len(points) == 0:
            return result
        point_idx, tree_idx = self.tree.query(points, predicate="intersects")
        # Visit candidates with higher ids first so the lowest id wins deterministically.
        order = np.argsort(-self.ids[tree_idx], kind="stable")
        result[point_idx[order]] = self.ids[tree_idx[order]]
        return result

    def locate(self, lng: float, lat: float) -> int | None:
        hits = self.tree.query(shapely.Point(lng, lat), predicate="intersects")
        return int(self.ids[hits].min()) if len(hits) else None


_lock = threading.Lock()
_cached: GridIndex | None = None


def load_index() -> GridIndex:
    from citygrid.regions.models import Region
    from citygrid.regions.models.regions import GEOMETRY_STAMP

    global _cached
    stamp = VersionStamp.read(GEOMETRY_STAMP)
    current = _cached
    if current is not None and current.stamp == stamp:
        return current
    with _lock:
        if _cached is not None and _cached.stamp == stamp:
            return _cached
        rows = list(
            Region.objects.filter(level="grid", boundary__isnull=False).values_list(
                "pk", "boundary"
            )
        )
        _cached = GridIndex.build(rows, stamp)
        return _cached


def reset_index() -> None:
    global _cached
    _cached = None
