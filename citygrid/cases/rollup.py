"""Keeps the indicator roll-up (`IndicatorDay`, `IndicatorMonth`, `IndicatorYear`) in step with
the `CaseEvent` history (docs/indicators.md, "Roll-up").

Counting the history for a year of a city took minutes (a correlated look-up per event); the
roll-up holds the same flow counts per local day, month and year × grid × department, so a
period reads a few rows per grid. Two ways in, with one meaning:

- `count(event, case)`: in the transaction that writes an event, one upsert adds the event to
  its day, month and year rows. It commits or rolls back with the event, so the roll-up never
  holds an event the history does not. 按期结案 needs the case's earlier steps: whether any was
  late is looked up when the close is counted (one indexed query on the case's events).
- `rebuild(since)`: the rows from `since` on, recomputed from the events in grouped
  `INSERT … SELECT`s (day rows from the events, month rows from the days, year rows from the
  months): for existing data, after bulk loads that write events directly, and as the proof that
  the two agree (`tests/test_rollup.py`).
"""

from collections.abc import Iterable
from datetime import date, datetime, time

from django.db import connection, transaction
from django.db.models import (
    BigIntegerField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce, TruncDate, TruncMonth, TruncYear
from django.db.models.lookups import Exact
from django.utils import timezone

from citygrid.cases.choices import Channel
from citygrid.cases.models import Case, CaseEvent
from citygrid.cases.models.rollup import COUNTERS, ROLLUPS, Bucket, IndicatorRollup

# Reports found by the centre's own people in the field (监督员 and, in grid governance, 网格员)
# as against hotline, WeChat, web desk, Open311 and video.
FIELD_CHANNELS = (Channel.INSPECTOR, Channel.GRID_APP)
# The department an event counts for: a return clears the case's department before the event
# is written, so the department that returned it is in the data.
DEPARTMENT_KEY = Coalesce(
    "department_id", Cast(KT("data__returned_by_department_id"), BigIntegerField())
)
KEY = ("start", "region_code", "department_key")
# Actions that add one to a counter; the others add nothing (accept, verify_pass, supervise …).
ACTION_COUNTERS = {
    "report": "reported",
    "register": "registered",
    "dispatch": "dispatched",
    "return": "returned",
    "report_back": "handled",
    "verify_fail": "reworked",
    "approve_extension": "extended",
    "close": "closed",
    "evaluate": "evaluated",
}


def local_day(moment: datetime) -> date:
    """The day an event counts for: the server's local calendar (the pages' periods)."""
    return timezone.localtime(moment, timezone.get_default_timezone()).date()


def local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


def department_key(event: CaseEvent) -> int:
    """`DEPARTMENT_KEY` of one written event, 0 for none."""
    returned_by = (event.data or {}).get("returned_by_department_id")
    return event.department_id or (int(returned_by) if returned_by is not None else 0)


def _late_before(event: CaseEvent) -> bool:
    earlier = CaseEvent.objects.filter(case_id=event.case_id, time__lte=event.time)
    return earlier.filter(on_time=False).exists()


def _counts(event: CaseEvent, case: Case) -> dict[str, int]:
    name = ACTION_COUNTERS.get(event.action)
    if name is None:
        return {}
    if event.action == "evaluate":
        score = (event.data or {}).get("satisfaction")
        if score is None:
            return {}
        score = int(score)
        counts = {"evaluated": 1, "satisfaction_total": score}
        if 1 <= score <= 5:
            counts[f"satisfaction_{score}"] = 1
        return counts
    counts = {name: 1}
    if event.action == "register" and case.channel in FIELD_CHANNELS:
        counts["inspector_registered"] = 1
    elif event.action == "report_back":
        if event.on_time:
            counts["handled_on_time"] = 1
        if event.elapsed_seconds is not None:
            counts["handling_seconds"] = event.elapsed_seconds
            counts["handling_timed"] = 1
    elif event.action == "close" and event.on_time is not False and not _late_before(event):
        counts["closed_on_time"] = 1
    return counts


def count(event: CaseEvent, case: Case) -> None:
    """Add one just-written event to its day, month and year rows (nothing for an action that
    counts nowhere). Call inside the event's transaction."""
    add([(event, case)])


def add(written: Iterable[tuple[CaseEvent, Case]]) -> None:
    """Add a batch of written events to their day, month and year rows: one statement on
    PostgreSQL (the three upserts as data-modifying CTEs), one per span on SQLite."""
    totals: dict[str, dict[tuple, dict[str, int]]] = {bucket: {} for bucket in ROLLUPS}
    for event, case in written:
        counts = _counts(event, case)
        if not counts:
            continue
        day = local_day(event.time)
        for bucket, start in (
            (Bucket.DAY, day),
            (Bucket.MONTH, day.replace(day=1)),
            (Bucket.YEAR, day.replace(month=1, day=1)),
        ):
            key = (start, event.region_code, department_key(event))
            row = totals[bucket].setdefault(key, {})
            for name, n in counts.items():
                row[name] = row.get(name, 0) + n
    statements = [_upsert(ROLLUPS[bucket], rows) for bucket, rows in totals.items() if rows]
    if not statements:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            *first, last = statements
            ctes = ", ".join(f"s{i} AS ({sql})" for i, (sql, _params) in enumerate(first))
            cursor.execute(f"WITH {ctes} {last[0]}", [p for _sql, ps in statements for p in ps])
        else:
            for sql, params in statements:
                cursor.execute(sql, params)


def _upsert(model: type[IndicatorRollup], totals: dict[tuple, dict[str, int]]) -> tuple:
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(c) for c in (*KEY, *COUNTERS))
    placeholders = "(" + ", ".join(["%s"] * (len(KEY) + len(COUNTERS))) + ")"
    updates = ", ".join(f"{quote(c)} = {table}.{quote(c)} + excluded.{quote(c)}" for c in COUNTERS)
    params: list = []
    # A fixed row order: two transactions adding to the same rows lock them in the same order.
    for (start, region_code, department), row in sorted(totals.items()):
        start = connection.ops.adapt_datefield_value(start)
        params += [start, region_code, department, *(row.get(c, 0) for c in COUNTERS)]
    sql = (
        f"INSERT INTO {table} ({columns}) VALUES {', '.join([placeholders] * len(totals))} "
        f"ON CONFLICT ({', '.join(quote(c) for c in KEY)}) DO UPDATE SET {updates}"
    )
    return sql, params


# --- rebuilding from the events ---------------------------------------------------------------


def event_aggregates() -> dict:
    """The flow counters over a `CaseEvent` queryset, as SQL aggregates: what `indicators`
    computes live and what `rebuild` writes. Two correlated look-ups run per matching event
    only, over the case's events up to that one: 按期结案 (a late step before the close) and
    监督员上报 (a field report before the registration)."""
    case_events = CaseEvent.objects.filter(case_id=OuterRef("case_id"))
    earlier = case_events.filter(time__lte=OuterRef("time"))
    field_report = earlier.filter(action="report", data__channel__in=FIELD_CHANNELS)
    late_step = earlier.filter(on_time=False)
    score = Cast(KT("data__satisfaction"), IntegerField())

    def n(action: str, *conditions) -> Count:
        return Count("pk", filter=Q(*conditions, action=action))

    return {
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
        **{
            f"satisfaction_{k}": Count("pk", filter=Q(Exact(score, k), action="evaluate"))
            for k in range(1, 6)
        },
    }


def _insert_select(rows: QuerySet, model: type[IndicatorRollup]) -> int:
    """INSERT the grouped `rows` (annotated `rollup_start`, `rollup_department` and `sum_<c>`
    per counter, grouped by those and `region_code`) into the roll-up table of `model`."""
    quote = connection.ops.quote_name
    sql, params = rows.query.sql_with_params()
    picked = ", ".join(
        ["rollup_start", "region_code", "rollup_department"]
        + [f"COALESCE(sum_{c}, 0)" for c in COUNTERS]
    )
    columns = ", ".join(quote(c) for c in (*KEY, *COUNTERS))
    table = quote(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {picked} FROM ({sql}) grouped", params
        )
        return cursor.rowcount


def _from_events(since: date | None) -> QuerySet:
    events = CaseEvent.objects.filter(action__in=ACTION_COUNTERS).order_by()
    if since is not None:
        events = events.filter(time__gte=local_midnight(since))
    tz = timezone.get_default_timezone()
    return (
        events.annotate(
            rollup_start=TruncDate("time", tzinfo=tz),
            rollup_department=Coalesce(DEPARTMENT_KEY, Value(0)),
        )
        .values("rollup_start", "region_code", "rollup_department")
        .annotate(**{f"sum_{name}": agg for name, agg in event_aggregates().items()})
    )


def _from_rows(model: type[IndicatorRollup], trunc, since: date | None) -> QuerySet:
    rows = model.objects.order_by()
    if since is not None:
        rows = rows.filter(start__gte=since)
    return (
        rows.annotate(rollup_start=trunc("start"), rollup_department=F("department_key"))
        .values("rollup_start", "region_code", "rollup_department")
        .annotate(**{f"sum_{c}": Sum(c) for c in COUNTERS})
    )


def rebuild(since: date | None = None) -> int:
    """Recompute every roll-up row from `since` (a local day; None: everything) from the events,
    in one transaction. Returns the number of rows written.

    On PostgreSQL the tables are locked against writers first: an event committed before the
    lock is in the rebuilt rows, one written after waits and adds itself after the rebuild
    commits. (SQLite has one writer at a time anyway.)
    """
    starts = {
        Bucket.DAY: since,
        Bucket.MONTH: since.replace(day=1) if since else None,
        Bucket.YEAR: since.replace(month=1, day=1) if since else None,
    }
    quote = connection.ops.quote_name
    tables = [quote(model._meta.db_table) for model in ROLLUPS.values()]
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {', '.join(tables)} IN EXCLUSIVE MODE")
                # Bulk loads leave the planner guessing; the correlated look-ups need the index.
                cursor.execute(f"ANALYZE {quote(CaseEvent._meta.db_table)}")
        for bucket, model in ROLLUPS.items():
            stale = model.objects.all()
            if since is not None:
                stale = stale.filter(start__gte=starts[bucket])
            stale._raw_delete(stale.db)
        day, month, year = ROLLUPS[Bucket.DAY], ROLLUPS[Bucket.MONTH], ROLLUPS[Bucket.YEAR]
        written = _insert_select(_from_events(since), day)
        written += _insert_select(_from_rows(day, TruncMonth, starts[Bucket.MONTH]), month)
        written += _insert_select(_from_rows(month, TruncYear, starts[Bucket.YEAR]), year)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for table in tables:
                    cursor.execute(f"ANALYZE {table}")
    return written
