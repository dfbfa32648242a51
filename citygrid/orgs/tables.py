import django_tables2 as tables
from django.utils.html import format_html

from citygrid.core.tables import BaseTable
from citygrid.orgs.choices import UNIT_KIND_BADGE
from citygrid.orgs.models import OrgUnit, Staff


class OrgUnitTable(BaseTable):
    name = tables.Column(linkify=True)
    parent = tables.Column(linkify=True)
    kind = tables.Column()
    region = tables.Column()

    class Meta(BaseTable.Meta):
        model = OrgUnit
        fields = ("code", "name", "kind", "parent", "region", "phone")

    def render_kind(self, value, record):
        colour = UNIT_KIND_BADGE[record.kind]
        return format_html('<span class="badge bg-{}-lt">{}</span>', colour, value)


class StaffTable(BaseTable):
    name = tables.Column(linkify=True)
    unit = tables.Column(linkify=True)
    phone = tables.Column(verbose_name="联系电话", orderable=False)
    source = tables.Column()

    class Meta(BaseTable.Meta):
        model = Staff
        fields = ("name", "unit", "post", "phone", "source", "active")

    def render_phone(self, value, record):
        return record.masked("phone")
