"""The desk (to-do, filters, the new-report feed) with many cases against the login page.

`BENCH_DESK_CASES` sets how many cases are bulk loaded first (default 50 000, spread over 100
grids, every channel, half waiting to be registered). Each page is requested `REQUESTS` times
through Django's test client as a city-wide superuser: the to-do tab, the to-do filtered by
channel, by a number prefix and by one grid, the overdue and done tabs, and the feed poll
(`desk_feed`) with the cursor at the newest case — what an open desk sends every 20 s. The
baseline is the login page, measured in this run. Correctness: the feed hands out exactly the
one case filed after the cursor, and the channel filter shows only that channel. Set
`DATABASE_URL` for PostgreSQL.
"""

import os
from datetime import datetime, timedelta

from bench.database import bench_case, small_territory, superuser, test_database
from bench.timing import BenchmarkFailed, requests_timed

CASES = int(os.environ.get("BENCH_DESK_CASES", "50000"))
REQUESTS = 20
CHANNELS = ("grid_app", "inspector", "web", "portal", "hotline", "wechat", "open311")


def _generate(city) -> None:
    """Cases written in bulk, without history (like demo data): only the desk's reads count."""
    from django.db import transaction
    from django.utils import timezone

    from citygrid.cases.models import Case, CaseCategory
    from citygrid.core import writeguard
    from citygrid.regions.models import Region

    grids = list(Region.objects.filter(level="grid").order_by("code"))
    category = CaseCategory.objects.filter(parent__isnull=False).order_by("pk").first()
    start = timezone.make_aware(datetime(2026, 1, 5, 9))
    batch = 5000
    for offset in range(0, CASES, batch):
        with transaction.atomic(), writeguard.unlogged():
            rows = []
            for i in range(offset, min(CASES, offset + batch)):
                grid = grids[i % len(grids)]
                reported = start + timedelta(minutes=i)
                rows.append(
                    bench_case(
                        f"{reported:%Y%m%d}{i:05d}",
                        grid,
                        category,
                        channel=CHANNELS[i % len(CHANNELS)],
                        state="reported" if i % 2 else "closed",
                        step="register" if i % 2 else "",
                        step_deadline=reported + timedelta(hours=1) if i % 2 else None,
                        reported_at=reported,
                    )
                )
            Case.objects.bulk_create(rows)


def run() -> None:
    from django.test import Client
    from django.urls import reverse

    from citygrid.cases.intake import Report, report_case
    from citygrid.cases.models import Case, CaseCategory
    from citygrid.regions.models import Region

    with test_database() as vendor:
        city = small_territory()
        _generate(city)
        print(f"database: {vendor}; {CASES:,} cases")
        admin = superuser()
        client, anonymous = Client(), Client()
        client.force_login(admin)
        desk, feed = reverse("cases:desk"), reverse("cases:desk_feed")
        grid = Region.objects.filter(level="grid").order_by("code")[50]
        cursor = Case.objects.order_by("-pk").values_list("pk", flat=True).first()

        def ok(response):
            if response.status_code != 200:
                raise BenchmarkFailed(f"{response.request['PATH_INFO']}: {response.status_code}")
            return response

        # Correctness: one case filed after the cursor is the feed's one answer.
        category = CaseCategory.objects.filter(parent__isnull=False).order_by("pk").first()
        fresh = report_case(
            Report(category=category, description="新上报", lng=grid.center_lng,
                   lat=grid.center_lat, channel="portal"),
            actor=admin,
        )  # fmt: skip
        body = ok(client.get(feed, {"after": cursor})).json()
        if [c["number"] for c in body["cases"]] != [fresh.number] or body["cursor"] != fresh.pk:
            raise BenchmarkFailed(f"feed after the cursor: {body['cursor']}, {body['cases']}")
        page = ok(client.get(desk, {"channel": "wechat"})).context["page"]
        if not page.object_list or {c.channel for c in page.object_list} != {"wechat"}:
            raise BenchmarkFailed("the channel filter shows other channels")

        pages = [
            ("to-do tab", lambda: ok(client.get(desk))),
            ("to-do, channel 微信", lambda: ok(client.get(desk, {"channel": "wechat"}))),
            ("to-do, number prefix", lambda: ok(client.get(desk, {"number": "202601"}))),
            ("to-do, one grid", lambda: ok(client.get(desk, {"region": grid.pk}))),
            ("overdue tab", lambda: ok(client.get(desk, {"tab": "overdue"}))),
            ("done tab", lambda: ok(client.get(desk, {"tab": "done"}))),
            ("feed poll, nothing new", lambda: ok(client.get(feed, {"after": fresh.pk}))),
            ("feed poll, one new", lambda: ok(client.get(feed, {"after": cursor}))),
        ]
        login = reverse("accounts:login")
        base_rps, base_p50, base_p95 = requests_timed(lambda: ok(anonymous.get(login)), REQUESTS)
        print(f"  {REQUESTS} requests each; baseline = login page")
        print(f"  {'page':<28}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'ratio':>9}")
        print(f"  {'(b) login page':<28}{base_rps:>9.1f}{base_p50:>9.1f}{base_p95:>9.1f}{1:>8.2f}×")
        for name, send in pages:
            rps, p50, p95 = requests_timed(send, REQUESTS)
            print(f"  {name:<28}{rps:>9.1f}{p50:>9.1f}{p95:>9.1f}{rps / base_rps:>8.3f}×")
