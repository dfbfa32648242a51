"""Import/export of units and members. Units are named by their code (机构编码), members by
unit code + name, never by database id."""

import datetime

from citygrid.core.io.resources import CellError, Column, Resource, choice_parser, register
from citygrid.core.validators import normalize_mobile
from citygrid.orgs.choices import Gender, UnitKind
from citygrid.orgs.models import OrgUnit, Staff
from citygrid.regions.models import Region


def _unit(text: str) -> OrgUnit:
    unit = OrgUnit.objects.filter(code=text).select_related("region").first()
    if unit is None:
        raise CellError(f"机构编码 {text} 不存在")
    return unit


def _region(text: str) -> Region:
    region = Region.objects.filter(code=text).first()
    if region is None:
        raise CellError(f"区域 {text} 不存在")
    return region


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text.replace("/", "-"))
    except ValueError as exc:
        raise CellError("日期格式应为 2026-01-31") from exc


def _mobile(text: str) -> str:
    try:
        return normalize_mobile(text)
    except ValueError as exc:
        raise CellError("手机号码格式不正确") from exc


@register
class OrgUnitResource(Resource):
    model = OrgUnit
    natural_key = "code"
    columns = [
        Column("code", "机构编码", required=True),
        Column("name", "单位名称", required=True),
        Column("kind", "类型", required=True, parse=choice_parser(UnitKind, "类型")),
        Column(
            "parent",
            "上级机构编码",
            parse=_unit,
            export=lambda u: u.parent.code if u.parent_id else "",
        ),
        Column("region", "区域代码", required=True, parse=_region, export=lambda u: u.region.code),
        Column("duties", "职能定位"),
        Column("phone", "办公电话"),
    ]

    def order_rows(self, rows):
        # Parents named in the same file first: a shorter code is never below a longer one
        # in the mirrored tree, and hand-made units name parents that exist.
        return sorted(rows, key=lambda r: len(r.values.get("code") or ""))


@register
class StaffResource(Resource):
    model = Staff
    natural_key = "name"
    columns = [
        Column("unit", "机构编码", required=True, parse=_unit, export=lambda s: s.unit.code),
        Column("name", "姓名", required=True),
        Column("post", "岗位"),
        Column("post_duties", "职责定位"),
        Column("phone", "联系电话", parse=_mobile, sensitive="mobile"),
        Column("gender", "性别", parse=choice_parser(Gender, "性别"), help="男、女"),
        Column("birth_date", "出生日期", parse=_date, help="如 1990-05-01"),
        Column("education", "学历"),
        Column("hired_on", "入职日期", parse=_date, help="如 2020-03-01"),
    ]

    def natural_key_label(self):
        return "机构编码 + 姓名"

    def row_key(self, row):
        unit = row.values.get("unit")
        return (unit.pk if unit else None, row.values.get("name"))

    def find_existing(self, row):
        unit_pk, name = self.row_key(row)
        if unit_pk is None or not name:
            return None
        return Staff.objects.filter(unit_id=unit_pk, name=name).first()
