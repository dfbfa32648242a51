"""A deterministic, fictitious demo city: 市 → 区 → 街道/镇 → 社区/村 → 网格, with grid workers.

A trial needs a map that looks like a real city, not a chessboard: the city outline is irregular,
every level is cut from its parent by a Voronoi diagram of well-spread seeds (denser towards the
centre, so urban grids are small and rural ones large), and a smooth warp bends the straight cell
edges into plausible street and river lines. Children tile their parent exactly because only the
grids are warped; every higher level is the union of the grids below it.

Everything follows from `random.Random(seed)` (and a Faker seeded with the same number), so the
same seed always gives the same codes, names, boundaries and people.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import shapely
from django.db import transaction
from faker import Faker
from shapely.geometry import MultiPoint, Point
from shapely.geometry.base import BaseGeometry

from citygrid.accounts import roles
from citygrid.accounts.models import User
from citygrid.core import writeguard
from citygrid.core.crypto import blind_index
from citygrid.core.models import VersionStamp
from citygrid.regions.choices import RegionLevel, WorkerRole
from citygrid.regions.geo.shapes import geodesic_area_m2, to_geojson
from citygrid.regions.models import GridWorker, Region
from citygrid.regions.models.regions import GEOMETRY_STAMP

DEFAULT_SEED = 2026
# 33 = 浙江; prefecture segment 19 lies in the 01–20 city range but is not allocated (浙江 has
# 11 prefecture-level cities), so the demo can never be mistaken for a real division.
CITY_CODE = "3319"
CITY_NAME = "云州市"
CENTER_LNG, CENTER_LAT = 120.20, 30.25  # settings.MAP default centre
DEMO_PASSWORD = "Demo@2026"

_KM_PER_DEG_LAT = 110.574
_KM_PER_DEG_LNG = 111.320 * math.cos(math.radians(CENTER_LAT))
_CITY_RADIUS_KM = 12.5
_URBAN_RADIUS_KM = 8.0  # townships whose centre lies further out are towns (镇), not streets
_PLANE_GRID_KM = 1e-6  # every planar overlay snaps to this grid, so shared vertices agree exactly
_SNAP_KM = 1e-5
_SEGMENT_KM = 0.1  # densify before warping so edges bend instead of staying straight
_LNGLAT_GRID = 1e-7  # stored precision, about 1 cm
_SEED_CANDIDATES = 15
FULL_CITY_PEOPLE = 1_000_000  # the default city's size holds up to this many people


@dataclass(frozen=True)
class DemoSize:
    """How many children each level gets: a fixed count of counties, ranges below."""

    counties: int = 4
    townships: tuple[int, int] = (3, 4)
    communities: tuple[int, int] = (4, 5)
    grids: tuple[int, int] = (8, 12)

    @classmethod
    def for_people(cls, people: int) -> DemoSize:
        """The default city (about 550 grids) up to a million people; beyond, every level grows
        by the same factor, so a grid keeps about 1 800 people (10 M: some 6 000 grids)."""
        base = cls()
        if people <= FULL_CITY_PEOPLE:
            return base
        factor = (people / FULL_CITY_PEOPLE) ** 0.25

        def scaled(low: int, high: int) -> tuple[int, int]:
            return round(low * factor), round(high * factor)

        return cls(
            counties=round(base.counties * factor),
            townships=scaled(*base.townships),
            communities=scaled(*base.communities),
            grids=scaled(*base.grids),
        )


@dataclass
class PlannedWorker:
    name: str
    role: str
    phone: str


@dataclass
class PlannedRegion:
    """One region before it is saved: the generator's output, independent of the database."""

    level: str
    code: str
    name: str
    geometry: BaseGeometry
    introduction: str = ""
    children: list[PlannedRegion] = field(default_factory=list)
    workers: list[PlannedWorker] = field(default_factory=list)

    def walk(self) -> Iterator[PlannedRegion]:
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class DemoResult:
    city: Region
    counts: dict[str, int]
    workers: int


# --- Planar geometry (km east/north of the centre) -------------------------------------------


@dataclass
class _Cell:
    geom: BaseGeometry
    children: list[_Cell] = field(default_factory=list)


def _density(x: float, y: float) -> float:
    """Relative density of divisions: about six times denser in the centre than at the edge."""
    return 1.0 + 5.0 * math.exp(-(x * x + y * y) / (2 * 4.5**2))


def _city_outline(rng: random.Random) -> BaseGeometry:
    harmonics = [
        (k, rng.uniform(0.04, 0.10) / math.sqrt(k - 1), rng.uniform(0, 2 * math.pi))
        for k in range(2, 7)
    ]
    points = []
    for i in range(144):
        t = 2 * math.pi * i / 144
        r = _CITY_RADIUS_KM * (1 + sum(a * math.cos(k * t + p) for k, a, p in harmonics))
        points.append((r * math.cos(t), r * math.sin(t)))
    return shapely.set_precision(shapely.Polygon(points), _PLANE_GRID_KM)


def _seed_points(parent: BaseGeometry, k: int, rng: random.Random) -> list[tuple[float, float]]:
    """Best-candidate sampling: spread out, closer together where the density is higher."""
    inner = parent.buffer(-0.25 * math.sqrt(parent.area / k))
    if inner.is_empty or inner.area < 0.25 * parent.area:
        inner = parent  # thin parents: seeds anywhere inside still give single cells mostly
    shapely.prepare(inner)
    minx, miny, maxx, maxy = inner.bounds
    seeds: list[tuple[float, float]] = []
    while len(seeds) < k:
        best, best_score = None, -1.0
        for _ in range(_SEED_CANDIDATES):
            x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
            while not shapely.contains_xy(inner, x, y):
                x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
            gap = min((math.hypot(x - sx, y - sy) for sx, sy in seeds), default=1.0)
            score = gap * math.sqrt(_density(x, y))
            if score > best_score:
                best, best_score = (x, y), score
        seeds.append(best)
    return seeds


def _polygons(geom: BaseGeometry) -> list[BaseGeometry]:
    return [g for g in shapely.get_parts(geom) if g.geom_type == "Polygon" and not g.is_empty]


def _clip(parent: BaseGeometry, seeds: list[tuple[float, float]]) -> list[BaseGeometry]:
    """Voronoi cells of `seeds` clipped to `parent`, in seed order; together they tile it.

    A cell clipped to a concave parent can fall apart; keeping the piece around the seed and
    handing the rest to the neighbour it shares most border with keeps cells in one piece.
    """
    diagram = shapely.voronoi_polygons(MultiPoint(seeds), extend_to=parent, ordered=True)
    cells: list[BaseGeometry] = []
    fragments: list[BaseGeometry] = []
    for seed, cell in zip(seeds, diagram.geoms, strict=True):
        pieces = _polygons(shapely.intersection(cell, parent, grid_size=_PLANE_GRID_KM))
        home = Point(seed)
        main = next((p for p in pieces if p.contains(home)), None)
        main = main or max(pieces, key=lambda p: p.area)
        cells.append(main)
        fragments.extend(p for p in pieces if p is not main)
    for fragment in fragments:
        edge = fragment.buffer(_SNAP_KM)
        target = max(range(len(cells)), key=lambda i: edge.intersection(cells[i].boundary).length)
        cells[target] = shapely.union(cells[target], fragment, grid_size=_PLANE_GRID_KM)
    return cells


def _split(parent: BaseGeometry, k: int, rng: random.Random) -> list[BaseGeometry]:
    return _clip(parent, _seed_points(parent, k, rng))


def _split_city(outline: BaseGeometry, k: int, rng: random.Random) -> list[BaseGeometry]:
    """A compact central district ringed by suburban ones, like most Chinese prefecture cities.

    Each ring district is two Voronoi cells merged, so the central one is a rounded hexagon-like
    shape rather than a triangle.
    """
    if k < 4:
        return _split(outline, k, rng)
    ring = 2 * (k - 1)
    turn = rng.uniform(0, 2 * math.pi)
    seeds = [(rng.uniform(-0.5, 0.5), rng.uniform(-0.5, 0.5))]
    for i in range(ring):
        angle = turn + 2 * math.pi * (i + rng.uniform(-0.15, 0.15)) / ring
        radius = _CITY_RADIUS_KM * rng.uniform(0.5, 0.6)
        seeds.append((radius * math.cos(angle), radius * math.sin(angle)))
    cells = _clip(outline, seeds)
    pairs = zip(cells[1::2], cells[2::2], strict=True)
    return [cells[0], *(shapely.union(a, b, grid_size=_PLANE_GRID_KM) for a, b in pairs)]


def _subdivide(geom: BaseGeometry, counts: list, rng: random.Random, split=_split) -> _Cell:
    cell = _Cell(geom)
    if counts:
        low, high = counts[0]
        for child in split(geom, rng.randint(low, high), rng):
            cell.children.append(_subdivide(child, counts[1:], rng))
    return cell


def _leaves(cell: _Cell) -> Iterator[_Cell]:
    if not cell.children:
        yield cell
    for child in cell.children:
        yield from _leaves(child)


def _node(geoms: list[BaseGeometry]) -> list[BaseGeometry]:
    """Insert every neighbour's vertex that lies on a polygon's edge.

    Two grids of different communities meet along their communities' border, each with its own
    vertices on it; the warp would bend those edges differently unless both carry all of them.
    """
    coords = [shapely.get_coordinates(g) for g in geoms]
    tree = shapely.STRtree(geoms)
    noded = []
    for i, geom in enumerate(geoms):
        near = [j for j in tree.query(geom, predicate="dwithin", distance=_SNAP_KM) if j != i]
        if near:
            reference = shapely.multipoints(np.concatenate([coords[j] for j in near]))
            geom = shapely.snap(geom, reference, _SNAP_KM)
        noded.append(geom)
    return noded


class _Warp:
    """A smooth displacement field that bends straight edges into meandering lines.

    Each displacement component changes by at most Σ amplitude·2π/wavelength ≈ 0.63 per unit
    of distance, so the Jacobian's row sums stay below √2·0.63 < 1: the map never folds, and
    a valid tiling stays a valid tiling.
    """

    def __init__(self, rng: random.Random):
        def waves(amplitude: float, shortest: float, longest: float) -> list[tuple]:
            result = []
            for _ in range(2):
                k = 2 * math.pi / rng.uniform(shortest, longest)
                angle = rng.uniform(0, 2 * math.pi)
                phase = rng.uniform(0, 2 * math.pi)
                result.append((amplitude, k * math.cos(angle), k * math.sin(angle), phase))
            return result

        self.x_waves = waves(0.12, 6.0, 9.0) + waves(0.05, 2.5, 4.0) + waves(0.012, 1.2, 2.0)
        self.y_waves = waves(0.12, 6.0, 9.0) + waves(0.05, 2.5, 4.0) + waves(0.012, 1.2, 2.0)

    @staticmethod
    def _shift(waves: list[tuple], x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return sum(a * np.sin(kx * x + ky * y + p) for a, kx, ky, p in waves)

    def to_lnglat(self, coords: np.ndarray) -> np.ndarray:
        x, y = coords[:, 0], coords[:, 1]
        wx = x + self._shift(self.x_waves, x, y)
        wy = y + self._shift(self.y_waves, x, y)
        return np.column_stack(
            (CENTER_LNG + wx / _KM_PER_DEG_LNG, CENTER_LAT + wy / _KM_PER_DEG_LAT)
        )


def _clean(geom: BaseGeometry) -> BaseGeometry:
    """Round to the stored precision and guarantee a valid Polygon or MultiPolygon."""
    geom = shapely.set_precision(geom, _LNGLAT_GRID)
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    parts = _polygons(geom)
    return parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts)


def _build_geometry(rng: random.Random, size: DemoSize) -> _Cell:
    """The nested tiling in lng/lat: warped grids at the bottom, unions of them above."""
    outline = _city_outline(rng)
    counts = [(size.counties, size.counties), size.townships, size.communities, size.grids]
    plane = _subdivide(outline, counts, rng, split=_split_city)
    warp = _Warp(rng)
    leaves = list(_leaves(plane))
    noded = _node([leaf.geom for leaf in leaves])
    bent = [
        _clean(shapely.transform(shapely.segmentize(g, _SEGMENT_KM), warp.to_lnglat)) for g in noded
    ]
    # Rounding can leave the two copies of a shared vertex one step apart (a 1e-7° sliver);
    # the coverage cleaner snaps them back together so the grids form an exact coverage.
    cleaned = shapely.coverage_clean(bent, snapping_distance=3 * _LNGLAT_GRID)
    for leaf, geom in zip(leaves, cleaned, strict=True):
        leaf.geom = _clean(geom)

    def rebuild(cell: _Cell) -> None:
        if cell.children:
            for child in cell.children:
                rebuild(child)
            union = shapely.union_all([c.geom for c in cell.children], grid_size=_LNGLAT_GRID)
            cell.geom = _clean(union)

    rebuild(plane)
    return plane


# --- Names, codes and descriptions ------------------------------------------------------------

_PLACE_FIRST = (
    "金银玉翠青丹碧锦春秋星月云霞凤龙桂兰梅竹松柏桃杏柳枫荷莲菊安永兴长新福瑞和丰文华明德"
)
_PLACE_SECOND = "桥湾塘苑园林山湖溪泉河港岭坊庄亭洲浦埠堰渡岗坞"
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾田董袁潘蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏方邹孟熊秦邱江薛段雷侯史陶贺顾毛邵钱严戴"
)
_VILLAGE_SUFFIX = "桥坞埠湾塘岭庄埭畈墩"
_COUNTY_NAMES = {
    "中": ("云中区",),
    "东": ("东江区", "临江区", "望潮区"),
    "西": ("西岭区", "青岚区", "云岭区"),
    "北": ("北塘区", "望湖区", "金桥区"),
    "南": ("南溪区", "清溪区", "凤山区"),
}
_DIRECTIONS = ("东", "东北", "北", "西北", "西", "西南", "南", "东南")
_MOBILE_PREFIXES = (
    *(f"13{d}" for d in "0123456789"),
    *(f"15{d}" for d in "012356789"),
    *(f"18{d}" for d in "0123456789"),
    "166", "173", "177", "191", "198", "199",
)  # fmt: skip


def _km(point: Point) -> tuple[float, float]:
    return (
        (point.x - CENTER_LNG) * _KM_PER_DEG_LNG,
        (point.y - CENTER_LAT) * _KM_PER_DEG_LAT,
    )


def _direction(geom: BaseGeometry, of: BaseGeometry, central_share: float = 0.15) -> str:
    """Where `geom` lies inside `of` in words: 东北部, 中部 ..."""
    x, y = _km(geom.centroid)
    ox, oy = _km(of.centroid)
    dx, dy = x - ox, y - oy
    reach = math.sqrt(geodesic_area_m2(of) / 1e6)
    if math.hypot(dx, dy) < central_share * reach:
        return "中部"
    sector = round(math.degrees(math.atan2(dy, dx)) / 45) % 8
    return f"{_DIRECTIONS[sector]}部"


def _reading_order(geoms: list[BaseGeometry]) -> list[int]:
    """Indexes in the numbering order of standards §4.4: rows north→south, west→east in a row."""
    points = [g.representative_point() for g in geoms]
    by_north = sorted(range(len(geoms)), key=lambda i: (-points[i].y, points[i].x))
    rows = max(1, round(math.sqrt(len(geoms))))
    order: list[int] = []
    for r in range(rows):
        row = by_north[r * len(geoms) // rows : (r + 1) * len(geoms) // rows]
        order.extend(sorted(row, key=lambda i: points[i].x))
    return order


def _area_km2(geom: BaseGeometry) -> float:
    return geodesic_area_m2(geom) / 1e6


def _tally(parts: list[tuple[int, str]]) -> str:
    return "、".join(f"{n}个{label}" for n, label in parts if n)


class _Namer:
    """Draws unique, plausible place names from a seeded generator."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()

    def _unique(self, make) -> str:
        while True:
            name = make()
            if name not in self.used:
                self.used.add(name)
                return name

    def any_place(self) -> str:
        """A place name that may repeat: estates, parks, roads."""
        return self.rng.choice(_PLACE_FIRST) + self.rng.choice(_PLACE_SECOND)

    def place(self) -> str:
        """A place name not used before: townships and communities."""
        return self._unique(self.any_place)

    def village(self) -> str:
        return self._unique(
            lambda: self.rng.choice(_SURNAMES) + "家" + self.rng.choice(_VILLAGE_SUFFIX)
        )

    def road(self) -> str:
        return self._line(("路", "路", "路", "街", "大道", "河", "港"))

    def rural_line(self) -> str:
        return self._line(("公路", "线", "溪", "河", "山", "村道"))

    def _line(self, suffixes: tuple[str, ...]) -> str:
        """A road, river or hill name, never doubling a character (no 荷山山)."""
        while True:
            place, suffix = self.any_place(), self.rng.choice(suffixes)
            if place[-1] != suffix[0]:
                return place + suffix


class _Planner:
    """Turns the tiling into named, coded regions with introductions and grid teams."""

    def __init__(self, seed: int, rng: random.Random):
        self.rng = rng
        self.names = _Namer(rng)
        self.faker = Faker("zh_CN")
        self.faker.seed_instance(seed)
        self.phones: set[str] = set()

    def city(self, cell: _Cell) -> PlannedRegion:
        city = PlannedRegion(RegionLevel.CITY, CITY_CODE, CITY_NAME, cell.geom)
        counties = sorted(
            cell.children, key=lambda c: math.hypot(*_km(c.geom.representative_point()))
        )
        taken: set[str] = set()
        for number, child in enumerate(counties, start=2):  # xx01 is the 市辖区 summary code
            city.children.append(self.county(child, city, f"{CITY_CODE}{number:02d}", taken))
        regions = list(city.walk())
        count = {lvl: sum(r.level == lvl for r in regions) for lvl in RegionLevel.values}
        city.introduction = (
            f"{CITY_NAME}是系统演示用的虚构城市（区划代码{CITY_CODE}为虚构代码），"
            f"面积约{_area_km2(city.geometry):.0f}平方公里，辖{count['county']}个区、"
            f"{count['township']}个街道（镇）、{count['community']}个社区（村），"
            f"划分网格{count['grid']}个。"
        )
        return city

    def county(self, cell: _Cell, city: PlannedRegion, code: str, taken: set[str]) -> PlannedRegion:
        where = _direction(cell.geom, city.geometry, central_share=0.12)
        pool = _COUNTY_NAMES["中" if where == "中部" or not taken else where[-2]]
        name = next((n for n in pool if n not in taken), None)
        if name is None:
            name = self.names.place() + "区"
        taken.add(name)
        county = PlannedRegion(RegionLevel.COUNTY, code, name, cell.geom)
        # Townships near the city centre are streets; a district's seat is always one.
        reach = {id(c): math.hypot(*_km(c.geom.representative_point())) for c in cell.children}
        seat = min(cell.children, key=lambda c: reach[id(c)])
        urban = [c for c in cell.children if c is seat or reach[id(c)] <= _URBAN_RADIUS_KM]
        rural = [c for c in cell.children if c not in urban]
        for first, group, town in ((1, urban, False), (101, rural, True)):
            ordered = [group[i] for i in _reading_order([c.geom for c in group])]
            for number, child in enumerate(ordered, start=first):
                county.children.append(self.township(child, county, f"{code}{number:03d}", town))
        county.introduction = (
            f"{name}位于{CITY_NAME}{where}，面积约{_area_km2(cell.geom):.1f}平方公里，"
            f"辖{_tally([(len(urban), '街道'), (len(rural), '镇')])}。"
        )
        return county

    def township(self, cell: _Cell, county: PlannedRegion, code: str, town: bool) -> PlannedRegion:
        name = self.names.place() + ("镇" if town else "街道")
        township = PlannedRegion(RegionLevel.TOWNSHIP, code, name, cell.geom)
        children = [cell.children[i] for i in _reading_order([c.geom for c in cell.children])]
        seat = min(
            children, key=lambda c: c.geom.centroid.distance(cell.geom.representative_point())
        )
        # Residents' committees (社区) take 001…, villagers' committees (村) 201… (standards §4.3).
        residents = [c for c in children if not town or c is seat]
        villages = [c for c in children if c not in residents]
        for first, group, village in ((1, residents, False), (201, villages, True)):
            for number, child in enumerate(group, start=first):
                township.children.append(
                    self.community(child, township, f"{code}{number:03d}", village)
                )
        township.introduction = (
            f"{name}位于{county.name}{_direction(cell.geom, county.geometry)}，"
            f"面积约{_area_km2(cell.geom):.1f}平方公里，"
            f"下辖{_tally([(len(residents), '社区'), (len(villages), '村')])}。"
        )
        return township

    def community(
        self, cell: _Cell, township: PlannedRegion, code: str, village: bool
    ) -> PlannedRegion:
        short = self.names.village() if village else self.names.place()
        name = short + ("村" if village else "社区")
        community = PlannedRegion(RegionLevel.COMMUNITY, code, name, cell.geom)
        lines = [self.names.rural_line() if village else self.names.road() for _ in range(6)]
        ordered = [cell.children[i] for i in _reading_order([c.geom for c in cell.children])]
        for number, child in enumerate(ordered, start=1):
            grid = PlannedRegion(
                RegionLevel.GRID, f"{code}{number:03d}", f"{short}第{number}网格", child.geom
            )
            grid.introduction = self.grid_introduction(grid, community, short, village, lines)
            grid.workers = self.team()
            community.children.append(grid)
        if village:
            feature = self.rng.choice(
                (
                    "以水稻和茶叶种植为主",
                    "发展农家乐与民宿",
                    "以苗木花卉种植为主",
                    "有多家来料加工点",
                )
            )
            facilities = "设有村级便民服务中心和文化礼堂"
        else:
            feature = self.rng.choice(
                ("以住宅小区为主", "商住混合，沿街商铺较多", "老旧小区集中", "新建商品房小区较多")
            )
            facilities = "设有社区党群服务中心和卫生服务站"
        community.introduction = (
            f"{name}隶属{township.name}，"
            f"位于{township.name}{_direction(cell.geom, township.geometry)}，"
            f"面积约{_area_km2(cell.geom):.2f}平方公里，划分{len(ordered)}个网格，"
            f"{feature}，{facilities}。"
        )
        return community

    def grid_introduction(
        self,
        grid: PlannedRegion,
        community: PlannedRegion,
        short: str,
        village: bool,
        lines: list[str],
    ) -> str:
        rng = self.rng
        east, south, west, north = rng.sample(lines, 4)
        where = _direction(grid.geometry, community.geometry)
        bounds = f"东至{east}，南至{south}，西至{west}，北至{north}"
        area = f"面积约{_area_km2(grid.geometry):.2f}平方公里"
        if village:
            households = rng.randint(150, 400)
            groups = "、".join(
                dict.fromkeys(
                    f"{rng.choice(_SURNAMES)}家{rng.choice(_VILLAGE_SUFFIX)}" for _ in range(2)
                )
            )
            landmark = rng.choice(
                (
                    f"{short}文化礼堂",
                    f"{self.names.any_place()}水库",
                    f"{short}茶园",
                    f"{short}村卫生室",
                    f"{self.names.any_place()}古桥",
                    f"{short}村民活动中心",
                )
            )
            people = (
                f"有农户约{households}户、常住人口约{round(households * rng.uniform(2.6, 3.2))}人"
            )
            return (
                f"本网格位于{community.name}{where}，{bounds}，{area}。辖区{people}，"
                f"包括{groups}等自然村，{landmark}位于网格内。"
            )
        households = rng.randint(300, 620)
        estates = "、".join(
            dict.fromkeys(
                self.names.any_place() + rng.choice(("花园", "小区", "苑", "家园", "新村", "公寓"))
                for _ in range(rng.randint(1, 3))
            )
        )
        landmark = rng.choice(
            (
                f"{short}小学",
                f"{short}幼儿园",
                f"{self.names.any_place()}农贸市场",
                f"{short}社区卫生服务站",
                f"{self.names.any_place()}公园",
                f"{self.names.any_place()}广场",
            )
        )
        people = f"有住户约{households}户、常住人口约{round(households * rng.uniform(2.3, 2.9))}人"
        return (
            f"本网格位于{community.name}{where}，{bounds}，{area}。辖区{people}，"
            f"主要包括{estates}，{landmark}位于网格内。"
        )

    def team(self) -> list[PlannedWorker]:
        """A 网格员 for every grid; about a third also get a 巡查员 or 监督员."""
        team = [PlannedWorker(self.faker.name(), WorkerRole.GRID_WORKER, self.mobile())]
        if self.rng.random() < 1 / 3:
            role = self.rng.choice((WorkerRole.PATROLLER, WorkerRole.INSPECTOR))
            team.append(PlannedWorker(self.faker.name(), role, self.mobile()))
        return team

    def mobile(self) -> str:
        while True:
            number = self.rng.choice(_MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if number not in self.phones:
                self.phones.add(number)
                return number


def build_demo_plan(seed: int = DEFAULT_SEED, size: DemoSize | None = None) -> PlannedRegion:
    """The whole demo city in memory, without touching the database."""
    rng = random.Random(seed)
    tiling = _build_geometry(rng, size or DemoSize())
    return _Planner(seed, rng).city(tiling)


# --- Saving ----------------------------------------------------------------------------------


@transaction.atomic
@writeguard.unlogged()
def generate_demo_city(seed: int = DEFAULT_SEED, size: DemoSize | None = None) -> DemoResult:
    """Save the demo city with bulk inserts (a few seconds instead of a minute of single saves).

    Bulk inserts skip `save()`, so the derived columns it maintains are filled here with the same
    helpers, the grid geometry stamp is bumped once, and no change-log rows are written.
    """
    plan = build_demo_plan(seed, size)
    saved: dict[str, Region] = {}
    nodes: list[PlannedRegion] = []
    level: list[tuple[PlannedRegion, Region | None]] = [(plan, None)]
    while level:  # one bulk insert per level, parents first so children can point to them
        batch = []
        for node, parent in level:
            region = Region(
                parent=parent,
                level=node.level,
                code=node.code,
                name=node.name,
                boundary=to_geojson(node.geometry),
                introduction=node.introduction,
            )
            region._update_geometry_columns()
            batch.append(region)
        Region.objects.bulk_create(batch, batch_size=500)
        saved.update((r.code, r) for r in batch)
        nodes.extend(node for node, _ in level)
        level = [(child, saved[node.code]) for node, _ in level for child in node.children]
    workers = [
        GridWorker(
            region=saved[node.code],
            region_code=node.code,
            name=worker.name,
            role=worker.role,
            phone=worker.phone,
            phone_index=blind_index(worker.phone),
        )
        for node in nodes
        for worker in node.workers
    ]
    GridWorker.objects.bulk_create(workers, batch_size=500)
    VersionStamp.bump(GEOMETRY_STAMP)
    counts = {lvl: sum(n.level == lvl for n in nodes) for lvl in RegionLevel.values}
    return DemoResult(city=saved[CITY_CODE], counts=counts, workers=len(workers))


@dataclass(frozen=True)
class DemoAccount:
    username: str
    full_name: str
    role: str  # a default role name; "" for the superuser
    scope_level: str  # the first region of this level in code order is the account's scope
    # A grid post (WorkerRole) the account holds in the first grid of its scope, created if the
    # generated team has none; the account then takes the post holder's name.
    post: str = ""


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("admin", "超级管理员", "", RegionLevel.CITY),
    DemoAccount("city_leader", "演示市级领导", roles.CITY_LEADER, RegionLevel.CITY),
    DemoAccount("county_dispatcher", "演示区县调度员", roles.COUNTY_DISPATCHER, RegionLevel.COUNTY),
    DemoAccount("street_staff", "演示街道工作人员", roles.STREET_STAFF, RegionLevel.TOWNSHIP),
    DemoAccount(
        "grid_worker", "演示网格员", roles.GRID_WORKER, RegionLevel.GRID, WorkerRole.GRID_WORKER
    ),
    # Joins the city's 城管执法局 when the demo cases create the departments (demo/cases.py).
    DemoAccount("dept_handler", "演示部门处置员", roles.DEPARTMENT_HANDLER, RegionLevel.CITY),
    DemoAccount(
        "inspector", "演示监督员", roles.INSPECTOR, RegionLevel.COUNTY, WorkerRole.INSPECTOR
    ),
    # Mediates as a member of the first township's 司法所 (demo/disputes.py).
    DemoAccount(
        "legal_officer", "演示政法综治专员", roles.POLITICAL_LEGAL_OFFICER, RegionLevel.TOWNSHIP
    ),
    DemoAccount("sysadmin", "演示系统管理员", roles.SYSTEM_ADMIN, RegionLevel.CITY),
    # A dispute's outcome is checked community → township → county: this account, street_staff
    # and county_dispatcher are the three levels over the first community.
    DemoAccount("community_staff", "演示社区工作人员", roles.STREET_STAFF, RegionLevel.COMMUNITY),
)


@transaction.atomic
@writeguard.unlogged()
def create_demo_accounts(city: Region) -> dict[str, User]:
    """One account per default role, scoped to the first region of its level under `city`.

    Running it again resets the accounts (password, roles, scope) to these definitions; the
    grid posts they take are written without history, like the rest of the demo city.
    """
    role_by_name = roles.ensure_default_roles()
    users: dict[str, User] = {}
    for index, spec in enumerate(DEMO_ACCOUNTS):
        scope = Region.objects.filter(level=spec.scope_level, code__within=city.code).first()
        user, _ = User.objects.get_or_create(username=spec.username)
        user.full_name = spec.full_name
        user.is_superuser = user.is_staff = not spec.role
        user.is_active = True
        user.failed_logins = 0
        user.locked_until = None
        user.set_password(DEMO_PASSWORD)
        # Every demo account has a mobile, so reminders and 督办 texts show in the outbox.
        user.phone = demo_mobile(index)
        user.save()
        user.roles.set([role_by_name[spec.role]] if spec.role else [])
        user.scope_regions.set([scope] if scope else [])
        users[spec.username] = user
        if spec.post and scope is not None:
            _take_post(user, spec, scope)
    return users


def demo_mobile(index: int) -> str:
    """The demo account's mobile: the 199 0000 range, as the demo's other invented posts."""
    return f"1990000{index + 1:04d}"


def _take_post(user: User, spec: DemoAccount, scope: Region) -> None:
    """Link the account to its post in the first grid of its scope (creating the post if the
    generated team has no such member), and name the account after the post holder."""
    grid = Region.objects.filter(level=RegionLevel.GRID, code__within=scope.code).first()
    if grid is None:
        return
    post = GridWorker.objects.filter(region=grid, role=spec.post).first()
    if post is None:
        post = GridWorker(region=grid, name=spec.full_name, role=spec.post, user=user)
        post.phone = _free_mobile(grid)
        post.save()
    elif post.user_id != user.pk:
        post.user = user
        post.save()
    user.full_name = post.name
    user.phone = post.phone
    user.save(update_fields=["full_name", "phone"])


def _free_mobile(grid: Region) -> str:
    """A demo mobile number not yet used by the grid's team (the per-grid unique constraint)."""
    taken = set(GridWorker.objects.filter(region=grid).values_list("phone_index", flat=True))
    number = 19900000000 + int(grid.code[-6:])
    while blind_index(str(number)) in taken:
        number += 1
    return str(number)
