"""Export columns of the category pages. Export only: memberships are registered from the
person page with their details, never from a file (a file cannot carry the kind-specific items
and the need-to-know checks a form does)."""

from citygrid.core.io.resources import Column, Resource, register
from citygrid.people.models import (
    AtRiskYouth,
    CareRecord,
    KeyPerson,
    SpecialGroup,
    VulnerableGroup,
)

SEALED = "已封存"


def _date(name: str):
    def export(obj):
        value = getattr(obj, name)
        return f"{value:%Y-%m-%d}" if value else ""

    return export


def _membership_columns() -> list[Column]:
    return [
        Column("id", "编号"),
        Column("person", "姓名", export=lambda o: o.person.name),
        Column("id_number", "证件号码", export=lambda o: o.person.masked("id_number")),
        Column("region_code", "所属区域代码"),
        Column(
            "custodian_department",
            "归口部门",
            export=lambda o: str(o.custodian_department or ""),
        ),
        Column("helper_name", "帮扶责任人", sensitive="name"),
        Column("started_on", "列管日期", export=_date("started_on")),
        Column("ended_on", "解除日期", export=_date("ended_on")),
    ]


class ExportOnlyResource(Resource):
    natural_key = "id"


@register
class SpecialGroupResource(ExportOnlyResource):
    model = SpecialGroup
    columns = [
        *_membership_columns()[:4],
        Column("kind", "类别"),
        *_membership_columns()[4:],
    ]

    def export_row(self, obj, reveal):
        row = super().export_row(obj, reveal)
        if obj.sealed:
            # Juvenile records: the row says only that a sealed record exists.
            return [*row[:4], *[SEALED] * (len(row) - 4)]
        return row


@register
class VulnerableGroupResource(ExportOnlyResource):
    model = VulnerableGroup
    columns = [
        *_membership_columns()[:4],
        Column("kind", "类别"),
        Column("living_alone", "独居", export=lambda o: "是" if o.living_alone else "否"),
        *_membership_columns()[4:],
    ]


@register
class KeyPersonResource(ExportOnlyResource):
    model = KeyPerson
    columns = [
        *_membership_columns()[:4],
        Column("type", "重点人员类型", export=lambda o: o.get_type_label()),
        Column("control_level", "管控级别", export=lambda o: o.get_control_level_label()),
        *_membership_columns()[4:],
    ]


@register
class AtRiskYouthResource(ExportOnlyResource):
    model = AtRiskYouth
    columns = [
        *_membership_columns()[:4],
        Column("type", "人员类型", export=lambda o: o.get_type_label()),
        Column("offended", "是否违法犯罪", export=lambda o: "是" if o.offended else "否"),
        *_membership_columns()[4:],
    ]


@register
class CareRecordResource(ExportOnlyResource):
    model = CareRecord
    columns = [
        Column("id", "编号"),
        Column("person", "姓名", export=lambda o: o.person.name),
        Column("category", "人员类别"),
        Column("date", "帮扶日期", export=_date("date")),
        Column("helper", "帮扶人"),
        Column("measures", "帮扶措施"),
        Column("result", "帮扶效果"),
        Column("next_date", "下次帮扶日期", export=_date("next_date")),
        Column("place", "地点"),
        Column("region_code", "所属区域代码"),
    ]
