"""Identity numbers of houses and rentals: stable, unique, checkable by eye.

House code (房屋编码, 21 characters): the 15-digit grid code where the house was first
registered, a 5-digit serial within that grid, and an ISO 7064 MOD 11-2 check character (the
algorithm of the citizen ID number). Rental number (出租屋编号, 22 characters): `R` + the same
shape with its own serial. Like an ID number, a code never changes, even when grids are
redrawn: the grid prefix tells where the record was born, not where it is now.
"""

from django.db.models import F

from citygrid.core.models import VersionStamp

SERIAL_DIGITS = 5


def mod11_2(digits: str) -> str:
    """ISO 7064 MOD 11-2 check character over a string of digits."""
    total = 0
    for ch in digits:
        total = (total + int(ch)) * 2 % 11
    return "0123456789X"[(12 - total) % 11]


def is_valid(code: str) -> bool:
    body = code[1:] if code.startswith("R") else code
    return len(body) == 21 and body[:-1].isdigit() and mod11_2(body[:-1]) == body[-1]


HOUSE_CODE = "house_code"
RENTAL_NO = "rental_no"


def reserve(counter: str, grid_code: str, n: int = 1) -> int:
    """Take `n` consecutive serials of a grid's counter; returns the first.

    The counter row stays locked until commit: two registrations never share a serial, and a
    batch (import, demo) reserving a block never collides with codes issued one by one.
    """
    name = f"{counter}_{grid_code}"
    if not VersionStamp.objects.filter(name=name).update(value=F("value") + n):
        VersionStamp.objects.create(name=name, value=n)
    last = VersionStamp.objects.get(name=name).value
    if last >= 10**SERIAL_DIGITS:
        raise ValueError("该网格的编号已用完")
    return last - n + 1


def code_for(grid_code: str, serial: int) -> str:
    body = f"{grid_code}{serial:0{SERIAL_DIGITS}d}"
    return body + mod11_2(body)


def next_house_code(grid_code: str) -> str:
    return code_for(grid_code, reserve(HOUSE_CODE, grid_code))


def next_rental_no(grid_code: str) -> str:
    return "R" + code_for(grid_code, reserve(RENTAL_NO, grid_code))


def assign_house_codes(houses: list) -> None:
    """Codes for new houses (their region set) that have none: one block of serials per grid,
    given out in list order — the codes `House.save()` would generate one by one."""
    by_grid: dict[str, list] = {}
    for house in houses:
        if not house.code:
            by_grid.setdefault(house.region.code, []).append(house)
    for grid_code, batch in by_grid.items():
        first = reserve(HOUSE_CODE, grid_code, len(batch))
        for offset, house in enumerate(batch):
            house.code = code_for(grid_code, first + offset)
