"""Case indicators (GB/T 30428.4, standards §6.4), computed from the `CaseEvent` history.

Counters on `Case` drift and cannot be cut after the fact; the append-only event history can be
cut by any region, department, person and period (DESIGN §4). docs/indicators.md explains each
choice. In short, for a period ``[start, end)`` (an event at ``start`` counts, one at ``end``
does not):

Flow counts, events with ``start <= time < end``:
    上报数 reported            ``report`` events
    立案数 registered          ``register`` events
    监督员上报立案数            ``register`` events of cases whose ``report`` event came from a
                               field channel (`rollup.FIELD_CHANNELS`: 监督员上报, 网格员上报)
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

Where they are read: the flow counts of whole local days come from the roll-up of the events
(`cases/rollup.py`: day, month and year rows per grid and department, kept with every event),
the rest — parts of days, a person filter, a `base_queryset` — from the events themselves, with
the same SQL (`rollup.event_aggregates`). Backlogs come from the cases, rewound through their
events when T is past.
"""

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta

from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, NullIf, Substr, TruncMonth
from django.utils import timezone

from citygrid.cases.choices import OPEN_STATES, CaseState
from citygrid.cases.models import Case, CaseEvent, Department
from citygrid.cases.models.rollup import ROLLUPS, Bucket
from citygrid.cases.rollup import DEPARTMENT_KEY, event_aggregates, local_day, local_midnight
from citygrid.core.querysets import scope_q

HANDLING_STATES = (CaseState.DISPATCHED, CaseState.HANDLING)
CLOSING_STATES = (
    CaseState.REGISTERED,
    CaseState.DISPATCHED,
    CaseState.HANDLING,
    CaseState.REPORTED_BACK,
    CaseState.VERIFIED,
)

COUNT, RATE, HOURS, SCORE = "count", "rate", "hours", "score"
# Cases rewound per query (a bound on the number of SQL parameters).
REWIND_BATCH = 2000


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
    if kind in (HOURS, SCORE):
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

    def __add__(self, other: "IndicatorSet") -> "IndicatorSet":
        """Counts of two disjoint slices together (the ratios follow)."""

        def add(a, b):
            return None if a is None and b is None else (a or 0) + (b or 0)

        return IndicatorSet(
            **{f.name: add(getattr(self, f.name), getattr(other, f.name)) for f in fields(self)}
        )

    def value(self, key: str):
        """An indicator of `INDICATORS` by its key (KeyError for any other name)."""
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


@dataclass(frozen=True)
class DayPoint:
    day: date
    reported: int
    closed: int


# The flow counters of an `IndicatorSet` (the roll-up has the score distribution besides).
FLOW_COUNTERS = tuple(
    f.name for f in fields(IndicatorSet) if f.name not in ("overdue_handling", "overdue_open")
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


@dataclass(frozen=True)
class Cut:
    """Which events and cases a figure counts: a region's subtree, a department, a person, a
    user's territory (the region codes that may count), or a given queryset of events."""

    region_code: str = ""
    department_id: int | None = None
    person_id: int | None = None
    territory: Sequence[str] | None = None
    base_queryset: QuerySet | None = None

    @property
    def live_only(self) -> bool:
        """A person or an event queryset is not in the roll-up: everything comes from events."""
        return self.person_id is not None or self.base_queryset is not None

    def events(self, periods: Sequence[tuple[datetime, datetime]]) -> QuerySet:
        """The case events of the cut in `periods`."""
        qs = self.base_queryset if self.base_queryset is not None else CaseEvent.objects.all()
        in_periods = Q(pk__in=[])
        for start, end in periods:
            in_periods |= Q(time__gte=start, time__lt=end)
        qs = self.in_territory(qs.filter(in_periods))
        if self.department_id is not None:
            qs = qs.filter(_department_q(self.department_id))
        if self.person_id is not None:
            qs = qs.filter(actor_id=self.person_id)
        return qs.order_by()

    def rolled_up(self, rows: QuerySet) -> QuerySet:
        """Roll-up rows (days, months, years) of the cut; never for a `live_only` cut."""
        rows = self.in_territory(rows)
        if self.department_id is not None:
            rows = rows.filter(department_key=self.department_id)
        return rows

    def in_territory(self, qs: QuerySet) -> QuerySet:
        """`qs` (anything with a region code) within the region and the territory."""
        if self.region_code:
            qs = qs.filter(region_code__within=self.region_code)
        if self.territory is not None:
            qs = qs.filter(scope_q("region_code", self.territory))
        return qs


def _grouped(qs: QuerySet, keys: dict, aggregates: dict) -> dict:
    """{(region key, department key): {name: value}}, None for a key not grouped by."""
    if not keys:
        return {(None, None): qs.aggregate(**aggregates)}
    rows = qs.annotate(**{f"key_{k}": v for k, v in keys.items()})
    rows = rows.values(*(f"key_{k}" for k in keys)).annotate(**aggregates).order_by()
    return {(row.pop("key_region", None), row.pop("key_department", None)): row for row in rows}


def _event_counts(events: QuerySet, keys: dict) -> dict:
    aggregates = {
        f"n_{name}": agg for name, agg in event_aggregates().items() if name in FLOW_COUNTERS
    }
    return _named(_grouped(events, keys, aggregates))


def _named(groups: dict) -> dict:
    """`_grouped` rows with their `n_` prefixes dropped and missing sums as 0."""
    return {
        group: {name.removeprefix("n_"): value or 0 for name, value in row.items()}
        for group, row in groups.items()
    }


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _buckets(first: date, after: date) -> list[tuple[str, date, date]]:
    """The local days [first, after) as the fewest roll-up ranges: days up to the first month
    start, months up to the first new year, whole years, then months and days again."""
    month = first if first.day == 1 else _next_month(first)
    if month >= after:
        return [(Bucket.DAY, first, after)]
    last_month = after.replace(day=1)
    year = month if month.month == 1 else date(month.year + 1, 1, 1)
    last_year = last_month.replace(month=1)
    ranges = [(Bucket.DAY, first, month)]
    if year < last_year:
        ranges += [
            (Bucket.MONTH, month, year),
            (Bucket.YEAR, year, last_year),
            (Bucket.MONTH, last_year, last_month),
        ]
    else:
        ranges.append((Bucket.MONTH, month, last_month))
    ranges.append((Bucket.DAY, last_month, after))
    return [r for r in ranges if r[1] < r[2]]


Periods = list[tuple[datetime, datetime]]


def split_period(start: datetime, end: datetime) -> tuple[list[QuerySet], Periods]:
    """[start, end) as roll-up rows (a queryset per span table: days, months, years; none when
    no whole local day lies inside) and the parts of days at either end, which are counted from
    the events."""
    first = local_day(start)
    if local_midnight(first) < start:
        first += timedelta(days=1)
    after = local_day(end)
    if first >= after:
        return [], [(start, end)]
    spans: dict[str, Q] = {}
    for bucket, since, until in _buckets(first, after):
        spans[bucket] = spans.get(bucket, Q(pk__in=[])) | Q(start__gte=since, start__lt=until)
    rows = [ROLLUPS[bucket].objects.filter(q).order_by() for bucket, q in spans.items()]
    edges = [(start, local_midnight(first)), (local_midnight(after), end)]
    return rows, [(a, b) for a, b in edges if a < b]


def _add_into(counts: dict, found: dict) -> None:
    for group, row in found.items():
        into = counts.setdefault(group, dict.fromkeys(row, 0))
        for name, value in row.items():
            into[name] += value


def _flow_counts(
    cut: Cut, *, start: datetime, end: datetime, region_length: int | None, by_department: bool
) -> dict:
    """The flow counts grouped like `_grouped`: whole local days from the roll-up (one query per
    span table the period needs: a month or a year is one), the rest from the events. A person
    or a `base_queryset` is not in the roll-up: then everything comes from the events."""
    spans, live = ([], [(start, end)]) if cut.live_only else split_period(start, end)
    counts: dict = {}
    keys = {}
    if region_length:
        keys["region"] = Substr("region_code", 1, region_length)
    for rows in spans:
        if by_department:
            keys["department"] = NullIf("department_key", Value(0))
        sums = {f"n_{c}": Sum(c) for c in FLOW_COUNTERS}
        _add_into(counts, _named(_grouped(cut.rolled_up(rows), keys, sums)))
    if live:
        if by_department:
            keys["department"] = DEPARTMENT_KEY
        _add_into(counts, _event_counts(cut.events(live), keys))
    return counts


def _backlog(cut: Cut, *, at: datetime, keys: dict) -> dict:
    """Overdue open cases at `at`, grouped like `_grouped`.

    A case with no event since `at` is now as it was then, so its own columns answer (the
    common case, and the only one when `at` is now). A case changed since is rewound to its last
    event before `at`, which left the state, step deadline and department it had then
    (`reported_at` is its report event's time, so a case reported later has no such event).
    """
    since = CaseEvent.objects.filter(time__gte=at)
    cases = cut.in_territory(Case.objects.order_by())
    if cut.base_queryset is not None:
        cases = cases.filter(Exists(cut.base_queryset.filter(case_id=OuterRef("pk"))))
    # NOT EXISTS, not NOT IN: PostgreSQL cannot hash a large NOT IN list and would rescan it.
    steady = cases.filter(state__in=CLOSING_STATES, step_deadline__lt=at).exclude(
        Exists(since.filter(case_id=OuterRef("pk")))
    )
    if cut.department_id is not None:
        steady = steady.filter(department_id=cut.department_id)
    batches = [steady.annotate(state_then=F("state"), department_then=F("department_id"))]
    # Only cases reported before `at` and changed since can differ from their columns: usually
    # the few that span `at`. Such a case is open now, merged, or closed since `at` (a reopening
    # clears `closed_at`; a rejected case was never due), so those are the candidates whose
    # events are looked up — not every event since `at`, a year of a city's history for last
    # year's figures. Fetched first, then rewound a batch at a time, because in one statement
    # PostgreSQL would rather rewind every case reported before `at`.
    candidates = cases.filter(reported_at__lt=at).filter(
        Q(state__in=OPEN_STATES) | Q(state=CaseState.MERGED) | Q(closed_at__gte=at)
    )
    spanning = list(
        candidates.filter(Exists(since.filter(case_id=OuterRef("pk")))).values_list("pk", flat=True)
    )
    last = CaseEvent.objects.filter(case_id=OuterRef("pk"), time__lt=at).order_by("-time", "-id")
    for i in range(0, len(spanning), REWIND_BATCH):
        rewound = (
            Case.objects.order_by()
            .filter(pk__in=spanning[i : i + REWIND_BATCH])
            .annotate(
                state_then=Subquery(last.values("to_state")[:1]),
                deadline_then=Subquery(last.values("step_deadline")[:1]),
                department_then=Subquery(last.values("department_id")[:1]),
            )
            .filter(state_then__in=CLOSING_STATES, deadline_then__lt=at)
        )
        if cut.department_id is not None:
            rewound = rewound.filter(department_then=cut.department_id)
        batches.append(rewound)
    aggregates = {
        "overdue_handling": Count("pk", filter=Q(state_then__in=HANDLING_STATES)),
        "overdue_open": Count("pk"),
    }
    totals: dict = {}
    for qs in batches:
        for group_key, row in _grouped(qs, keys, aggregates).items():
            into = totals.setdefault(group_key, {"overdue_handling": 0, "overdue_open": 0})
            for name, value in row.items():
                into[name] += value or 0
    return totals


def _table(
    cut: Cut,
    *,
    start: datetime,
    end: datetime,
    now: datetime | None,
    region_length: int | None = None,
    by_department: bool = False,
) -> dict[tuple, IndicatorSet]:
    """IndicatorSets by (first `region_length` characters of the region code, department)."""
    _check_period(start, end)
    counts = _flow_counts(
        cut, start=start, end=end, region_length=region_length, by_department=by_department
    )
    if cut.person_id is not None:
        return {
            k: IndicatorSet(**c, overdue_handling=None, overdue_open=None)
            for k, c in counts.items()
        }
    case_keys = {}
    if region_length:
        case_keys["region"] = Substr("region_code", 1, region_length)
    if by_department:
        case_keys["department"] = F("department_then")
    backlog = _backlog(cut, at=min(end, now or timezone.now()), keys=case_keys)
    return {k: IndicatorSet(**counts.get(k, {}), **backlog.get(k, {})) for k in {*counts, *backlog}}


def compute(
    *,
    region_code: str = "",
    department_id: int | None = None,
    person_id: int | None = None,
    start: datetime,
    end: datetime,
    now: datetime | None = None,
    base_queryset: QuerySet | None = None,
    territory: Sequence[str] | None = None,
) -> IndicatorSet:
    """Every indicator of one slice. `territory`: the region codes whose events and cases may
    count (a user's scope); `base_queryset`: the `CaseEvent`s that may count (read live)."""
    cut = Cut(region_code, department_id, person_id, territory, base_queryset)
    return _table(cut, start=start, end=end, now=now)[(None, None)]


def by_region(
    children: Iterable,
    *,
    start: datetime,
    end: datetime,
    now: datetime | None = None,
    department_id: int | None = None,
    base_queryset: QuerySet | None = None,
    territory: Sequence[str] | None = None,
) -> list[RegionIndicators]:
    """One row per region of `children` (usually a region's children), in their order.

    Events and backlogs are grouped by the first len(code) characters of the region code: the
    queries of `compute` once per distinct code length, whatever the number of regions.
    """
    children = list(children)
    found: dict[str, IndicatorSet] = {}
    for length in sorted({len(r.code) for r in children}):
        codes = [r.code for r in children if len(r.code) == length]
        cut = Cut(
            os.path.commonprefix(codes),
            department_id,
            territory=territory,
            base_queryset=base_queryset,
        )
        table = _table(cut, start=start, end=end, now=now, region_length=length)
        for code in codes:
            found[code] = table.get((code, None), IndicatorSet())
    return [RegionIndicators(region, found[region.code]) for region in children]


def _ranked(table: dict[tuple, IndicatorSet]) -> list[DepartmentIndicators]:
    by_department: dict[int, IndicatorSet] = {}
    for (_region, pk), ind in table.items():
        if pk is not None:
            by_department[pk] = by_department.get(pk, IndicatorSet()) + ind
    departments = Department.objects.in_bulk(by_department)
    rows = [
        DepartmentIndicators(departments[pk], ind)
        for pk, ind in by_department.items()
        if pk in departments
    ]

    def rank(row: DepartmentIndicators) -> tuple:
        handle, close = row.indicators.on_time_handle_rate, row.indicators.close_rate
        return (handle is None, -(handle or 0), close is None, -(close or 0), row.department.name)

    return sorted(rows, key=rank)


def department_ranking(
    *,
    region_code: str = "",
    start: datetime,
    end: datetime,
    now: datetime | None = None,
    base_queryset: QuerySet | None = None,
    territory: Sequence[str] | None = None,
) -> list[DepartmentIndicators]:
    """Departments with any activity or backlog in the slice, best first: by 按期处置率, then
    结案率 (None last), then name. The queries of `compute` plus one for the departments."""
    cut = Cut(region_code, territory=territory, base_queryset=base_queryset)
    return _ranked(_table(cut, start=start, end=end, now=now, by_department=True))


@dataclass(frozen=True)
class Overview:
    total: IndicatorSet
    regions: list[RegionIndicators]
    departments: list[DepartmentIndicators]


def overview(
    children: Iterable,
    *,
    region_code: str = "",
    department_id: int | None = None,
    start: datetime,
    end: datetime,
    now: datetime | None = None,
    base_queryset: QuerySet | None = None,
    territory: Sequence[str] | None = None,
) -> Overview:
    """`compute`, `by_region(children)` and `department_ranking` of one slice at once.

    When the children's codes have one length (a region's children always do), the events are
    read once, grouped by child and department, and the three are sums of those groups. With a
    department, the ranking holds that department only.
    """
    children = list(children)
    lengths = {len(r.code) for r in children}
    common = {
        "start": start,
        "end": end,
        "now": now,
        "base_queryset": base_queryset,
        "territory": territory,
    }
    if len(lengths) > 1:
        ranking = department_ranking(region_code=region_code, **common)
        return Overview(
            compute(region_code=region_code, department_id=department_id, **common),
            by_region(children, department_id=department_id, **common),
            [r for r in ranking if department_id is None or r.department.pk == department_id],
        )
    table = _table(
        Cut(region_code, department_id, territory=territory, base_queryset=base_queryset),
        start=start,
        end=end,
        now=now,
        region_length=lengths.pop() if lengths else None,
        by_department=True,
    )
    regions = {}
    for (code, _department), ind in table.items():
        regions[code] = regions.get(code, IndicatorSet()) + ind
    return Overview(
        sum(table.values(), IndicatorSet()),
        [RegionIndicators(r, regions.get(r.code, IndicatorSet())) for r in children],
        _ranked(table),
    )


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
    territory: Sequence[str] | None = None,
) -> list[MonthPoint]:
    """立案数 and 结案数 per calendar month (local time), the `months` months up to
    `last_month`'s month, zeros included. One query: the month rows of the roll-up, or the
    events when a `base_queryset` limits them."""
    start = _month_start(last_month.year, last_month.month - months + 1)
    end = _month_start(last_month.year, last_month.month + 1)
    cut = Cut(region_code, department_id, territory=territory, base_queryset=base_queryset)
    if not cut.live_only:
        months_rows = (
            ROLLUPS[Bucket.MONTH]
            .objects.filter(start__gte=start.date(), start__lt=end.date())
            .order_by()
        )
        rows = (
            cut.rolled_up(months_rows)
            .values(month=F("start"))
            .annotate(registered=Sum("registered"), closed=Sum("closed"))
        )
    else:
        events = cut.events([(start, end)]).filter(action__in=("register", "close"))
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


def daily_trend(
    *,
    last_day: date,
    days: int = 14,
    region_code: str = "",
    department_id: int | None = None,
    territory: Sequence[str] | None = None,
) -> list[DayPoint]:
    """上报数 and 结案数 per local day, the `days` days up to `last_day`, zeros included. One
    query on the day rows of the roll-up, which every event keeps current (today's too)."""
    first = last_day - timedelta(days=days - 1)
    cut = Cut(region_code, department_id, territory=territory)
    day_rows = ROLLUPS[Bucket.DAY].objects.filter(start__gte=first, start__lte=last_day)
    rows = (
        cut.rolled_up(day_rows.order_by())
        .values("start")
        .annotate(reported=Sum("reported"), closed=Sum("closed"))
    )
    found = {r["start"]: r for r in rows}
    points = []
    for i in range(days):
        day = first + timedelta(days=i)
        row = found.get(day, {})
        points.append(DayPoint(day, row.get("reported", 0), row.get("closed", 0)))
    return points


def satisfaction_distribution(
    *,
    region_code: str = "",
    department_id: int | None = None,
    person_id: int | None = None,
    start: datetime,
    end: datetime,
    base_queryset: QuerySet | None = None,
    territory: Sequence[str] | None = None,
) -> dict[int, int]:
    """{score: number of evaluations} for scores 1–5 in the slice: one query per span table the
    period needs (one for a month or a year), one more for parts of days (the events)."""
    _check_period(start, end)
    found = dict.fromkeys(range(1, 6), 0)
    cut = Cut(region_code, department_id, person_id, territory, base_queryset)
    spans, live = ([], [(start, end)]) if cut.live_only else split_period(start, end)
    for rows in spans:
        sums = cut.rolled_up(rows).aggregate(**{f"n_{k}": Sum(f"satisfaction_{k}") for k in found})
        for k in found:
            found[k] += sums[f"n_{k}"] or 0
    if live:
        events = cut.events(live).filter(action="evaluate")
        scores = (
            events.annotate(score=Cast(KT("data__satisfaction"), IntegerField()))
            .values("score")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for row in scores:
            if row["score"] in found:
                found[row["score"]] += row["n"]
    return found
