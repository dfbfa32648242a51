import django_filters

from citygrid.core.filtersets import BaseFilterSet, within
from citygrid.regions.choices import RegionLevel, WorkerRole
from citygrid.regions.models import GridWorker, Region
from citygrid.regions.widgets import within_filter


class RegionFilterSet(BaseFilterSet):
    search_fields = ("name", "code")
    level = django_filters.MultipleChoiceFilter(choices=RegionLevel.choices, label="层级")
    parent_id = django_filters.NumberFilter(field_name="parent_id", label="上级区域")
    within = within_filter()
    has_boundary = django_filters.ChoiceFilter(
        choices=[("yes", "是"), ("no", "否")], method="filter_has_boundary", label="已绘制边界"
    )

    class Meta:
        model = Region
        fields = ["level", "parent_id", "code", "kind"]

    def filter_within(self, queryset, name, value):
        return within(queryset, "code", value)

    def filter_has_boundary(self, queryset, name, value):
        return queryset.filter(boundary__isnull=value == "no")


class GridWorkerFilterSet(BaseFilterSet):
    search_fields = ("name",)
    role = django_filters.MultipleChoiceFilter(choices=WorkerRole.choices, label="岗位")
    region_id = django_filters.NumberFilter(field_name="region_id", label="网格")
    within = within_filter()
    phone = django_filters.CharFilter(method="filter_phone", label="手机号码（精确）")

    class Meta:
        model = GridWorker
        fields = ["role", "region_id", "active"]

    def filter_within(self, queryset, name, value):
        return within(queryset, "region_code", value)

    def filter_phone(self, queryset, name, value):
        from citygrid.core.crypto import blind_index
        from citygrid.core.validators import normalize_mobile

        try:
            value = normalize_mobile(value)
        except ValueError:
            return queryset.none()
        return queryset.filter(phone_index=blind_index(value))
