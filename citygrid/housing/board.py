"""The building table (楼盘表): the houses of one building laid out floor × entrance.

Three queries whatever the building's size: its houses, the current resident count per house,
and — only for users who may see special groups — which houses have a resident in one. The
resident count is a number, not a list of people, so it needs no people permission; who lives
there is on the house page, behind `people.view_residency`. Both come from the people app
through `housing.occupants`.
"""

from dataclasses import dataclass, field

from citygrid.housing.choices import OCCUPANCY_BADGE, Occupancy
from citygrid.housing.models import Building, House
from citygrid.housing.occupants import occupants


@dataclass
class Cell:
    house: House
    residents: int = 0
    special: bool = False

    @property
    def colour(self) -> str:
        return OCCUPANCY_BADGE[self.house.occupancy]


@dataclass
class Row:
    floor: int | None
    label: str
    # One list per entrance (in `Board.entrances` order), padded with None to the entrance width.
    groups: list[list[Cell | None]] = field(default_factory=list)


@dataclass
class Board:
    entrances: list[tuple[int | None, int]]  # (entrance, width in cells)
    rows: list[Row]
    show_special: bool
    house_count: int

    @property
    def legend(self) -> list[tuple[str, str]]:
        return [(OCCUPANCY_BADGE[o], o.label) for o in Occupancy]


def _door_key(house: House):
    number = house.number
    return (0, int(number), number) if number.isdigit() else (1, 0, number)


def _floor_label(floor: int | None) -> str:
    if floor is None:
        return "未标楼层"
    return f"{floor}层" if floor > 0 else f"地下{-floor}层"


def build_board(building: Building, user, *, show_special: bool) -> Board:
    """`show_special` is decided by the caller (`Occupants.may_see_marked`): without it the
    query is not even run, so nothing about special groups can reach the page."""
    houses = list(House.objects.restrict(user, "view").filter(building=building))
    residents = occupants().resident_counts(building)
    special = occupants().marked_houses(building, user) if show_special else set()

    cells: dict[tuple[int | None, int | None], list[Cell]] = {}
    for house in sorted(houses, key=_door_key):
        cell = Cell(house, residents.get(house.pk, 0), house.pk in special)
        cells.setdefault((house.floor, house.entrance), []).append(cell)

    entrance_ids: list[int | None] = list(range(1, building.entrances + 1))
    extra = {e for _, e in cells} - set(entrance_ids)
    entrance_ids += sorted(e for e in extra if e is not None)
    if None in extra:
        entrance_ids.append(None)
    widths = {
        e: max([building.houses_per_floor] + [len(v) for (_, ent), v in cells.items() if ent == e])
        for e in entrance_ids
    }

    floors: list[int | None] = list(range(building.floors, 0, -1))
    found = {f for f, _ in cells}
    floors += sorted((f for f in found - set(floors) if f is not None), reverse=True)
    if None in found:
        floors.append(None)

    rows = []
    for floor in floors:
        groups = []
        for e in entrance_ids:
            group: list[Cell | None] = list(cells.get((floor, e), []))
            groups.append(group + [None] * (widths[e] - len(group)))
        rows.append(Row(floor, _floor_label(floor), groups))
    return Board(
        entrances=[(e, widths[e]) for e in entrance_ids],
        rows=rows,
        show_special=show_special,
        house_count=len(houses),
    )
