"""Demo estates, buildings, houses and rentals for the demo city, planned in memory and saved
with bulk inserts (the people demo fills in owners and residents, see `demo/people.py`).

Bulk inserts skip `save()`, so what it derives is set here: region codes, blind indexes, and the
house codes and rental numbers of `housing.numbering`, reserved a whole grid's worth at a time
from the same counters the single-record path uses.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import shapely
from shapely.geometry import shape

from citygrid.core.crypto import blind_index
from citygrid.demo.rows import build, insert
from citygrid.housing import numbering
from citygrid.housing.choices import Occupancy, RentalSource, RentalStatus
from citygrid.housing.models import Building, Estate, House, Rental
from citygrid.regions.choices import CODE_LENGTH, RegionLevel
from citygrid.regions.models import Region

# Share of registered houses by how they are used now.
OCCUPANCY_MIX = {
    Occupancy.OWNER_OCCUPIED: 0.62,
    Occupancy.RENTED: 0.22,
    Occupancy.VACANT: 0.12,
    Occupancy.OTHER: 0.04,
}
BATCH = 5000

_ESTATE_WORDS = (
    "锦绣", "阳光", "翠苑", "金桂", "和园", "春晖", "枫林", "紫荆", "星河", "滨江", "玉泉",
    "香樟", "明珠", "嘉禾", "丽景", "怡景", "碧水", "云栖", "望湖", "安居", "康乐", "东方",
    "新城", "绿洲", "梧桐", "海棠", "桂花", "文苑", "华府", "御景",
)  # fmt: skip
_ESTATE_SUFFIXES = ("花园", "小区", "苑", "家园", "新村", "公寓", "雅苑", "府")
# (weight, floors range, entrances range, houses per floor range, built years)
_URBAN_TYPES = (
    (0.40, (5, 7), (2, 4), (2, 2), (1985, 2005)),  # walk-up 老小区
    (0.30, (11, 12), (1, 2), (2, 4), (2000, 2015)),  # 小高层
    (0.25, (18, 33), (1, 2), (2, 4), (2008, 2023)),  # 高层
    (0.05, (2, 3), (1, 1), (1, 2), (1995, 2020)),  # 低层/排屋
)
_VILLAGE_TYPE = (1.0, (2, 3), (1, 1), (1, 1), (1990, 2022))


@dataclass
class GridInfo:
    """What the generators need of a grid, read once."""

    pk: int
    code: str
    name: str
    community: str
    rural: bool
    polygon: object  # shapely Polygon, or None for a grid without a boundary
    bounds: tuple[float, float, float, float] | None

    @classmethod
    def load(cls, city: Region) -> list[GridInfo]:
        communities = dict(
            Region.objects.filter(level=RegionLevel.COMMUNITY, code__within=city.code).values_list(
                "code", "name"
            )
        )
        grids = []
        rows = Region.objects.filter(level=RegionLevel.GRID, code__within=city.code).order_by(
            "code"
        )
        for pk, code, name, boundary in rows.values_list("pk", "code", "name", "boundary"):
            polygon = shape(boundary) if boundary else None
            if polygon is not None:
                shapely.prepare(polygon)
            community = communities.get(code[: CODE_LENGTH[RegionLevel.COMMUNITY]], "")
            grids.append(
                cls(
                    pk=pk,
                    code=code,
                    name=name,
                    community=community,
                    rural=community.endswith("村"),
                    polygon=polygon,
                    bounds=polygon.bounds if polygon is not None else None,
                )
            )
        return grids

    def points(self, rng: random.Random, n: int) -> list[tuple[float, float] | None]:
        """`n` random points inside the grid (rejection sampling in its bounding box)."""
        if self.polygon is None or n == 0:
            return [None] * n
        minx, miny, maxx, maxy = self.bounds
        found: list[tuple[float, float]] = []
        for _ in range(50):
            xs = np.array([rng.uniform(minx, maxx) for _ in range(4 * n + 8)])
            ys = np.array([rng.uniform(miny, maxy) for _ in range(4 * n + 8)])
            inside = shapely.contains_xy(self.polygon, xs, ys)
            found += [
                (round(x, 7), round(y, 7)) for x, y in zip(xs[inside], ys[inside], strict=True)
            ]
            if len(found) >= n:
                return found[:n]
        centre = self.polygon.representative_point()
        return (found + [(round(centre.x, 7), round(centre.y, 7))] * n)[:n]


@dataclass
class PlannedHouse:
    house: House
    rental: Rental | None = None


@dataclass
class GridHousing:
    """One grid's planned (unsaved) housing; saved by `save_housing`."""

    grid: GridInfo
    estates: list[Estate] = field(default_factory=list)
    buildings: list[Building] = field(default_factory=list)
    houses: list[PlannedHouse] = field(default_factory=list)


class HousingPlanner:
    def __init__(self, rng: random.Random, today: date):
        self.rng = rng
        self.today = today

    def occupancy(self) -> str:
        return self.rng.choices(list(OCCUPANCY_MIX), weights=list(OCCUPANCY_MIX.values()))[0]

    def _estate_name(self, taken: set[str]) -> str:
        rng = self.rng
        for _ in range(100):
            name = rng.choice(_ESTATE_WORDS) + rng.choice(_ESTATE_SUFFIXES)
            if name not in taken:
                break
        else:
            name = f"{rng.choice(_ESTATE_WORDS)}{len(taken) + 1}期"
        taken.add(name)
        return name

    def plan(self, grid: GridInfo, occupancies: list[str]) -> GridHousing:
        """Buildings filled floor by floor until a house is registered for each occupancy (the
        last building may be only partly registered, as in a real roll-out)."""
        rng = self.rng
        out = GridHousing(grid)
        estate = None
        estate_names: set[str] = set()
        pending = iter(occupancies)
        remaining = len(occupancies)
        while remaining > 0:
            if grid.rural:
                kind = _VILLAGE_TYPE
            else:
                kind = rng.choices(_URBAN_TYPES, weights=[t[0] for t in _URBAN_TYPES])[0]
                if estate is None or rng.random() < 0.2:
                    estate = build(
                        Estate,
                        region_id=grid.pk,
                        region_code=grid.code,
                        name=self._estate_name(estate_names),
                        property_company=f"{rng.choice(_ESTATE_WORDS)}物业服务有限公司",
                        property_phone=f"0571-8{rng.randrange(10**6, 10**7)}",
                    )
                    out.estates.append(estate)
            _, floors, entrances, per_floor, years = kind
            building = build(
                Building,
                region_id=grid.pk,
                region_code=grid.code,
                estate=estate,
                floors=rng.randint(*floors),
                entrances=rng.randint(*entrances),
                houses_per_floor=rng.randint(*per_floor),
                built_year=rng.randint(*years),
                use="01",
            )
            number = sum(1 for b in out.buildings if b.estate is estate) + 1
            if estate is None:
                building.name = f"{grid.community or grid.name}{len(out.buildings) + 1}号"
                building.address = f"{grid.community}{building.name}"
            else:
                building.name = f"{number}幢"
                building.address = f"{estate.name}{building.name}"
            out.buildings.append(building)
            # A village house is one household however many floors it has.
            floors_with_houses = 1 if grid.rural else building.floors
            for entrance in range(1, building.entrances + 1):
                for floor in range(1, floors_with_houses + 1):
                    for door in range(1, building.houses_per_floor + 1):
                        if remaining == 0:
                            break
                        occupancy = next(pending)
                        out.houses.append(
                            self._house(grid, building, (entrance, floor, door), occupancy)
                        )
                        remaining -= 1
        points = grid.points(rng, len(out.buildings))
        for building, point in zip(out.buildings, points, strict=True):
            if point is not None:
                building.lng, building.lat = point
        for estate in out.estates:
            first = next(b for b in out.buildings if b.estate is estate)
            estate.lng, estate.lat = first.lng, first.lat
            estate.address = f"{grid.community}{estate.name}"
        return out

    def _house(self, grid, building, place, occupancy) -> PlannedHouse:
        rng = self.rng
        entrance, floor, door = place
        number = f"{floor}{door:02d}"
        unit = "" if building.entrances == 1 else f"{entrance}单元"
        house = build(
            House,
            region_id=grid.pk,
            region_code=grid.code,
            building=building,
            entrance=entrance,
            floor=floor,
            number=number,
            address=f"{building.address}{unit}{number}室",
            area=Decimal(rng.randint(45, 140)) + Decimal(rng.randint(0, 99)) / 100,
            occupancy=occupancy,
            use="01",
            ownership=rng.choices(("01", "02", "03", "05"), weights=(85, 4, 6, 5))[0],
        )
        rental = None
        if house.occupancy == Occupancy.RENTED:
            start = self.today - timedelta(days=rng.randint(10, 900))
            status = RentalStatus.PENDING if rng.random() < 0.05 else RentalStatus.ACTIVE
            rental = build(
                Rental,
                region_id=grid.pk,
                region_code=grid.code,
                house=house,
                status=status,
                source=RentalSource.ONLINE
                if status == RentalStatus.PENDING
                else RentalSource.STAFF,
                use=rng.choices(("01", "04"), weights=(92, 8))[0],
                rented_area=house.area,
                rooms=rng.randint(1, 3),
                start_date=start,
                end_date=start + timedelta(days=365 * rng.randint(1, 3)),
            )
        return PlannedHouse(house, rental)


def save_housing(plans: list[GridHousing]) -> None:
    """Insert the planned estates, buildings, houses and rentals (owners already filled in)."""
    insert(Estate, [e for p in plans for e in p.estates])
    buildings = [b for p in plans for b in p.buildings]
    for building in buildings:
        building.estate_id = building.estate.pk if building.estate else None
    insert(Building, buildings)
    houses, rentals = [], []
    for plan in plans:
        if not plan.houses:
            continue
        first = numbering.reserve(numbering.HOUSE_CODE, plan.grid.code, len(plan.houses))
        planned_rentals = [p.rental for p in plan.houses if p.rental is not None]
        first_rental = (
            numbering.reserve(numbering.RENTAL_NO, plan.grid.code, len(planned_rentals))
            if planned_rentals
            else 0
        )
        for offset, planned in enumerate(plan.houses):
            house = planned.house
            # Through the descriptor: the building's id, now that it has one, with the loaded
            # building kept (assigning `building_id` drops it: a query per house below).
            house.building = house.building
            house.derive_position()  # where the map draws it: inserted raw, no save()
            house.code = numbering.code_for(plan.grid.code, first + offset)
            house.owner_id_number_index = blind_index(house.owner_id_number)
            house.owner_phone_index = blind_index(house.owner_phone)
            houses.append(house)
        for offset, rental in enumerate(planned_rentals):
            rental.rental_no = "R" + numbering.code_for(plan.grid.code, first_rental + offset)
            rental.landlord_id_number_index = blind_index(rental.landlord_id_number)
            rental.landlord_phone_index = blind_index(rental.landlord_phone)
            rentals.append(rental)
    insert(House, houses)
    for rental in rentals:
        rental.house_id = rental.house.pk
    insert(Rental, rentals)
