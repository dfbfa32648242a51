import django_tables2 as tables
from django.utils.html import format_html
from django.utils.text import Truncator

from citygrid.cases.templatetags.case_tags import countdown
from citygrid.core.tables import BaseTable
from citygrid.disputes.models import Dispute
from citygrid.disputes.templatetags.dispute_tags import dispute_state_badge, risk_badges


def _short(text: str, length: int):
    return format_html('<span title="{}">{}</span>', text, Truncator(text).chars(length))


class DisputeTable(BaseTable):
    number = tables.Column(linkify=True, attrs={"td": {"class": "text-nowrap"}})
    title = tables.Column(linkify=True, attrs={"td": {"class": "text-nowrap"}})
    category = tables.Column()
    state = tables.Column()
    level = tables.Column(verbose_name="等级与风险", empty_values=())
    step_deadline = tables.Column(verbose_name="环节时限")
    department = tables.Column(verbose_name="承办单位", accessor="department__name")
    reported_at = tables.DateTimeColumn(format="Y-m-d", attrs={"td": {"class": "text-nowrap"}})

    class Meta(BaseTable.Meta):
        model = Dispute
        fields = (
            "number",
            "title",
            "category",
            "state",
            "level",
            "step_deadline",
            "department",
            "reported_at",
        )

    # Long names wrap a 1440 px page's narrow columns into tall rows: shortened, whole on hover.
    def render_title(self, value):
        return _short(value, 12)

    def render_department(self, value):
        return _short(value, 10)

    def render_category(self, record):
        return record.get_category_label()

    def render_state(self, record):
        return dispute_state_badge(record.state)

    def render_level(self, record):
        return risk_badges(record) or record.get_level_display()

    def render_step_deadline(self, value, record):
        # The countdown says 超 … when late: a lateness badge beside it would say it twice.
        return countdown(value) if record.is_open else "—"
