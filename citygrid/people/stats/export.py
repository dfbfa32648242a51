"""The 人口统计 page as an Excel file: one sheet per breakdown, the same figures as on screen."""

from django.utils import timezone

from citygrid.core.io.files import add_sheet, new_workbook, workbook_bytes
from citygrid.people.choices import ResidenceType
from citygrid.people.stats.figures import Overview

COUNT = "人数"


def _breakdown(rows) -> list[list]:
    return [[r.label, r.count] for r in rows]


def _when(found: Overview) -> str:
    return f"{timezone.localtime(found.computed_at):%Y-%m-%d %H:%M}" if found.computed_at else ""


def workbook(found: Overview) -> tuple[bytes, int]:
    """The workbook and how many data rows it holds (for the access log)."""
    types = list(ResidenceType)
    sheets = [
        (
            "概况",
            ["指标", "数值"],
            [
                ["区划代码", found.region.code],
                ["区域名称", found.region.name],
                ["统计日期", f"{found.today:%Y-%m-%d}"],
                ["数据更新于", _when(found)],
                *([label, value] for _key, label, value in found.kpis),
            ],
        ),
        ("人口类型", ["人口类型", COUNT], _breakdown(found.residence_types)),
        ("性别", ["性别", COUNT], _breakdown(found.sexes)),
        (
            "年龄结构",
            ["年龄段", "男", "女", "合计"],
            [[b.label, b.male, b.female, b.male + b.female] for b in found.pyramid]
            + [["出生日期未填写", "", "", found.undated]],
        ),
        ("民族", ["民族", COUNT], _breakdown(found.ethnicities)),
        ("学历", ["学历", COUNT], _breakdown(found.educations)),
        ("人员类别", ["类别", COUNT], _breakdown(found.categories)),
        (
            "流入流出",
            ["月份", "流入", "流出"],
            [[f"{m.month:%Y-%m}", m.inflow, m.outflow] for m in found.trend],
        ),
        (
            "下级区域",
            ["区划代码", "区域名称", "合计", *(t.label for t in types)],
            [
                [c.code, c.label, c.total, *(c.by_type.get(t.value, 0) for t in types)]
                for c in found.children
            ],
        ),
    ]
    wb = new_workbook()
    for title, header, rows in sheets:
        add_sheet(wb, title, header, rows)
    return workbook_bytes(wb), sum(len(rows) for _t, _h, rows in sheets)
