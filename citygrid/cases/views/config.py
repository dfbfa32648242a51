"""Configuration of the workflow: categories, departments, the dispatch matrix, time limits and
the working calendar. Generic views; only the detail pages add their related records."""

from django.db.models import Count

from citygrid.accounts.widgets import account_search_view
from citygrid.cases import filtersets, forms, tables
from citygrid.cases.choices import OPEN_STATES, Step, Urgency
from citygrid.cases.models import (
    CalendarDay,
    Case,
    CaseCategory,
    Department,
    DispatchRule,
    TimeLimit,
    WorkingPeriod,
)
from citygrid.cases.views.common import ListView, RecordView
from citygrid.core.views import generic

# --- categories -------------------------------------------------------------------------------


class CaseCategoryListView(ListView):
    model = CaseCategory
    queryset = CaseCategory.objects.select_related("parent")
    table = tables.CaseCategoryTable
    filterset = filtersets.CaseCategoryFilterSet


class CaseCategoryView(generic.ObjectView):
    model = CaseCategory
    queryset = CaseCategory.objects.select_related("parent")

    def extra_context(self, obj):
        user = self.request.user
        context = {"children": obj.children.order_by("code")}
        if obj.is_minor:
            # The matrix row of this class: which department handles it where.
            context["rules"] = (
                DispatchRule.objects.restrict(user, "view")
                .filter(category=obj)
                .select_related("region", "department")
                .order_by("region_code")
            )
            limits = TimeLimit.objects.restrict(user, "view").filter(category=obj)
            order = {v: i for i, v in enumerate([*Urgency.values, *Step.values])}
            context["time_limits"] = sorted(limits, key=lambda t: (order[t.urgency], order[t.step]))
        return context


class CaseCategoryEditView(generic.ObjectEditView):
    model = CaseCategory
    form = forms.CaseCategoryForm


class CaseCategoryDeleteView(generic.ObjectDeleteView):
    model = CaseCategory


class CaseCategoryChangeLogView(generic.ObjectChangeLogView):
    model = CaseCategory


class CaseCategoryImportView(generic.ImportView):
    model = CaseCategory


class CaseCategoryExportView(generic.ExportView):
    model = CaseCategory
    filterset = filtersets.CaseCategoryFilterSet


# --- departments ------------------------------------------------------------------------------


class DepartmentListView(ListView):
    model = Department
    queryset = Department.objects.select_related("region").annotate(member_count=Count("members"))
    table = tables.DepartmentTable
    filterset = filtersets.DepartmentFilterSet


class DepartmentView(generic.ObjectView):
    model = Department
    queryset = Department.objects.select_related("region")

    def extra_context(self, obj):
        user = self.request.user
        return {
            "members": obj.members.order_by("username"),
            "rules": DispatchRule.objects.restrict(user, "view")
            .filter(department=obj)
            .select_related("category", "region"),
            "open_cases": Case.objects.restrict(user, "view")
            .filter(department=obj, state__in=OPEN_STATES)
            .count(),
        }


class DepartmentEditView(generic.ObjectEditView):
    model = Department
    form = forms.DepartmentForm


class DepartmentDeleteView(generic.ObjectDeleteView):
    model = Department


class DepartmentChangeLogView(generic.ObjectChangeLogView):
    model = Department


class DepartmentImportView(generic.ImportView):
    model = Department


class DepartmentExportView(generic.ExportView):
    model = Department
    filterset = filtersets.DepartmentFilterSet


# --- dispatch matrix --------------------------------------------------------------------------


class DispatchRuleListView(ListView):
    model = DispatchRule
    queryset = DispatchRule.objects.select_related("category", "region", "department")
    table = tables.DispatchRuleTable
    filterset = filtersets.DispatchRuleFilterSet


class DispatchRuleView(RecordView):
    model = DispatchRule
    fields = ("category", "region", "department")


class DispatchRuleEditView(generic.ObjectEditView):
    model = DispatchRule
    form = forms.DispatchRuleForm


class DispatchRuleDeleteView(generic.ObjectDeleteView):
    model = DispatchRule


class DispatchRuleChangeLogView(generic.ObjectChangeLogView):
    model = DispatchRule


# --- time limits ------------------------------------------------------------------------------


class TimeLimitListView(ListView):
    model = TimeLimit
    queryset = TimeLimit.objects.select_related("category")
    table = tables.TimeLimitTable
    filterset = filtersets.TimeLimitFilterSet


class TimeLimitView(RecordView):
    model = TimeLimit
    fields = ("category", "urgency", "step", "amount", "unit")


class TimeLimitEditView(generic.ObjectEditView):
    model = TimeLimit
    form = forms.TimeLimitForm


class TimeLimitDeleteView(generic.ObjectDeleteView):
    model = TimeLimit


class TimeLimitChangeLogView(generic.ObjectChangeLogView):
    model = TimeLimit


# --- working calendar -------------------------------------------------------------------------


class CalendarDayListView(ListView):
    model = CalendarDay
    table = tables.CalendarDayTable
    filterset = filtersets.CalendarDayFilterSet
    template_name = "cases/calendar_list.html"


class CalendarDayView(RecordView):
    model = CalendarDay
    fields = ("date", "is_workday", "note")


class CalendarDayEditView(generic.ObjectEditView):
    model = CalendarDay
    form = forms.CalendarDayForm


class CalendarDayDeleteView(generic.ObjectDeleteView):
    model = CalendarDay


class CalendarDayChangeLogView(generic.ObjectChangeLogView):
    model = CalendarDay


class WorkingPeriodListView(generic.ObjectListView):
    model = WorkingPeriod
    table = tables.WorkingPeriodTable
    template_name = "cases/calendar_list.html"


class WorkingPeriodView(RecordView):
    model = WorkingPeriod
    fields = ("start", "end")


class WorkingPeriodEditView(generic.ObjectEditView):
    model = WorkingPeriod
    form = forms.WorkingPeriodForm


class WorkingPeriodDeleteView(generic.ObjectDeleteView):
    model = WorkingPeriod


class WorkingPeriodChangeLogView(generic.ObjectChangeLogView):
    model = WorkingPeriod


# Matches for a department's handlers (`accounts/widgets.py`): keepers of departments only.
department_account_search = account_search_view(
    ("cases.add_department", "cases.change_department"), "您没有维护处置部门的权限"
)
