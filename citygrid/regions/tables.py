import django_tables2 as tables
from django.utils.html import format_html

from citygrid.core.tables import BaseTable
from citygrid.regions.choices import LEVEL_BADGE
from citygrid.regions.models import GridWorker, Region


class RegionTable(BaseTable):
    code = tables.Column(linkify=True)
    name = tables.Column(linkify=True)
    level = tables.Column()
    parent = tables.Column(linkify=True)
    area_m2 = tables.Column(verbose_name="面积（㎡）")

    class Meta(BaseTable.Meta):
        model = Region
        fields = ("code", "name", "level", "kind", "parent", "area_m2")

    def render_level(self, value, record):
        return format_html(
            '<span class="badge bg-{}-lt">{}</span>', LEVEL_BADGE[record.level], value
        )

    def render_kind(self, value, record):
        return value if record.is_grid else "—"

    def render_area_m2(self, value):
        return f"{value:,.0f}"


class GridWorkerTable(BaseTable):
    name = tables.Column(linkify=True)
    region = tables.Column(verbose_name="所属网格", linkify=True)
    phone = tables.Column(verbose_name="手机号码", orderable=False)

    class Meta(BaseTable.Meta):
        model = GridWorker
        fields = ("name", "role", "region", "phone", "active")

    def render_phone(self, value, record):
        return record.masked("phone")
