"""Import/export of the unit register (CSV/XLSX, Chinese headers) on the bulk path.

A row is matched to a unit by its 统一社会信用代码 (or, for a unit without one, by name and
address). A code already held by a unit of another name is refused, as is a code met twice in
one file: a USCC names one legal unit.
"""

from django.core.exceptions import ValidationError

from citygrid.core.io.resources import CellError, Column, Resource, choice_parser, register
from citygrid.regions.geo.index import load_index
from citygrid.regions.models import Region
from citygrid.units.choices import UnitClass, UnitStatus
from citygrid.units.models import Unit
from citygrid.units.models.units import PLACE_LEVELS


def _float(text: str) -> float:
    try:
        return float(text)
    except ValueError as exc:
        raise CellError("应为数字") from exc


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError as exc:
        raise CellError("从业人员数应为整数") from exc
    if value < 0:
        raise CellError("从业人员数不能为负数")
    return value


def _uscc(text: str) -> str:
    return text.strip().upper()


def _checked(normalize):
    def parse(text: str) -> str:
        try:
            return normalize(text)
        except ValidationError as exc:
            raise CellError(exc.messages[0]) from exc

    return parse


def _mobile(text: str) -> str:
    from citygrid.housing import inputs

    return _checked(inputs.mobile)(text)


@register
class UnitResource(Resource):
    model = Unit
    natural_key = "uscc"
    columns = [
        Column("name", "单位名称", required=True),
        Column(
            "unit_class",
            "单位类别",
            required=True,
            parse=choice_parser(UnitClass, "单位类别"),
            help="、".join(UnitClass.labels),
        ),
        Column("uscc", "统一社会信用代码", parse=_uscc, help="18位；个体户无代码可留空"),
        Column("lng", "经度", parse=_float, help="WGS-84；据此自动确定所在网格"),
        Column("lat", "纬度", parse=_float, help="WGS-84"),
        Column(
            "region",
            "区域代码",
            export=lambda u: u.region.code,
            help="位置不在任何网格内时必填：网格（15位）或社区（12位）代码",
        ),
        Column("address", "地址"),
        Column("legal_representative", "法定代表人", sensitive="name"),
        Column("legal_representative_phone", "法定代表人电话", parse=_mobile, sensitive="mobile"),
        Column("contact_name", "联系人", sensitive="name"),
        Column("contact_phone", "联系电话", parse=_mobile, sensitive="mobile"),
        Column("staff_count", "从业人员数", parse=_count),
        Column(
            "status",
            "经营状态",
            parse=choice_parser(UnitStatus, "经营状态"),
            help="、".join(UnitStatus.labels),
        ),
        Column("note", "备注"),
    ]

    bulk = True

    def __init__(self):
        self._regions: dict[str, Region | None] = {}
        # Per chunk: USCC -> the name its row gives; row number -> (grid id, grid) at its point.
        self._names: dict[str, str] = {}
        self._located: dict[int, tuple | None] = {}

    def natural_key_label(self) -> str:
        return "统一社会信用代码（无代码的按单位名称 + 地址）"

    def row_key(self, row):
        uscc = row.values.get("uscc")
        if uscc:
            return uscc
        return ("", row.values.get("name"), row.values.get("address", ""))

    # --- look-ups, per chunk ----------------------------------------------------------------
    def prefetch_chunk(self, rows) -> None:
        """Region codes of the chunk in one query, and every row's grid from its position in
        one index call (`Unit.located_grid` then finds it known)."""
        codes = {
            row.values["region"] for row in rows if row.values.get("region")
        } - self._regions.keys()
        if codes:
            found = Region.objects.filter(code__in=codes, level__in=PLACE_LEVELS)
            self._regions.update({region.code: region for region in found})
            self._regions.update({code: None for code in codes - self._regions.keys()})
        placed = [
            r for r in rows if r.values.get("lng") is not None and r.values.get("lat") is not None
        ]
        grid_ids = load_index().locate_many(
            [r.values["lng"] for r in placed], [r.values["lat"] for r in placed]
        )
        grids = Region.objects.in_bulk({int(g) for g in grid_ids if g >= 0})
        self._located = {
            row.number: (int(grid_id), grids.get(int(grid_id))) if grid_id >= 0 else None
            for row, grid_id in zip(placed, grid_ids, strict=True)
        }
        self._names = {
            row.values["uscc"]: row.values.get("name") for row in rows if row.values.get("uscc")
        }

    def find_existing_many(self, keys: list) -> dict:
        codes = [k for k in keys if isinstance(k, str)]
        named = [k for k in keys if isinstance(k, tuple)]
        found: dict = {}
        # A code held under another name is not this row's unit: the unique check refuses it.
        for unit in Unit.objects.select_related("region").filter(uscc__in=codes):
            if self._names.get(unit.uscc) == unit.name:
                found[unit.uscc] = unit
        if named:
            wanted = set(named)
            units = Unit.objects.select_related("region").filter(
                uscc__isnull=True, name__in={k[1] for k in named}
            )
            for unit in units.order_by("pk"):
                key = ("", unit.name, unit.address)
                if key in wanted:
                    found.setdefault(key, unit)
        return found

    def find_existing(self, row):
        return self.find_existing_many([self.row_key(row)]).get(self.row_key(row))

    def build(self, row, existing, pending):
        instance = existing or Unit()
        for column in self.columns:
            if column.name in row.values and column.name != "region":
                setattr(instance, column.name, row.values[column.name])
        code = row.values.get("region")
        if code:
            region = self._regions.get(code)
            if region is None:
                raise ValidationError({"region": f"区域代码 {code} 不存在或不是网格、社区"})
            instance.region = region
        if row.number in self._located and instance.lng is not None and instance.lat is not None:
            grid = self._located[row.number]
            instance.__dict__["_located"] = (
                (instance.lng, instance.lat),
                grid[0] if grid else None,
            )
            if grid and grid[1] is not None:
                instance.region = grid[1]
        return instance
