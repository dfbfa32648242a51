"""Export columns of the dispute list; disputes enter only through registration, never a file.
No party appears in an export: the list is for counting and following up, not for names."""

from django.utils.timezone import localtime

from citygrid.core.io.resources import Column, Resource, register
from citygrid.disputes.models import Dispute


def _time(value) -> str:
    return f"{localtime(value):%Y-%m-%d %H:%M}" if value else ""


def _yes_no(value: bool) -> str:
    return "是" if value else "否"


@register
class DisputeResource(Resource):
    model = Dispute
    natural_key = "number"
    columns = [
        Column("number", "纠纷编号"),
        Column("title", "纠纷名称"),
        Column("category", "纠纷类别", export=lambda d: d.get_category_label()),
        Column("level", "纠纷等级"),
        Column("risk_petition", "可能越级上访", export=lambda d: _yes_no(d.risk_petition)),
        Column(
            "risk_mass_incident",
            "可能引发群体性事件",
            export=lambda d: _yes_no(d.risk_mass_incident),
        ),
        Column("risk_criminal", "可能民转刑", export=lambda d: _yes_no(d.risk_criminal)),
        Column("people_count", "涉及人数"),
        Column("amount", "涉及金额（元）"),
        Column("state", "状态"),
        Column("source", "登记来源"),
        Column(
            "department", "承办单位", export=lambda d: d.department.name if d.department else ""
        ),
        Column("outcome", "调处结果"),
        Column("reported_at", "登记时间", export=lambda d: _time(d.reported_at)),
        Column("due_at", "办结时限", export=lambda d: _time(d.due_at)),
        Column("archived_at", "归档时间", export=lambda d: _time(d.archived_at)),
        Column("satisfaction", "当事人满意度"),
    ]
