"""事件指标: KPI cards, one row and bar per child region, the monthly trend, satisfaction and the
department ranking, and the same figures as an Excel file.

Scope works as everywhere else: no `cases.view_case` → 403; a requested region or department
outside the user's territory → 404; figures only ever come from events of cases inside it.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django import forms
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views import View
from openpyxl import Workbook

from citygrid.cases import indicators
from citygrid.cases.indicators import INDICATORS, RATE, IndicatorSet
from citygrid.cases.models import Case, Department
from citygrid.cases.routing import departments_for
from citygrid.core.io.files import CONTENT_TYPES, add_sheet, new_workbook, workbook_bytes
from citygrid.core.middleware import client_ip
from citygrid.core.models import AccessLog
from citygrid.core.routers import replica_reads
from citygrid.regions.choices import RegionLevel
from citygrid.regions.models import Region

PERMISSION = "cases.view_case"
PERIODS = (
    ("month", "本月"),
    ("last_month", "上月"),
    ("quarter", "本季度"),
    ("year", "本年"),
    ("custom", "自定义"),
)
KPI_KEYS = (
    "registered",
    "closed",
    "due_to_close",
    "close_rate",
    "on_time_close_rate",
    "on_time_handle_rate",
    "rework_rate",
    "extension_rate",
    "overdue_handling",
    "inspector_rate",
    "avg_handling_hours",
    "satisfaction",
)
REGION_COLUMNS = (
    "registered",
    "inspector_rate",
    "closed",
    "due_to_close",
    "close_rate",
    "on_time_close_rate",
    "handled",
    "on_time_handle_rate",
    "rework_rate",
    "overdue_handling",
    "satisfaction",
)
DEPARTMENT_COLUMNS = (
    "dispatched",
    "returned",
    "handled",
    "due_to_handle",
    "on_time_handle_rate",
    "rework_rate",
    "extension_rate",
    "overdue_handling",
    "closed",
    "close_rate",
    "avg_handling_hours",
    "satisfaction",
)
# Levels offered in the region picker; deeper regions are reached by drilling down the table.
PICKER_LEVELS = (RegionLevel.CITY, RegionLevel.COUNTY, RegionLevel.TOWNSHIP)


def _month_start(day: date, months_ahead: int = 0) -> date:
    index = day.year * 12 + day.month - 1 + months_ahead
    return date(index // 12, index % 12 + 1, 1)


def period_bounds(period: str, today: date, start=None, end=None) -> tuple[date, date]:
    """[first day, day after the last) of a preset, or of custom dates (both inclusive)."""
    if period == "custom":
        return start, end + timedelta(days=1)
    if period == "last_month":
        return _month_start(today, -1), _month_start(today)
    if period == "quarter":
        first = date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
        return first, _month_start(first, 3)
    if period == "year":
        return date(today.year, 1, 1), date(today.year + 1, 1, 1)
    return _month_start(today), _month_start(today, 1)


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


class FilterForm(forms.Form):
    region = forms.ChoiceField(label="区域", required=False)
    period = forms.ChoiceField(label="统计期间", choices=PERIODS)
    start = forms.DateField(
        label="开始日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label="结束日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    department = forms.ModelChoiceField(
        label="部门", queryset=Department.objects.none(), required=False, empty_label="全部部门"
    )

    def __init__(self, data, *, regions, departments):
        super().__init__(data)
        self.fields["region"].choices = [("", "全部管辖范围")] + [
            (r.code, f"{'　' * (len(r.code) // 3 - 1)}{r.name}") for r in regions
        ]
        self.fields["department"].queryset = departments
        for field in self.fields.values():
            select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = "form-select" if select else "form-control"

    def clean(self):
        data = super().clean()
        if data.get("period") == "custom":
            start, end = data.get("start"), data.get("end")
            if not (start and end):
                raise forms.ValidationError("自定义期间请填写开始和结束日期")
            if start > end:
                raise forms.ValidationError("开始日期不能晚于结束日期")
        return data


@dataclass
class Selection:
    """What the user asked for, checked against their territory."""

    region: Region | None
    children: list[Region]
    trail: list[Region]
    department: Department | None
    first_day: date
    last_day: date
    start: datetime
    end: datetime
    territory: list[str] | None  # scope codes, only when no region narrows the figures to it

    @property
    def region_code(self) -> str:
        return self.region.code if self.region else ""

    @property
    def department_id(self) -> int | None:
        return self.department.pk if self.department else None

    @property
    def label(self) -> str:
        return f"{self.first_day:%Y-%m-%d} 至 {self.last_day:%Y-%m-%d}"

    def scope(self) -> dict:
        return {"region_code": self.region_code, "territory": self.territory}


def _default_region(user) -> Region | None:
    if user.is_superuser:
        roots = list(Region.objects.filter(parent__isnull=True)[:2])
        return roots[0] if len(roots) == 1 else None
    codes = user.scope_codes()
    return Region.objects.filter(code=codes[0]).first() if len(codes) == 1 else None


def _requested_region(user, params) -> Region | None:
    code = params.get("region")
    if code is None:
        return _default_region(user)
    if code == "":
        return None
    region = Region.objects.in_scope(user).filter(code=code).first()
    if region is None:
        raise Http404("区域不存在或不在您的管辖范围内")
    return region


def _check_department(departments: QuerySet, params) -> None:
    pk = params.get("department")
    if pk and not (pk.isdigit() and departments.filter(pk=pk).exists()):
        raise Http404("部门不存在或不在您的管辖范围内")


def _children(user, region: Region | None) -> list[Region]:
    if region:
        return list(region.children.order_by("code"))
    if user.is_superuser:
        return list(Region.objects.filter(parent__isnull=True).order_by("code"))
    return list(Region.objects.filter(code__in=user.scope_codes()).order_by("code"))


def select(request) -> tuple[Selection, FilterForm]:
    """The selection from the query string: 403 without permission, 404 outside the territory.
    An invalid period falls back to this month, with the form's errors shown."""
    user = request.user
    if not user.has_perm(PERMISSION):
        raise PermissionDenied("您没有查看事件指标的权限")
    region = _requested_region(user, request.GET)
    departments = departments_for(user)
    _check_department(departments, request.GET)
    regions = list(Region.objects.in_scope(user).filter(level__in=PICKER_LEVELS).order_by("code"))
    if region and region not in regions:
        regions.append(region)
    data = request.GET.copy()
    data.setdefault("region", region.code if region else "")
    data.setdefault("period", "month")
    form = FilterForm(data, regions=regions, departments=departments)
    today = timezone.localdate()
    if form.is_valid():
        cleaned = form.cleaned_data
        first, after = period_bounds(cleaned["period"], today, cleaned["start"], cleaned["end"])
    else:
        first, after = period_bounds("month", today)
    trail = []
    if region:
        trail = [r for r in region.ancestors() if user.covers(r.code)] + [region]
    territory = None
    if region is None and not user.is_superuser:
        territory = user.scope_codes()
    selection = Selection(
        region=region,
        children=_children(user, region),
        trail=trail,
        department=form.cleaned_data.get("department"),
        first_day=first,
        last_day=after - timedelta(days=1),
        start=_midnight(first),
        end=_midnight(after),
        territory=territory,
    )
    return selection, form


def figures(selection: Selection, now: datetime) -> indicators.Overview:
    with replica_reads():  # statistics: the read replica's, when one is configured
        return indicators.overview(
            selection.children,
            department_id=selection.department_id,
            start=selection.start,
            end=selection.end,
            now=now,
            **selection.scope(),
        )


def _columns(keys) -> list:
    return [indicators.BY_KEY[k] for k in keys]


def _link(request, region: Region) -> str:
    params = request.GET.copy()
    params["region"] = region.code
    return params.urlencode()


class IndicatorsView(LoginRequiredMixin, View):
    template_name = "stats/indicators.html"

    def get(self, request):
        selection, form = select(request)
        found = figures(selection, timezone.now())
        scope = selection.scope()
        with replica_reads():
            trend = indicators.monthly_trend(
                last_month=selection.last_day, department_id=selection.department_id, **scope
            )
            scores = indicators.satisfaction_distribution(
                start=selection.start,
                end=selection.end,
                department_id=selection.department_id,
                **scope,
            )
        total = found.total.display()
        context = {
            "form": form,
            "selection": selection,
            "trail": [(r, _link(request, r)) for r in selection.trail],
            "kpis": [(i, total[i.key]) for i in _columns(KPI_KEYS)],
            "satisfaction": total["satisfaction"],
            "all_indicators": [(i, total[i.key]) for i in INDICATORS],
            "region_columns": _columns(REGION_COLUMNS),
            "region_rows": [
                (row.region, _row(row.indicators, REGION_COLUMNS), _link(request, row.region))
                for row in found.regions
            ],
            "department_columns": _columns(DEPARTMENT_COLUMNS),
            "department_rows": [
                (row.department, _row(row.indicators, DEPARTMENT_COLUMNS))
                for row in found.departments
            ],
            "chart": _chart(found, trend, scores),
            "query": request.GET.urlencode(),
        }
        return render(request, self.template_name, context)


def _row(ind: IndicatorSet, keys) -> list[str]:
    shown = ind.display()
    return [shown[key] for key in keys]


def _chart(found: indicators.Overview, trend: list, scores: dict[int, int]) -> dict:
    """The series the page's ECharts draw (`static/citygrid/stats_indicators.js`)."""
    return {
        "regions": {
            "names": [row.region.name for row in found.regions],
            "registered": [row.indicators.registered for row in found.regions],
            "closed": [row.indicators.closed for row in found.regions],
            "on_time_close_rate": [
                _percent(row.indicators.on_time_close_rate) for row in found.regions
            ],
        },
        "trend": {
            "months": [f"{p.month:%Y-%m}" for p in trend],
            "registered": [p.registered for p in trend],
            "closed": [p.closed for p in trend],
        },
        "satisfaction": {
            "scores": [f"{score}分" for score in scores],
            "counts": list(scores.values()),
        },
    }


def _percent(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 2)


def _sheet(wb: Workbook, title: str, header: list[str], rows: list[list]) -> None:
    sheet = add_sheet(wb, title, header, rows)
    lead = len(header) - len(INDICATORS)
    for row in sheet.iter_rows(min_row=2, min_col=lead + 1):
        for indicator, cell in zip(INDICATORS, row, strict=True):
            if indicator.kind == RATE:
                cell.number_format = "0.00%"
            elif indicator.kind != "count":
                cell.number_format = "0.00"
    sheet.freeze_panes = sheet.cell(2, lead + 1)


def _values(ind: IndicatorSet) -> list:
    return [ind.value(i.key) for i in INDICATORS]


def workbook(selection: Selection, found: indicators.Overview) -> tuple[bytes, int]:
    """Two sheets, 区域 and 部门, with every indicator; rates as Excel percentages."""
    names = [i.name for i in INDICATORS]
    region_rows = [[r.region.code, r.region.name, *_values(r.indicators)] for r in found.regions]
    total_name = selection.region.name if selection.region else "全部管辖范围"
    region_rows.append([selection.region_code, f"合计（{total_name}）", *_values(found.total)])
    department_rows = [
        [rank, row.department.code, row.department.name, *_values(row.indicators)]
        for rank, row in enumerate(found.departments, start=1)
    ]
    wb = new_workbook()
    _sheet(wb, "区域", ["区划代码", "区域名称", *names], region_rows)
    _sheet(wb, "部门", ["排名", "部门代码", "部门名称", *names], department_rows)
    return workbook_bytes(wb), len(found.regions) + len(department_rows)


class ExportView(LoginRequiredMixin, View):
    def get(self, request):
        selection, _form = select(request)
        found = figures(selection, timezone.now())
        data, count = workbook(selection, found)
        department = selection.department.name if selection.department else "全部"
        AccessLog.objects.create(
            user=request.user,
            user_name=request.user.get_username(),
            action=AccessLog.Action.EXPORT,
            content_type=ContentType.objects.get_for_model(Case),
            record_count=count,
            detail=(
                f"事件指标 xlsx 区域={selection.region_code or '全部'} "
                f"期间={selection.label} 部门={department}"
            )[:500],
            ip=client_ip(request),
        )
        response = HttpResponse(data, content_type=CONTENT_TYPES["xlsx"])
        filename = f"indicators_{selection.first_day:%Y%m%d}_{selection.last_day:%Y%m%d}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
