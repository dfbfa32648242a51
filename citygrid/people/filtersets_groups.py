"""Filters of the category pages (memberships, care records, custodian assignments); the same
classes serve the HTML lists and the API."""

import django_filters
from django.db.models import Exists, OuterRef

from citygrid.cases.models import Department
from citygrid.core import dictionaries
from citygrid.core.filtersets import BaseFilterSet, within
from citygrid.people.care import overdue_records
from citygrid.people.choices import SPECIAL_GROUP_KINDS, VULNERABLE_GROUP_KINDS, Category
from citygrid.people.models import (
    AtRiskYouth,
    CareRecord,
    CustodianAssignment,
    KeyPerson,
    SpecialGroup,
    VulnerableGroup,
)
from citygrid.regions.widgets import within_filter

YES_NO = [("yes", "是"), ("no", "否")]


def _departments(request):
    # Without a request (export) the choice only has to validate: the records are restricted.
    if request is None:
        return Department.objects.all()
    return Department.objects.filter(active=True)


def _dict_choices(code: str):
    return lambda: dictionaries.choices(code)


class MembershipFilterSet(BaseFilterSet):
    """Filters every category membership shares; `overdue_category` names the care category."""

    search_fields = ("person__name",)
    active = django_filters.ChoiceFilter(choices=YES_NO, method="filter_active", label="在管")
    custodian_department = django_filters.ModelChoiceFilter(queryset=_departments, label="归口部门")
    person = django_filters.NumberFilter(field_name="person_id", label="人员")
    region = django_filters.NumberFilter(field_name="region_id", label="网格")
    within = within_filter()
    overdue = django_filters.BooleanFilter(
        method="filter_overdue",
        label="仅显示帮扶逾期",
        widget=django_filters.widgets.BooleanWidget,
    )

    def filter_active(self, queryset, name, value):
        return queryset.filter(ended_on__isnull=value == "yes")

    def filter_within(self, queryset, name, value):
        return within(queryset, "region_code", value)

    def care_category(self):
        """The care-record category of the outer membership row."""
        return OuterRef("kind")

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        care = CareRecord.objects.filter(person=OuterRef("person"), category=self.care_category())
        overdue = Exists(overdue_records(care))
        return queryset.filter(overdue) if value else queryset.exclude(overdue)


class SpecialGroupFilterSet(MembershipFilterSet):
    kind = django_filters.MultipleChoiceFilter(
        choices=[(k.value, k.label) for k in SPECIAL_GROUP_KINDS], label="类别"
    )

    class Meta:
        model = SpecialGroup
        fields = ["kind", "custodian_department", "sealed"]


class VulnerableGroupFilterSet(MembershipFilterSet):
    kind = django_filters.MultipleChoiceFilter(
        choices=[(k.value, k.label) for k in VULNERABLE_GROUP_KINDS], label="类别"
    )

    class Meta:
        model = VulnerableGroup
        fields = ["kind", "custodian_department", "living_alone"]


class KeyPersonFilterSet(MembershipFilterSet):
    type = django_filters.MultipleChoiceFilter(
        choices=_dict_choices("key_person_type"), label="重点人员类型"
    )
    control_level = django_filters.MultipleChoiceFilter(
        choices=_dict_choices("control_level"), label="管控级别"
    )

    class Meta:
        model = KeyPerson
        fields = ["type", "control_level", "custodian_department"]

    def care_category(self):
        return Category.KEY_PERSON.value


class AtRiskYouthFilterSet(MembershipFilterSet):
    type = django_filters.MultipleChoiceFilter(
        choices=_dict_choices("youth_type"), label="人员类型"
    )

    class Meta:
        model = AtRiskYouth
        fields = ["type", "custodian_department", "offended"]

    def care_category(self):
        return Category.AT_RISK_YOUTH.value


class CareRecordFilterSet(BaseFilterSet):
    search_fields = ("person__name", "helper", "measures", "place")
    category = django_filters.MultipleChoiceFilter(choices=Category.choices, label="人员类别")
    person = django_filters.NumberFilter(field_name="person_id", label="人员")
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte", label="帮扶日期起")
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte", label="帮扶日期止")
    within = within_filter()
    overdue = django_filters.BooleanFilter(
        method="filter_overdue",
        label="仅显示逾期",
        widget=django_filters.widgets.BooleanWidget,
    )

    class Meta:
        model = CareRecord
        fields = ["category", "person"]

    def filter_within(self, queryset, name, value):
        return within(queryset, "region_code", value)

    def filter_overdue(self, queryset, name, value):
        # The overdue records themselves: the latest of each person and category, past due.
        return overdue_records(queryset) if value else queryset


class CustodianAssignmentFilterSet(BaseFilterSet):
    search_fields = ("department__name", "region__name")
    category = django_filters.MultipleChoiceFilter(choices=Category.choices, label="人员类别")
    department = django_filters.ModelChoiceFilter(queryset=_departments, label="归口部门")
    region = django_filters.NumberFilter(field_name="region_id", label="区域")
    within = within_filter()

    class Meta:
        model = CustodianAssignment
        fields = ["category", "department"]

    def filter_within(self, queryset, name, value):
        return within(queryset, "region_code", value)
