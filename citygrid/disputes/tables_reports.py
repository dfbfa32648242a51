import django_tables2 as tables
from django.utils.html import format_html

from citygrid.core.tables import BaseTable
from citygrid.disputes.choices import ReportStatus
from citygrid.disputes.models import DisputeReport

STATUS_BADGE = {ReportStatus.COMPILED: "orange", ReportStatus.SUBMITTED: "green"}


class DisputeReportTable(BaseTable):
    region = tables.Column(linkify=lambda record: record.get_absolute_url(), verbose_name="区域")
    kind = tables.Column()
    period_start = tables.DateColumn(format="Y-m-d")
    period_end = tables.DateColumn(format="Y-m-d")
    new = tables.Column(accessor="content__new__total", verbose_name="新增", orderable=False)
    urgent = tables.Column(accessor="content__urgent__total", verbose_name="紧急", orderable=False)
    backlog = tables.Column(accessor="content__backlog", verbose_name="未结", orderable=False)
    overdue = tables.Column(accessor="content__overdue", verbose_name="超期", orderable=False)
    status = tables.Column()
    submitted_at = tables.DateTimeColumn(format="Y-m-d H:i")

    class Meta(BaseTable.Meta):
        model = DisputeReport
        fields = (
            "region",
            "kind",
            "period_start",
            "period_end",
            "new",
            "urgent",
            "backlog",
            "overdue",
            "status",
            "submitted_at",
        )
        empty_text = "暂无报告"

    def render_status(self, value, record):
        colour = STATUS_BADGE.get(record.status, "secondary")
        return format_html('<span class="badge bg-{}-lt">{}</span>', colour, value)
