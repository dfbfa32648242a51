"""日报告 and 周报告: each level's dispute report, compiled from the disputes and their event
history, then submitted upward by a person (`submit_report`).

Who reports: the levels with a 综治中心 or 综治工作站 — community, township, county, city. A grid
is a worker's beat, not a level that receives or files reports. Townships and above file every
period, a 零报告 included: they are a few hundred rows and the level above expects one from
each. A community files only when it has something to report (a figure that is not zero); its
township's report names the communities without one as 零报告, so the "nothing happened" is
still stated without ten thousand empty rows a day.

Every figure is as at the end of the period, worked out from the history (the dispute's
columns when nothing happened to it since, else its last event before the end): compiling the
same period again gives the same content, so the periodic job may run every few minutes and
only writes what a late commit changed. Each figure is one grouped query per level
(`Substr(region_code, 1, n)`), whatever the number of regions.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.fields.json import KT
from django.db.models.functions import Substr, TruncDate
from django.utils import timezone

from citygrid.accounts.models import User
from citygrid.core import records
from citygrid.core.errors import ActionError, RecordNotFound
from citygrid.core.locks import only_one
from citygrid.disputes.choices import (
    OPEN_STATES,
    DisputeLevel,
    Outcome,
    ReportKind,
    ReportStatus,
)
from citygrid.disputes.models import Dispute, DisputeEvent, DisputeReport
from citygrid.notify.services import notify_user
from citygrid.regions.choices import CODE_LENGTH, RegionLevel
from citygrid.regions.models import Region

# Bottom up; a report goes to the level above its own.
REPORTING_LEVELS = (
    RegionLevel.COMMUNITY,
    RegionLevel.TOWNSHIP,
    RegionLevel.COUNTY,
    RegionLevel.CITY,
)
ALWAYS_FILE = (RegionLevel.TOWNSHIP, RegionLevel.COUNTY, RegionLevel.CITY)
# The city's report could list every urgent dispute of a bad week; the count stays whole.
URGENT_LIST_LIMIT = 50
RISKS = (
    ("risk_petition", "可能越级上访"),
    ("risk_mass_incident", "可能引发群体性事件"),
    ("risk_criminal", "可能民转刑"),
)
PERMISSION = "disputes.submit_disputereport"
# Longer than the longest compile: a worker that dies holding the lock frees it after this.
LOCK_SECONDS = 600


class CompileBusy(ValueError):
    """Another process is compiling the same period: its reports will be the same."""


class ReportNotFound(RecordNotFound):
    def __init__(self):
        super().__init__("报告不存在或不在您的管辖范围内")


@dataclass
class Compiled:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    submitted: int = 0  # already submitted: left as they were


def period_of(kind: str, start: date) -> tuple[date, date]:
    """The first and last day of a period; a week runs Monday to Sunday."""
    if kind == ReportKind.DAILY:
        return start, start
    if kind == ReportKind.WEEKLY:
        if start.weekday() != 0:
            raise ValueError(f"周报告的起始日期须为星期一，{start:%Y-%m-%d} 不是")
        return start, start + timedelta(days=6)
    raise ValueError(f"未知的报告类型：{kind}")


def last_period(kind: str, today: date) -> date:
    """The start of the latest period that has ended by `today`."""
    if kind == ReportKind.WEEKLY:
        return today - timedelta(days=today.weekday() + 7)
    return today - timedelta(days=1)


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def empty_content(days: list[date] | None) -> dict:
    """A report with nothing in it (a 零报告); `days` for a weekly one's trend."""
    content = {
        "new": {"total": 0, "by_category": {}, "by_level": {}},
        "urgent": {"total": 0, "items": []},
        "concluded": {"total": 0, **dict.fromkeys(Outcome.values, 0)},
        "archived": 0,
        "backlog": 0,
        "overdue": 0,
    }
    if days is not None:
        content["trend"] = [{"day": d.isoformat(), "new": 0, "concluded": 0} for d in days]
    return content


def _bump(counter: dict, key: str, n: int) -> None:
    counter[key] = counter.get(key, 0) + n


class _Figures:
    """Each region code's content, filled a grouped query at a time."""

    def __init__(self, days: list[date] | None):
        self.days = days
        self.by_code: dict[str, dict] = {}

    def of(self, code: str) -> dict:
        if code not in self.by_code:
            self.by_code[code] = empty_content(self.days)
        return self.by_code[code]

    def trend_day(self, code: str, day: date) -> dict | None:
        if self.days is None:
            return None
        return self.of(code)["trend"][(day - self.days[0]).days]


def _prefixed(queryset, length: int):
    return queryset.order_by().annotate(prefix=Substr("region_code", 1, length))


def _count_level(figures: _Figures, length: int, start: datetime, end: datetime) -> None:
    """The four grouped queries of one level: new disputes, conclusions and archives, and the
    backlog at the end (disputes unchanged since, then those changed since, rewound)."""
    tz = timezone.get_current_timezone()
    new = (
        _prefixed(Dispute.objects.filter(reported_at__gte=start, reported_at__lt=end), length)
        .annotate(day=TruncDate("reported_at", tzinfo=tz))
        .values("prefix", "category", "level", "day")
        .annotate(n=Count("pk"))
    )
    for row in new:
        if len(row["prefix"]) != length:
            continue  # a dispute registered at a level above this one
        content = figures.of(row["prefix"])
        content["new"]["total"] += row["n"]
        _bump(content["new"]["by_category"], row["category"], row["n"])
        _bump(content["new"]["by_level"], row["level"], row["n"])
        if (day := figures.trend_day(row["prefix"], row["day"])) is not None:
            day["new"] += row["n"]

    flow = (
        _prefixed(
            DisputeEvent.objects.filter(
                action__in=("conclude", "archive"), time__gte=start, time__lt=end
            ),
            length,
        )
        .annotate(day=TruncDate("time", tzinfo=tz), outcome=KT("data__outcome"))
        .values("prefix", "action", "outcome", "day")
        .annotate(n=Count("pk"))
    )
    for row in flow:
        if len(row["prefix"]) != length:
            continue
        content = figures.of(row["prefix"])
        if row["action"] == "archive":
            content["archived"] += row["n"]
            continue
        content["concluded"]["total"] += row["n"]
        _bump(content["concluded"], row["outcome"] or "", row["n"])
        if (day := figures.trend_day(row["prefix"], row["day"])) is not None:
            day["concluded"] += row["n"]

    since = DisputeEvent.objects.filter(time__gte=end)
    steady = (
        _prefixed(
            Dispute.objects.filter(state__in=OPEN_STATES, reported_at__lt=end).exclude(
                Exists(since.filter(dispute_id=OuterRef("pk")))
            ),
            length,
        )
        .values("prefix")
        .annotate(
            backlog=Count("pk"),
            overdue=Count("pk", filter=Q(step_deadline__lt=end)),
        )
    )
    # Changed since the end (few, for a period just over): the state and step deadline their
    # last event before the end left them with.
    last = DisputeEvent.objects.filter(dispute_id=OuterRef("pk"), time__lt=end).order_by(
        "-time", "-id"
    )
    spanning = (
        _prefixed(
            Dispute.objects.filter(reported_at__lt=end, pk__in=since.values("dispute_id")).annotate(
                state_then=Subquery(last.values("to_state")[:1]),
                deadline_then=Subquery(last.values("step_deadline")[:1]),
            ),
            length,
        )
        .values("prefix")
        .annotate(
            backlog=Count("pk", filter=Q(state_then__in=OPEN_STATES)),
            overdue=Count("pk", filter=Q(state_then__in=OPEN_STATES, deadline_then__lt=end)),
        )
    )
    for rows in (steady, spanning):
        for row in rows:
            if len(row["prefix"]) != length or not row["backlog"]:
                continue
            content = figures.of(row["prefix"])
            content["backlog"] += row["backlog"]
            content["overdue"] += row["overdue"]


def _add_urgent(figures: _Figures, lengths: list[int], start: datetime, end: datetime) -> None:
    """Disputes reported upward in the period (at registration or assessment): their number,
    title, level and risks — never a party. One query for every level; few rows."""
    acted = DisputeEvent.objects.filter(
        action__in=("register", "assess"), time__gte=start, time__lt=end
    )
    urgent = (
        Dispute.objects.filter(
            urgent_reported_at__gte=start,
            urgent_reported_at__lt=end,
            pk__in=acted.values("dispute_id"),
        )
        .order_by("urgent_reported_at", "number")
        .values("region_code", "number", "title", "level", *(name for name, _ in RISKS))
    )
    for row in urgent:
        item = {
            "number": row["number"],
            "title": row["title"],
            "level": row["level"],
            "risks": [label for name, label in RISKS if row[name]],
        }
        for length in lengths:
            if len(row["region_code"]) < length:
                continue
            listed = figures.of(row["region_code"][:length])["urgent"]
            listed["total"] += 1
            if len(listed["items"]) < URGENT_LIST_LIMIT:
                listed["items"].append(item)


def _is_blank(content: dict) -> bool:
    return (
        not content["new"]["total"]
        and not content["urgent"]["total"]
        and not content["concluded"]["total"]
        and not content["archived"]
        and not content["backlog"]
    )


def compile_reports(kind: str, period_start: date, now: datetime | None = None) -> Compiled:
    """Compile (or bring up to date) every level's report of one period. A report already
    submitted is left as it was; one whose content is unchanged is not written. One process at
    a time per period (the job and a hand-run command would both insert the new ones)."""
    now = now or timezone.now()
    first, last = period_of(kind, period_start)
    if _midnight(last + timedelta(days=1)) > now:
        raise ValueError(f"报告期 {first:%Y-%m-%d} 至 {last:%Y-%m-%d} 尚未结束")
    with only_one(f"disputes:reports:{kind}:{first:%Y-%m-%d}", LOCK_SECONDS) as mine:
        if not mine:
            raise CompileBusy(f"{first:%Y-%m-%d} 的{ReportKind(kind).label}正在由另一进程生成")
        return _compile(kind, first, last, now)


def _compile(kind: str, first: date, last: date, now: datetime) -> Compiled:
    start, end = _midnight(first), _midnight(last + timedelta(days=1))
    days = [first + timedelta(days=i) for i in range(7)] if kind == ReportKind.WEEKLY else None
    figures = _Figures(days)
    lengths = [CODE_LENGTH[level] for level in REPORTING_LEVELS]
    for length in lengths:
        _count_level(figures, length, start, end)
    _add_urgent(figures, lengths, start, end)

    community = CODE_LENGTH[RegionLevel.COMMUNITY]
    active = [
        code
        for code, content in figures.by_code.items()
        if len(code) == community and not _is_blank(content)
    ]
    period = DisputeReport.objects.filter(kind=kind, period_start=first)
    # A community compiled before stays in, to be emptied if its disputes were deleted since.
    regions = (
        Region.objects.filter(
            Q(level__in=ALWAYS_FILE)
            | Q(level=RegionLevel.COMMUNITY, code__in=active)
            | Q(pk__in=period.values("region_id"))
        )
        .only("id", "code", "level", "name")
        .order_by("code")
    )
    existing = {report.region_id: report for report in period}
    result = Compiled()
    new, changed = [], []
    for region in regions:
        content = figures.by_code.get(region.code) or empty_content(days)
        report = existing.get(region.pk)
        if report is None:
            report = DisputeReport(
                region=region,
                kind=kind,
                period_start=first,
                period_end=last,
                content=content,
                compiled_at=now,
            )
            records.full_clean(report, unique=False)
            new.append(report)
        elif report.status == ReportStatus.SUBMITTED:
            result.submitted += 1
        elif report.content == content:
            result.unchanged += 1
        else:
            report.content, report.compiled_at = content, now
            records.full_clean(report, unique=False)
            changed.append(report)
    with transaction.atomic():
        records.create_records(DisputeReport, new, actor=None)
        records.update_records(
            DisputeReport, changed, actor=None, fields=["content", "compiled_at"]
        )
    result.created, result.updated = len(new), len(changed)
    return result


def compile_due(now: datetime | None = None) -> dict[str, Compiled | None]:
    """The periodic job's run: yesterday's daily reports and last week's weekly ones (None for
    a kind another process is compiling right now)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    done: dict[str, Compiled | None] = {}
    for kind in ReportKind:
        try:
            done[kind] = compile_reports(kind, last_period(kind, today), now)
        except CompileBusy:
            done[kind] = None
    return done


def level_above(region: Region) -> Region | None:
    """Where a report goes: the parent (the city's leaves the system)."""
    return region.parent if region.level != RegionLevel.CITY else None


def recipients(report: DisputeReport):
    """Active users of the level above whose territory is that level's region and who may read
    reports."""
    above = level_above(report.region)
    if above is None:
        return User.objects.none()
    return User.objects.filter(
        is_active=True,
        roles__permissions__content_type__app_label=DisputeReport._meta.app_label,
        roles__permissions__codename="view_disputereport",
        scope_regions=above,
    ).distinct()


def submit_report(report: DisputeReport, *, actor, now: datetime | None = None) -> DisputeReport:
    """上报: the report goes up as compiled and is read-only from then on; the level above is
    told in-app after the commit."""
    now = now or timezone.now()
    with transaction.atomic():
        fresh = (
            DisputeReport.objects.restrict(actor, "view")
            .select_for_update(of=("self",))
            .filter(pk=report.pk)
            .first()
        )
        if fresh is None:
            raise ReportNotFound
        if not actor.has_perm(PERMISSION):
            raise ActionError("permission_denied", "您没有上报纠纷报告的权限", 403)
        if fresh.status == ReportStatus.SUBMITTED:
            raise ActionError("already_submitted", "该报告已上报，不能重复上报", 409)
        fresh.status = ReportStatus.SUBMITTED
        fresh.submitted_by, fresh.submitted_at = actor, now
        records.save_record(
            fresh, actor=actor, update_fields=["status", "submitted_by", "submitted_at"]
        )
        transaction.on_commit(lambda: _tell(fresh.pk, actor.pk))
    return fresh


def _tell(report_id: int, actor_id: int) -> None:
    report = DisputeReport.objects.select_related("region__parent").get(pk=report_id)
    for user in recipients(report).exclude(pk=actor_id):
        notify_user(
            user,
            f"{report.region.name}{report.get_kind_display()}已上报",
            f"{report.period_start:%Y-%m-%d} 至 {report.period_end:%Y-%m-%d}",
            url=report.get_absolute_url(),
        )


def level_label(level: str) -> str:
    return DisputeLevel(level).label if level in DisputeLevel.values else level
