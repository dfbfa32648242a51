"""Person pages with a large population against the login page, same process, same run.

`BENCH_PEOPLE` (or `--people N` when run as `python -m bench.bench_people_pages`) sets how many
demo people are generated first (default 100 000; 1 000 000 takes several minutes on SQLite).
Each page is requested `REQUESTS` times through Django's test client as a city-wide superuser:
the person list (also as a county user and as a grid user, and a deep keyset page), an exact
ID-number look-up (POSTed, never in a URL), a name search, the region picker's search and the
population statistics (page and its data). The baseline is the login page: the cost of the
middleware stack and a template, measured in this run. Set `DATABASE_URL` for PostgreSQL.
"""

import argparse
import os
import time

from bench.database import scoped_user, small_territory, superuser, test_database
from bench.timing import BenchmarkFailed, requests_timed

PEOPLE = int(os.environ.get("BENCH_PEOPLE", "100000"))
REQUESTS = 30


def _measure(send) -> tuple[float, float, float]:
    return requests_timed(send, REQUESTS)


def run(people: int = PEOPLE) -> None:
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    from citygrid.demo.people import generate_demo_people
    from citygrid.people.models import Person

    with test_database() as vendor:
        city = small_territory()
        start = time.perf_counter()
        generate_demo_people(city, seed=1, count=people)
        seconds = time.perf_counter() - start
        print(f"database: {vendor}; {people:,} people generated in {seconds:.0f} s")
        admin = superuser()
        anonymous, client, county, grid = Client(), Client(), Client(), Client()
        client.force_login(admin)
        county.force_login(scoped_user("county", "330101"))
        grid.force_login(scoped_user("grid", "330101001001050"))
        sample = Person.objects.filter(id_type="111").order_by("pk")[people // 2 : people // 2 + 1]
        person = sample.get()
        listing = reverse("people:person_list")

        def ok(response, status=200):
            if response.status_code != status:
                raise BenchmarkFailed(f"{response.request['PATH_INFO']}: {response.status_code}")

        # A page deep in the list, reached the way its "下一页" link does (by the row before it).
        deep = Person.objects.order_by("region_code", "name", "id")[people - 60 : people - 59].get()
        search = reverse("regions:region_search")
        pages = [
            ("person list", lambda: ok(client.get(listing))),
            ("person list, county user", lambda: ok(county.get(listing))),
            ("person list, grid user", lambda: ok(grid.get(listing))),
            ("person list, deep page", lambda: ok(client.get(listing, {"after": deep.pk}))),
            ("region search", lambda: ok(county.get(search, {"q": "网格1"}))),
            (
                "exact ID-number look-up",
                lambda: ok(client.post(listing, {"number": person.id_number}), 302),
            ),
            ("name search", lambda: ok(client.get(listing, {"q": person.name[:2]}))),
        ]
        try:
            overview, data = reverse("population:overview"), reverse("population:data")
            from citygrid.people.stats.snapshots import refresh_levels

            # The pages read a snapshot and never compute one; with no worker running in the
            # bench, the periodic job's refresh is done here, before timing.
            refresh_levels()
            pages += [
                ("population statistics", lambda: ok(client.get(overview))),
                ("population statistics data", lambda: ok(client.get(data))),
            ]
        except NoReverseMatch:
            print("  population:overview does not exist yet: statistics skipped")
        login = reverse("accounts:login")
        base_rps, base_p50, base_p95 = _measure(lambda: ok(anonymous.get(login)))
        print(f"  {REQUESTS} requests each; baseline = login page")
        print(f"  {'page':<28}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'ratio':>9}")
        print(f"  {'(b) login page':<28}{base_rps:>9.1f}{base_p50:>9.1f}{base_p95:>9.1f}{1:>8.2f}×")
        for name, send in pages:
            rps, p50, p95 = _measure(send)
            print(f"  {name:<28}{rps:>9.1f}{p50:>9.1f}{p95:>9.1f}{rps / base_rps:>8.3f}×")


if __name__ == "__main__":
    import django

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=PEOPLE)
    parser.add_argument("--pg", help="PostgreSQL URL (instead of DATABASE_URL)")
    args = parser.parse_args()
    if args.pg:
        os.environ["DATABASE_URL"] = args.pg
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "citygrid.settings")
    django.setup()
    run(args.people)
