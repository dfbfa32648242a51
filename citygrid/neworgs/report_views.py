"""The monthly report's pages: one page per region and month (its own report with generate and
submit, and the status board of the regions filing to it, with 催报 and 退回), the XLSX exports,
and the POST endpoints of the actions."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from citygrid.core.errors import ActionError
from citygrid.core.io.files import CONTENT_TYPES
from citygrid.neworgs import reports, reports_export, reports_remind
from citygrid.neworgs.choices import BranchKind
from citygrid.neworgs.models import MonthlyReport
from citygrid.neworgs.models.reports import BRANCH_COLUMNS, ReportState
from citygrid.regions.models import Region

VIEW_PERMISSION = "neworgs.view_monthlyreport"


def _check_view(user) -> None:
    if not user.has_perm(VIEW_PERMISSION):
        raise PermissionDenied


def _month(value: str | None) -> date:
    """`YYYY-MM`; by default last month (the one being filed in the first days of a month)."""
    if value:
        try:
            year, month = (int(part) for part in value.split("-"))
            return date(year, month, 1)
        except ValueError as exc:
            raise Http404("月份格式应为 年-月") from exc
    return reports.previous_month(timezone.localdate().replace(day=1))


def _region(user, pk) -> Region:
    """The region asked for, if inside the user's territory; else the top of that territory."""
    if pk:
        try:
            region = Region.objects.select_related("parent").get(pk=int(pk))
        except (ValueError, Region.DoesNotExist) as exc:
            raise Http404 from exc
        if not user.covers(region.code):
            raise Http404
        return region
    if user.is_superuser:
        top = Region.objects.filter(parent=None).order_by("code").first()
    else:
        top = user.scope_regions.order_by("code").first()
    if top is None:
        raise Http404("您没有管辖区域")
    return top


def _page_url(region: Region, month: date) -> str:
    return f"{reverse('neworgs:monthlyreport_home')}?region={region.pk}&month={month:%Y-%m}"


def _months(chosen: date) -> list[tuple[str, str]]:
    """The month picker's choices: the last two years, newest first, and the month shown."""
    month = timezone.localdate().replace(day=1)
    months = []
    for _ in range(24):
        months.append(month)
        month = reports.previous_month(month)
    if chosen not in months:
        months = sorted([*months, chosen], reverse=True)
    return [(f"{m:%Y-%m}", reports.month_label(m)) for m in months]


def _percent(part: int, whole: int) -> str:
    return f"{part / whole:.1%}" if whole else "—"


def _display(report: MonthlyReport) -> list[dict]:
    rows = []
    for line in reports.lines_of(report):
        counts = [getattr(line, BRANCH_COLUMNS[kind]) for kind in BranchKind.values]
        rows.append(
            {
                "label": line.get_kind_display() if line.kind else "合计",
                "figures": [
                    line.total,
                    line.new,
                    line.closed,
                    line.full_time_staff,
                    line.employees,
                ],
                "branches": [(n, _percent(n, line.total)) for n in counts],
                "is_total": not line.kind,
            }
        )
    return rows


@login_required
def home(request):
    user = request.user
    _check_view(user)
    region = _region(user, request.GET.get("region"))
    month = _month(request.GET.get("month"))
    report = (
        MonthlyReport.objects.filter(region=region, month=month)
        .select_related("submitted_by")
        .first()
    )
    may_submit = user.has_perm(reports.SUBMIT_PERMISSION)
    frozen = report is not None and report.state == ReportState.SUBMITTED
    rows = [{**row, "url": _page_url(row["region"], month)} for row in reports.board(region, month)]
    missing = sum(1 for row in rows if not _is_submitted(row["report"]))
    above = region.parent if region.parent_id and user.covers(region.parent.code) else None
    context = {
        "region": region,
        "month": month,
        "month_label": reports.month_label(month),
        "month_value": f"{month:%Y-%m}",
        "months": _months(month),
        "previous": _page_url(region, reports.previous_month(month)),
        "next": _page_url(region, reports.next_month(month)),
        "report": report,
        "lines": _display(report) if report else [],
        "branch_labels": [label for _, label in BranchKind.choices],
        "can_generate": may_submit and region.level in reports.REPORTING_LEVELS and not frozen,
        "can_submit": may_submit and report is not None and report.state == ReportState.DRAFT,
        "missing": missing,
        "submitted": len(rows) - missing,
        "board": rows,
        "can_remind": user.has_perm(reports.REMIND_PERMISSION),
        "can_return": may_submit,
        "above": above,
        "above_url": _page_url(above, month) if above else "",
    }
    return render(request, "neworgs/reports/home.html", context)


def _is_submitted(report) -> bool:
    return report is not None and report.state == ReportState.SUBMITTED


@login_required
def report_detail(request, pk: int):
    _check_view(request.user)
    report = get_object_or_404(MonthlyReport.objects.restrict(request.user, "view"), pk=pk)
    return redirect(_page_url(report.region, report.month))


def _act(request, action, success: str, target: tuple[Region, date]):
    try:
        action()
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return redirect(_page_url(*target))


@login_required
@require_POST
def generate(request):
    _check_view(request.user)
    region = _region(request.user, request.POST.get("region"))
    month = _month(request.POST.get("month"))
    return _act(
        request,
        lambda: reports.generate_report(region, month, actor=request.user),
        "月报已生成，请审核后上报",
        (region, month),
    )


def _report(request, pk: int) -> MonthlyReport:
    _check_view(request.user)
    return get_object_or_404(
        MonthlyReport.objects.restrict(request.user, "view").select_related("region__parent"),
        pk=pk,
    )


@login_required
@require_POST
def submit(request, pk: int):
    report = _report(request, pk)
    return _act(
        request,
        lambda: reports.submit_report(report, actor=request.user),
        "月报已上报",
        (report.region, report.month),
    )


@login_required
@require_POST
def return_(request, pk: int):
    report = _report(request, pk)
    parent = report.region.parent
    return _act(
        request,
        lambda: reports.return_report(
            report, actor=request.user, reason=request.POST.get("reason", "")
        ),
        f"已退回{report.region.name}的月报",
        (parent or report.region, report.month),
    )


@login_required
@require_POST
def remind(request):
    _check_view(request.user)
    region = _region(request.user, request.POST.get("region"))
    month = _month(request.POST.get("month"))
    parent = region.parent or region
    reminder = {}

    def send():
        reminder["sent"] = reports_remind.remind(region, month, actor=request.user)

    response = _act(request, send, f"已向{region.name}催报", (parent, month))
    if reminder and not reminder["sent"].recipients:
        messages.warning(request, f"{region.name}暂无可上报月报的人员账号，催报未送达任何人")
    return response


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=CONTENT_TYPES["xlsx"])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def export_report(request, pk: int):
    report = _report(request, pk)
    data = reports_export.report_workbook(report)
    return _xlsx(data, f"neworgs_monthly_{report.region.code}_{report.month:%Y%m}.xlsx")


@login_required
def export_board(request):
    _check_view(request.user)
    region = _region(request.user, request.GET.get("region"))
    month = _month(request.GET.get("month"))
    data = reports_export.board_workbook(region, month)
    return _xlsx(data, f"neworgs_monthly_status_{region.code}_{month:%Y%m}.xlsx")
