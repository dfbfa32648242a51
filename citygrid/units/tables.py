import django_tables2 as tables
from django.utils.html import format_html, format_html_join

from citygrid.core.tables import NOWRAP, BaseTable
from citygrid.units.choices import LICENCE_STATE_BADGE, UNIT_STATUS_BADGE, LicenceState
from citygrid.units.models import Unit


def badge(colour: str, text) -> str:
    return format_html('<span class="badge bg-{}-lt">{}</span>', colour, text)


def licence_badges(unit) -> str:
    """证照已过期 / 证照即将到期 from the list's annotations (`licences.with_licence_state`)."""
    shown = [
        (LICENCE_STATE_BADGE[state], f"证照{state.label}")
        for state, flag in (
            (LicenceState.EXPIRED, getattr(unit, "licence_expired", False)),
            (LicenceState.EXPIRING, getattr(unit, "licence_expiring", False)),
        )
        if flag
    ]
    return format_html_join(" ", '<span class="badge bg-{}-lt">{}</span>', shown)


class UnitTable(BaseTable):
    """The address stays on the unit's page: beside ten columns it wrapped a character a line."""

    name = tables.Column(linkify=True)
    unit_class = tables.Column(attrs=NOWRAP)
    uscc = tables.Column(attrs=NOWRAP)
    region = tables.Column(verbose_name="所属网格", linkify=True, attrs=NOWRAP)
    status = tables.Column(attrs=NOWRAP)
    legal_representative = tables.Column(verbose_name="法定代表人", orderable=False)
    contact_phone = tables.Column(verbose_name="联系电话", orderable=False, attrs=NOWRAP)
    licence_state = tables.Column(verbose_name="证照", empty_values=(), orderable=False)

    class Meta(BaseTable.Meta):
        model = Unit
        fields = (
            "name",
            "unit_class",
            "uscc",
            "region",
            "legal_representative",
            "contact_phone",
            "staff_count",
            "status",
            "licence_state",
        )

    def render_status(self, value, record):
        return badge(UNIT_STATUS_BADGE[record.status], value)

    def render_legal_representative(self, value, record):
        return record.masked("legal_representative")

    def render_contact_phone(self, value, record):
        return record.masked("contact_phone")

    def render_licence_state(self, value, record):
        return licence_badges(record) or "—"
