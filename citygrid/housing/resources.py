"""Import/export column specs for estates, buildings, houses; exports of rentals and checks.

Columns name places the way a grid worker knows them (grid code, estate name, building name),
never by database id.
"""

import datetime
import operator
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from functools import reduce

from django.core.exceptions import ValidationError
from django.db.models import Q

from citygrid.core import dictionaries
from citygrid.core.io.resources import CellError, Column, Resource, choice_parser, register
from citygrid.housing import inputs, numbering
from citygrid.housing.choices import Occupancy
from citygrid.housing.models import Building, Estate, HazardCheck, House, Rental
from citygrid.housing.models.houses import follow_buildings
from citygrid.regions.choices import CODE_LENGTH, RegionLevel
from citygrid.regions.models import Region


def _region(levels: tuple[str, ...], label: str):
    def parse(text: str) -> Region:
        region = Region.objects.filter(code=text, level__in=levels).first()
        if region is None:
            raise CellError(f"{label} {text} 不存在")
        return region

    return parse


def _dict(code: str, label: str):
    def parse(text: str) -> str:
        value = dictionaries.value_for(code, text)
        if value is None:
            names = "、".join(lbl for _, lbl in dictionaries.choices(code))
            raise CellError(f"{label}应为：{names}")
        return value

    return parse


def _int(label: str):
    def parse(text: str) -> int:
        try:
            return int(text)
        except ValueError as exc:
            raise CellError(f"{label}应为整数") from exc

    return parse


def _decimal(text: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation as exc:
        raise CellError("应为数字") from exc


def _float(text: str) -> float:
    try:
        return float(text)
    except ValueError as exc:
        raise CellError("应为数字") from exc


def _checked(normalize):
    def parse(text: str) -> str:
        try:
            return normalize(text)
        except ValidationError as exc:
            raise CellError(exc.messages[0]) from exc

    return parse


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text.replace("/", "-"))
    except ValueError as exc:
        raise CellError("日期格式应为 2026-01-31") from exc


def _code(text: str) -> str:
    text = text.upper()
    if not numbering.is_valid(text):
        raise CellError("房屋编码格式或校验位错误")
    return text


def _community(code: str) -> str:
    """The community a code lies in: estates are looked up by name within it."""
    return code[: CODE_LENGTH[RegionLevel.COMMUNITY]]


def _estate_name(obj) -> str:
    estate = obj.estate if isinstance(obj, Building) else getattr(obj.building, "estate", None)
    return estate.name if estate else ""


GRID = (RegionLevel.GRID,)


@register
class EstateResource(Resource):
    model = Estate
    natural_key = "name"
    columns = [
        Column(
            "region",
            "区域代码",
            required=True,
            parse=_region((RegionLevel.COMMUNITY, RegionLevel.GRID), "社区/网格"),
            export=lambda e: e.region.code,
            help="小区所属社区（12位）或网格（15位）代码",
        ),
        Column("name", "小区名称", required=True),
        Column("address", "地址"),
        Column("property_company", "物业公司"),
        Column("property_phone", "物业电话"),
        Column("lng", "经度", parse=_float, help="WGS-84"),
        Column("lat", "纬度", parse=_float, help="WGS-84"),
        Column("note", "备注"),
    ]

    def natural_key_label(self):
        return "区域代码 + 小区名称"

    def row_key(self, row):
        region = row.values.get("region")
        return (region.pk if region else None, row.values.get("name"))

    def find_existing(self, row):
        region_pk, name = self.row_key(row)
        if region_pk is None or not name:
            return None
        return Estate.objects.filter(region_id=region_pk, name=name).first()


class _GridCells:
    """Grid codes in the cells parsed once per import (a resource instance per import): a file
    of 100 000 rows names a few hundred grids."""

    def __init__(self):
        self._grids: dict[str, Region] = {}
        self.columns = [
            replace(c, parse=self._parse_grid) if c.name == "region" else c for c in self.columns
        ]

    def _parse_grid(self, text: str) -> Region:
        if text not in self._grids:
            self._grids[text] = _region(GRID, "网格")(text)
        return self._grids[text]


@register
class BuildingResource(_GridCells, Resource):
    model = Building
    natural_key = "name"
    columns = [
        Column(
            "region",
            "网格代码",
            required=True,
            parse=_region(GRID, "网格"),
            export=lambda b: b.region.code,
            help="楼栋所在网格的15位代码",
        ),
        Column(
            "estate_name",
            "小区名称",
            export=_estate_name,
            help="同一社区内已登记的小区名称；不属于小区的楼栋留空",
        ),
        Column("name", "楼栋名称", required=True, help="如：3号楼"),
        Column("address", "地址"),
        Column(
            "use",
            "建筑用途",
            parse=_dict("building_use", "建筑用途"),
            export=lambda b: b.get_use_label(),
        ),
        Column("floors", "地上层数", parse=_int("地上层数")),
        Column("underground_floors", "地下层数", parse=_int("地下层数")),
        Column("entrances", "单元数", parse=_int("单元数")),
        Column("houses_per_floor", "每单元每层户数", parse=_int("每单元每层户数")),
        Column("floor_area", "建筑面积（㎡）", parse=_decimal),
        Column("built_year", "建成年份", parse=_int("建成年份")),
        Column("lng", "经度", parse=_float, help="WGS-84"),
        Column("lat", "纬度", parse=_float, help="WGS-84"),
        Column("head_name", "楼栋长"),
        Column("note", "备注"),
    ]

    def natural_key_label(self):
        return "网格代码 + 小区名称 + 楼栋名称"

    def after_bulk_write(self, created: list, updated: list, user) -> None:
        """Houses without a point of their own are drawn at their building (`House.map_lng`):
        a bulk update that moves buildings moves them too, as `Building.save()` would."""
        if updated:
            follow_buildings([building.pk for building in updated])

    def row_key(self, row):
        region = row.values.get("region")
        return (
            region.pk if region else None,
            row.values.get("estate_name", ""),
            row.values.get("name"),
        )

    def __init__(self):
        super().__init__()
        # (estate name, community code) -> the estate, or None when there is none: an estate
        # lies in the building's community (or one of its grids), named, not given by its id.
        self._estates: dict[tuple[str, str], Estate | None] = {}

    def _estate(self, row) -> Estate | None:
        name = row.values.get("estate_name")
        region = row.values.get("region")
        if not (name and region):
            return None
        lookup = (name, _community(region.code))
        if lookup not in self._estates:
            self._estates[lookup] = (
                Estate.objects.select_related("region")
                .filter(name=name, region_code__within=lookup[1])
                .first()
            )
        if self._estates[lookup] is None:
            raise CellError(f"该网格所在社区没有名为“{name}”的小区")
        return self._estates[lookup]

    def find_existing(self, row):
        region = row.values.get("region")
        name = row.values.get("name")
        if region is None or not name:
            return None
        try:
            estate = self._estate(row)
        except CellError:
            return None  # build() reports it against the row
        if estate is not None:
            return Building.objects.filter(estate=estate, name=name).first()
        return Building.objects.filter(estate=None, region=region, name=name).first()

    def build(self, row, existing, pending):
        instance = existing or Building()
        for column in self.columns:
            if column.name in row.values and column.name != "estate_name":
                setattr(instance, column.name, row.values[column.name])
        try:
            instance.estate = self._estate(row)
        except CellError as exc:
            raise ValidationError({"estate_name": exc.message}) from exc
        return instance

    # --- bulk import (core/io/bulk.py) --------------------------------------------------------
    bulk = True
    copy = True

    def prefetch_chunk(self, rows) -> None:
        """The estates a chunk names, in one query, resolved as `_estate` would: the first (by
        region code) of that name in the grid's community."""
        lookups = {
            (row.values["estate_name"], _community(row.values["region"].code))
            for row in rows
            if row.values.get("estate_name") and row.values.get("region")
        } - self._estates.keys()
        if not lookups:
            return
        found = Estate.objects.select_related("region").filter(name__in={n for n, _ in lookups})
        for estate in found.order_by("region_code", "name"):
            lookup = (estate.name, _community(estate.region_code))
            if lookup in lookups:
                self._estates.setdefault(lookup, estate)
        for lookup in lookups:
            self._estates.setdefault(lookup, None)

    def find_existing_many(self, keys: list) -> dict:
        """Existing buildings of a chunk in one query: by estate + name, or, outside estates,
        by grid + name (as `find_existing`)."""
        grids = {grid.pk: grid for grid in self._grids.values()}
        wanted: dict[tuple, tuple] = {}
        for key in keys:
            region_pk, estate_name, name = key
            if region_pk is None or not name:
                continue
            if estate_name:
                estate = self._estates.get((estate_name, _community(grids[region_pk].code)))
                if estate is not None:
                    wanted[key] = ("estate", estate.pk, name)
            else:
                wanted[key] = ("grid", region_pk, name)
        if not wanted:
            return {}
        names = {w[2] for w in wanted.values()}
        in_estates = {w[1] for w in wanted.values() if w[0] == "estate"}
        in_grids = {w[1] for w in wanted.values() if w[0] == "grid"}
        buildings = Building.objects.select_related("region", "estate__region").filter(
            Q(name__in=names, estate_id__in=in_estates)
            | Q(name__in=names, estate__isnull=True, region_id__in=in_grids)
        )
        by_place: dict[tuple, Building] = {}
        for building in buildings:  # in the model's ordering, like `.first()`
            if building.estate_id:
                by_place.setdefault(("estate", building.estate_id, building.name), building)
            else:
                by_place.setdefault(("grid", building.region_id, building.name), building)
        return {key: by_place[w] for key, w in wanted.items() if w in by_place}


def _building_lookup(row) -> tuple | None:
    """How a row names its building: (楼栋名称, 小区名称 or None, grid id or None)."""
    name = row.values.get("building_name")
    if not name:
        return None
    grid = row.values.get("region")
    return (name, row.values.get("estate_name") or None, grid.pk if grid is not None else None)


def _named(building: Building, lookup: tuple) -> bool:
    name, estate_name, grid_pk = lookup
    return (
        building.name == name
        and (estate_name is None or (building.estate_id and building.estate.name == estate_name))
        and (grid_pk is None or building.region_id == grid_pk)
    )


@register
class HouseResource(_GridCells, Resource):
    model = House
    natural_key = "code"
    columns = [
        Column(
            "code",
            "房屋编码",
            parse=_code,
            help="已登记房屋的21位编码（更新时填写）；新房屋留空，系统自动生成",
        ),
        Column("estate_name", "小区名称", export=_estate_name, help="与楼栋名称一起确定楼栋"),
        Column(
            "building_name",
            "楼栋名称",
            export=lambda h: h.building.name if h.building_id else "",
            help="如：3号楼；重名时同时填写小区名称或网格代码。平房、门店等留空",
        ),
        Column(
            "region",
            "网格代码",
            parse=_region(GRID, "网格"),
            export=lambda h: h.region.code,
            help="不在楼栋中的房屋必填；在楼栋中的房屋按楼栋所在网格",
        ),
        Column("entrance", "单元", parse=_int("单元")),
        Column("floor", "楼层", parse=_int("楼层"), help="地下层为负数"),
        Column("number", "门牌号", required=True, help="如：301"),
        Column("address", "详细地址", help="不在楼栋中的房屋必填"),
        Column("area", "建筑面积（㎡）", parse=_decimal),
        Column(
            "use",
            "房屋用途",
            parse=_dict("building_use", "房屋用途"),
            export=lambda h: h.get_use_label(),
        ),
        Column(
            "ownership",
            "产权性质",
            parse=_dict("house_ownership", "产权性质"),
            export=lambda h: h.get_ownership_label(),
        ),
        Column(
            "occupancy",
            "使用状态",
            parse=choice_parser(Occupancy, "使用状态"),
            help="自住、出租、空置、其他",
        ),
        Column("owner_name", "产权人", sensitive="name"),
        Column(
            "owner_id_number",
            "产权人证件号码",
            parse=_checked(inputs.id_number),
            sensitive="id_number",
        ),
        Column("owner_phone", "产权人电话", parse=_checked(inputs.mobile), sensitive="mobile"),
        Column("note", "备注"),
    ]

    def __init__(self):
        super().__init__()
        # Buildings named in the cells, cached per import: the row path asks for each twice.
        self._buildings: dict[tuple, list[Building]] = {}  # lookup -> up to two matches

    def natural_key_label(self):
        return "房屋编码（未填时按 楼栋 + 单元 + 门牌号）"

    def _find_building(self, row) -> Building | None:
        lookup = _building_lookup(row)
        if lookup is None:
            return None
        if lookup not in self._buildings:
            name, estate_name, grid_pk = lookup
            buildings = Building.objects.filter(name=name)
            if estate_name is not None:
                buildings = buildings.filter(estate__name=estate_name)
            if grid_pk is not None:
                buildings = buildings.filter(region_id=grid_pk)
            self._buildings[lookup] = list(buildings.select_related("region", "estate")[:2])
        found = self._buildings[lookup]
        if not found:
            raise CellError(f"楼栋“{lookup[0]}”不存在")
        if len(found) > 1:
            raise CellError("有多个同名楼栋，请同时填写小区名称或网格代码")
        return found[0]

    def row_key(self, row):
        if row.values.get("code"):
            return row.values["code"]
        try:
            building = self._find_building(row)
        except CellError:
            return None
        if building is None:
            return None
        return (building.pk, row.values.get("entrance"), row.values.get("number"))

    def find_existing(self, row):
        code = row.values.get("code")
        if code:
            return House.objects.filter(code=code).first()
        try:
            building = self._find_building(row)
        except CellError:
            return None  # build() reports it against the row
        if building is None:
            return None
        return House.objects.filter(
            building=building, entrance=row.values.get("entrance"), number=row.values["number"]
        ).first()

    def build(self, row, existing, pending):
        if row.values.get("code") and existing is None:
            raise CellError("房屋编码不存在；新房屋请留空编码")
        instance = existing or House()
        skip = {"code", "estate_name", "building_name"}
        for column in self.columns:
            if column.name in row.values and column.name not in skip:
                setattr(instance, column.name, row.values[column.name])
        try:
            building = self._find_building(row)
        except CellError as exc:
            raise ValidationError({"building_name": exc.message}) from exc
        if building is not None:
            instance.building = building
        return instance

    # --- bulk import (core/io/bulk.py) --------------------------------------------------------
    bulk = True
    copy = True

    def prefetch_chunk(self, rows) -> None:
        """The buildings a chunk names, in one query: every building that any row's lookup
        could match, then each lookup resolved in Python exactly as `_find_building` would."""
        lookups = {lookup for row in rows if (lookup := _building_lookup(row))}
        lookups -= self._buildings.keys()
        if not lookups:
            return
        bare = {n for n, estate, grid in lookups if estate is None and grid is None}
        in_estates = [(n, estate) for n, estate, _ in lookups if estate is not None]
        in_grids = [(n, grid) for n, estate, grid in lookups if estate is None and grid is not None]
        wanted = []
        if bare:
            wanted.append(Q(name__in=bare))
        if in_estates:
            names, estates = zip(*in_estates, strict=True)
            wanted.append(Q(name__in=set(names), estate__name__in=set(estates)))
        if in_grids:
            names, grids = zip(*in_grids, strict=True)
            wanted.append(Q(name__in=set(names), region_id__in=set(grids)))
        by_name: dict[str, list[Building]] = {}
        found = Building.objects.filter(reduce(operator.or_, wanted))
        for building in found.select_related("region", "estate"):
            by_name.setdefault(building.name, []).append(building)
        for lookup in lookups:
            matches = [b for b in by_name.get(lookup[0], []) if _named(b, lookup)]
            self._buildings[lookup] = matches[:2]

    def find_existing_many(self, keys: list) -> dict:
        """Existing houses of a chunk: one query by code, one by building + 单元 + 门牌号."""
        houses = House.objects.select_related("region", "building__region", "building__estate")
        codes = [key for key in keys if isinstance(key, str)]
        doors = [key for key in keys if isinstance(key, tuple)]
        found: dict = {}
        if codes:
            found.update((house.code, house) for house in houses.filter(code__in=codes))
        if doors:
            wanted = set(doors)
            candidates = houses.filter(
                building_id__in={d[0] for d in doors}, number__in={d[2] for d in doors}
            )
            for house in candidates:  # in the model's ordering, like `.first()`
                door = (house.building_id, house.entrance, house.number)
                if door in wanted:
                    found.setdefault(door, house)
        return found

    def bulk_clean(self, instance) -> None:
        # The region follows the building (loaded with it): set it first so that it is not
        # looked up again, as `full_clean` would set it in `clean_fields`.
        instance.derive_region()
        super().bulk_clean(instance)

    def before_bulk_create(self, instances: list) -> None:
        """House codes for a batch: one block of serials per grid, given out in row order —
        the codes `save()` would have generated one by one."""
        for house in instances:
            house.derive_region()
        numbering.assign_house_codes(instances)


@register
class RentalResource(Resource):
    """Export only: rentals are registered by staff on the form or declared by landlords."""

    model = Rental
    natural_key = "rental_no"
    columns = [
        Column("rental_no", "出租屋编号"),
        Column("house_code", "房屋编码", export=lambda r: r.house.code),
        Column("house", "房屋", export=lambda r: str(r.house)),
        Column("status", "状态"),
        Column("source", "登记来源"),
        Column("use", "出租用途", export=lambda r: r.get_use_label()),
        Column("landlord_name", "房东姓名", sensitive="name"),
        Column("landlord_id_number", "房东证件号码", sensitive="id_number"),
        Column("landlord_phone", "房东电话", sensitive="mobile"),
        Column("rooms", "出租间数"),
        Column("rented_area", "出租面积（㎡）"),
        Column("start_date", "起租日期"),
        Column("end_date", "到期日期"),
        Column("confirmed_at", "核实时间", export=lambda r: r.confirmed_at or ""),
    ]


@register
class HazardCheckResource(Resource):
    """Export only."""

    model = HazardCheck
    natural_key = "id"
    columns = [
        Column("house_code", "房屋编码", export=lambda c: c.house.code),
        Column("house", "房屋", export=lambda c: str(c.house)),
        Column("checked_on", "检查日期"),
        Column("inspector", "检查人"),
        Column("hazard", "隐患类型", export=lambda c: c.get_hazard_label()),
        Column("result", "检查结果"),
        Column("rectify_by", "整改期限"),
        Column("findings", "检查情况"),
    ]
