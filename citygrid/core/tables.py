import functools
import types

import django_tables2 as tables
from django.utils.formats import localize
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django_tables2 import utils

from citygrid.core import history
from citygrid.core.models import AccessLog, Dictionary, ObjectChange

_signature = utils.signature


@functools.lru_cache(maxsize=2048)
def _function_signature(func, bound: bool) -> tuple:
    method = types.MethodType(func, object()) if bound else func
    return _signature(method)


def _cached_signature(fn) -> tuple:
    """django-tables2 asks `inspect.signature` which arguments a column's `render` takes once
    per cell: a fifth of a 50-row list page's time. A function's signature never changes, so
    it is worked out once per function (a bound method's without its `self`, as before)."""
    if isinstance(fn, types.MethodType) and isinstance(fn.__func__, types.FunctionType):
        return _function_signature(fn.__func__, True)
    if isinstance(fn, types.FunctionType):
        return _function_signature(fn, False)
    return _signature(fn)


utils.signature = _cached_signature


class BaseTable(tables.Table):
    """Tabler-styled table; the first linkified column opens the record.

    The body is written here rather than by django-tables2's template, which resolves a
    column's cell attributes and localisation anew in every cell: half of a list page's
    time. A column's `td` attributes are therefore fixed per column (no callables)."""

    class Meta:
        attrs = {"class": "table table-vcenter card-table table-striped"}
        template_name = "core/table.html"
        # Paged by `core/listing.py` (bounded count, keyset links, the `per_page` cap).
        per_page = 50

    def body_html(self) -> SafeString:
        columns = list(self.columns)
        tds = [mark_safe(f"<td {c.attrs['td'].as_html()}>".replace(" >", ">")) for c in columns]
        out = []
        for number, row in enumerate(self.paginated_rows):
            out.append('<tr class="odd">' if number % 2 else '<tr class="even">')
            for td, (_, cell) in zip(tds, row.items(), strict=True):
                out += [td, conditional_escape(localize(cell)), "</td>"]
            out.append("</tr>")
        if not out and self.empty_text:
            empty = format_html('<tr><td colspan="{}">{}</td></tr>', len(columns), self.empty_text)
            out.append(empty)
        return mark_safe("".join(out))


# A column kept on one line (codes, dates, short labels), so a wide list leaves its room to names.
NOWRAP = {"td": {"class": "text-nowrap"}}


class ObjectChangeTable(BaseTable):
    """The request id stays on the change's own page: a UUID in every row told a reader nothing."""

    time = tables.DateTimeColumn(
        verbose_name="时间",
        format="Y-m-d H:i:s",
        linkify=("core:objectchange", [tables.A("pk")]),
        attrs=NOWRAP,
    )
    user_name = tables.Column(verbose_name="操作人", orderable=False)
    action = tables.Column(verbose_name="操作", attrs=NOWRAP)
    content_type = tables.Column(verbose_name="对象类型", accessor="content_type__name")
    object_repr = tables.Column(verbose_name="对象")

    class Meta(BaseTable.Meta):
        model = ObjectChange
        fields = ("time", "user_name", "action", "content_type", "object_repr")

    def render_user_name(self, record) -> str:
        return history.actor_name(record)


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
