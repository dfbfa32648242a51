import django_tables2 as tables
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.timezone import localtime

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
    WorkingPeriod,
)
from citygrid.cases.templatetags.case_tags import countdown, lateness_badge, state_badge
from citygrid.core.tables import BaseTable

SUPERVISION_BADGE = {"open": "red", "answered": "blue", "closed": "green", "escalated": "dark"}
TASK_BADGE = {"open": "orange", "done": "green", "cancelled": "secondary"}


def _badge(colour: str, label: str):
    return format_html('<span class="badge bg-{}-lt">{}</span>', colour, label)


class CaseTable(BaseTable):
    number = tables.Column(linkify=True)
    category = tables.Column(verbose_name="小类", accessor="category__name")
    state = tables.Column()
    lateness = tables.Column(verbose_name="时效", empty_values=(), orderable=False)
    step_deadline = tables.Column(verbose_name="环节时限")
    department = tables.Column(verbose_name="责任部门", accessor="department__name")
    reported_at = tables.DateTimeColumn(format="Y-m-d H:i", attrs={"td": {"class": "text-nowrap"}})

    class Meta(BaseTable.Meta):
        model = Case
        fields = (
            "number",
            "category",
            "channel",
            "state",
            "lateness",
            "step_deadline",
            "urgency",
            "address",
            "department",
            "reported_at",
        )

    def render_state(self, value, record):
        return state_badge(record.state)

    def render_lateness(self, record):
        return lateness_badge(record)

    def render_step_deadline(self, value, record):
        return countdown(value) if record.is_open and not record.paused_at else "—"

    def render_address(self, value):
        return Truncator(value).chars(16)


class CaseCategoryTable(BaseTable):
    code = tables.Column(linkify=True)
    name = tables.Column(linkify=True)
    parent = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = CaseCategory
        fields = ("kind", "code", "name", "parent", "active")


class DepartmentTable(BaseTable):
    name = tables.Column(linkify=True)
    region = tables.Column(verbose_name="所属区域")
    member_count = tables.Column(verbose_name="处置人员数", orderable=True)

    class Meta(BaseTable.Meta):
        model = Department
        fields = ("name", "code", "region", "phone", "member_count", "active")


class DispatchRuleTable(BaseTable):
    category = tables.Column(linkify=lambda record: record.get_absolute_url())
    region = tables.Column(verbose_name="适用区域")
    department = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = DispatchRule
        fields = ("category", "region", "department")


class TimeLimitTable(BaseTable):
    category = tables.Column(linkify=lambda record: record.get_absolute_url())

    class Meta(BaseTable.Meta):
        model = TimeLimit
        fields = ("category", "urgency", "step", "amount", "unit")


class CalendarDayTable(BaseTable):
    date = tables.DateColumn(format="Y-m-d", linkify=True)

    class Meta(BaseTable.Meta):
        model = CalendarDay
        fields = ("date", "is_workday", "note")


class WorkingPeriodTable(BaseTable):
    start = tables.TimeColumn(format="H:i", linkify=True)
    end = tables.TimeColumn(format="H:i")

    class Meta(BaseTable.Meta):
        model = WorkingPeriod
        fields = ("start", "end")


class SupervisionOrderTable(BaseTable):
    level = tables.Column(linkify=True)
    case = tables.Column(verbose_name="督办对象", empty_values=(), orderable=False)
    department = tables.Column()
    status = tables.Column()
    required_by = tables.Column()
    created = tables.DateTimeColumn(verbose_name="督办时间", format="Y-m-d H:i")

    class Meta(BaseTable.Meta):
        model = SupervisionOrder
        fields = ("level", "case", "department", "status", "required_by", "issued_by", "created")

    def render_case(self, record):
        """The case or the dispute the order is about."""
        subject = record.subject
        if subject is None:
            return "—"
        kind = "纠纷" if record.dispute_id else "事件"
        return format_html('{} <a href="{}">{}</a>', kind, subject.get_absolute_url(), subject)

    def render_status(self, value, record):
        return _badge(SUPERVISION_BADGE.get(record.status, "secondary"), value)

    def render_required_by(self, value, record):
        return countdown(value) if record.status == "open" else f"{localtime(value):%Y-%m-%d %H:%M}"


class TaskTable(BaseTable):
    title = tables.Column(linkify=True)
    region = tables.Column(verbose_name="网格")
    status = tables.Column()
    due_at = tables.Column()
    case = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = Task
        fields = ("title", "kind", "region", "assignee", "status", "due_at", "case")

    def render_status(self, value, record):
        return _badge(TASK_BADGE.get(record.status, "secondary"), value)

    def render_due_at(self, value, record):
        return countdown(value) if record.status == "open" else "—"


class VisitTable(BaseTable):
    visited_at = tables.DateTimeColumn(format="Y-m-d H:i", linkify=True)
    region = tables.Column(verbose_name="网格")
    case = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = Visit
        fields = ("visited_at", "target", "place", "region", "visitor", "next_visit", "case")
