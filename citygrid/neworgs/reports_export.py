"""The monthly report and the status board as XLSX with Chinese headers, in the project's
export style (`core.io.files`)."""

from datetime import date

from django.utils import timezone

from citygrid.core.io.files import add_sheet, new_workbook, workbook_bytes
from citygrid.neworgs import reports
from citygrid.neworgs.choices import BranchKind
from citygrid.neworgs.models import MonthlyReport
from citygrid.neworgs.models.reports import BRANCH_COLUMNS, ReportState
from citygrid.regions.models import Region

FIGURE_HEADERS = ["期末总数", "本月新增", "本月注销", "专职工作人员数", "从业人员数"]
BRANCH_HEADERS = [label for _, label in BranchKind.choices]


def rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def report_rows(report: MonthlyReport) -> list[list]:
    rows = []
    for line in reports.lines_of(report):
        counts = [getattr(line, BRANCH_COLUMNS[kind]) for kind in BranchKind.values]
        rows.append(
            [
                line.get_kind_display() if line.kind else "合计",
                line.total,
                line.new,
                line.closed,
                line.full_time_staff,
                line.employees,
                *counts,
                *(rate(n, line.total) for n in counts),
            ]
        )
    return rows


def report_workbook(report: MonthlyReport) -> bytes:
    wb = new_workbook()
    header = [
        "组织类型",
        *FIGURE_HEADERS,
        *(f"建立{label}数" for label in BRANCH_HEADERS),
        *(f"{label}覆盖率" for label in BRANCH_HEADERS),
    ]
    sheet = add_sheet(wb, "月报", header, report_rows(report))
    first_rate = 1 + len(FIGURE_HEADERS) + len(BRANCH_HEADERS) + 1
    for row in sheet.iter_rows(min_row=2, min_col=first_rate):
        for cell in row:
            cell.number_format = "0.0%"
    info = [
        ["区域", report.region.name],
        ["区划代码", report.region.code],
        ["月份", reports.month_label(report.month)],
        ["状态", report.get_state_display()],
        ["生成时间", f"{timezone.localtime(report.generated_at):%Y-%m-%d %H:%M}"],
        ["上报人", str(report.submitted_by or "")],
        [
            "上报时间",
            f"{timezone.localtime(report.submitted_at):%Y-%m-%d %H:%M}"
            if report.submitted_at
            else "",
        ],
    ]
    add_sheet(wb, "报表信息", ["项目", "内容"], info)
    return workbook_bytes(wb)


def board_workbook(region: Region, month: date) -> bytes:
    rows = []
    for row in reports.board(region, month):
        report = row["report"]
        submitted = report is not None and report.state == ReportState.SUBMITTED
        rows.append(
            [
                row["region"].code,
                row["region"].name,
                report.get_state_display() if report else "未生成",
                str(report.submitted_by or "") if submitted else "",
                f"{timezone.localtime(report.submitted_at):%Y-%m-%d %H:%M}" if submitted else "",
                f"{timezone.localtime(row['reminded_at']):%Y-%m-%d %H:%M}"
                if row["reminded_at"]
                else "",
            ]
        )
    wb = new_workbook()
    header = ["区划代码", "区域名称", "上报状态", "上报人", "上报时间", "最近催报时间"]
    add_sheet(wb, f"{reports.month_label(month)}上报情况", header, rows)
    return workbook_bytes(wb)
