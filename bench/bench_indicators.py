"""Indicators over a city's event history against one bare aggregate scan of the same rows.

`BENCH_CASES` sets the size (default 100 000 cases ≈ 500 k events; the design target is 1 M
cases, which takes a few minutes to generate on SQLite). The baseline is the cheapest query that
touches every event of the period once (`COUNT(*)` grouped by action), measured in this run.
"""

import os
import random
import time
from datetime import datetime, timedelta

from bench.database import small_territory, test_database
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
                cases.append(
                    Case(
                        number=f"B{i:012d}",
                        kind="event",
                        category=category,
                        description="基准",
                        lng=grid.center_lng,
                        lat=grid.center_lat,
                        channel="grid_app",
                        region=grid,
                        region_code=grid.code,
                        state=STATES[steps[-1]],
                        department=department if len(steps) > 2 else None,
                        reported_at=start + timedelta(minutes=i * 2),
                    )
                )
                cases[-1]._steps = steps
            Case.objects.bulk_create(cases)
            rows = []
            for case in cases:
                t = case.reported_at
                previous = ""
                for action in case._steps:
                    t += timedelta(hours=rng.randint(1, 30))
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


def run() -> None:
    from django.db.models import Count
    from django.utils import timezone

    from citygrid.cases import indicators
    from citygrid.cases.models import CaseEvent

    with test_database() as vendor:
        city = small_territory()
        t0 = time.perf_counter()
        events = _generate(city)
        print(
            f"database: {vendor}; {CASES:,} cases, {events:,} events generated in "
            f"{time.perf_counter() - t0:.0f} s"
        )
        start = timezone.make_aware(datetime(2025, 1, 1))
        end = timezone.make_aware(datetime(2026, 1, 1))
        period = CaseEvent.objects.filter(time__gte=start, time__lt=end)

        def baseline():
            return list(period.values("action").annotate(n=Count("id")).order_by())

        def compute():
            return indicators.compute(region_code=city.code, start=start, end=end)

        result = compute()
        if result.reported == 0 or result.closed > result.reported:
            raise BenchmarkFailed(f"implausible indicators: {result}")
        base = best_of(baseline)
        full = best_of(compute)
        print(f"  one grouped COUNT over the year's events   {base * 1000:9.0f} ms   baseline")
        print(
            f"  indicators.compute (all indicators)        {full * 1000:9.0f} ms   "
            f"ratio {full / base:.1f}× baseline"
        )
        print(
            f"  立案 {result.registered:,}  结案 {result.closed:,}  结案率 "
            f"{indicators.format_value('rate', result.close_rate)}"
        )
        print("design target: statistics pages p95 < 300 ms on PostgreSQL with a city's data")
