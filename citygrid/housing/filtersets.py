import django_filters

from citygrid.core import dictionaries
from citygrid.core.filtersets import BaseFilterSet, within
from citygrid.housing.choices import CheckResult, Occupancy, RentalSource, RentalStatus
from citygrid.housing.models import Building, Estate, HazardCheck, House, Rental
from citygrid.regions.widgets import within_filter


def _dict_choices(code: str):
    return lambda: dictionaries.choices(code)


class ScopedFilterSet(BaseFilterSet):
    """Region filters every housing record has: the exact region, or a whole subtree by code."""

    region_id = django_filters.NumberFilter(field_name="region_id", label="所属区域")
    within = within_filter()

    def filter_within(self, queryset, name, value):
        return within(queryset, "region_code", value)


class EstateFilterSet(ScopedFilterSet):
    search_fields = ("name", "address", "property_company")

    class Meta:
        model = Estate
        fields = ["region_id"]


class BuildingFilterSet(ScopedFilterSet):
    search_fields = ("name", "address", "estate__name")
    estate_id = django_filters.NumberFilter(field_name="estate_id", label="小区")
    use = django_filters.ChoiceFilter(choices=_dict_choices("building_use"), label="建筑用途")

    class Meta:
        model = Building
        fields = ["estate_id", "region_id", "use"]


class HouseFilterSet(ScopedFilterSet):
    search_fields = ("code", "number", "address", "building__name", "building__estate__name")
    building_id = django_filters.NumberFilter(field_name="building_id", label="楼栋")
    estate_id = django_filters.NumberFilter(field_name="building__estate_id", label="小区")
    occupancy = django_filters.MultipleChoiceFilter(choices=Occupancy.choices, label="使用状态")
    use = django_filters.ChoiceFilter(choices=_dict_choices("building_use"), label="房屋用途")

    class Meta:
        model = House
        fields = ["building_id", "estate_id", "region_id", "occupancy", "use", "entrance", "floor"]


class RentalFilterSet(ScopedFilterSet):
    # Not the landlord's name: it is encrypted, so SQL cannot match it.
    search_fields = ("rental_no", "house__code", "house__address")
    house_id = django_filters.NumberFilter(field_name="house_id", label="房屋")
    confirmed_by_id = django_filters.NumberFilter(field_name="confirmed_by_id", label="核实人")
    status = django_filters.MultipleChoiceFilter(choices=RentalStatus.choices, label="状态")
    source = django_filters.ChoiceFilter(choices=RentalSource.choices, label="登记来源")

    class Meta:
        model = Rental
        fields = ["house_id", "region_id", "status", "source", "confirmed_by_id"]


class HazardCheckFilterSet(ScopedFilterSet):
    search_fields = ("inspector", "findings", "house__code", "house__address")
    house_id = django_filters.NumberFilter(field_name="house_id", label="房屋")
    result = django_filters.ChoiceFilter(choices=CheckResult.choices, label="检查结果")
    hazard = django_filters.ChoiceFilter(choices=_dict_choices("hazard_type"), label="隐患类型")
    checked_on__gte = django_filters.DateFilter(
        field_name="checked_on", lookup_expr="gte", label="检查日期起"
    )
    checked_on__lte = django_filters.DateFilter(
        field_name="checked_on", lookup_expr="lte", label="检查日期止"
    )

    class Meta:
        model = HazardCheck
        fields = ["house_id", "region_id", "result", "hazard"]
