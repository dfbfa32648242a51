"""Case indicators (GB/T 30428.4, standards §6.4), computed from the `CaseEvent` history.

Counters on `Case` drift and cannot be cut after the fact; the append-only event history can be
cut by any region, department, person and period (DESIGN §4). docs/indicators.md explains each
choice. In short, for a period ``[start, end)`` (an event at ``start`` counts, one at ``end``
does not):

Flow counts, events with ``start <= time < end``:
    上报数 reported            ``report`` events
    立案数 registered          ``register`` events
    监督员上报立案数            ``register`` events of cases whose ``report`` event came from a
                               field channel (`FIELD_CHANNELS`: 监督员上报, 网格员上报)
    派遣数 dispatched          ``dispatch`` events (a re-dispatch after a return counts again)
    退回数 returned            ``return`` events
    处置数 handled             ``report_back`` events (each rework round counts again)
    按期处置数                  ``report_back`` events with ``on_time`` true (the handling step)
    返工数 reworked            ``verify_fail`` events
    延期数 extended            ``approve_extension`` events
    结案数 closed              ``close`` events
    按期结案数                  ``close`` events of cases with no event ``on_time = false`` at or
                               before the close: every timed step (register, dispatch, accept,
                               handle, verify, close) finished within its limit
    评价数 / 满意度             ``evaluate`` events with ``data.satisfaction``; mean score
    平均处置时长                mean ``elapsed_seconds`` of ``report_back`` events, in hours of
                               the step's clock (working hours unless the limit is calendar hours)

Backlog at ``T = min(end, now)`` (a snapshot, not a flow), from the case's last event before T
(the state, step deadline and department that event left):
    超期未处置数 overdue_handling  cases 待签收/处置中 (dispatched, handling) with deadline < T
    超期未结案数 overdue_open      cases registered and not closed (待派遣 … 待结案, not 挂账, whose
                                  clock is stopped) with the current step's deadline < T

Derived; a ratio is None when its denominator is 0:
    应处置数 = 处置数 + 超期未处置数        应结案数 = 结案数 + 超期未结案数
    处置率 = 处置数 / 应处置数              结案率 = 结案数 / 应结案数
    按期处置率 = 按期处置数 / 应处置数      按期结案率 = 按期结案数 / 应结案数
    返工率 = 返工数 / 处置数                延期率 = 延期数 / 派遣数
    监督员上报率 = 监督员上报立案数 / 立案数

Filters: region = ``CaseEvent.region_code`` prefix (the case's grid); department = the event's
``department_id`` (the case's department after the action; a ``return`` event counts for
``data.returned_by_department_id``), and for the backlog the case's department at T; person =
``actor_id`` (a person's reports, registrations, dispatches, handling ...). Backlogs belong to
departments, not people: with a person filter they are None and 应X = X.
"""

import os
from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date, datetime

from django.db.models import (
    BigIntegerField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce, Substr, TruncMonth
from django.utils import timezone

from citygrid.cases.choices import CaseState, Channel
from citygrid.cases.models import Case, CaseEvent, Department

# Reports found by the centre's own people in the field (监督员 and, in grid governance, 网格员)
# as against hotline, WeChat, web desk, Open311 and video.
FIELD_CHANNELS = (Channel.INSPECTOR, Channel.GRID_APP)
HANDLING_STATES = (CaseState.DISPATCHED, CaseState.HANDLING)
CLOSING_STATES = (
    CaseState.REGISTERED,
    CaseState.DISPATCHED,
    CaseState.HANDLING,
    CaseState.REPORTED_BACK,
    CaseState.VERIFIED,
)

COUNT, RATE, HOURS, SCORE = "count", "rate", "hours", "score"


@dataclass(frozen=True)
class Indicator:
    key: str
    name: str
    kind: str
    formula: str


INDICATORS: tuple[Indicator, ...] = (
    Indicator("reported", "上报数", COUNT, "本期上报事件数"),
    Indicator("registered", "立案数", COUNT, "本期立案数"),
    Indicator("inspector_registered", "监督员上报立案数", COUNT, "立案中监督员、网格员上报的"),
    Indicator("inspector_rate", "监督员上报率", RATE, "监督员上报立案数 / 立案数"),
    Indicator("dispatched", "派遣数", COUNT, "本期派遣次数"),
    Indicator("returned", "退回数", COUNT, "本期部门退回次数"),
    Indicator("handled", "处置数", COUNT, "本期处置反馈次数"),
    Indicator("handled_on_time", "按期处置数", COUNT, "时限内完成的处置反馈次数"),
    Indicator("overdue_handling", "超期未处置数", COUNT, "期末待签收、处置中且已超期的事件"),
    Indicator("due_to_handle", "应处置数", COUNT, "处置数 + 超期未处置数"),
    Indicator("handle_rate", "处置率", RATE, "处置数 / 应处置数"),
    Indicator("on_time_handle_rate", "按期处置率", RATE, "按期处置数 / 应处置数"),
    Indicator("avg_handling_hours", "平均处置时长（工作时）", HOURS, "处置环节平均用时"),
    Indicator("reworked", "返工数", COUNT, "核查未通过次数"),
    Indicator("rework_rate", "返工率", RATE, "返工数 / 处置数"),
    Indicator("extended", "延期数", COUNT, "批准延期次数"),
    Indicator("extension_rate", "延期率", RATE, "延期数 / 派遣数"),
    Indicator("closed", "结案数", COUNT, "本期结案数"),
    Indicator("closed_on_time", "按期结案数", COUNT, "各环节均未超期的结案数"),
    Indicator("overdue_open", "超期未结案数", COUNT, "期末已立案未结案且当前环节超期的事件"),
    Indicator("due_to_close", "应结案数", COUNT, "结案数 + 超期未结案数"),
    Indicator("close_rate", "结案率", RATE, "结案数 / 应结案数"),
    Indicator("on_time_close_rate", "按期结案率", RATE, "按期结案数 / 应结案数"),
    Indicator("evaluated", "评价数", COUNT, "本期评价次数"),
    Indicator("satisfaction", "满意度", SCORE, "评价得分平均（1–5 分）"),
)
BY_KEY = {indicator.key: indicator for indicator in INDICATORS}


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def format_value(kind: str, value) -> str:
    """As shown on screen: "—" where there is nothing to divide by."""
    if value is None:
        return "—"
    if kind == RATE:
        return f"{value * 100:.2f}%"
    if kind == HOURS:
        return f"{value:.2f}"
    if kind == SCORE:
        return f"{value:.2f}"
    return str(value)


@dataclass(frozen=True)
class IndicatorSet:
    """The raw counts of one slice; every indicator of `INDICATORS` is an attribute."""

    reported: int = 0
    registered: int = 0
    inspector_registered: int = 0
    dispatched: int = 0
    returned: int = 0
    handled: int = 0
    handled_on_time: int = 0
    handling_seconds: int = 0  # sum over the report_back events that carry elapsed_seconds
    handling_timed: int = 0  # how many carry it
    reworked: int = 0
    extended: int = 0
    closed: int = 0
    closed_on_time: int = 0
    evaluated: int = 0
    satisfaction_total: int = 0
    overdue_handling: int | None = 0  # None: not attributed (person filter)
    overdue_open: int | None = 0

    @property
    def due_to_handle(self) -> int:
        return self.handled + (self.overdue_handling or 0)

    @property
    def due_to_close(self) -> int:
        return self.closed + (self.overdue_open or 0)

    @property
    def inspector_rate(self) -> float | None:
        return _ratio(self.inspector_registered, self.registered)

    @property
    def handle_rate(self) -> float | None:
        return _ratio(self.handled, self.due_to_handle)

    @property
    def on_time_handle_rate(self) -> float | None:
        return _ratio(self.handled_on_time, self.due_to_handle)

    @property
    def rework_rate(self) -> float | None:
        return _ratio(self.reworked, self.handled)

    @property
    def extension_rate(self) -> float | None:
        return _ratio(self.extended, self.dispatched)

    @property
    def close_rate(self) -> float | None:
        return _ratio(self.closed, self.due_to_close)

    @property
    def on_time_close_rate(self) -> float | None:
        return _ratio(self.closed_on_time, self.due_to_close)

    @property
    def avg_handling_hours(self) -> float | None:
        seconds = _ratio(self.handling_seconds, self.handling_timed)
        return None if seconds is None else seconds / 3600

    @property
    def satisfaction(self) -> float | None:
        return _ratio(self.satisfaction_total, self.evaluated)

    def value(self, key: str):
        return getattr(self, BY_KEY[key].key)

    def display(self) -> dict[str, str]:
        return {i.key: format_value(i.kind, getattr(self, i.key)) for i in INDICATORS}


@dataclass(frozen=True)
class RegionIndicators:
    region: object
    indicators: IndicatorSet


@dataclass(frozen=True)
class DepartmentIndicators:
    department: Department
    indicators: IndicatorSet


@dataclass(frozen=True)
class MonthPoint:
    month: date
    registered: int
    closed: int


_EVENT_FIELDS = {f.name for f in fields(IndicatorSet)} - {"overdue_handling", "overdue_open"}
# The department an event counts for: a return clears the case's department before the event
# is written, so the department that returned it is in the data.
DEPARTMENT_KEY = Coalesce(
    "department_id", Cast(KT("data__returned_by_department_id"), BigIntegerField())
)


def _department_q(department_id: int) -> Q:
    return Q(department_id=department_id) | Q(
        action="return", department_id__isnull=True, data__returned_by_department_id=department_id
    )


def _check_period(start: datetime, end: datetime) -> None:
    if timezone.is_naive(start) or timezone.is_naive(end):
        raise ValueError("start and end must be aware datetimes")
    if start >= end:
        raise ValueError("start must be before end")


def _events(
    *,
    region_code: str,
    department_id: int | None,
    person_id: int | None,
    start,
    end,
    base_queryset,
) -> QuerySet:
    qs = base_queryset if base_queryset is not None else CaseEvent.objects.all()
    qs = qs.filter(time__gte=start, time__lt=end)
    if region_code:
        qs = qs.filter(region_code__startswith=region_code)
    if department_id is not None:
        qs = qs.filter(_department_q(department_id))
    if person_id is not None:
        qs = qs.filter(actor_id=person_id)
    return qs.order_by()


def _grouped(qs: QuerySet, key, aggregates: dict) -> dict:
    """{key: {name: value}}: one row per group, or the whole queryset under the key None."""
    if key is None:
        return {None: qs.aggregate(**aggregates)}
    rows = qs.annotate(group_key=key).values("group_key").annotate(**aggregates).order_by()
    return {row.pop("group_key"): row for row in rows}


def _event_counts(events: QuerySet, key=None) -> dict:
    case_events = CaseEvent.objects.filter(case_id=OuterRef("case_id"))
    field_report = case_events.filter(action="report", data__channel__in=FIELD_CHANNELS)
    late_step = case_events.filter(on_time=False, time__lte=OuterRef("time"))
    score = Cast(KT("data__satisfaction"), IntegerField())

    def n(action: str, *conditions) -> Count:
        return Count("pk", filter=Q(*conditions, action=action))

    aggregates = {
        "reported": n("report"),
        "registered": n("register"),
        "inspector_registered": Count("pk", filter=Q(action="register") & Exists(field_report)),
        "dispatched": n("dispatch"),
        "returned": n("return"),
        "handled": n("report_back"),
        "handled_on_time": n("report_back", Q(on_time=True)),
        "handling_seconds": Sum("elapsed_seconds", filter=Q(action="report_back")),
        "handling_timed": Count("elapsed_seconds", filter=Q(action="report_back")),
        "reworked": n("verify_fail"),
        "extended": n("approve_extension"),
        "closed": n("close"),
        "closed_on_time": Count("pk", filter=Q(action="close") & ~Exists(late_step)),
        "evaluated": Count(score, filter=Q(action="evaluate")),
        "satisfaction_total": Sum(score, filter=Q(action="evaluate")),
    }
    return {
        group: {name: value or 0 for name, value in row.items()}
        for group, row in _grouped(events, key, aggregates).items()
    }


def _backlog(
    *, region_code: str, department_id: int | None, base_queryset, at: datetime, key=None
) -> dict:
    """Overdue open cases at `at`, grouped by `key` (an expression over `region_code`, or
    "department").

    A case with no event since `at` is now as it was then, so its own columns answer (the
    common case, and the only one when `at` is now). A case changed since is rewound to its last
    event before `at`, which left the state, step deadline and department it had then
    (`reported_at` is its report event's time, so a case reported later has no such event).
    """
    since = CaseEvent.objects.filter(time__gte=at)
    touched = since.values("case_id")
    cases = Case.objects.order_by()
    if region_code:
        cases = cases.filter(region_code__startswith=region_code)
    if base_queryset is not None:
        cases = cases.filter(Exists(base_queryset.filter(case_id=OuterRef("pk"))))
    # NOT EXISTS, not NOT IN: PostgreSQL cannot hash a large NOT IN list and would rescan it.
    steady = cases.filter(state__in=CLOSING_STATES, step_deadline__lt=at).exclude(
        Exists(since.filter(case_id=OuterRef("pk")))
    )
    # Only cases reported before `at` and changed since can differ from their columns: usually
    # the few that span `at`, found from the events since `at`.
    spanning = cases.filter(pk__in=touched, reported_at__lt=at)
    last = CaseEvent.objects.filter(case_id=OuterRef("pk"), time__lt=at).order_by("-time", "-id")
    rewound = CaseEvent.objects.order_by().filter(
        pk__in=spanning.values(last_id=Subquery(last.values("pk")[:1])),
        to_state__in=CLOSING_STATES,
        step_deadline__lt=at,
    )
    if department_id is not None:
        steady = steady.filter(department_id=department_id)
        rewound = rewound.filter(department_id=department_id)
    group = F("department_id") if key == "department" else key
    totals: dict = {}
    for qs, state in ((steady, "state"), (rewound, "to_state")):
        aggregates = {
            "overdue_handling": Count("pk", filter=Q(**{f"{state}__in": HANDLING_STATES})),
            "overdue_open": Count("pk"),
        }
        for group_key, row in _grouped(qs, group, aggregates).items():
            into = totals.setdefault(group_key, {"overdue_handling": 0, "overdue_open": 0})
            for name, value in row.items():
                into[name] += value or 0
    return totals


def compute(
    *,
    region_code: str = "",
    department_id: int | None = None,
    person_id: int | None = None,
    start: datetime,
    end: datetime,
    now: datetime | None = None,
    base_queryset: QuerySet | None = None,
) -> IndicatorSet:
    """Every indicator of one slice. `base_queryset`: the `CaseEvent`s that may count."""
    _check_period(start, end)
    events = _events(
        region_code=region_code,
        department_id=department_id,
        person_id=person_id,
        start=start,
        end=end,
        base_queryset=base_queryset,
    )
    counts = _event_counts(events)[None]
    if person_id is not None:
        return IndicatorSet(**counts, overdue_handling=None, overdue_open=None)
    backlog = _backlog(
        region_code=region_code,
        department_id=department_id,
        base_queryset=base_queryset,
        at=min(end, now or timezone.now()),
    )
    return IndicatorSet(**counts, **backlog.get(None, {}))


def by_region(
    children: Iterable,
    *,
    start: datetime,
    end: datetime,
    now: datetime | None = None,
    department_id: int | None = None,
    base_queryset: QuerySet | None = None,
) -> list[RegionIndicators]:
    """One row per region of `children` (usually a region's children), in their order.

    Events and backlogs are grouped by the first len(code) characters of the region code: three
    queries per distinct code length, whatever the number of regions.
    """
    _check_period(start, end)
    children = list(children)
    at = min(end, now or timezone.now())
    found: dict[str, IndicatorSet] = {}
    for length in sorted({len(r.code) for r in children}):
        codes = [r.code for r in children if len(r.code) == length]
        prefix = os.path.commonprefix(codes)
        key = Substr("region_code", 1, length)
        events = _events(
            region_code=prefix,
            department_id=department_id,
            person_id=None,
            start=start,
            end=end,
            base_queryset=base_queryset,
        )
        counts = _event_counts(events, key)
        backlog = _backlog(
            region_code=prefix,
            department_id=department_id,
            base_queryset=base_queryset,
            at=at,
            key=key,
        )
        for code in codes:
            found[code] = IndicatorSet(**counts.get(code, {}), **backlog.get(code, {}))
    return [RegionIndicators(region, found[region.code]) for region in children]


def _rank_key(row: DepartmentIndicators) -> tuple:
    ind = row.indicators
    handle, close = ind.on_time_handle_rate, ind.close_rate
    return (handle is None, -(handle or 0), close is None, -(close or 0), row.department.name)


def department_ranking(
    *,
    region_code: str = "",
    start: datetime,
    end: datetime,
    now: datetime | None = None,
    base_queryset: QuerySet | None = None,
) -> list[DepartmentIndicators]:
    """Departments with any activity or backlog in the slice, best first: by 按期处置率, then
    结案率 (None last), then name. Three queries plus one for the departments."""
    _check_period(start, end)
    events = _events(
        region_code=region_code,
        department_id=None,
        person_id=None,
        start=start,
        end=end,
        base_queryset=base_queryset,
    )
    counts = _event_counts(events, DEPARTMENT_KEY)
    backlog = _backlog(
        region_code=region_code,
        department_id=None,
        base_queryset=base_queryset,
        at=min(end, now or timezone.now()),
        key="department",
    )
    ids = {k for k in (*counts, *backlog) if k is not None}
    departments = Department.objects.in_bulk(ids)
    rows = [
        DepartmentIndicators(
            departments[pk], IndicatorSet(**counts.get(pk, {}), **backlog.get(pk, {}))
        )
        for pk in ids
        if pk in departments
    ]
    return sorted(rows, key=_rank_key)


def _month_start(year: int, month: int) -> datetime:
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return timezone.make_aware(datetime(year, month, 1))


def monthly_trend(
    *,
    last_month: date,
    months: int = 12,
    region_code: str = "",
    department_id: int | None = None,
    base_queryset: QuerySet | None = None,
) -> list[MonthPoint]:
    """立案数 and 结案数 per calendar month (local time), the `months` months up to
    `last_month`'s month, zeros included. One query."""
    start = _month_start(last_month.year, last_month.month - months + 1)
    end = _month_start(last_month.year, last_month.month + 1)
    events = _events(
        region_code=region_code,
        department_id=department_id,
        person_id=None,
        start=start,
        end=end,
        base_queryset=base_queryset,
    ).filter(action__in=("register", "close"))
    rows = (
        events.annotate(month=TruncMonth("time", tzinfo=timezone.get_current_timezone()))
        .values("month")
        .annotate(
            registered=Count("pk", filter=Q(action="register")),
            closed=Count("pk", filter=Q(action="close")),
        )
        .order_by()
    )
    found = {(r["month"].year, r["month"].month): r for r in rows}
    points = []
    for i in range(months):
        month = _month_start(start.year, start.month + i).date()
        row = found.get((month.year, month.month), {})
        points.append(MonthPoint(month, row.get("registered", 0), row.get("closed", 0)))
    return points


def satisfaction_distribution(
    *,
    region_code: str = "",
    department_id: int | None = None,
    person_id: int | None = None,
    start: datetime,
    end: datetime,
    base_queryset: QuerySet | None = None,
) -> dict[int, int]:
    """{score: number of evaluations} for scores 1–5 in the slice. One query."""
    _check_period(start, end)
    events = _events(
        region_code=region_code,
        department_id=department_id,
        person_id=person_id,
        start=start,
        end=end,
        base_queryset=base_queryset,
    ).filter(action="evaluate")
    rows = (
        events.annotate(score=Cast(KT("data__satisfaction"), IntegerField()))
        .values("score")
        .annotate(n=Count("pk"))
        .order_by()
    )
    found = {r["score"]: r["n"] for r in rows}
    return {score: found.get(score, 0) for score in range(1, 6)}
