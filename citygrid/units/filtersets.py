import django_filters
from django.utils import timezone

from citygrid.core.filtersets import BaseFilterSet, within
from citygrid.regions.widgets import within_filter
from citygrid.units import licences
from citygrid.units.choices import LicenceKind, LicenceState, UnitClass, UnitStatus
from citygrid.units.models import Unit, UnitLicence


class UnitFilterSet(BaseFilterSet):
    # Names of people are encrypted: SQL cannot match them, so search covers the unit's own.
    search_fields = ("name", "uscc", "address")
    region_id = django_filters.NumberFilter(field_name="region_id", label="所属区域")
    within = within_filter()
    unit_class = django_filters.MultipleChoiceFilter(choices=UnitClass.choices, label="单位类别")
    status = django_filters.MultipleChoiceFilter(choices=UnitStatus.choices, label="经营状态")
    licence = django_filters.MultipleChoiceFilter(
        choices=LicenceState.choices, method="filter_licence", label="证照即将到期/已过期"
    )

    class Meta:
        model = Unit
        fields = ["region_id", "unit_class", "status"]

    def filter_within(self, queryset, name, value):
        return within(queryset, "region_code", value)

    def filter_licence(self, queryset, name, value):
        if not value:
            return queryset
        return licences.units_in_state(queryset, value, timezone.localdate())


class UnitLicenceFilterSet(BaseFilterSet):
    search_fields = ("number", "unit__name")
    unit_id = django_filters.NumberFilter(field_name="unit_id", label="所属单位")
    kind = django_filters.MultipleChoiceFilter(choices=LicenceKind.choices, label="证照类型")
    state = django_filters.ChoiceFilter(
        choices=LicenceState.choices, method="filter_state", label="到期状态"
    )

    class Meta:
        model = UnitLicence
        fields = ["unit_id", "kind"]

    def filter_state(self, queryset, name, value):
        return queryset.filter(licences.state_q(value, timezone.localdate()))
