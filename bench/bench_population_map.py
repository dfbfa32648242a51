"""Population map data (人员地图), city zoom and house zoom 200 m / 500 m, against the login page.

City zoom is measured twice when the database has no stored counts yet: live (the old way, every
person in view read per request) and from the counts per region that the periodic job stores
(`citygrid/people/grid_population.py`); the refresh itself is timed once. House zoom finds the
houses in view through `house_map_position_idx` and counts their residents. A membership
category (counted live by design) is shown for comparison.

By default a throw-away database gets `BENCH_PEOPLE` demo people (default 100 000; `--people N`;
`DATABASE_URL` or `--pg URL` for PostgreSQL). `--existing` measures the database of
`DATABASE_URL` as it is instead — e.g. the seeded `citygrid_1m`, migrated — as one of its
superusers; it writes nothing there but the stored counts (one refresh).
Each request is sent `REQUESTS` times through Django's test client: req/s, p50, p95, ratio.
"""

import argparse
import math
import os
import time

from bench.database import small_territory, superuser, test_database
from bench.timing import BenchmarkFailed, requests_timed

PEOPLE = int(os.environ.get("BENCH_PEOPLE", "100000"))
REQUESTS = 30
METRES_PER_DEGREE_LAT = 111_320


def _measure(send) -> tuple[float, float, float]:
    return requests_timed(send, REQUESTS)


def _square(lng: float, lat: float, metres: float) -> str:
    """A bbox `metres` wide and high centred on the point, as the map sends it."""
    half_lat = metres / 2 / METRES_PER_DEGREE_LAT
    half_lng = half_lat / math.cos(math.radians(lat))
    return f"{lng - half_lng:.6f},{lat - half_lat:.6f},{lng + half_lng:.6f},{lat + half_lat:.6f}"


def _city_bbox() -> str:
    from django.db.models import Max, Min

    from citygrid.regions.models import Region

    box = Region.objects.filter(level="grid").aggregate(
        w=Min("bbox_min_lng"), s=Min("bbox_min_lat"), e=Max("bbox_max_lng"), n=Max("bbox_max_lat")
    )
    return f"{box['w']:.6f},{box['s']:.6f},{box['e']:.6f},{box['n']:.6f}"


def _busy_point() -> tuple[float, float]:
    """The map position of the house with the most current residents among a sample."""
    from django.db.models import Count

    from citygrid.people.models import Residency

    row = (
        Residency.objects.filter(ended_on__isnull=True, house__map_lng__isnull=False)
        .values("house__map_lng", "house__map_lat")
        .annotate(n=Count("id"))
        .order_by("-n")[:1]
        .get()
    )
    return row["house__map_lng"], row["house__map_lat"]


def _fill_house_positions() -> int:
    """Demo houses written without `House.derive_position` (see the report): fill them."""
    from citygrid.housing.models import Building, House
    from citygrid.housing.models.houses import follow_buildings

    if not House.objects.filter(map_lng__isnull=True, building__lng__isnull=False).exists():
        return 0
    return follow_buildings(Building.objects.values("pk"))


def measure(admin) -> None:
    from django.test import Client
    from django.urls import reverse

    from citygrid.people import grid_population
    from citygrid.people.choices import PersonStatus
    from citygrid.people.models import Person

    anonymous, client = Client(), Client()
    client.force_login(admin)
    url = reverse("population:map_data")

    def get(bbox, zoom, category="all", expect=None):
        response = client.get(url, {"bbox": bbox, "zoom": zoom, "category": category})
        if response.status_code != 200:
            raise BenchmarkFailed(f"map data {bbox} {zoom}: {response.status_code}")
        body = response.json()
        if expect and body["mode"] != expect:
            raise BenchmarkFailed(f"map data {bbox} {zoom}: mode {body['mode']}, not {expect}")
        return body

    filled = _fill_house_positions()
    if filled:
        print(f"  filled the map position of {filled:,} demo houses (demo generator)")
    city = _city_bbox()
    lng, lat = _busy_point()
    present = Person.objects.filter(status=PersonStatus.PRESENT).count()
    before = []
    if grid_population.computed_at() is None:
        live = get(city, 11, expect="regions")["total"]
        if live > present:
            raise BenchmarkFailed(f"live city total {live} > {present} persons living there")
        before.append(("city zoom, live count", _measure(lambda: get(city, 11))))
        print("  city zoom, live count: measured before the first refresh")
    start = time.perf_counter()
    rows = grid_population.refresh()
    print(f"  refresh: {rows:,} rows in {time.perf_counter() - start:.1f} s")
    stored = get(city, 11, expect="regions")
    if before and stored["total"] != live:
        raise BenchmarkFailed(f"stored city total {stored['total']} != live {live}")
    near = {m: get(_square(lng, lat, m), 17 if m < 300 else 16) for m in (200, 500)}
    print(
        f"  city: {stored['total']:,} persons in {len(stored['items'])} {stored['level']} markers;"
        + "".join(
            f" {m} m: {len(b['items'])} {b['mode']} markers, {b['total']} persons;"
            for m, b in near.items()
        )
    )
    pages = [
        ("city zoom, stored counts", lambda: get(city, 11)),
        ("city zoom, floating", lambda: get(city, 11, "floating")),
        ("city zoom, left-behind (live)", lambda: get(city, 11, "left_behind_child")),
        ("house zoom 200 m", lambda: get(_square(lng, lat, 200), 17)),
        ("house zoom 500 m", lambda: get(_square(lng, lat, 500), 16)),
    ]
    login = reverse("accounts:login")
    base_rps, base_p50, base_p95 = _measure(lambda: anonymous.get(login))
    print(f"  {REQUESTS} requests each; baseline = login page")
    print(f"  {'page':<32}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'ratio':>9}")
    print(f"  {'(b) login page':<32}{base_rps:>9.1f}{base_p50:>9.1f}{base_p95:>9.1f}{1:>8.2f}×")
    figures = before + [(name, _measure(send)) for name, send in pages]
    for name, (rps, p50, p95) in figures:
        print(f"  {name:<32}{rps:>9.1f}{p50:>9.1f}{p95:>9.1f}{rps / base_rps:>8.3f}×")


def run(people: int = PEOPLE, existing: bool = False) -> None:
    from django.db import connection

    if existing:
        from citygrid.accounts.models import User

        admin = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
        if admin is None:
            raise BenchmarkFailed("--existing: the database has no active superuser")
        print(f"database: {connection.vendor} {connection.settings_dict['NAME']} (existing)")
        measure(admin)
        return
    from citygrid.demo.people import generate_demo_people

    with test_database() as vendor:
        city = small_territory()
        start = time.perf_counter()
        generate_demo_people(city, seed=1, count=people)
        seconds = time.perf_counter() - start
        print(f"database: {vendor}; {people:,} people generated in {seconds:.0f} s")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as autovacuum would have by now
        measure(superuser())


if __name__ == "__main__":
    import django

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=PEOPLE)
    parser.add_argument("--pg", help="PostgreSQL URL (instead of DATABASE_URL)")
    parser.add_argument("--existing", action="store_true", help="measure DATABASE_URL as it is")
    args = parser.parse_args()
    if args.pg:
        os.environ["DATABASE_URL"] = args.pg
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "citygrid.settings")
    django.setup()
    run(args.people, args.existing)
