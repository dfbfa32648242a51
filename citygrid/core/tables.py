import django_tables2 as tables
from django.conf import settings
from django.contrib import messages

from citygrid.core.models import AccessLog, Dictionary, ObjectChange


class BaseTable(tables.Table):
    """Tabler-styled table; the first linkified column opens the record."""

    class Meta:
        attrs = {"class": "table table-vcenter card-table table-striped"}
        template_name = "django_tables2/bootstrap5.html"
        per_page = 50

    def paginate(self, *args, per_page=None, **kwargs):
        # `?per_page=` comes from the address bar: a huge one would render the whole table.
        cap = settings.CITYGRID_MAX_PAGE_SIZE
        per_page = per_page or self._meta.per_page
        if per_page > cap and getattr(self, "request", None) is not None:
            messages.warning(self.request, f"每页最多显示 {cap} 条")
        return super().paginate(*args, per_page=min(max(per_page, 1), cap), **kwargs)


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
