import django_tables2 as tables

from citygrid.core.tables import NOWRAP, BaseTable
from citygrid.neworgs.models import NewOrganisation, OrgBranch, Regulation, WorkRecord


class NewOrganisationTable(BaseTable):
    """The head's phone stays on the organisation's page: beside nine columns the names wrapped
    a word a line."""

    name = tables.Column(linkify=True)
    kind = tables.Column(attrs=NOWRAP)
    uscc = tables.Column(attrs=NOWRAP)
    region = tables.Column(verbose_name="所属区域", orderable=False, attrs=NOWRAP)
    head_name = tables.Column(verbose_name="负责人", orderable=False, attrs=NOWRAP)
    full_time_staff = tables.Column(verbose_name="专职人员")
    employees = tables.Column(verbose_name="从业人员")
    closed_on = tables.Column(verbose_name="状态", orderable=False, empty_values=())

    class Meta(BaseTable.Meta):
        model = NewOrganisation
        fields = (
            "name",
            "kind",
            "uscc",
            "region",
            "head_name",
            "full_time_staff",
            "employees",
            "closed_on",
        )

    def render_head_name(self, value, record):
        return record.masked("head_name")

    def render_closed_on(self, value, record):
        return f"已注销（{value:%Y-%m-%d}）" if value else "存续"


class OrgBranchTable(BaseTable):
    organisation = tables.Column(linkify=True)
    kind = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = OrgBranch
        fields = ("organisation", "kind", "established_on", "head_name", "members")


class RegulationTable(BaseTable):
    title = tables.Column(linkify=True)
    organisation = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = Regulation
        fields = ("title", "organisation", "adopted_on")


class WorkRecordTable(BaseTable):
    date = tables.Column(linkify=True)
    organisation = tables.Column(linkify=True)
    content = tables.Column(orderable=False)

    class Meta(BaseTable.Meta):
        model = WorkRecord
        fields = ("date", "organisation", "content")

    def render_content(self, value):
        return value if len(value) <= 40 else f"{value[:40]}…"
