import django_tables2 as tables
from django.utils.html import format_html

from citygrid.core.tables import BaseTable
from citygrid.notify.choices import SMS_BACKEND_LABELS, SMS_STATUS_BADGE
from citygrid.notify.models import SmsMessage


class SmsMessageTable(BaseTable):
    created = tables.DateTimeColumn(verbose_name="时间", format="Y-m-d H:i:s", linkify=True)
    phone = tables.Column(verbose_name="手机号码", orderable=False)
    template = tables.Column(verbose_name="短信模板", accessor="template__name")
    text = tables.Column(verbose_name="短信内容", orderable=False)
    status = tables.Column(verbose_name="状态")

    class Meta(BaseTable.Meta):
        model = SmsMessage
        fields = ("created", "phone", "template", "text", "status", "backend")

    def render_phone(self, value, record):
        return record.masked("phone")

    def render_backend(self, value):
        return SMS_BACKEND_LABELS.get(value, value)

    def render_status(self, value, record):
        return format_html(
            '<span class="badge bg-{}-lt">{}</span>', SMS_STATUS_BADGE[record.status], value
        )
