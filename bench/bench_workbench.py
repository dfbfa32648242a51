"""The 工作台 (home page) with many open cases against the login page, same process, same run.

`BENCH_WORKBENCH_CASES` sets how many open cases the territory holds (default 100 000, over
100 grids, reported over the last 60 days, each with its report event in the roll-up). Every
part of the page is bounded (`cases/views/workbench.py`), so its cost should stay a small
multiple of the login page's whatever the cases; the desk's to-do tab, which counts each tab in
full, is timed beside it for comparison. The pages are requested `REQUESTS` times as a county
dispatcher (the default 区县调度员 role) and as a city-wide superuser. Set `DATABASE_URL` for
PostgreSQL.
"""

import os
import random
import time
from datetime import timedelta

from bench.database import bench_case, small_territory, superuser, test_database
from bench.timing import BenchmarkFailed, requests_timed

CASES = int(os.environ.get("BENCH_WORKBENCH_CASES", "100000"))
REQUESTS = 20
OPEN_STATES = ("reported", "registered", "dispatched", "handling")


def _generate(count: int) -> None:
    """Open cases with their report events, bulk inserted like an import, then the roll-up
    rebuilt from the events (the trend reads it)."""
    from django.db import transaction
    from django.utils import timezone

    from citygrid.cases import rollup
    from citygrid.cases.models import Case, CaseCategory, CaseEvent
    from citygrid.core import writeguard
    from citygrid.regions.models import Region

    rng = random.Random(12)
    grids = list(Region.objects.filter(level="grid"))
    category = CaseCategory.objects.filter(parent__isnull=False).first()
    now = timezone.now()
    batch = 5000
    for offset in range(0, count, batch):
        with transaction.atomic(), writeguard.unlogged():
            cases = []
            for i in range(offset, min(count, offset + batch)):
                grid = grids[i % len(grids)]
                reported_at = now - timedelta(minutes=rng.randint(1, 60 * 24 * 60))
                deadline = reported_at + timedelta(hours=rng.randint(4, 24 * 20))
                cases.append(
                    bench_case(
                        f"W{i:012d}",
                        grid,
                        category,
                        state=rng.choice(OPEN_STATES),
                        reported_at=reported_at,
                        step_deadline=deadline,
                        step_warn_at=deadline - (deadline - reported_at) * 0.2,
                    )
                )
            Case.objects.bulk_create(cases)
            CaseEvent.objects.bulk_create(
                [
                    CaseEvent(
                        case=case,
                        action="report",
                        to_state="reported",
                        time=case.reported_at,
                        region_code=case.region_code,
                    )
                    for case in cases
                ],
                batch_size=batch,
            )
    rollup.rebuild()


def _dispatcher():
    from citygrid.accounts.models import User
    from citygrid.accounts.roles import COUNTY_DISPATCHER, ensure_default_roles
    from citygrid.core import writeguard
    from citygrid.regions.models import Region

    role = ensure_default_roles()[COUNTY_DISPATCHER]
    with writeguard.unlogged():
        user = User.objects.create_user("dispatcher", password="Bench@2026x")
        user.roles.add(role)
        user.scope_regions.set([Region.objects.get(code="330101")])
    return user


def run(count: int = CASES) -> None:
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from citygrid.cases.models import Case
    from citygrid.cases.rollup import local_midnight

    with test_database() as vendor:
        small_territory()
        start = time.perf_counter()
        _generate(count)
        seconds = time.perf_counter() - start
        print(f"database: {vendor}; {count:,} open cases generated in {seconds:.0f} s")
        anonymous, admin, dispatcher = Client(), Client(), Client()
        admin.force_login(superuser())
        dispatcher.force_login(_dispatcher())

        response = dispatcher.get(reverse("home"))
        if response.status_code != 200:
            raise BenchmarkFailed(f"工作台: {response.status_code}")
        # Correctness: a bounded count, and the trend equal to the reports of the fortnight.
        since = local_midnight(timezone.localdate() - timedelta(days=13))
        fortnight = Case.objects.filter(reported_at__gte=since).count()
        if response.context["trend_totals"][0] != fortnight:
            raise BenchmarkFailed(
                f"trend {response.context['trend_totals'][0]} ≠ {fortnight} reports"
            )
        if response.context["todo_count"] > 100:
            raise BenchmarkFailed(f"to-do count not bounded: {response.context['todo_count']}")

        def ok(client, url):
            def send():
                if client.get(url).status_code != 200:
                    raise BenchmarkFailed(f"{url}: not 200")

            return send

        pages = [
            ("login page (baseline)", ok(anonymous, reverse("accounts:login"))),
            ("工作台, county dispatcher", ok(dispatcher, reverse("home"))),
            ("工作台, city superuser", ok(admin, reverse("home"))),
            ("desk to-do tab, county dispatcher", ok(dispatcher, reverse("cases:desk"))),
        ]
        base = None
        for label, send in pages:
            per_second, p50, p95 = requests_timed(send, REQUESTS)
            base = base or p50
            print(
                f"  {label:<36} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  "
                f"ratio {p50 / base:5.1f}× baseline"
            )


if __name__ == "__main__":
    import argparse

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "citygrid.settings")
    django.setup()
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=CASES)
    run(parser.parse_args().cases)
