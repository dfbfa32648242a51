import django_filters
from django.db.models import Q
from django.utils import timezone

from citygrid.cases.choices import (
    OPEN_STATES,
    CaseKind,
    CaseState,
    Channel,
    Lateness,
    Step,
    SupervisionLevel,
    SupervisionStatus,
    TaskKind,
    TaskStatus,
    Urgency,
)
from citygrid.cases.models import (
    CalendarDay,
    Case,
    CaseCategory,
    Department,
    DispatchRule,
    SupervisionOrder,
    Task,
    TimeLimit,
    Visit,
)
from citygrid.cases.routing import LEVELS, departments_for
from citygrid.core.filtersets import BaseFilterSet, within
from citygrid.regions.choices import RegionLevel


class WithinMixin:
    """`within`: a region code prefix (the records of that region and everything under it)."""

    def filter_within(self, queryset, name, value):
        return within(queryset, "region_code", value)


def _minor_categories(request):
    return CaseCategory.objects.minor().order_by("kind", "code")


def _departments(request):
    # Without a request (the generic export view) the choice only has to validate: the
    # records filtered are restricted already. With one, the departments the user's records
    # may name: a city department handles a county's cases too.
    if request is None:
        return Department.objects.all()
    return departments_for(request.user)


def _id_filter(field: str, label: str) -> django_filters.NumberFilter:
    """A foreign key by id: for tables too large for a drop-down (cases, users, regions)."""
    return django_filters.NumberFilter(field_name=field, label=label)


class CaseFilterSet(WithinMixin, BaseFilterSet):
    search_fields = ("number", "description", "address")
    state = django_filters.MultipleChoiceFilter(choices=CaseState.choices, label="状态")
    category = django_filters.ModelChoiceFilter(queryset=_minor_categories, label="小类")
    department = django_filters.ModelChoiceFilter(queryset=_departments, label="责任部门")
    urgency = django_filters.ChoiceFilter(choices=Urgency.choices, label="紧急程度")
    channel = django_filters.ChoiceFilter(choices=Channel.choices, label="来源")
    kind = django_filters.ChoiceFilter(choices=CaseKind.choices, label="类型")
    level = django_filters.ChoiceFilter(
        choices=[(level, RegionLevel(level).label) for level in LEVELS], label="处置层级"
    )
    lateness = django_filters.ChoiceFilter(
        choices=Lateness.choices, method="filter_lateness", label="时效"
    )
    reported_from = django_filters.DateFilter(
        field_name="reported_at", lookup_expr="date__gte", label="上报日期起"
    )
    reported_to = django_filters.DateFilter(
        field_name="reported_at", lookup_expr="date__lte", label="上报日期止"
    )
    within = django_filters.CharFilter(method="filter_within", label="所属区域代码")

    class Meta:
        model = Case
        fields = ["state", "category", "department", "urgency", "channel", "kind", "level"]

    def filter_lateness(self, queryset, name, value):
        # The same rule as Case.lateness(), in SQL.
        now = timezone.now()
        running = Q(state__in=OPEN_STATES, paused_at__isnull=True, step_deadline__isnull=False)
        overdue = running & Q(step_deadline__lte=now)
        warning = running & Q(step_deadline__gt=now, step_warn_at__lte=now)
        if value == Lateness.OVERDUE:
            return queryset.filter(overdue)
        if value == Lateness.WARNING:
            return queryset.filter(warning)
        return queryset.exclude(overdue | warning)


class CaseCategoryFilterSet(BaseFilterSet):
    search_fields = ("code", "name")
    kind = django_filters.ChoiceFilter(choices=CaseKind.choices, label="类型")
    major = django_filters.BooleanFilter(field_name="parent", lookup_expr="isnull", label="仅大类")
    parent = django_filters.ModelChoiceFilter(
        queryset=CaseCategory.objects.filter(parent__isnull=True), label="大类"
    )

    class Meta:
        model = CaseCategory
        fields = ["kind", "parent", "active"]


class DepartmentFilterSet(WithinMixin, BaseFilterSet):
    search_fields = ("name", "code")
    within = django_filters.CharFilter(method="filter_within", label="所属区域代码")

    class Meta:
        model = Department
        fields = ["active"]


class DispatchRuleFilterSet(WithinMixin, BaseFilterSet):
    search_fields = ("category__name", "category__code", "department__name")
    category = django_filters.ModelChoiceFilter(queryset=_minor_categories, label="小类")
    department = django_filters.ModelChoiceFilter(queryset=_departments, label="责任部门")
    within = django_filters.CharFilter(method="filter_within", label="所属区域代码")

    class Meta:
        model = DispatchRule
        fields = ["category", "department"]


class TimeLimitFilterSet(BaseFilterSet):
    search_fields = ("category__name", "category__code")
    category = django_filters.ModelChoiceFilter(queryset=_minor_categories, label="小类")
    urgency = django_filters.ChoiceFilter(choices=Urgency.choices, label="紧急程度")
    step = django_filters.ChoiceFilter(choices=Step.choices, label="环节")

    class Meta:
        model = TimeLimit
        fields = ["category", "urgency", "step", "unit"]


class CalendarDayFilterSet(BaseFilterSet):
    search_fields = ("note",)
    year = django_filters.NumberFilter(field_name="date", lookup_expr="year", label="年份")

    class Meta:
        model = CalendarDay
        fields = ["is_workday"]


class SupervisionOrderFilterSet(WithinMixin, BaseFilterSet):
    search_fields = ("instructions", "answer", "case__number")
    status = django_filters.MultipleChoiceFilter(choices=SupervisionStatus.choices, label="状态")
    level = django_filters.ChoiceFilter(choices=SupervisionLevel.choices, label="督办级别")
    department = django_filters.ModelChoiceFilter(queryset=_departments, label="被督办部门")
    case = _id_filter("case", "事件ID")
    issued_by = _id_filter("issued_by", "下达人ID")
    answered_by = _id_filter("answered_by", "回复人ID")
    escalated_to = _id_filter("escalated_to", "升级后督办单ID")
    region = _id_filter("region", "所属区域ID")
    within = django_filters.CharFilter(method="filter_within", label="所属区域代码")

    class Meta:
        model = SupervisionOrder
        fields = [
            "status",
            "level",
            "department",
            "case",
            "issued_by",
            "answered_by",
            "escalated_to",
            "region",
        ]


class TaskFilterSet(WithinMixin, BaseFilterSet):
    search_fields = ("title", "result")
    kind = django_filters.ChoiceFilter(choices=TaskKind.choices, label="类型")
    status = django_filters.MultipleChoiceFilter(choices=TaskStatus.choices, label="状态")
    mine = django_filters.BooleanFilter(method="filter_mine", label="只看我的")
    assignee = _id_filter("assignee", "执行人ID")
    case = _id_filter("case", "事件ID")
    region = _id_filter("region", "所属区域ID")
    within = django_filters.CharFilter(method="filter_within", label="所属区域代码")

    class Meta:
        model = Task
        fields = ["kind", "status", "assignee", "case", "region"]

    def filter_mine(self, queryset, name, value):
        if value and self.request is not None:
            return queryset.filter(assignee=self.request.user)
        return queryset


class VisitFilterSet(WithinMixin, BaseFilterSet):
    search_fields = ("target", "place", "findings")
    visited_from = django_filters.DateFilter(
        field_name="visited_at", lookup_expr="date__gte", label="走访日期起"
    )
    visited_to = django_filters.DateFilter(
        field_name="visited_at", lookup_expr="date__lte", label="走访日期止"
    )
    within = django_filters.CharFilter(method="filter_within", label="所属区域代码")

    class Meta:
        model = Visit
        fields = ["visitor"]
