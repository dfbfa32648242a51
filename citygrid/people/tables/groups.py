"""Tables of the category pages. The person links to the person page; the ID number is masked,
and so is the helper unless the role may see plaintext; a sealed special-group row shows only
"已封存"."""

from functools import cached_property

import django_tables2 as tables
from django.utils.safestring import mark_safe

from citygrid.core.tables import BaseTable
from citygrid.people.models import (
    AtRiskYouth,
    CareRecord,
    CustodianAssignment,
    KeyPerson,
    SpecialGroup,
    VulnerableGroup,
)

SEALED = mark_safe('<span class="badge bg-secondary-lt">已封存</span>')


def _person_link(record):
    return record.person.get_absolute_url()


class MembershipTable(BaseTable):
    id = tables.Column(verbose_name="编号", linkify=True)
    person = tables.Column(verbose_name="姓名", linkify=_person_link, order_by=("person__name",))
    id_number = tables.Column(verbose_name="证件号码", accessor="person", orderable=False)
    region = tables.Column(verbose_name="所属网格")
    custodian_department = tables.Column(verbose_name="归口部门")
    started_on = tables.DateColumn(verbose_name="列管日期", format="Y-m-d")
    ended_on = tables.DateColumn(verbose_name="解除日期", format="Y-m-d")
    # Encrypted: its order in SQL would be the ciphertext's.
    helper_name = tables.Column(verbose_name="帮扶（帮教）责任人", orderable=False)

    @cached_property
    def reveal(self) -> bool:
        return self.request.user.can_view_sensitive()

    def render_id_number(self, value, record):
        return record.person.masked("id_number")

    def render_helper_name(self, value, record):
        return value if self.reveal else record.masked("helper_name")


class SpecialGroupTable(MembershipTable):
    kind = tables.Column(verbose_name="类别")

    class Meta(BaseTable.Meta):
        model = SpecialGroup
        fields = (
            "id",
            "person",
            "id_number",
            "kind",
            "region",
            "custodian_department",
            "helper_name",
            "started_on",
            "ended_on",
        )

    def render_kind(self, value, record):
        return SEALED if record.sealed else value

    def _sealed_or(self, record, value):
        return SEALED if record.sealed else value

    def render_custodian_department(self, value, record):
        return self._sealed_or(record, value)

    def render_helper_name(self, value, record):
        return self._sealed_or(record, super().render_helper_name(value, record))

    def render_started_on(self, value, record):
        return self._sealed_or(record, f"{value:%Y-%m-%d}" if value else "—")

    def render_ended_on(self, value, record):
        return self._sealed_or(record, f"{value:%Y-%m-%d}" if value else "—")


class VulnerableGroupTable(MembershipTable):
    class Meta(BaseTable.Meta):
        model = VulnerableGroup
        fields = (
            "id",
            "person",
            "id_number",
            "kind",
            "living_alone",
            "region",
            "custodian_department",
            "helper_name",
            "started_on",
            "ended_on",
        )


class KeyPersonTable(MembershipTable):
    type = tables.Column(verbose_name="重点人员类型")
    control_level = tables.Column(verbose_name="管控级别")

    class Meta(BaseTable.Meta):
        model = KeyPerson
        fields = (
            "id",
            "person",
            "id_number",
            "type",
            "control_level",
            "region",
            "custodian_department",
            "helper_name",
            "started_on",
            "ended_on",
        )

    def render_type(self, value, record):
        return record.get_type_label()

    def render_control_level(self, value, record):
        return record.get_control_level_label()


class AtRiskYouthTable(MembershipTable):
    type = tables.Column(verbose_name="人员类型")

    class Meta(BaseTable.Meta):
        model = AtRiskYouth
        fields = (
            "id",
            "person",
            "id_number",
            "type",
            "offended",
            "region",
            "custodian_department",
            "helper_name",
            "started_on",
            "ended_on",
        )

    def render_type(self, value, record):
        return record.get_type_label()


class CareRecordTable(BaseTable):
    date = tables.DateColumn(verbose_name="帮扶日期", format="Y-m-d", linkify=True)
    person = tables.Column(verbose_name="姓名", linkify=_person_link, order_by=("person__name",))
    category = tables.Column(verbose_name="人员类别")
    next_date = tables.DateColumn(verbose_name="下次帮扶日期", format="Y-m-d")

    class Meta(BaseTable.Meta):
        model = CareRecord
        fields = ("date", "person", "category", "helper", "measures", "next_date", "region")

    def render_measures(self, value):
        return value if len(value) <= 40 else f"{value[:40]}…"


class CustodianAssignmentTable(BaseTable):
    category = tables.Column(verbose_name="人员类别", linkify=True)
    region = tables.Column(verbose_name="适用区域")
    region_code = tables.Column(verbose_name="区域代码")
    department = tables.Column(verbose_name="归口部门")

    class Meta(BaseTable.Meta):
        model = CustodianAssignment
        fields = ("category", "region", "region_code", "department")
