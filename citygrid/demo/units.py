"""Demo social units: a few per grid across all eleven classes, each at a point inside its
grid, with the licences its class needs, some of them expiring soon or expired (so the
warning task, the list filter and the badges have something to show). Written in bulk
through the one write path (`records.create_records`)."""

import random
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from citygrid.core import records
from citygrid.demo.housing import GridInfo
from citygrid.demo.people import Identities
from citygrid.regions.models import Region
from citygrid.units.choices import LicenceKind, UnitClass, UnitStatus
from citygrid.units.codes import sample_uscc
from citygrid.units.models import Unit, UnitLicence

# How common each class is in a city (a street has more restaurants than scenic spots).
CLASS_WEIGHTS = {
    UnitClass.RESTAURANT: 30,
    UnitClass.HOTEL: 8,
    UnitClass.BAR: 4,
    UnitClass.INTERNET_CAFE: 4,
    UnitClass.ENTERTAINMENT: 5,
    UnitClass.FOOD: 15,
    UnitClass.GOLD_SILVER: 2,
    UnitClass.TRAVEL_AGENCY: 3,
    UnitClass.EDUCATION: 8,
    UnitClass.SCENIC_SPOT: 1,
    UnitClass.OTHER: 10,
}
_WORDS = ("福满", "好运", "金源", "兴隆", "阳光", "和美", "东方", "新世纪", "悦来", "四季", "嘉禾")
_SUFFIXES = {
    UnitClass.RESTAURANT: ("饭店", "酒家", "小吃店", "面馆"),
    UnitClass.HOTEL: ("宾馆", "大酒店", "快捷酒店"),
    UnitClass.BAR: ("酒吧", "清吧"),
    UnitClass.INTERNET_CAFE: ("网吧", "网咖"),
    UnitClass.ENTERTAINMENT: ("KTV", "歌舞厅", "娱乐会所"),
    UnitClass.FOOD: ("食品店", "超市", "副食品商行"),
    UnitClass.GOLD_SILVER: ("金店", "银楼", "珠宝行"),
    UnitClass.TRAVEL_AGENCY: ("旅行社", "旅行社营业部"),
    UnitClass.EDUCATION: ("培训学校", "幼儿园", "教育中心"),
    UnitClass.SCENIC_SPOT: ("景区", "公园"),
    UnitClass.OTHER: ("商行", "服务部", "工作室"),
}
# The licences a class holds beyond its business licence.
_LICENCES = {
    UnitClass.RESTAURANT: (LicenceKind.FOOD, LicenceKind.FIRE),
    UnitClass.HOTEL: (LicenceKind.SPECIAL_TRADE, LicenceKind.HYGIENE, LicenceKind.FIRE),
    UnitClass.BAR: (LicenceKind.HYGIENE, LicenceKind.FIRE),
    UnitClass.INTERNET_CAFE: (LicenceKind.FIRE, LicenceKind.OTHER),
    UnitClass.ENTERTAINMENT: (LicenceKind.HYGIENE, LicenceKind.FIRE),
    UnitClass.FOOD: (LicenceKind.FOOD,),
    UnitClass.GOLD_SILVER: (LicenceKind.SPECIAL_TRADE,),
    UnitClass.TRAVEL_AGENCY: (LicenceKind.OTHER,),
    UnitClass.EDUCATION: (LicenceKind.OTHER, LicenceKind.FIRE),
    UnitClass.SCENIC_SPOT: (LicenceKind.FIRE,),
    UnitClass.OTHER: (),
}
_STREETS = ("人民路", "解放路", "中山路", "建设路", "文化路", "新华街", "胜利路")


@dataclass
class DemoUnitsResult:
    units: int
    licences: int
    expiring: int  # licences expiring within 30 days or expired


def generate_demo_units(
    city: Region, rng: random.Random, *, per_grid: int = 3, today: date | None = None
) -> DemoUnitsResult:
    """`per_grid` units (on average) in every grid of `city` that has a boundary, every class
    represented; deterministic for the state of `rng` and `today`."""
    today = today or timezone.localdate()
    people = Identities(rng)
    grids = [g for g in GridInfo.load(city) if g.polygon is not None]
    regions = Region.objects.in_bulk([g.pk for g in grids])
    classes, weights = list(CLASS_WEIGHTS), list(CLASS_WEIGHTS.values())
    division = city.code[:4].ljust(6, "0")
    first = Unit.objects.count()
    units: list[Unit] = []
    for grid in grids:
        count = max(1, per_grid + rng.randint(-1, 1))
        for lng, lat in grid.points(rng, count):
            # The first eleven units take one class each: every layer has something.
            kind = classes[len(units)] if len(units) < len(classes) else None
            kind = kind or rng.choices(classes, weights=weights)[0]
            unit = Unit(
                name=f"{rng.choice(_WORDS)}{rng.choice(_SUFFIXES[kind])}",
                unit_class=kind,
                uscc=sample_uscc(first + len(units) + 1, division) if rng.random() < 0.85 else None,
                legal_representative=people.name(rng.random() < 0.6),
                legal_representative_phone=people.mobile(),
                contact_name=people.name(rng.random() < 0.5),
                contact_phone=people.mobile(),
                address=f"{grid.community}{rng.choice(_STREETS)}{rng.randint(1, 300)}号",
                lng=lng,
                lat=lat,
                staff_count=rng.randint(2, 80),
                status=rng.choices(list(UnitStatus), weights=(90, 6, 4))[0],
                region=regions[grid.pk],
            )
            unit.__dict__["_located"] = ((lng, lat), grid.pk)  # no index look-up per unit
            units.append(unit)
    with transaction.atomic():
        records.create_records(Unit, units, actor=None)
        licences = [lic for unit in units for lic in _licences(rng, unit, today)]
        records.create_records(UnitLicence, licences, actor=None)
    soon = today + timedelta(days=30)
    expiring = sum(1 for lic in licences if lic.expires_on and lic.expires_on <= soon)
    return DemoUnitsResult(units=len(units), licences=len(licences), expiring=expiring)


def _licences(rng: random.Random, unit: Unit, today: date) -> list[UnitLicence]:
    out = []
    for n, kind in enumerate((LicenceKind.BUSINESS, *_LICENCES[unit.unit_class]), start=1):
        issued = today - timedelta(days=rng.randint(30, 1500))
        if kind == LicenceKind.BUSINESS and rng.random() < 0.7:
            expires = None  # 长期
        elif rng.random() < 0.12:
            expires = today + timedelta(days=rng.randint(-60, 30))  # expiring or expired
        else:
            expires = today + timedelta(days=rng.randint(31, 1500))
        out.append(
            UnitLicence(
                unit=unit,
                kind=kind,
                number=f"{kind[:2].upper()}{unit.pk:06d}{n}",
                issued_on=issued,
                expires_on=expires,
            )
        )
    return out
