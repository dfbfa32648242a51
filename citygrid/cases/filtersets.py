import django_filters
from django.core.validators import RegexValidator
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
from citygrid.regions.models import Region
from citygrid.regions.widgets import PICKER_COLUMNS, RegionPicker, within_filter


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
    """A foreign key by id, for tables too large for a drop-down (cases, users, regions): a
    hidden input on the page (`BaseFilterSet`), set by links from a record's page and the API."""
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
    within = within_filter()

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


def _scope_regions(request):
    # Validates the picked id only (the picker searches remotely): the user's territory.
    regions = Region.objects.exclude(level="village_group").only(*PICKER_COLUMNS)
    return regions if request is None else regions.in_scope(request.user)


class DeskFilterSet(django_filters.FilterSet):
    """The desk's filters. Each reads an indexed column — the number's unique index as a
    prefix range, the channel, minor class, state and department indexes, the region code's
    range — so a filter stays an index scan in a city of millions of cases. There is no
    free-text box: `icontains` on descriptions reads every row in scope."""

    number = django_filters.CharFilter(
        method="filter_number",
        label="案件编号",
        max_length=20,
        validators=[RegexValidator(r"^\d+$", "案件编号只含数字，可只输入开头几位")],
    )
    channel = django_filters.ChoiceFilter(choices=Channel.choices, label="来源")
    category = django_filters.ModelChoiceFilter(queryset=_minor_categories, label="小类")
    state = django_filters.ChoiceFilter(choices=CaseState.choices, label="状态")
    department = django_filters.ModelChoiceFilter(queryset=_departments, label="责任部门")
    region = django_filters.ModelChoiceFilter(
        queryset=_scope_regions,
        method="filter_region",
        label="区域/网格",
        widget=RegionPicker,
    )

    class Meta:
        model = Case
        fields = ["number", "channel", "category", "state", "department", "region"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, f in self.form.fields.items():
            f.widget.attrs.setdefault(
                "class", "form-control" if name == "number" else "form-select"
            )
        self.form.fields["number"].widget.attrs.update(
            {"inputmode": "numeric", "placeholder": "编号或开头几位"}
        )

    def filter_number(self, queryset, name, value):
        # Numbers are digit strings (day + sequence): a prefix is a range of the unique index.
        return queryset.filter(number__within=value)

    def filter_region(self, queryset, name, value):
        return queryset.filter(region_code__within=value.code)


class CaseCategoryFilterSet(BaseFilterSet):
    search_fields = ("code", "name", "keywords")
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
    within = within_filter()

    class Meta:
        model = Department
        fields = ["active"]


class DispatchRuleFilterSet(WithinMixin, BaseFilterSet):
    search_fields = ("category__name", "category__code", "department__name")
    category = django_filters.ModelChoiceFilter(queryset=_minor_categories, label="小类")
    department = django_filters.ModelChoiceFilter(queryset=_departments, label="责任部门")
    within = within_filter()

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
    case = _id_filter("case", "事件")
    issued_by = _id_filter("issued_by", "下达人")
    answered_by = _id_filter("answered_by", "回复人")
    escalated_to = _id_filter("escalated_to", "升级后督办单")
    region = _id_filter("region", "所属区域")
    within = within_filter()

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
    assignee = _id_filter("assignee", "执行人")
    case = _id_filter("case", "事件")
    region = _id_filter("region", "所属区域")
    within = within_filter()

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
    within = within_filter()

    class Meta:
        model = Visit
        fields = ["visitor"]
