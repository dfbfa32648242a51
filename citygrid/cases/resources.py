"""Import/export column specs for cases (export only) and their configuration records."""

from django.utils.timezone import localtime

from citygrid.cases.choices import CaseKind
from citygrid.cases.models import Case, CaseCategory, Department, SupervisionOrder, Task, Visit
from citygrid.core.io.resources import CellError, Column, Resource, choice_parser, register
from citygrid.regions.models import Region

YES = {"是", "1", "true", "True", "启用", "Y", "y"}
NO = {"否", "0", "false", "False", "停用", "N", "n"}


def _parse_bool(text: str) -> bool:
    if text in YES:
        return True
    if text in NO:
        return False
    raise CellError("应为“是”或“否”")


def _yes_no(value: bool) -> str:
    return "是" if value else "否"


def _parse_region(text: str) -> Region:
    region = Region.objects.filter(code=text).first()
    if region is None:
        raise CellError(f"区域 {text} 不存在")
    return region


def _time(value) -> str:
    return f"{localtime(value):%Y-%m-%d %H:%M}" if value else ""


@register
class CaseResource(Resource):
    """Export of the case list; cases enter only through the intake service, never a file."""

    model = Case
    natural_key = "number"
    columns = [
        Column("number", "案件编号"),
        Column("category", "小类", export=lambda c: str(c.category)),
        Column("state", "状态"),
        Column("urgency", "紧急程度"),
        Column("address", "地址"),
        Column(
            "department", "责任部门", export=lambda c: c.department.name if c.department else ""
        ),
        Column("reported_at", "上报时间", export=lambda c: _time(c.reported_at)),
        Column("closed_at", "结案时间", export=lambda c: _time(c.closed_at)),
        Column("satisfaction", "满意度"),
        # Masked for everyone: an export leaves the system, a reporter's number must not; an
        # anonymous citizen's not even masked.
        Column(
            "reporter_phone",
            "上报人电话",
            export=lambda c: "匿名" if c.anonymous else c.masked("reporter_phone"),
        ),
    ]


@register
class DepartmentResource(Resource):
    model = Department
    natural_key = "code"
    columns = [
        Column("code", "部门代码", required=True),
        Column("name", "部门名称", required=True),
        Column(
            "region",
            "区域代码",
            required=True,
            parse=_parse_region,
            export=lambda d: d.region.code,
            help="部门所在层级的区划代码",
        ),
        Column("phone", "值班电话"),
        Column(
            "active",
            "启用",
            parse=_parse_bool,
            export=lambda d: _yes_no(d.active),
            help="是 或 否，默认是",
        ),
    ]


@register
class CaseCategoryResource(Resource):
    model = CaseCategory
    natural_key = "code"
    columns = [
        Column(
            "kind",
            "类型",
            required=True,
            parse=choice_parser(CaseKind, "类型"),
            help="部件问题 或 事件",
        ),
        Column("code", "代码", required=True, help="大类2位、小类4位（以大类代码开头）"),
        Column("name", "名称", required=True),
        Column("register_criteria", "立案条件"),
        Column("closing_criteria", "结案条件"),
        Column(
            "active",
            "启用",
            parse=_parse_bool,
            export=lambda c: _yes_no(c.active),
            help="是 或 否，默认是",
        ),
    ]

    def natural_key_label(self) -> str:
        return "类型 + 代码"

    def row_key(self, row):
        return (row.values.get("kind"), row.values.get("code"))

    def find_existing(self, row):
        kind, code = self.row_key(row)
        if not kind or not code:
            return None
        return CaseCategory.objects.filter(kind=kind, code=code).first()

    def order_rows(self, rows):
        # Major classes first: a file may hold a new major class with its minor classes.
        return sorted(rows, key=lambda r: (len(str(r.values.get("code", ""))), r.number))

    def build(self, row, existing, pending):
        instance = super().build(row, existing, pending)
        code = instance.code or ""
        if len(code) == 4:
            key = (instance.kind, code[:2])
            parent = (
                pending.get(key)
                or CaseCategory.objects.filter(kind=instance.kind, code=code[:2]).first()
            )
            if parent is None:
                raise CellError(f"大类 {code[:2]} 不存在")
            instance.parent = parent
        else:
            instance.parent = None
        return instance


@register
class SupervisionOrderResource(Resource):
    """Export of supervision orders, for the supervisors' own ledgers and reports."""

    model = SupervisionOrder
    natural_key = "pk"
    columns = [
        Column("level", "督办级别"),
        Column("case", "事件编号", export=lambda o: o.case.number if o.case_id else ""),
        Column("department", "被督办部门", export=lambda o: o.department.name),
        Column("created", "督办时间", export=lambda o: _time(o.created)),
        Column("required_by", "要求完成时间", export=lambda o: _time(o.required_by)),
        Column("status", "状态"),
        Column("instructions", "督办意见"),
        Column("answer", "回复"),
        Column("answered_at", "回复时间", export=lambda o: _time(o.answered_at)),
        Column("issued_by", "督办人", export=lambda o: str(o.issued_by or "")),
    ]


@register
class TaskResource(Resource):
    """Export of patrol and verification tasks."""

    model = Task
    natural_key = "pk"
    columns = [
        Column("kind", "类型"),
        Column("title", "标题"),
        Column("region", "网格", export=lambda t: t.region.name),
        Column("assignee", "执行人", export=lambda t: str(t.assignee or "")),
        Column("case", "关联事件", export=lambda t: t.case.number if t.case_id else ""),
        Column("due_at", "截止时间", export=lambda t: _time(t.due_at)),
        Column("status", "状态"),
        Column("done_at", "完成时间", export=lambda t: _time(t.done_at)),
        Column("result", "执行情况"),
        Column("sender", "发起人", export=lambda t: str(t.sender or "")),
        Column("outcome", "核查结论"),
        Column("corrections", "更正内容"),
    ]


@register
class VisitResource(Resource):
    """Export of the visit log (走访日志)."""

    model = Visit
    natural_key = "pk"
    columns = [
        Column("visited_at", "走访时间", export=lambda v: _time(v.visited_at)),
        Column("region", "网格", export=lambda v: v.region.name),
        Column("visitor", "走访人", export=lambda v: str(v.visitor or "")),
        Column("target", "走访对象"),
        Column("place", "地点"),
        Column("findings", "走访情况"),
        Column("next_visit", "下次走访"),
        Column("case", "转为事件", export=lambda v: v.case.number if v.case_id else ""),
    ]
