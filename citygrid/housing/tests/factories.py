"""Small builders for housing tests: each validates like a form would, then saves."""

from citygrid.housing.models import Building, Estate, HazardCheck, House, Rental

ID_A = "110105199001011232"  # valid GB 11643 numbers
ID_B = "330101198505050025"
ID_C = "330102199202020030"


def saved(obj):
    obj.full_clean()
    obj.save()
    return obj


def estate(region, name="幸福小区", **kw):
    found = Estate.objects.filter(region=region, name=name).first()
    return found or saved(Estate(region=region, name=name, **kw))


def building(grid, name="1号楼", estate=None, **kw):
    found = Building.objects.filter(region=grid, name=name, estate=estate).first()
    if found:
        return found
    kw.setdefault("floors", 3)
    kw.setdefault("entrances", 2)
    kw.setdefault("houses_per_floor", 2)
    return saved(Building(region=grid, name=name, estate=estate, **kw))


def house(bld=None, number="101", entrance=1, floor=1, **kw):
    if bld is not None:
        return saved(House(building=bld, entrance=entrance, floor=floor, number=number, **kw))
    return saved(House(number=number, **kw))


def rental(h, **kw):
    kw.setdefault("landlord_name", "王房东")
    kw.setdefault("landlord_phone", "13900000001")
    return saved(Rental(house=h, **kw))


def check(h, **kw):
    kw.setdefault("checked_on", "2026-03-01")
    kw.setdefault("inspector", "检查员")
    kw.setdefault("result", "passed")
    return saved(HazardCheck(house=h, **kw))


def person(grid, name, id_number):
    from citygrid.people.models import Person

    return saved(Person(region=grid, name=name, id_number=id_number))


def residency(p, h, started_on="2025-01-01", ended_on=None, relation="household_member"):
    from citygrid.people.models import Residency

    return saved(
        Residency(person=p, house=h, started_on=started_on, ended_on=ended_on, relation=relation)
    )


def special_group(p, kind="released_prisoner", ended_on=None):
    from citygrid.people.models import SpecialGroup

    return saved(SpecialGroup(person=p, kind=kind, started_on="2024-01-01", ended_on=ended_on))


def id_number(serial: int) -> str:
    """A valid ID number per serial (born 1990-01-01, region 330101)."""
    from citygrid.core.validators import id_number_check_char

    body = f"33010119900101{serial:03d}"
    return body + id_number_check_char(body)
