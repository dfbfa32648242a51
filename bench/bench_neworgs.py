"""The 两新组织 monthly report: the roll-up for a city of `BENCH_NEWORGS` organisations (default
100 000) and its pages against the login page, same process, same run.

Territory: city 3301 → 10 counties → 10 townships → 10 communities (1 000) with one grid each;
the organisations sit half in the communities, half in their grids, 40 % with a 党组织 and 20 %
with a 工会, 5 % closed; written with bulk inserts and no history, like demo data. Timed once:
every community's report generated and submitted, then every township, county and the city
rolled up and submitted. Timed `BENCH_NEWORGS_REQUESTS` times (default 50) for p50/p95: the
city's, a county's, a township's and a community's page (own report + status board). Target:
page p95 < 300 ms on PostgreSQL. Correctness: the city's total equals the active organisations.
"""

import os
import time

from bench.database import superuser, test_database
from bench.timing import BenchmarkFailed, requests_timed

ORGANISATIONS = int(os.environ.get("BENCH_NEWORGS", "100000"))
REQUESTS = int(os.environ.get("BENCH_NEWORGS_REQUESTS", "50"))
TARGET_MS = 300
KINDS = ["enterprise", "enterprise", "enterprise", "social_group", "private_non_enterprise"]


def _territory() -> list:
    """The regions, written directly; returns the communities and grids (where organisations
    sit)."""
    from citygrid.core import writeguard
    from citygrid.regions.models import Region

    places = []
    with writeguard.unlogged():
        city = Region.objects.create(level="city", code="3301", name="基准市")
        for c in range(1, 11):
            county = Region.objects.create(
                parent=city, level="county", code=f"3301{c:02d}", name=f"基准{c}区"
            )
            for t in range(1, 11):
                township = Region.objects.create(
                    parent=county,
                    level="township",
                    code=f"{county.code}{t:03d}",
                    name=f"街道{c}-{t}",
                )
                for m in range(1, 11):
                    community = Region.objects.create(
                        parent=township,
                        level="community",
                        code=f"{township.code}{m:03d}",
                        name=f"社区{c}-{t}-{m}",
                    )
                    grid = Region.objects.create(
                        parent=community,
                        level="grid",
                        code=f"{community.code}001",
                        name=f"网格{c}-{t}-{m}",
                    )
                    places += [community, grid]
    return places


def _load(places: list) -> int:
    """The organisations and their branches; returns how many are active."""
    from datetime import date

    from citygrid.core import writeguard
    from citygrid.neworgs.models import NewOrganisation, OrgBranch

    active = 0
    with writeguard.unlogged():
        for start in range(0, ORGANISATIONS, 10_000):
            batch = []
            for i in range(start, min(start + 10_000, ORGANISATIONS)):
                place = places[i % len(places)]
                closed = i % 20 == 7
                active += not closed
                batch.append(
                    NewOrganisation(
                        region=place,
                        region_code=place.code,
                        name=f"基准组织{i}",
                        kind=KINDS[i % len(KINDS)],
                        head_name="负责人",
                        full_time_staff=i % 4,
                        employees=5 + i % 50,
                        closed_on=date(2026, 1, 1) if closed else None,
                    )
                )
            made = NewOrganisation.objects.bulk_create(batch, batch_size=2000)
            branches = [
                OrgBranch(organisation=o, kind=kind)
                for n, o in enumerate(made)
                for kind, share in (("party", 5), ("union", 10))
                if n % share < share * 2 // 5 or (kind == "union" and n % share == 0)
            ]
            OrgBranch.objects.bulk_create(branches, batch_size=5000)
    return active


def run() -> None:
    from django.db import connection
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from citygrid.neworgs import reports
    from citygrid.neworgs.models import MonthlyReport, MonthlyReportLine
    from citygrid.regions.models import Region

    with test_database() as vendor:
        t0 = time.perf_counter()
        active = _load(_territory())
        if vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        print(f"database: {vendor}; {ORGANISATIONS:,} organisations loaded in "
              f"{time.perf_counter() - t0:.0f} s")  # fmt: skip
        admin = superuser()
        month = timezone.localdate().replace(day=1)

        def file_level(level: str) -> float:
            t0 = time.perf_counter()
            for region in Region.objects.filter(level=level).order_by("code"):
                report = reports.generate_report(region, month, actor=admin)
                reports.submit_report(report, actor=admin)
            return time.perf_counter() - t0

        for level, label in (
            ("community", "1 000 communities"),
            ("township", "100 townships"),
            ("county", "10 counties"),
            ("city", "the city"),
        ):
            seconds = file_level(level)
            print(f"  generate + submit, {label:<18} {seconds:7.2f} s")
        city = MonthlyReport.objects.get(region__code="3301", month=month)
        total = sum(MonthlyReportLine.objects.filter(report=city).values_list("total", flat=True))
        if total != active:
            raise BenchmarkFailed(f"the city's report counts {total}, not {active}")

        client, anonymous = Client(), Client()
        client.force_login(admin)
        home = reverse("neworgs:monthlyreport_home")

        def ok(response):
            if response.status_code != 200:
                raise BenchmarkFailed(f"page answered {response.status_code}")

        login = reverse("accounts:login")
        _rps, base_p50, base_p95 = requests_timed(lambda: ok(anonymous.get(login)), REQUESTS)
        print(f"  {REQUESTS} requests each; baseline = login page")
        print(f"  {'(b) login page':<32} p50 {base_p50:7.1f} ms  p95 {base_p95:7.1f} ms")
        slow = []
        for label, code in (
            ("city page (10 counties)", "3301"),
            ("county page (10 townships)", "330101"),
            ("township page (10 communities)", "330101001"),
            ("community page", "330101001001"),
        ):
            params = {"region": Region.objects.get(code=code).pk, "month": f"{month:%Y-%m}"}
            _rps, p50, p95 = requests_timed(lambda p=params: ok(client.get(home, p)), REQUESTS)
            print(
                f"  {label:<32} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  "
                f"ratio {p50 / base_p50:.2f}× login"
            )
            if p95 > TARGET_MS:
                slow.append(label)
        if slow and vendor == "postgresql":
            raise BenchmarkFailed(f"p95 over {TARGET_MS} ms: {', '.join(slow)}")
