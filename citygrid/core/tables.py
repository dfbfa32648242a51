import django_tables2 as tables

from citygrid.core.models import AccessLog, Dictionary, ObjectChange


class BaseTable(tables.Table):
    """Tabler-styled table; the first linkified column opens the record."""

    class Meta:
        attrs = {"class": "table table-vcenter card-table table-striped"}
        template_name = "django_tables2/bootstrap5.html"
        # Paged by `core/listing.py` (bounded count, keyset links, the `per_page` cap).
        per_page = 50


class ObjectChangeTable(BaseTable):
    time = tables.DateTimeColumn(verbose_name="时间", format="Y-m-d H:i:s", linkify=False)
    user_name = tables.Column(verbose_name="操作人")
    action = tables.Column(verbose_name="操作")
    content_type = tables.Column(verbose_name="对象类型", accessor="content_type__name")
    object_repr = tables.Column(verbose_name="对象")
    request_id = tables.Column(verbose_name="请求编号")

    class Meta(BaseTable.Meta):
        model = ObjectChange
        fields = ("time", "user_name", "action", "content_type", "object_repr", "request_id")


class AccessLogTable(BaseTable):
    time = tables.DateTimeColumn(verbose_name="时间", format="Y-m-d H:i:s")

    class Meta(BaseTable.Meta):
        model = AccessLog
        fields = (
            "time",
            "user_name",
            "action",
            "content_type",
            "object_id",
            "record_count",
            "detail",
            "reason",
            "ip",
        )


class DictionaryTable(BaseTable):
    code = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = Dictionary
        fields = ("code", "name", "standard")
