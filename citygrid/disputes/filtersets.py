import django_filters
from django.core.validators import RegexValidator
from django.db.models import Q
from django.utils import timezone

from citygrid.cases.choices import Lateness
from citygrid.core import dictionaries
from citygrid.core.filtersets import BaseFilterSet, within
from citygrid.disputes.choices import OPEN_STATES, DisputeLevel, DisputeState, IntakeSource, Outcome
from citygrid.disputes.models import CATEGORY_DICTIONARY, Dispute
from citygrid.regions.widgets import within_filter


def _categories():
    return dictionaries.choices(CATEGORY_DICTIONARY)


class DisputeFilterSet(BaseFilterSet):
    """Each filter reads an indexed or narrow column; the number is a prefix range of its unique
    index. There is no free-text box over descriptions: `icontains` reads every row in scope."""

    q = None  # the base's keyword box: nothing here to search by words

    number = django_filters.CharFilter(
        method="filter_number",
        label="纠纷编号",
        max_length=20,
        validators=[RegexValidator(r"^[A-Za-z0-9]+$", "纠纷编号只含字母和数字，可只输入开头几位")],
    )
    state = django_filters.MultipleChoiceFilter(choices=DisputeState.choices, label="状态")
    category = django_filters.ChoiceFilter(choices=_categories, label="纠纷类别")
    level = django_filters.ChoiceFilter(choices=DisputeLevel.choices, label="纠纷等级")
    source = django_filters.ChoiceFilter(choices=IntakeSource.choices, label="登记来源")
    outcome = django_filters.ChoiceFilter(choices=Outcome.choices, label="调处结果")
    risk = django_filters.BooleanFilter(method="filter_risk", label="有风险标记")
    lateness = django_filters.ChoiceFilter(
        choices=Lateness.choices, method="filter_lateness", label="时效"
    )
    reported_from = django_filters.DateFilter(
        field_name="reported_at", lookup_expr="date__gte", label="登记日期起"
    )
    reported_to = django_filters.DateFilter(
        field_name="reported_at", lookup_expr="date__lte", label="登记日期止"
    )
    within = within_filter()

    class Meta:
        model = Dispute
        fields = ["state", "category", "level", "source", "outcome"]

    def filter_number(self, queryset, name, value):
        return queryset.filter(number__within=value.upper())

    def filter_within(self, queryset, name, value):
        return within(queryset, "region_code", value)

    def filter_risk(self, queryset, name, value):
        flagged = Q(risk_petition=True) | Q(risk_mass_incident=True) | Q(risk_criminal=True)
        return queryset.filter(flagged) if value else queryset.exclude(flagged)

    def filter_lateness(self, queryset, name, value):
        # The same rule as StepClock.lateness(), in SQL.
        now = timezone.now()
        running = Q(state__in=OPEN_STATES, paused_at__isnull=True, step_deadline__isnull=False)
        overdue = running & Q(step_deadline__lte=now)
        warning = running & Q(step_deadline__gt=now, step_warn_at__lte=now)
        if value == Lateness.OVERDUE:
            return queryset.filter(overdue)
        if value == Lateness.WARNING:
            return queryset.filter(warning)
        return queryset.exclude(overdue | warning)
