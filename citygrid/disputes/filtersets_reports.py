import django_filters

from citygrid.core.filtersets import BaseFilterSet, within
from citygrid.disputes.choices import ReportKind, ReportStatus
from citygrid.disputes.models import DisputeReport
from citygrid.regions.choices import RegionLevel
from citygrid.regions.widgets import within_filter

LEVELS = (RegionLevel.COMMUNITY, RegionLevel.TOWNSHIP, RegionLevel.COUNTY, RegionLevel.CITY)


class DisputeReportFilterSet(BaseFilterSet):
    """Reports by kind, status, period and place; every filter reads an indexed column or the
    unique (region, kind, period) key — no free text: a report's words are its numbers."""

    kind = django_filters.ChoiceFilter(choices=ReportKind.choices, label="报告类型")
    status = django_filters.ChoiceFilter(choices=ReportStatus.choices, label="状态")
    level = django_filters.ChoiceFilter(
        field_name="region__level",
        choices=[(level, RegionLevel(level).label) for level in LEVELS],
        label="层级",
    )
    period_from = django_filters.DateFilter(
        field_name="period_start", lookup_expr="gte", label="起始日期自"
    )
    period_to = django_filters.DateFilter(
        field_name="period_start", lookup_expr="lte", label="起始日期至"
    )
    within = within_filter()

    class Meta:
        model = DisputeReport
        fields = ["kind", "status"]

    def filter_within(self, queryset, name, value):
        return within(queryset, "region_code", value)
