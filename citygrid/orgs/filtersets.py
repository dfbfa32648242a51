import django_filters

from citygrid.core.filtersets import BaseFilterSet, within
from citygrid.orgs.choices import StaffSource, UnitKind
from citygrid.orgs.models import OrgUnit, Staff
from citygrid.regions.widgets import within_filter


class OrgUnitFilterSet(BaseFilterSet):
    search_fields = ("name", "code")
    kind = django_filters.ChoiceFilter(choices=UnitKind.choices, label="类型")
    parent_id = django_filters.NumberFilter(field_name="parent_id", label="上级单位")
    region_id = django_filters.NumberFilter(field_name="region_id", label="所属区域")
    within = within_filter()

    class Meta:
        model = OrgUnit
        fields = ["kind", "parent_id", "region_id"]

    def filter_within(self, queryset, name, value):
        return within(queryset, "region_code", value)


class StaffFilterSet(BaseFilterSet):
    search_fields = ("name", "post")
    unit_id = django_filters.NumberFilter(field_name="unit_id", label="所属单位")
    user_id = django_filters.NumberFilter(field_name="user_id", label="系统账号")
    source = django_filters.ChoiceFilter(choices=StaffSource.choices, label="来源")
    within = within_filter()

    class Meta:
        model = Staff
        fields = ["unit_id", "user_id", "source", "active"]

    def filter_within(self, queryset, name, value):
        return within(queryset, "region_code", value)
