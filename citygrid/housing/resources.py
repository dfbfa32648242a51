"""Import/export column specs for estates, buildings, houses; exports of rentals and checks.

Columns name places the way a grid worker knows them (grid code, estate name, building name),
never by database id.
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError

from citygrid.core import dictionaries
from citygrid.core.io.resources import CellError, Column, Resource, choice_parser, register
from citygrid.housing import inputs, numbering
from citygrid.housing.choices import Occupancy
from citygrid.housing.models import Building, Estate, HazardCheck, House, Rental
from citygrid.regions.choices import RegionLevel
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


def _find_estate(grid: Region, name: str) -> Estate:
    # An estate lies in the building's community (or one of its grids): name it, not its id.
    estate = Estate.objects.filter(name=name, region_code__startswith=grid.code[:12]).first()
    if estate is None:
        raise CellError(f"该网格所在社区没有名为“{name}”的小区")
    return estate


@register
class BuildingResource(Resource):
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

    def row_key(self, row):
        region = row.values.get("region")
        return (
            region.pk if region else None,
            row.values.get("estate_name", ""),
            row.values.get("name"),
        )

    def _estate(self, row) -> Estate | None:
        name = row.values.get("estate_name")
        region = row.values.get("region")
        return _find_estate(region, name) if name and region else None

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


def _find_building(row) -> Building | None:
    name = row.values.get("building_name")
    if not name:
        return None
    buildings = Building.objects.filter(name=name)
    if row.values.get("estate_name"):
        buildings = buildings.filter(estate__name=row.values["estate_name"])
    grid = row.values.get("region")
    if grid is not None:
        buildings = buildings.filter(region=grid)
    found = list(buildings.select_related("region")[:2])
    if not found:
        raise CellError(f"楼栋“{name}”不存在")
    if len(found) > 1:
        raise CellError("有多个同名楼栋，请同时填写小区名称或网格代码")
    return found[0]


@register
class HouseResource(Resource):
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
        Column("owner_name", "产权人"),
        Column(
            "owner_id_number",
            "产权人证件号码",
            parse=_checked(inputs.id_number),
            sensitive="id_number",
        ),
        Column("owner_phone", "产权人电话", parse=_checked(inputs.mobile), sensitive="mobile"),
        Column("note", "备注"),
    ]

    def natural_key_label(self):
        return "房屋编码（未填时按 楼栋 + 单元 + 门牌号）"

    def row_key(self, row):
        if row.values.get("code"):
            return row.values["code"]
        try:
            building = _find_building(row)
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
            building = _find_building(row)
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
            building = _find_building(row)
        except CellError as exc:
            raise ValidationError({"building_name": exc.message}) from exc
        if building is not None:
            instance.building = building
        return instance


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
        Column("landlord_name", "房东姓名"),
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
