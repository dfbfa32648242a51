import django_tables2 as tables

from citygrid.core.tables import BaseTable
from citygrid.integrations.open311.models import ApiClient, ServiceAttribute


class ApiClientTable(BaseTable):
    name = tables.Column(linkify=True)
    key_prefix = tables.Column(verbose_name="密钥前缀")
    last_used_at = tables.DateTimeColumn(format="Y-m-d H:i")
    request_count = tables.Column(verbose_name="已提交请求", orderable=False)

    class Meta(BaseTable.Meta):
        model = ApiClient
        fields = ("name", "contact", "key_prefix", "active", "last_used_at", "request_count")


class ServiceAttributeTable(BaseTable):
    code = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = ServiceAttribute
        fields = ("category", "code", "description", "datatype", "required", "order")
