"""Case intake through the API (POST /api/cases/) against a bare Django view, same process.

Both go through the full middleware stack with Django's test client, so the ratio isolates what
intake costs on top of a request: validation, point → grid, numbering, duplicate search, the case
row, the event and the register clock.
"""

import statistics
import time

from bench.database import small_territory, superuser, test_database
from bench.timing import BenchmarkFailed

REQUESTS = 400


def _percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def _measure(send) -> tuple[float, float, float]:
    samples = []
    start = time.perf_counter()
    for i in range(REQUESTS):
        t0 = time.perf_counter()
        send(i)
        samples.append(time.perf_counter() - t0)
    total = time.perf_counter() - start
    return REQUESTS / total, statistics.median(samples) * 1000, _percentile(samples, 0.99) * 1000


def run() -> None:
    from django.http import JsonResponse
    from django.test import Client, override_settings
    from django.urls import path

    from citygrid.cases.models import Case, CaseCategory

    def bare(request):
        return JsonResponse({"ok": True}, status=201)

    urlpatterns = [path("bare/", bare)]

    with test_database() as vendor:
        small_territory()
        admin = superuser()
        category = CaseCategory.objects.filter(parent__isnull=False).first()
        client = Client()
        client.force_login(admin)

        def intake(i: int):
            response = client.post(
                "/api/cases/",
                {
                    "category": category.pk,
                    "description": f"基准事件 {i}",
                    "lng": 120.0005 + (i % 97) * 0.001,
                    "lat": 30.0005 + (i % 89) * 0.001,
                },
                content_type="application/json",
            )
            if response.status_code != 201:
                raise BenchmarkFailed(
                    f"intake answered {response.status_code}: {response.content[:200]!r}"
                )

        with override_settings(ROOT_URLCONF=__name__ + "_bare"):
            import sys
            import types

            module = types.ModuleType(__name__ + "_bare")
            module.urlpatterns = urlpatterns
            sys.modules[module.__name__] = module
            base_rps, base_p50, base_p99 = _measure(lambda i: client.post("/bare/"))
        rps, p50, p99 = _measure(intake)
        if Case.objects.count() != REQUESTS:
            raise BenchmarkFailed("not every request created exactly one case")
        print(f"database: {vendor}; {REQUESTS} sequential requests each, in-process client")
        print(
            f"  bare Django view   {base_rps:8.0f} req/s  p50 {base_p50:6.2f} ms  "
            f"p99 {base_p99:6.2f} ms   baseline"
        )
        print(
            f"  POST /api/cases/   {rps:8.0f} req/s  p50 {p50:6.2f} ms  p99 {p99:6.2f} ms   "
            f"ratio {rps / base_rps:.2f}× baseline throughput"
        )
        print(
            "design target: ≥ 100 cases/s sustained with p99 < 200 ms "
            f"({'met' if rps >= 100 and p99 < 200 else 'NOT met'} here, single process)"
        )
