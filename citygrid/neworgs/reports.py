"""两新组织月报: tiered filing (分级填报) — a community counts its organisations, each level above
sums its children's submitted reports — submission upward, and 催报 of the late.

The month's figures of a community (written down in docs/neworgs-reports.md):
- they are the records as they stand when the report is generated (`generated_at`, T);
- new and closed organisations are those recorded in the window [S, T): S is the generation
  time of the community's latest submitted earlier report, else the first instant of the month.
  A record created, or closed, after a report was submitted therefore lands in the next month's
  window: "later edits go to the next month", and a submitted report never changes;
- "new" is by the record's `created` time; "closed" by the change-log entry that first gave it
  a 注销日期 (an organisation whose closure is entered late is counted in the month it was
  entered, whatever date it bears).
Every figure is one grouped query, whatever the number of organisations.
"""

from datetime import date, datetime, time

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Count, Exists, Max, OuterRef, Q, Sum
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce
from django.utils import timezone

from citygrid.core import records
from citygrid.core.errors import ActionError, RecordNotFound
from citygrid.core.models import ObjectChange
from citygrid.neworgs.choices import OrganisationKind
from citygrid.neworgs.models import (
    MonthlyReport,
    MonthlyReportLine,
    MonthlyReportReminder,
    NewOrganisation,
    OrgBranch,
)
from citygrid.neworgs.models.reports import BRANCH_COLUMNS, ReportState
from citygrid.regions.choices import RegionLevel
from citygrid.regions.models import Region

# Bottom up; each files to the one above (the city's report closes the chain).
REPORTING_LEVELS = (
    RegionLevel.COMMUNITY,
    RegionLevel.TOWNSHIP,
    RegionLevel.COUNTY,
    RegionLevel.CITY,
)
CHILD_LEVEL = {
    RegionLevel.TOWNSHIP: RegionLevel.COMMUNITY,
    RegionLevel.COUNTY: RegionLevel.TOWNSHIP,
    RegionLevel.CITY: RegionLevel.COUNTY,
}
FIGURES = ("total", "new", "closed", "full_time_staff", "employees", *BRANCH_COLUMNS.values())
SUBMIT_PERMISSION = "neworgs.submit_monthlyreport"
REMIND_PERMISSION = "neworgs.remind_monthlyreport"


class ReportNotFound(RecordNotFound):
    def __init__(self):
        super().__init__("月报不存在或不在您的管辖范围内")


def first_instant(month: date) -> datetime:
    return timezone.make_aware(datetime.combine(month, time.min))


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def previous_month(month: date) -> date:
    return date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)


def month_label(month: date) -> str:
    return f"{month.year}年{month.month}月"


def window_start(region: Region, month: date) -> datetime:
    """S: where the community's latest submitted earlier report stopped counting."""
    last = (
        MonthlyReport.objects.filter(region=region, month__lt=month, state=ReportState.SUBMITTED)
        .order_by("-month")
        .values_list("generated_at", flat=True)
        .first()
    )
    return last or first_instant(month)


def _empty() -> dict[str, dict[str, int]]:
    return {kind: dict.fromkeys(FIGURES, 0) for kind in OrganisationKind.values}


def count_community(region: Region, start: datetime, end: datetime) -> dict[str, dict[str, int]]:
    """A community's figures per kind: its subtree (grids and village groups included)."""
    figures = _empty()
    active = Q(closed_on__isnull=True)
    branches = {
        column: Count(
            "pk",
            filter=active
            & Q(Exists(OrgBranch.objects.filter(organisation=OuterRef("pk"), kind=kind))),
        )
        for kind, column in BRANCH_COLUMNS.items()
    }
    rows = (
        NewOrganisation.objects.filter(region_code__within=region.code, created__lt=end)
        .order_by()
        .values("kind")
        .annotate(
            total=Count("pk", filter=active),
            new=Count("pk", filter=Q(created__gte=start)),
            full_time_staff=Coalesce(Sum("full_time_staff", filter=active), 0),
            employees=Coalesce(Sum("employees", filter=active), 0),
            **branches,
        )
    )
    for row in rows:
        figures[row.pop("kind")].update(row)
    closures = (
        ObjectChange.objects.filter(
            content_type=ContentType.objects.get_for_model(NewOrganisation),
            region_code__within=region.code,
            time__gte=start,
            time__lt=end,
            postchange_data__has_key="closed_on",
        )
        .exclude(postchange_data__closed_on=None)
        .filter(Q(prechange_data__isnull=True) | Q(prechange_data__closed_on=None))
        .order_by()
        .values(kind=KT("postchange_data__kind"))
        .annotate(n=Count("object_id", distinct=True))
    )
    for row in closures:
        if row["kind"] in figures:
            figures[row["kind"]]["closed"] = row["n"]
    return figures


def roll_up(region: Region, month: date) -> dict[str, dict[str, int]]:
    """The sum of the children's submitted reports: one grouped query over their lines."""
    figures = _empty()
    rows = (
        MonthlyReportLine.objects.filter(
            report__month=month,
            report__state=ReportState.SUBMITTED,
            report__region__parent=region,
        )
        .order_by()
        .values("kind")
        .annotate(**{name: Sum(name) for name in FIGURES})
    )
    for row in rows:
        figures[row.pop("kind")].update(row)
    return figures


def children(region: Region):
    """The regions that file to this one (none below a community)."""
    level = CHILD_LEVEL.get(region.level)
    if level is None:
        return Region.objects.none()
    return Region.objects.filter(parent=region, level=level).order_by("code")


def missing(region: Region, month: date) -> list[Region]:
    """The children whose report of the month has not been submitted."""
    submitted = MonthlyReport.objects.filter(
        region=OuterRef("pk"), month=month, state=ReportState.SUBMITTED
    )
    return list(children(region).exclude(Exists(submitted)).only("id", "code", "name"))


def _check_month(month: date, now: datetime) -> None:
    if month.day != 1:
        raise ActionError("invalid_month", "月份须为当月第一天", 400)
    if first_instant(month) > now:
        raise ActionError("future_month", f"{month_label(month)}尚未开始，不能生成月报", 400)


def _check_actor(actor, region: Region) -> None:
    if not actor.has_perm(SUBMIT_PERMISSION):
        raise ActionError("permission_denied", "您没有生成和上报月报的权限", 403)
    if not actor.covers(region.code):
        raise ReportNotFound


def _locked(region: Region, month: date) -> MonthlyReport | None:
    return (
        MonthlyReport.objects.select_for_update(of=("self",))
        .filter(region=region, month=month)
        .first()
    )


def generate_report(
    region: Region, month: date, *, actor, now: datetime | None = None
) -> MonthlyReport:
    """生成 (or regenerate while not submitted) a region's report of a month."""
    now = now or timezone.now()
    _check_actor(actor, region)
    if region.level not in REPORTING_LEVELS:
        raise ActionError("not_reporting", "只有社区（村）及以上区域填报月报", 400)
    _check_month(month, now)
    with transaction.atomic():
        report = _locked(region, month) or MonthlyReport(region=region, month=month)
        if report.state == ReportState.SUBMITTED:
            raise ActionError("frozen", "该月报已上报，不能重新生成", 409)
        later = MonthlyReport.objects.filter(
            region=region, month__gt=month, state=ReportState.SUBMITTED
        )
        if later.exists():
            raise ActionError("later_submitted", "以后月份的月报已上报，不能再生成本月月报", 409)
        if region.level == RegionLevel.COMMUNITY:
            start = window_start(region, month)
            figures = count_community(region, start, now)
        else:
            start = first_instant(month)
            figures = roll_up(region, month)
        report.state, report.return_reason = ReportState.DRAFT, ""
        report.generated_at, report.window_start = now, start
        records.save_record(report, actor=actor)
        report.lines.all().delete()
        MonthlyReportLine.objects.bulk_create(
            MonthlyReportLine(report=report, kind=kind, **values)
            for kind, values in figures.items()
        )
    return report


def submit_report(report: MonthlyReport, *, actor, now: datetime | None = None) -> MonthlyReport:
    """上报: frozen from then on. A level above a community submits only when every child has
    submitted and its sum was generated after the last of them (else the level above would
    receive a sum short of some communities, and a late child could never reach the city)."""
    now = now or timezone.now()
    _check_actor(actor, report.region)
    with transaction.atomic():
        fresh = _locked(report.region, report.month)
        if fresh is None:
            raise ReportNotFound
        if fresh.state == ReportState.SUBMITTED:
            raise ActionError("already_submitted", "该月报已上报，不能重复上报", 409)
        if fresh.state == ReportState.RETURNED:
            raise ActionError("returned", "该月报已被退回，请重新生成后再上报", 409)
        late = missing(fresh.region, fresh.month)
        if late:
            names = "、".join(region.name for region in late[:5])
            more = f"等 {len(late)} 个" if len(late) > 5 else ""
            message = f"下级尚未全部上报（{names}{more}），不能上报"
            raise ActionError("children_missing", message, 409)
        newer = MonthlyReport.objects.filter(
            region__parent=fresh.region, month=fresh.month, submitted_at__gt=fresh.generated_at
        )
        if newer.exists():
            raise ActionError("stale", "下级月报在本月报生成后才上报，请重新生成后再上报", 409)
        fresh.state = ReportState.SUBMITTED
        fresh.submitted_by, fresh.submitted_at = actor, now
        fields = ["state", "submitted_by", "submitted_at"]
        records.save_record(fresh, actor=actor, update_fields=fields)
    return fresh


def return_report(report: MonthlyReport, *, actor, reason: str) -> MonthlyReport:
    """退回: the level above sends a child's submitted report back with a reason, while its own
    report of the month is not submitted (the child's figures are then still unused above)."""
    parent = report.region.parent
    if not actor.has_perm(SUBMIT_PERMISSION):
        raise ActionError("permission_denied", "您没有退回月报的权限", 403)
    if parent is None or not actor.covers(parent.code):
        raise ActionError("not_above", "只有上级可以退回月报", 403)
    reason = (reason or "").strip()
    if not reason:
        raise ActionError("reason_required", "请填写退回原因", 400)
    with transaction.atomic():
        fresh = _locked(report.region, report.month)
        if fresh is None or fresh.state != ReportState.SUBMITTED:
            raise ActionError("not_submitted", "只能退回已上报的月报", 409)
        above = MonthlyReport.objects.filter(
            region=parent, month=fresh.month, state=ReportState.SUBMITTED
        )
        if above.exists():
            raise ActionError("parent_submitted", "上级月报已上报，不能再退回", 409)
        fresh.state, fresh.return_reason = ReportState.RETURNED, reason[:200]
        records.save_record(fresh, actor=actor, update_fields=["state", "return_reason"])
    return fresh


def lines_of(report: MonthlyReport) -> list[MonthlyReportLine]:
    """The report's lines in the order of the kinds, with a total line appended."""
    lines = sorted(report.lines.all(), key=lambda line: OrganisationKind.values.index(line.kind))
    total = MonthlyReportLine(report=report, kind="")
    for name in FIGURES:
        setattr(total, name, sum(getattr(line, name) for line in lines))
    return [*lines, total]


def board(region: Region, month: date) -> list[dict]:
    """The status board of the children of a region for a month: three queries."""
    rows = list(children(region).only("id", "code", "name"))
    reports = {
        r.region_id: r
        for r in MonthlyReport.objects.filter(region__parent=region, month=month).select_related(
            "submitted_by"
        )
    }
    reminded = dict(
        MonthlyReportReminder.objects.filter(region__parent=region, month=month)
        .order_by()
        .values_list("region_id")
        .annotate(last=Max("sent_at"))
    )
    return [
        {"region": child, "report": reports.get(child.pk), "reminded_at": reminded.get(child.pk)}
        for child in rows
    ]


def late_regions(month: date):
    """Regions below the city whose report of the month is not submitted and who have had no
    automatic reminder for it yet."""
    submitted = MonthlyReport.objects.filter(
        region=OuterRef("pk"), month=month, state=ReportState.SUBMITTED
    )
    reminded = MonthlyReportReminder.objects.filter(
        region=OuterRef("pk"), month=month, automatic=True
    )
    return (
        Region.objects.filter(level__in=REPORTING_LEVELS[:-1])
        .exclude(Exists(submitted))
        .exclude(Exists(reminded))
        .order_by("code")
    )
