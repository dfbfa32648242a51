"""The demo city's own flat base map (平面地图), rendered at seed time into an MBTiles file.

The demo city has no real geography, so a real base map would show the wrong place under its
grids. Instead its synthetic layout is drawn: the edges the generator warped into street and
river lines become streets (grid edges), roads (community and township edges) and arterials
(county edges), one county border becomes a river, village communities are fields, estates
are blocks and buildings are small footprints. Pillow draws blocks of 8 × 8 tiles at twice
their size and scales them down, which gives smooth (antialiased) lines.

Only the zooms that matter are drawn (settings.DEMO_BASEMAP_ZOOMS, 11–16): below, the whole
city is a few tiles; above, the map stretches the last zoom (Leaflet's `maxNativeZoom`).
"""

from __future__ import annotations

import io
import math
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
import shapely.prepared
from django.conf import settings
from PIL import Image, ImageDraw
from shapely.geometry import box, shape
from shapely.geometry.base import BaseGeometry

from citygrid.housing.models import Building, Estate
from citygrid.regions.choices import RegionLevel
from citygrid.regions.geo.tiles import TileWriter, summary
from citygrid.regions.models import Region

GENERATOR = "citygrid-demo"  # in the file's metadata: only such a file is ever overwritten
TILE = 256
SCALE = 2  # drawn at 512 px, saved at 256 px: antialiasing for free
META = 8  # tiles drawn together, per side

OUTSIDE = (226, 232, 218)
LAND = (242, 239, 233)
FIELDS = (225, 236, 208)
WATER = (170, 211, 223)
ESTATE = (224, 219, 211)
BUILDING = (209, 198, 188)
BUILDING_EDGE = (190, 178, 168)
CASING = (205, 200, 192)
STREET = (255, 255, 255)
MAIN_ROAD = (252, 214, 164)
ARTERIAL = (248, 178, 156)

# Line widths in metres, so they grow with the zoom; a minimum keeps them visible zoomed out.
_LINES = (
    # (level, colour, width m, min px, from zoom)
    (RegionLevel.GRID, STREET, 12, 1.0, 13),
    (RegionLevel.COMMUNITY, STREET, 18, 1.5, 12),
    (RegionLevel.TOWNSHIP, MAIN_ROAD, 26, 2.0, 11),
    (RegionLevel.COUNTY, ARTERIAL, 34, 2.5, 11),
)
_RIVER_M = 90
_BLOCK_M = (140, 100)  # an estate's block, east-west × north-south
_BUILDING_M = (28, 12)


def _palette() -> Image.Image:
    """One palette for every tile: the map's colours and the blends antialiasing makes between
    a line and what it crosses. A palette per tile would shift the colours from one tile to the
    next, and the seams would show."""
    grounds = (OUTSIDE, LAND, FIELDS, ESTATE)
    strokes = (WATER, CASING, STREET, MAIN_ROAD, ARTERIAL, BUILDING, BUILDING_EDGE)
    pairs = [(a, b) for a in grounds for b in (*strokes, *grounds) if a < b or b in strokes]
    pairs += [(CASING, STREET), (CASING, MAIN_ROAD), (CASING, ARTERIAL)]
    colours = list(dict.fromkeys([*grounds, *strokes]))
    for a, b in pairs:
        for step in range(1, 6):
            t = step / 6
            colours.append(tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True)))
    colours = list(dict.fromkeys(colours))[:256]
    palette = Image.new("P", (1, 1))
    palette.putpalette([v for colour in colours for v in colour])
    return palette


_PALETTE = _palette()


def _outside_tile() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (TILE, TILE), OUTSIDE).quantize(colors=1).save(out, "PNG")
    return out.getvalue()


# Around the city, so a map at its edge shows countryside rather than Leaflet's grey.
_OUTSIDE_TILE = _outside_tile()
MARGIN = 3  # tiles around the city's bounding box, at every zoom


@dataclass
class BasemapResult:
    path: Path
    tiles: int
    bytes: int
    seconds: float


def _mercator(lng, lat):
    """Longitude/latitude (WGS-84) → Web Mercator world coordinates in [0, 1]."""
    lng = np.asarray(lng, dtype=float)
    lat = np.radians(np.asarray(lat, dtype=float))
    x = (lng + 180.0) / 360.0
    y = (1.0 - np.log(np.tan(lat) + 1.0 / np.cos(lat)) / math.pi) / 2.0
    return x, y


def _tile_lnglat_box(z: int, x: int, y: int) -> BaseGeometry:
    n = 1 << z

    def lat(row: int) -> float:
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * row / n))))

    return box(x / n * 360 - 180, lat(y + 1), (x + 1) / n * 360 - 180, lat(y))


def _tile_range(bounds: tuple[float, float, float, float], z: int):
    west, south, east, north = bounds
    (x0, x1), (y0, y1) = (
        (v * (1 << z)).astype(int) for v in _mercator([west, east], [north, south])
    )
    return range(int(x0), int(x1) + 1), range(int(y0), int(y1) + 1)


class _Layer:
    """Geometries of one kind, indexed for the tile's bounding box."""

    def __init__(self, geoms: list[BaseGeometry]):
        self.geoms = np.array(geoms, dtype=object)
        self.tree = shapely.STRtree(self.geoms)

    def near(self, area: BaseGeometry) -> list[BaseGeometry]:
        return list(self.geoms[self.tree.query(area)]) if len(self.geoms) else []


class _Canvas:
    """A block of `cols` × `rows` tiles drawn as one image: every line is drawn once for up to
    64 tiles instead of once per tile, which is most of the time saved."""

    def __init__(self, z: int, x0: int, y0: int, cols: int, rows: int):
        self.z, self.x0, self.y0 = z, x0, y0
        self.world = (1 << z) * TILE * SCALE
        self.left, self.top = x0 * TILE * SCALE, y0 * TILE * SCALE
        # Metres per drawn pixel at the demo's latitude, for widths given in metres.
        self.metres = 40075016.7 * math.cos(math.radians(30.25)) / self.world
        size = (cols * TILE * SCALE, rows * TILE * SCALE)
        self.image = Image.new("RGB", size, OUTSIDE)
        self.draw = ImageDraw.Draw(self.image)

    def px(self, coords) -> list[tuple[float, float]]:
        coords = np.asarray(coords, dtype=float)
        mx, my = _mercator(coords[:, 0], coords[:, 1])
        return list(zip(mx * self.world - self.left, my * self.world - self.top, strict=True))

    def width(self, metres: float, minimum: float) -> int:
        return max(1, round(max(metres / self.metres, minimum * SCALE)))

    def polygon(self, geom: BaseGeometry, fill) -> None:
        for part in getattr(geom, "geoms", [geom]):
            self.draw.polygon(self.px(part.exterior.coords), fill=fill)

    def lines(self, geom: BaseGeometry, colour, width: int) -> None:
        for part in getattr(geom, "geoms", [geom]):
            if part.length > 0:
                self.draw.line(self.px(part.coords), fill=colour, width=width)

    def rects(self, points, size_m: tuple[float, float], fill, outline) -> None:
        half_w, half_h = size_m[0] / self.metres / 2, size_m[1] / self.metres / 2
        for cx, cy in self.px(points) if len(points) else []:
            self.draw.rectangle(
                (cx - half_w, cy - half_h, cx + half_w, cy + half_h), fill=fill, outline=outline
            )

    def tiles(self, drawn) -> Iterator[tuple[int, int, int, bytes]]:
        """The block cut into PNG tiles; where `drawn(x, y)` is false, the plain outside tile."""
        image = self.image.reduce(SCALE) if SCALE > 1 else self.image
        cols, rows = image.width // TILE, image.height // TILE
        for i in range(cols):
            for j in range(rows):
                x, y = self.x0 + i, self.y0 + j
                if not drawn(x, y):
                    yield self.z, x, y, _OUTSIDE_TILE
                    continue
                tile = image.crop((i * TILE, j * TILE, (i + 1) * TILE, (j + 1) * TILE))
                out = io.BytesIO()
                # A palette image is a third of the size of full colour, and quicker to write.
                tile.quantize(palette=_PALETTE, dither=Image.Dither.NONE).save(out, "PNG")
                yield self.z, x, y, out.getvalue()


class _City:
    """What the base map draws, read from the database once."""

    def __init__(self, city: Region):
        boundaries: dict[str, list[tuple[str, BaseGeometry]]] = {}
        rows = Region.objects.filter(code__within=city.code, boundary__isnull=False)
        for level, name, boundary in rows.values_list("level", "name", "boundary"):
            boundaries.setdefault(level, []).append((name, shape(boundary)))
        grids = [geom for _, geom in boundaries.get(RegionLevel.GRID, [])]
        self.outline = shape(city.boundary) if city.boundary else shapely.union_all(grids).buffer(0)
        self.bounds = self.outline.bounds
        self.prepared_outline = shapely.prepared.prep(self.outline)
        communities = boundaries.get(RegionLevel.COMMUNITY, [])
        # Villages (村) are fields; the rest of the city is built-up land.
        self.fields = _Layer([g for name, g in communities if name.endswith("村")])
        self.lines = {
            level: _Layer([g.boundary for _, g in boundaries.get(level, [])])
            for level, *_ in _LINES
        }
        self.river = _Layer(_river([g for _, g in boundaries.get(RegionLevel.COUNTY, [])]))
        estates = Estate.objects.filter(region_code__within=city.code, lng__isnull=False)
        self.estates = _points(estates.values_list("lng", "lat"))
        buildings = Building.objects.filter(region_code__within=city.code, lng__isnull=False)
        self.buildings = _points(buildings.values_list("lng", "lat"))

    def render(self, z: int, xs: range, ys: range) -> Iterator[tuple[int, int, int, bytes]]:
        """The tiles of one block (columns `xs`, rows `ys`) that touch the city."""
        area = _tile_lnglat_box(z, xs[0], ys[0]).union(_tile_lnglat_box(z, xs[-1], ys[-1]))
        area = area.envelope
        if not self.outline.intersects(area):
            yield from ((z, x, y, _OUTSIDE_TILE) for x in xs for y in ys)
            return
        canvas = _Canvas(z, xs[0], ys[0], len(xs), len(ys))
        canvas.polygon(self.outline, LAND)
        for geom in self.fields.near(area):
            canvas.polygon(geom, FIELDS)
        if z >= 14:
            canvas.rects(self.estates.within(area), _BLOCK_M, ESTATE, None)
        for geom in self.river.near(area):
            canvas.lines(geom, WATER, canvas.width(_RIVER_M, 3))
        for level, colour, metres, minimum, from_zoom in _LINES:
            if z < from_zoom:
                continue
            near = self.lines[level].near(area)
            if z >= 14:
                for geom in near:
                    canvas.lines(geom, CASING, canvas.width(metres, minimum) + 2 * SCALE)
            for geom in near:
                canvas.lines(geom, colour, canvas.width(metres, minimum))
        if z >= 15:
            canvas.rects(self.buildings.within(area), _BUILDING_M, BUILDING, BUILDING_EDGE)
        yield from canvas.tiles(lambda x, y: self.touches(_tile_lnglat_box(z, x, y)))

    def touches(self, area: BaseGeometry) -> bool:
        return self.prepared_outline.intersects(area)


class _Points:
    def __init__(self, lngs: np.ndarray, lats: np.ndarray):
        self.lngs, self.lats = lngs, lats

    def within(self, area: BaseGeometry, margin: float = 0.002):
        west, south, east, north = area.bounds
        inside = (
            (self.lngs >= west - margin)
            & (self.lngs <= east + margin)
            & (self.lats >= south - margin)
            & (self.lats <= north + margin)
        )
        return np.column_stack([self.lngs[inside], self.lats[inside]])


def _points(rows) -> _Points:
    values = np.array(list(rows), dtype=float).reshape(-1, 2)
    return _Points(values[:, 0], values[:, 1])


def _river(counties: list[BaseGeometry]) -> list[BaseGeometry]:
    """The longest border between two counties: the generator warped it like a river line."""
    best = None
    for i, a in enumerate(counties):
        for b in counties[i + 1 :]:
            shared = shapely.line_merge(a.boundary.intersection(b.boundary))
            if not shared.is_empty and (best is None or shared.length > best.length):
                best = shared
    return [best] if best is not None else []


def render_demo_basemap(city: Region, path: Path, zooms: range) -> BasemapResult:
    """Draw the city into a fresh MBTiles file at `path` (written beside it, then swapped in)."""
    started = time.monotonic()
    drawing = _City(city)
    temporary = path.with_name(path.name + ".rendering")
    temporary.unlink(missing_ok=True)
    writer = TileWriter(temporary)

    def tiles():
        for z in zooms:
            xs, ys = _tile_range(drawing.bounds, z)
            xs = range(xs.start - MARGIN, xs.stop + MARGIN)
            ys = range(ys.start - MARGIN, ys.stop + MARGIN)
            for x in xs[::META]:
                for y in ys[::META]:
                    yield from drawing.render(
                        z, range(x, min(x + META, xs.stop)), range(y, min(y + META, ys.stop))
                    )

    count = writer.write(tiles())
    west, south, east, north = drawing.bounds
    writer.set_metadata(
        {
            "name": f"{city.name}演示底图",
            "format": "png",
            "type": "baselayer",
            "attribution": "演示底图：虚构城市，由 CityGrid 生成",
            "generator": GENERATOR,
            "bounds": f"{west:.5f},{south:.5f},{east:.5f},{north:.5f}",
        }
    )
    writer.finish()
    temporary.replace(path)
    return BasemapResult(path, count, path.stat().st_size, time.monotonic() - started)


def seed_basemap(city: Region | None, stdout, *, only_missing: bool = False) -> None:
    """`seed_demo`'s step: the demo's flat base map at the configured path, unless a base map
    that the demo did not make is there (an imported one is never overwritten)."""
    path = Path(settings.BASEMAP_FILES["flat"])
    if city is None or (only_missing and path.exists()):
        return
    if path.exists() and (summary(path) or {}).get("generator") != GENERATOR:
        stdout.write(f"  平面地图已有导入的底图，未生成演示底图：{path}")
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    result = render_demo_basemap(city, path, settings.DEMO_BASEMAP_ZOOMS)
    stdout.write(
        f"  演示底图：{result.tiles} 张瓦片，{result.bytes / 1e6:.1f} MB，"
        f"用时 {result.seconds:.1f} 秒（{path}）"
    )
