import django_filters
from django.db.models import Exists, OuterRef

from citygrid.core.filtersets import BaseFilterSet, within
from citygrid.neworgs.choices import BranchKind, OrganisationKind
from citygrid.neworgs.models import NewOrganisation, OrgBranch, Regulation, WorkRecord
from citygrid.regions.widgets import within_filter

YES_NO = [("yes", "是"), ("no", "否")]


class NewOrganisationFilterSet(BaseFilterSet):
    search_fields = ("name", "uscc", "address")
    kind = django_filters.MultipleChoiceFilter(choices=OrganisationKind.choices, label="组织类型")
    has_branch = django_filters.ChoiceFilter(
        choices=BranchKind.choices, method="filter_has_branch", label="已建立"
    )
    lacks_branch = django_filters.ChoiceFilter(
        choices=BranchKind.choices, method="filter_lacks_branch", label="未建立"
    )
    active = django_filters.ChoiceFilter(
        choices=[("yes", "存续"), ("no", "已注销")], method="filter_active", label="状态"
    )
    region_id = django_filters.NumberFilter(field_name="region_id", label="所属区域")
    within = within_filter()

    class Meta:
        model = NewOrganisation
        fields = ["kind", "region_id"]

    def filter_within(self, queryset, name, value):
        return within(queryset, "region_code", value)

    def _branch(self, kind):
        return Exists(OrgBranch.objects.filter(organisation=OuterRef("pk"), kind=kind))

    def filter_has_branch(self, queryset, name, value):
        return queryset.filter(self._branch(value))

    def filter_lacks_branch(self, queryset, name, value):
        return queryset.filter(~self._branch(value))

    def filter_active(self, queryset, name, value):
        return queryset.filter(closed_on__isnull=value == "yes")


class OrgBranchFilterSet(BaseFilterSet):
    search_fields = ("organisation__name", "head_name")
    kind = django_filters.MultipleChoiceFilter(choices=BranchKind.choices, label="类别")
    organisation_id = django_filters.NumberFilter(field_name="organisation_id", label="所属组织")
    within = within_filter()

    class Meta:
        model = OrgBranch
        fields = ["kind", "organisation_id"]

    def filter_within(self, queryset, name, value):
        return within(queryset, "organisation__region_code", value)


class RegulationFilterSet(BaseFilterSet):
    search_fields = ("title", "organisation__name")
    organisation_id = django_filters.NumberFilter(field_name="organisation_id", label="所属组织")
    within = within_filter()

    class Meta:
        model = Regulation
        fields = ["organisation_id"]

    def filter_within(self, queryset, name, value):
        return within(queryset, "organisation__region_code", value)


class WorkRecordFilterSet(BaseFilterSet):
    search_fields = ("content", "organisation__name")
    organisation_id = django_filters.NumberFilter(field_name="organisation_id", label="所属组织")
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte", label="日期起")
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte", label="日期止")
    within = within_filter()

    class Meta:
        model = WorkRecord
        fields = ["organisation_id"]

    def filter_within(self, queryset, name, value):
        return within(queryset, "organisation__region_code", value)
