"""Import/export column specs for regions and grid workers."""

from citygrid.core.io.resources import CellError, Column, Resource, choice_parser, register
from citygrid.core.validators import normalize_mobile
from citygrid.regions.choices import CODE_LENGTH, PARENT_LEVEL, GridKind, RegionLevel, WorkerRole
from citygrid.regions.geo.shapes import GeometryError, parse_boundary, to_geojson
from citygrid.regions.models import GridWorker, Region


def _parse_boundary(text: str) -> dict:
    try:
        return to_geojson(parse_boundary(text))
    except GeometryError as exc:
        raise CellError(exc.message) from exc


def _parse_date(text: str):
    import datetime

    try:
        return datetime.date.fromisoformat(text.replace("/", "-"))
    except ValueError as exc:
        raise CellError("日期格式应为 2026-01-31") from exc


def _wkt(region: Region) -> str:
    if not region.boundary:
        return ""
    from shapely.geometry import shape

    return shape(region.boundary).wkt


@register
class RegionResource(Resource):
    model = Region
    natural_key = "code"
    columns = [
        Column(
            "code", "区划代码", required=True, help="市4位、区县6位、街道9位、社区12位、网格15位"
        ),
        Column("name", "名称", required=True),
        Column(
            "level",
            "层级",
            required=True,
            parse=choice_parser(RegionLevel, "层级"),
            help="市、区县、街道/乡镇、社区/村、网格、村小组",
        ),
        Column(
            "kind",
            "网格类型",
            parse=choice_parser(GridKind, "网格类型"),
            help="基础网格 或 专属网格，仅网格填写",
        ),
        Column(
            "boundary",
            "边界(WKT)",
            parse=_parse_boundary,
            export=_wkt,
            help="WKT 或 GeoJSON，WGS-84 经纬度",
        ),
        Column("introduction", "简介"),
        Column("valid_from", "启用日期", parse=_parse_date),
        Column("valid_to", "停用日期", parse=_parse_date),
    ]

    def order_rows(self, rows):
        # Parents first: a file may hold a whole new township with its communities and grids.
        return sorted(rows, key=lambda r: (len(str(r.values.get("code", ""))), r.number))

    def build(self, row, existing, pending):
        instance = super().build(row, existing, pending)
        level = instance.level
        code = instance.code or ""
        if level in CODE_LENGTH and PARENT_LEVEL.get(level):
            parent_len = CODE_LENGTH[PARENT_LEVEL[level]]
            parent_code = code[:parent_len]
            parent = pending.get(parent_code) or Region.objects.filter(code=parent_code).first()
            if parent is None:
                raise CellError(f"上级区域 {parent_code} 不存在")
            instance.parent = parent
        elif level == RegionLevel.CITY:
            instance.parent = None
        return instance


def _parse_grid(text: str) -> Region:
    grid = Region.objects.filter(code=text, level=RegionLevel.GRID).first()
    if grid is None:
        raise CellError(f"网格 {text} 不存在")
    return grid


def _parse_mobile(text: str) -> str:
    try:
        return normalize_mobile(text)
    except ValueError as exc:
        raise CellError("手机号码格式不正确") from exc


@register
class GridWorkerResource(Resource):
    model = GridWorker
    natural_key = "phone"
    columns = [
        Column(
            "region", "网格代码", required=True, parse=_parse_grid, export=lambda w: w.region.code
        ),
        Column("name", "姓名", required=True),
        Column(
            "role",
            "岗位",
            required=True,
            parse=choice_parser(WorkerRole, "岗位"),
            help="网格员、巡查员、监督员",
        ),
        Column("phone", "手机号码", required=True, parse=_parse_mobile, sensitive="mobile"),
        Column("note", "备注"),
    ]

    def natural_key_label(self):
        return "网格代码 + 手机号码"

    def row_key(self, row):
        # One person may serve several grids: the natural key is (grid, phone).
        region = row.values.get("region")
        return (region.pk if region else None, row.values.get("phone"))

    def find_existing(self, row):
        from citygrid.core.crypto import blind_index

        region_pk, phone = self.row_key(row)
        if region_pk is None or not phone:
            return None
        return GridWorker.objects.filter(
            region_id=region_pk, phone_index=blind_index(phone)
        ).first()
