"""Indicators from the roll-up against one bare aggregate scan of the same events.

`BENCH_CASES` sets the size (default 100 000 cases ≈ 500 k events). The events are bulk loaded
(like an import), so the roll-up is rebuilt from them first (`rollup.rebuild`, timed). The
baseline is the cheapest query that touches every event of the period once (`COUNT(*)` grouped
by action), measured in this run; the live computation from the events (what `indicators` did
before the roll-up, still the path of a person filter) is timed once beside it.

On PostgreSQL a second part fills the roll-up as a 25 M-case city would (`BENCH_CITY_GRIDS`
grids, default 20 000, × `BENCH_CITY_DEPARTMENTS` departments each, default 15: a year row and
twelve month rows per grid and department, and the day rows of one month) and times a year, a
quarter, a month and a ragged period of the whole city, and a year of one county.
"""

import os
import random
import time
from datetime import datetime, timedelta

from bench.database import bench_case, small_territory, test_database
from bench.timing import BenchmarkFailed, best_of

CASES = int(os.environ.get("BENCH_CASES", "100000"))
PATH = [
    "report",
    "register",
    "dispatch",
    "accept",
    "report_back",
    "verify_pass",
    "close",
    "evaluate",
]
STATES = {
    "report": "reported",
    "register": "registered",
    "dispatch": "dispatched",
    "accept": "handling",
    "report_back": "reported_back",
    "verify_pass": "verified",
    "close": "closed",
    "evaluate": "closed",
}


def _generate(city) -> int:
    """Cases and their histories with bulk inserts (the shape the action functions write),
    without change-log rows like demo data: only the indicators over them are measured."""
    from django.db import transaction
    from django.utils import timezone

    from citygrid.cases.models import Case, CaseCategory, CaseEvent, Department
    from citygrid.core import writeguard
    from citygrid.regions.models import Region

    rng = random.Random(7)
    grids = list(Region.objects.filter(level="grid"))
    category = CaseCategory.objects.filter(parent__isnull=False).first()
    with writeguard.unlogged():
        department = Department.objects.create(name="基准部门", code="B01", region=city)
    start = timezone.make_aware(datetime(2025, 1, 1, 9))
    events = 0
    batch = 5000
    for offset in range(0, CASES, batch):
        with transaction.atomic(), writeguard.unlogged():
            cases = []
            for i in range(offset, min(CASES, offset + batch)):
                grid = grids[i % len(grids)]
                steps = PATH[: rng.randint(2, len(PATH))]
                reported_at = start + timedelta(minutes=i * 2)
                times, t = [], reported_at
                for _action in steps:
                    t += timedelta(hours=rng.randint(1, 30))
                    times.append(t)
                # A closed case knows when (the backlog of a past period relies on it).
                closed_at = times[steps.index("close")] if "close" in steps else None
                cases.append(
                    bench_case(
                        f"B{i:012d}",
                        grid,
                        category,
                        state=STATES[steps[-1]],
                        department=department if len(steps) > 2 else None,
                        reported_at=reported_at,
                        closed_at=closed_at,
                    )
                )
                cases[-1]._steps = list(zip(steps, times, strict=True))
            Case.objects.bulk_create(cases)
            rows = []
            for case in cases:
                previous = ""
                for action, t in case._steps:
                    rows.append(
                        CaseEvent(
                            case=case,
                            action=action,
                            from_state=previous,
                            to_state=STATES[action],
                            time=t,
                            region_code=case.region_code,
                            department=department if action not in ("report", "register") else None,
                            on_time=rng.random() < 0.85
                            if action not in ("report", "evaluate")
                            else None,
                            elapsed_seconds=rng.randint(600, 90000)
                            if action == "report_back"
                            else None,
                            data={"satisfaction": rng.randint(3, 5)}
                            if action == "evaluate"
                            else {},
                        )
                    )
                    previous = STATES[action]
            CaseEvent.objects.bulk_create(rows, batch_size=5000)
            events += len(rows)
    return events


def _timed(label: str, fn, base: float) -> float:
    seconds = best_of(fn)
    print(f"  {label:<44} {seconds * 1000:9.0f} ms   ratio {seconds / base:.2f}× baseline")
    return seconds


def _city_scale(base: float) -> None:
    """The roll-up of a 25 M-case city, written with generate_series (PostgreSQL only)."""
    from django.db import connection
    from django.utils import timezone

    from citygrid.cases import indicators
    from citygrid.cases.models.rollup import COUNTERS, ROLLUPS

    grids = int(os.environ.get("BENCH_CITY_GRIDS", "20000"))
    departments = int(os.environ.get("BENCH_CITY_DEPARTMENTS", "15"))
    # 20 counties × 1 000 grids: codes 3302 + county (2) + township/community (6) + grid (3).
    region = "'3302' || lpad((g %% 20)::text, 2, '0') || '001001' || lpad((g / 20)::text, 3, '0')"
    # Per grid: a year row and twelve month rows for each department, and thirty day rows (June)
    # for four of them (a grid sees a few cases a day); the other counters follow from `n`.
    columns = ", ".join(("start", "region_code", "department_key", *COUNTERS))
    counts = {
        "reported": "n",
        "registered": "n",
        "dispatched": "n",
        "handled": "n",
        "handled_on_time": "n * 4 / 5",
        "handling_seconds": "n * 7200",
        "handling_timed": "n",
        "closed": "n * 9 / 10",
        "closed_on_time": "n * 4 / 5",
    }
    values = ", ".join(counts.get(c, "0") for c in COUNTERS)
    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        for bucket, starts, n, per_grid in (
            ("year", "SELECT '2025-01-01'::date", 1250 // departments, departments),
            (
                "month",
                "SELECT generate_series('2025-01-01'::date, '2025-12-01', '1 month')",
                8,
                departments,
            ),
            ("day", "SELECT generate_series('2025-06-01'::date, '2025-06-30', '1 day')", 1, 4),
        ):
            cursor.execute(
                f"INSERT INTO {ROLLUPS[bucket]._meta.db_table} ({columns}) "
                f"SELECT s.d::date, {region}, dep, {values} "
                "FROM (SELECT %s::bigint AS n) k, generate_series(0, %s - 1) g, "
                # In time order, as the rows of a month are written during that month.
                f"generate_series(1, %s) dep, ({starts}) s(d) ORDER BY s.d",
                [n, grids, per_grid],
            )
            cursor.execute(f"ANALYZE {ROLLUPS[bucket]._meta.db_table}")
    rows = sum(m.objects.filter(region_code__within="3302").count() for m in ROLLUPS.values())
    print(
        f"  city scale: {grids:,} grids × {departments} departments, {rows:,} roll-up rows "
        f"written in {time.perf_counter() - t0:.0f} s"
    )

    def at(*args) -> datetime:
        return timezone.make_aware(datetime(*args))

    def figure(start, end, code="3302"):
        return lambda: indicators.compute(
            region_code=code, start=start, end=end, now=at(2026, 1, 1, 12)
        )

    _timed("city, a year (year rows)", figure(at(2025, 1, 1), at(2026, 1, 1)), base)
    _timed("city, a quarter (month rows)", figure(at(2025, 4, 1), at(2025, 7, 1)), base)
    _timed("city, June (month rows)", figure(at(2025, 6, 1), at(2025, 7, 1)), base)
    _timed("city, 06-10 … 08-20 (days + a month)", figure(at(2025, 6, 10), at(2025, 8, 21)), base)
    _timed("one county, a year", figure(at(2025, 1, 1), at(2026, 1, 1), code="330201"), base)


def run() -> None:
    from django.db.models import Count
    from django.utils import timezone

    from citygrid.cases import indicators, rollup
    from citygrid.cases.models import CaseEvent

    with test_database() as vendor:
        city = small_territory()
        t0 = time.perf_counter()
        events = _generate(city)
        print(
            f"database: {vendor}; {CASES:,} cases, {events:,} events generated in "
            f"{time.perf_counter() - t0:.0f} s"
        )
        t0 = time.perf_counter()
        rows = rollup.rebuild()
        print(f"  rollup.rebuild: {rows:,} roll-up rows in {time.perf_counter() - t0:.1f} s")
        start = timezone.make_aware(datetime(2025, 1, 1))
        end = timezone.make_aware(datetime(2026, 1, 1))
        period = CaseEvent.objects.filter(time__gte=start, time__lt=end)

        def baseline():
            return list(period.values("action").annotate(n=Count("id")).order_by())

        def compute():
            return indicators.compute(region_code=city.code, start=start, end=end)

        result = compute()
        t0 = time.perf_counter()
        live = indicators.compute(
            region_code=city.code, start=start, end=end, base_queryset=CaseEvent.objects.all()
        )
        live_seconds = time.perf_counter() - t0
        if result != live:
            raise BenchmarkFailed(f"roll-up {result} differs from the events {live}")
        if result.reported == 0 or result.closed > result.reported:
            raise BenchmarkFailed(f"implausible indicators: {result}")
        base = best_of(baseline)
        print(f"  one grouped COUNT over the year's events   {base * 1000:9.0f} ms   baseline")
        full = _timed("indicators.compute, a year (roll-up)", compute, base)
        print(
            f"  {'the same from the events (before), once':<44} {live_seconds * 1000:9.0f} ms   "
            f"ratio {live_seconds / base:.2f}× baseline, {live_seconds / full:.0f}× the roll-up"
        )
        _timed(
            "backlog at a past T (rewind)",
            lambda: indicators._backlog(
                indicators.Cut(city.code),
                at=timezone.make_aware(datetime(2025, 3, 1)),
                keys={},
            ),
            base,
        )
        _timed(
            "backlog at T = now",
            lambda: indicators._backlog(
                indicators.Cut(city.code),
                at=timezone.now(),
                keys={},
            ),
            base,
        )
        print(
            f"  立案 {result.registered:,}  结案 {result.closed:,}  结案率 "
            f"{indicators.format_value('rate', result.close_rate)}"
        )
        if vendor == "postgresql":
            _city_scale(base)
        print("design target: a year of a 25 M-case city < 1 s; statistics pages p95 < 300 ms")
