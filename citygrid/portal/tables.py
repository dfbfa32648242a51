import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html

from citygrid.core.tables import BaseTable
from citygrid.portal.models import BlockedIp, BlockedPhone


class _BlockTable(BaseTable):
    created = tables.DateTimeColumn(verbose_name="加入时间", format="Y-m-d H:i")
    remove = tables.Column(verbose_name="", empty_values=(), orderable=False)

    def render_remove(self, record):
        url = reverse(f"portal:{record._meta.model_name}_delete", args=[record.pk])
        return format_html('<a class="btn btn-sm btn-outline-danger" href="{}">移出</a>', url)


class BlockedPhoneTable(_BlockTable):
    phone = tables.Column(verbose_name="手机号码", orderable=False)

    class Meta(BaseTable.Meta):
        model = BlockedPhone
        fields = ("phone", "reason", "created")

    def render_phone(self, record):
        return record.masked("phone")


class BlockedIpTable(_BlockTable):
    class Meta(BaseTable.Meta):
        model = BlockedIp
        fields = ("ip", "reason", "created")
