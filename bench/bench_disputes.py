"""Dispute statistics (统计汇总) over `BENCH_DISPUTES` disputes (default 1 000 000), PostgreSQL.

The disputes of 2025 and their parties (two each, drawn from a pool of people so that some
parties come again) are written with INSERT … SELECT generate_series, like a bulk import: no
history, no action functions. The roll-up is then rebuilt (`rollup.rebuild`, timed), checked
against the disputes, and each statistic is timed `BENCH_DISPUTE_RUNS` times (default 30) for
p50/p95. The baseline, measured in this run, is a bare `SELECT count(*)` over the same disputes;
the grouped query over the disputes themselves (what the statistics would cost without the
roll-up) is timed once beside it, and so is the roll-up's upkeep for one action (`refresh`).
Territory: city 3301 → `BENCH_DISPUTE_COUNTIES` counties (default 10) → 3 townships → 4
communities → 5 grids each.
"""

import os
import random
import time
from datetime import date, datetime

from bench.database import test_database
from bench.timing import BenchmarkFailed, requests_timed

DISPUTES = int(os.environ.get("BENCH_DISPUTES", "1000000"))
RUNS = int(os.environ.get("BENCH_DISPUTE_RUNS", "30"))
COUNTIES = int(os.environ.get("BENCH_DISPUTE_COUNTIES", "10"))
TARGET_MS = 300
CATEGORIES = ["01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12", "13",
              "14", "15", "16", "99"]  # fmt: skip


def _territory():
    """City, counties, townships, communities, grids; written directly like demo data."""
    from citygrid.core import writeguard
    from citygrid.regions.models import Region

    def make(parent, level, code, name):
        return Region.objects.create(parent=parent, level=level, code=code, name=name)

    with writeguard.unlogged():
        city = make(None, "city", "3301", "基准市")
        for c in range(1, COUNTIES + 1):
            county = make(city, "county", f"3301{c:02d}", f"基准{c}区")
            for t in range(1, 4):
                township = make(county, "township", f"{county.code}{t:03d}", f"街道{c}-{t}")
                for m in range(1, 5):
                    community = make(
                        township, "community", f"{township.code}{m:03d}", f"社区{c}-{t}-{m}"
                    )
                    for g in range(1, 6):
                        make(community, "grid", f"{community.code}{g:03d}", f"网格{c}-{t}-{m}-{g}")
    return city


def _columns(model, given: dict[str, str]) -> tuple[str, str, list]:
    """Column list and SELECT expressions for an INSERT … SELECT into `model`: the given SQL
    expressions, NULL for nullable columns, '' for blank text, the field's default otherwise."""
    from django.db import connection

    names, expressions, params = [], [], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        names.append(connection.ops.quote_name(field.column))
        if field.attname in given:
            expressions.append(given[field.attname])
        elif field.null:
            expressions.append("NULL")
        elif field.blank and field.empty_strings_allowed:
            expressions.append("''")
        elif field.has_default():
            expressions.append("%s")
            params.append(field.get_db_prep_save(field.get_default(), connection))
        else:
            raise BenchmarkFailed(f"no value for {model.__name__}.{field.attname}")
    return ", ".join(names), ", ".join(expressions), params


def _load() -> None:
    """2025's disputes over the grids; 70 % concluded (75 % of them resolved), 85 % of those
    with a deadline, 5 % / 3 % with the petition / mass-incident risk; two parties each from a
    pool of 0.8 × 2 N people, 60 % with an ID number."""
    from django.db import connection

    from citygrid.disputes.models import Dispute, DisputeParty

    categories = "ARRAY[" + ", ".join(f"'{c}'" for c in CATEGORIES) + "]"
    dispute = {
        "number": "'B' || lpad(s.g::text, 12, '0')",
        "region_id": "gr.id",
        "region_code": "gr.code",
        "category": f"({categories})[1 + floor(s.r1 * {len(CATEGORIES)})::int]",
        "title": "'基准纠纷'",
        "description": "'基准'",
        "level": "CASE WHEN s.r2 < 0.8 THEN 'ordinary' WHEN s.r2 < 0.95 THEN 'significant' "
        "ELSE 'major' END",
        "risk_petition": "s.r3 < 0.05",
        "risk_mass_incident": "s.r3 > 0.97",
        "source": "'centre'",
        "reported_at": "s.t",
        # Concluded ones archived; the open backlog (30 %) with running clocks, a slice of it
        # waiting on the centre (待研判, 待分流, 待归档) — what the desk's to-do reads.
        "state": "CASE WHEN s.r4 < 0.7 THEN 'archived' WHEN s.r4 < 0.72 THEN 'collected' "
        "WHEN s.r4 < 0.74 THEN 'assessed' WHEN s.r4 < 0.76 THEN 'verified' ELSE 'mediating' END",
        "step_deadline": "CASE WHEN s.r4 >= 0.7 THEN s.t + (1 + s.r6 * 20) * interval '1 day' END",
        "due_at": "CASE WHEN s.r5 < 0.85 THEN s.t + interval '15 days' END",
        "outcome": "CASE WHEN s.r4 >= 0.7 THEN '' WHEN s.r4 < 0.525 THEN 'resolved' "
        "WHEN s.r4 < 0.665 THEN 'unresolved' ELSE 'withdrawn' END",
        "concluded_at": "CASE WHEN s.r4 < 0.7 THEN s.t + (1 + s.r6 * 20) * interval '1 day' END",
    }
    columns, expressions, params = _columns(Dispute, dispute)
    people = int(DISPUTES * 1.6)
    party = {
        "dispute_id": "d.id",
        "side": "CASE WHEN k = 1 THEN 'applicant' ELSE 'respondent' END",
        "kind": "'person'",
        "name": "''",
        "name_index": "encode(sha256(('n' || p.who)::bytea), 'hex')",
        "id_number": "''",
        "id_number_index": "CASE WHEN p.who %% 5 < 3 "
        "THEN encode(sha256(('i' || p.who)::bytea), 'hex') ELSE '' END",
        "phone": "''",
        "phone_index": "''",
        "address": "''",
    }
    party_columns, party_expressions, party_params = _columns(DisputeParty, party)
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.42)")
        cursor.execute(
            "CREATE TEMP TABLE bench_grids AS SELECT row_number() OVER (ORDER BY code) - 1 AS i, "
            "id, code FROM regions_region WHERE level = 'grid'"
        )
        cursor.execute(
            f"INSERT INTO disputes_dispute ({columns}) SELECT {expressions} FROM ("
            "SELECT g, random() r1, random() r2, random() r3, random() r4, random() r5, "
            "random() r6, timestamptz '2025-01-01 00:00+08' + "
            "(g * 31536000.0 / %s) * interval '1 second' AS t "
            "FROM generate_series(0, %s - 1) g) s "
            "JOIN bench_grids gr ON gr.i = s.g %% (SELECT count(*) FROM bench_grids)",
            [*params, DISPUTES, DISPUTES],
        )
        cursor.execute(
            f"INSERT INTO disputes_disputeparty ({party_columns}) SELECT {party_expressions} "
            "FROM disputes_dispute d CROSS JOIN generate_series(1, 2) k "
            "CROSS JOIN LATERAL (SELECT floor(random() * %s)::bigint + 0 * d.id AS who) p",
            [*party_params, people],
        )
        cursor.execute("ANALYZE disputes_dispute")
        cursor.execute("ANALYZE disputes_disputeparty")


def _check(city) -> None:
    """The roll-up's totals against the disputes (the repeat count included: its SQL is the
    roll-up's own, so the count of the disputes with a repeated identity is checked with a
    grouped subquery instead)."""
    from django.db import connection

    from citygrid.disputes.models import Dispute
    from citygrid.disputes.statistics.compute import compute

    found = compute(city, date(2025, 1, 1), date(2025, 12, 31)).figures
    disputes = Dispute.objects.filter(reported_at__year=2025)
    expected = (
        disputes.count(),
        disputes.exclude(outcome="").count(),
        disputes.filter(outcome="resolved").count(),
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "WITH who AS (SELECT dispute_id, CASE WHEN id_number_index <> '' "
            "THEN 'i' || id_number_index ELSE 'n' || name_index END AS key "
            "FROM disputes_disputeparty), "
            "seen AS (SELECT key FROM who GROUP BY key HAVING count(DISTINCT dispute_id) > 1) "
            "SELECT count(DISTINCT dispute_id) FROM who JOIN seen USING (key)"
        )
        repeat = cursor.fetchone()[0]
    if (found.total, found.concluded, found.resolved, found.repeat) != (*expected, repeat):
        raise BenchmarkFailed(
            f"roll-up {found} differs from the disputes {expected}, repeat {repeat}"
        )
    print(
        f"  checked: {found.total:,} disputes, 调处成功率 {found.success_rate_display}, "
        f"按期办结率 {found.on_time_rate_display}, 重复纠纷 {found.repeat:,}"
    )


def _pages(county, base_p50: float) -> list[str]:
    """The list's first page with its bounded total, and the desk's to-do page, as a county's
    centre (assess, refer, archive, supervise) would read them: the queries of the views."""
    from django.contrib.auth.models import Permission

    from citygrid.accounts.models import Role, User
    from citygrid.core import writeguard
    from citygrid.core.paginator import bounded_count
    from citygrid.disputes.models import Dispute
    from citygrid.disputes.workflow import DISPUTES

    with writeguard.unlogged():
        user = User.objects.create_user("bench-centre", password="Bench@2026x")
        role = Role.objects.create(name="bench-centre")
        codenames = ["view_dispute", "assess_dispute", "dispatch_dispute", "archive_dispute"]
        role.permissions.add(*Permission.objects.filter(codename__in=codenames))
        user.roles.add(role)
        user.scope_regions.set([county])
    visible = Dispute.objects.restrict(user, "view").select_related("department")

    def listing():
        rows = visible.order_by("-reported_at")
        return bounded_count(rows), list(rows[:26])

    def desk():
        rows = visible.filter(DISPUTES.todo_q(user)).order_by("step_deadline", "id")
        return list(rows.select_related("verifying_region")[:21])

    slow = []
    for label, page in (("list page, one county", listing), ("desk to-do, one county", desk)):
        _rps, p50, p95 = requests_timed(page, RUNS)
        print(
            f"  {label:<44} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  "
            f"ratio {p50 / base_p50:.2f}× baseline"
        )
        if p95 > TARGET_MS:
            slow.append(label)
    return slow


def run() -> None:
    from django.db import connection

    from citygrid.disputes.models import Dispute
    from citygrid.disputes.statistics import rollup
    from citygrid.disputes.statistics.compute import compute
    from citygrid.regions.models import Region

    with test_database() as vendor:
        if vendor != "postgresql":
            print("skipped: the 1 M-dispute load needs PostgreSQL (set DATABASE_URL)")
            return
        city = _territory()
        t0 = time.perf_counter()
        _load()
        loaded = time.perf_counter() - t0
        print(f"database: {vendor}; {DISPUTES:,} disputes loaded in {loaded:.0f} s")
        t0 = time.perf_counter()
        rows = rollup.rebuild()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE disputes_disputerollup")
        print(f"  rollup.rebuild: {rows:,} roll-up rows in {time.perf_counter() - t0:.1f} s")
        _check(city)
        county = Region.objects.get(code="330101")
        township = Region.objects.get(code="330101001")
        year = Dispute.objects.filter(
            region_code__within=city.code,
            reported_at__gte=datetime.fromisoformat("2025-01-01T00:00+08:00"),
            reported_at__lt=datetime.fromisoformat("2026-01-01T00:00+08:00"),
        )
        _rps, base_p50, base_p95 = requests_timed(year.count, RUNS)
        print(
            f"  {'baseline: SELECT count(*), city, a year':<44} p50 {base_p50:7.1f} ms  "
            f"p95 {base_p95:7.1f} ms"
        )
        t0 = time.perf_counter()
        list(rollup._base(year))
        live = (time.perf_counter() - t0) * 1000
        print(
            f"  {'grouped over the disputes, city, a year, once':<44} {live:11.0f} ms  "
            f"ratio {live / base_p50:.1f}× baseline"
        )
        cases = [
            ("city, a year", city, date(2025, 1, 1), date(2025, 12, 31)),
            ("city, 03-15 … 09-10 (days + months)", city, date(2025, 3, 15), date(2025, 9, 10)),
            ("one county, June", county, date(2025, 6, 1), date(2025, 6, 30)),
            ("one county, 06-10 … 07-09 (days)", county, date(2025, 6, 10), date(2025, 7, 9)),
            ("one township, a week", township, date(2025, 6, 2), date(2025, 6, 8)),
        ]
        slow = []
        for label, region, first, last in cases:
            statistic = lambda r=region, a=first, b=last: compute(r, a, b)  # noqa: E731
            _rps, p50, p95 = requests_timed(statistic, RUNS)
            print(
                f"  {label:<44} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  "
                f"ratio {p50 / base_p50:.2f}× baseline"
            )
            if p95 > TARGET_MS:
                slow.append(label)
        rng = random.Random(7)
        grids = list(Region.objects.filter(level="grid").values_list("code", flat=True))
        first = date(2025, 1, 1).toordinal()
        buckets = iter(
            [(date.fromordinal(first + rng.randrange(365)), rng.choice(grids)) for _ in range(RUNS)]
        )
        _rps, p50, p95 = requests_timed(lambda: rollup.refresh({next(buckets)}), RUNS)
        print(
            f"  {'upkeep: refresh one day and grid (an action)':<44} p50 {p50:7.1f} ms  "
            f"p95 {p95:7.1f} ms"
        )
        slow += _pages(county, base_p50)
        print(f"design target: dispute statistics p95 < {TARGET_MS} ms over {DISPUTES:,} disputes")
        if slow:
            raise BenchmarkFailed(f"p95 over {TARGET_MS} ms: {', '.join(slow)}")
