"""Issue 11's pages on a big seeded city, each beside the login page in the same run.

PostgreSQL, gunicorn and wrk; the login page is measured on the same server, before and after the
pages (the better figure of the two is the baseline, as `best_of` takes the fastest run).

Runs against an existing database named by `BENCH_SCALE_DB` (default `citygrid_10m`), seeded
beforehand with `manage.py seed_demo --people N` (docs/performance.md); it is never created or
dropped here, and without it (or without `wrk`) nothing is measured. Same server and user as
`DATABASE_URL` when that is PostgreSQL, else postgres@127.0.0.1:5432. The bench adds its users
(`bench_scale_*`), their sessions and the cases its intake run posts ("基准事件 …").

gunicorn runs with `BENCH_SCALE_WORKERS` workers (default 2) × 4 threads; each page is a wrk run
of `BENCH_SCALE_SECONDS` (default 10) at `BENCH_SCALE_CONNECTIONS` connections (default 4), the
intake at 8 and 16. p50/p95 come from wrk's own latency histogram.
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from bench.bench_intake_load import _free_port, _wait_ready
from bench.timing import BenchmarkFailed

DATABASE = os.environ.get("BENCH_SCALE_DB", "citygrid_10m")
SECONDS = int(os.environ.get("BENCH_SCALE_SECONDS", "10"))
WORKERS = int(os.environ.get("BENCH_SCALE_WORKERS", "2"))
CONNECTIONS = int(os.environ.get("BENCH_SCALE_CONNECTIONS", "4"))
INTAKE_CONNECTIONS = (8, 16)
PASSWORD = "Bench@2026x"
ROOT = Path(__file__).resolve().parent.parent

# Appended to every wrk script: wrk's latency histogram (µs) and failures, machine-readable.
REPORT_LUA = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH p50=%d p95=%d failed=%d\\n", latency:percentile(50),
    latency:percentile(95), e.connect + e.read + e.write + e.status + e.timeout))
end
"""
# Each intake a new description at a position inside one of the city's grids, in turn.
INTAKE_LUA = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Token %(token)s"
local points = {%(points)s}
local n = 0
request = function()
  n = n + 1
  local p = points[n %% #points + 1]
  local body = string.format(
    '{"category": %(category)d, "description": "基准事件 %%d", "lng": %%.7f, "lat": %%.7f}',
    n, p[1], p[2])
  return wrk.format(nil, "/api/cases/", nil, body)
end
response = function(status, headers, body)
  if status ~= 201 then io.stderr:write(status .. " " .. body:sub(1, 300) .. "\\n") end
end
"""


def _database_url(name: str) -> str:
    """`DATABASE_URL` with its database name replaced, or the local server's."""
    current = os.environ.get("DATABASE_URL", "")
    if current.startswith(("postgres://", "postgresql://")):
        return current.rsplit("/", 1)[0] + "/" + name
    return f"postgres://postgres@127.0.0.1:5432/{name}"


def _exists(url: str) -> bool:
    import psycopg

    try:
        with psycopg.connect(url.replace("postgres://", "postgresql://", 1), connect_timeout=5):
            return True
    except psycopg.OperationalError:
        return False


def run() -> None:
    if not shutil.which("wrk"):
        print("  wrk is not installed (`make bench-deps`): nothing measured")
        return
    url = _database_url(DATABASE)
    if not _exists(url):
        print(f"  database {DATABASE} not found: seed it first (docs/performance.md); skipped")
        return
    from django.db import connection

    if connection.vendor == "postgresql" and connection.settings_dict["NAME"] == DATABASE:
        _measure_all(url)
        return
    # Django is set up for another database: measure from a process set up for this one.
    env = {**os.environ, "DATABASE_URL": url}
    done = subprocess.run([sys.executable, "-m", "bench.bench_scale"], cwd=ROOT, env=env)
    if done.returncode:
        raise BenchmarkFailed(f"bench_scale on {DATABASE} failed")


# --- fixtures: users, sessions, sample values ------------------------------------------------


def _user(username: str, *, scope=None, superuser: bool = False):
    """A bench user, created once and reused: a superuser, or a person viewer scoped to `scope`."""
    from django.contrib.auth.models import Permission

    from citygrid.accounts.models import Role, User
    from citygrid.core import writeguard

    with writeguard.unlogged():
        user = User.objects.filter(username=username).first()
        if user is None:
            make = User.objects.create_superuser if superuser else User.objects.create_user
            user = make(username, password=PASSWORD)
        if scope is not None:
            role, _ = Role.objects.get_or_create(name=f"bench-scale-{username}")
            role.permissions.add(Permission.objects.get(codename="view_person"))
            user.roles.set([role])
            user.scope_regions.set([scope])
    return user


def _session(user) -> str:
    """A session cookie for `user`, stored where the gunicorn workers read sessions."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def _intake_points(limit: int = 200) -> str:
    """Lua table of positions inside grids spread over the city (a representative point each)."""
    from shapely.geometry import shape

    from citygrid.regions.models import Region

    grids = Region.objects.filter(level="grid", boundary__isnull=False).order_by("code")
    total = grids.count()
    step = max(1, total // limit)
    points = []
    for boundary in grids.values_list("boundary", flat=True)[::step][:limit]:
        point = shape(boundary).representative_point()
        points.append(f"{{{point.x:.7f}, {point.y:.7f}}}")
    return ", ".join(points)


def _around(lng: float, lat: float, metres: float) -> str:
    """A bbox `metres` wide centred on a point, as the map sends it (west,south,east,north)."""
    import math

    half_lat = metres / 2 / 110_574
    half_lng = metres / 2 / (111_320 * math.cos(math.radians(lat)))
    return f"{lng - half_lng:.6f},{lat - half_lat:.6f},{lng + half_lng:.6f},{lat + half_lat:.6f}"


def _pages(tmp: Path) -> tuple[list[tuple], int]:
    """(label, path, wrk options, connections) per measured page, and the person count."""
    from django.core.management import call_command
    from django.urls import reverse
    from rest_framework.authtoken.models import Token

    from citygrid.cases.models import CaseCategory
    from citygrid.housing.models import Building
    from citygrid.people.models import Person, Residency
    from citygrid.regions.models import Region

    call_command("createcachetable", verbosity=0)
    people = Person.objects.count()
    city = Region.objects.filter(level="city").order_by("code").first()
    if city is None or not people:
        raise BenchmarkFailed(f"{DATABASE} holds no demo city with people")
    # A resident in the middle of the list: their grid, county, name and house are the samples
    # (found through the residencies: a city may hold persons with no house).
    middle = Residency.objects.order_by("-pk")[0].pk // 2
    residency = (
        Residency.objects.filter(pk__gte=middle, person__id_type="111")
        .select_related("person", "house")
        .order_by("pk")
        .first()
    )
    person, house = residency.person, residency.house
    grid = Region.objects.get(pk=person.region_id)
    county = Region.objects.get(code=grid.code[:6])
    building = Building.objects.get(pk=house.building_id)

    admin = _user("bench_scale_admin", superuser=True)
    cookies = {
        "admin": _session(admin),
        "county": _session(_user("bench_scale_county", scope=county)),
        "grid": _session(_user("bench_scale_grid", scope=grid)),
    }
    token, _ = Token.objects.get_or_create(user=admin)
    category = CaseCategory.objects.filter(parent__isnull=False, active=True).order_by("pk")[0]
    intake = tmp / "intake.lua"
    intake.write_text(
        INTAKE_LUA % {"token": token.key, "category": category.pk, "points": _intake_points()}
        + REPORT_LUA
    )

    def get(label, path, params=None, who="admin"):
        query = f"?{urlencode(params)}" if params else ""
        return (label, path + query, ["-H", f"Cookie: {cookies[who]}"], CONNECTIONS)

    listing = reverse("people:person_list")
    city_bbox = f"{city.bbox_min_lng},{city.bbox_min_lat},{city.bbox_max_lng},{city.bbox_max_lat}"
    pages = [
        *(
            ("case intake POST /api/cases/", "/api/cases/", ["-s", str(intake)], conns)
            for conns in INTAKE_CONNECTIONS
        ),
        get("person list, admin", listing),
        get("person list, county user", listing, who="county"),
        get("person list, grid user", listing, who="grid"),
        get("name prefix search", listing, {"q": person.name[:2]}),
        get("population map, city zoom", reverse("population:map_data"),
            {"bbox": city_bbox, "zoom": 11}),
        get("population map, house zoom 200 m", reverse("population:map_data"),
            {"bbox": _around(building.lng, building.lat, 200), "zoom": 17}),
        get("indicators, one year", reverse("stats:indicators"), {"period": "year"}),
        get("population statistics", reverse("population:overview")),
    ]  # fmt: skip
    return pages, people


# --- measuring ---------------------------------------------------------------------------------


def _wrk(
    url: str, connections: int, options: list[str], script: Path, seconds: int = SECONDS
) -> tuple[float, float, float]:
    """Requests/s, p50 and p95 in ms of one wrk run; a failed answer fails the bench, and so
    does a run in which no request completed (its histogram is empty)."""
    if "-s" not in options:
        options = [*options, "-s", str(script)]
    args = ["wrk", "-t", str(min(2, connections)), "-c", str(connections), "-d", f"{seconds}s",
            "--timeout", "60s", *options, url]  # fmt: skip
    done = subprocess.run(args, capture_output=True, text=True, check=True)
    text = done.stdout
    found = re.search(r"BENCH p50=(\d+) p95=(\d+) failed=(\d+)", text)
    if found is None:
        raise BenchmarkFailed(f"wrk gave no figures for {urlsplit(url).path}: {done.stderr[:500]}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    p50, p95, failed = (int(v) for v in found.groups())
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    if failed or bad:
        first = done.stderr.strip().splitlines()[:3]
        raise BenchmarkFailed(f"{urlsplit(url).path}: {failed} failed requests {first}")
    if not rps or not p95:
        raise BenchmarkFailed(f"{urlsplit(url).path}: no request completed in {seconds} s")
    return rps, p50 / 1000, p95 / 1000


def _check(base: str, path: str, options: list[str]) -> None:
    """One request first: the page answers 200 (or 201) for this user, and it is warmed up."""
    args = ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "300"]
    if "-H" in options:
        args += ["-H", options[options.index("-H") + 1]]
    if "-s" in options:
        return  # the intake is a POST: checked by its wrk run (any non-201 fails it)
    status = subprocess.run([*args, base + path], capture_output=True, text=True).stdout
    if status not in ("200", "201"):
        raise BenchmarkFailed(f"{path}: HTTP {status}")


def _measure_all(url: str) -> None:
    from django.urls import reverse

    from citygrid.demo.models import SeedProgress

    unfinished = SeedProgress.objects.filter(finished=False).first()
    if unfinished is not None:
        done, target = unfinished.persons, unfinished.target
        print(f"  {DATABASE} is still being seeded ({done:,} of {target:,} people): "
              "re-run its seed_demo to finish it; skipped")  # fmt: skip
        return
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        pages, people = _pages(Path(tmp))
        report = Path(tmp, "report.lua")
        report.write_text(REPORT_LUA)
        print(f"  database {DATABASE}: {people:,} people; fixtures in "
              f"{time.perf_counter() - started:.0f} s; gunicorn {WORKERS} workers × 4 threads, "
              f"wrk {SECONDS} s per figure")  # fmt: skip
        port = _free_port()
        env = {**os.environ, "DATABASE_URL": url}
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "citygrid.wsgi", "--bind", f"127.0.0.1:{port}",
             "--workers", str(WORKERS), "--threads", "4", "--timeout", "300"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            _wait_ready(port, server)
            base = f"http://127.0.0.1:{port}"
            login = reverse("accounts:login")
            # Every worker thread imports, connects and builds its caches once, unmeasured.
            _check(base, login, [])
            _wrk(base + login, WORKERS * 4, [], report, seconds=max(SECONDS, 5))
            levels = sorted({conns for *_, conns in pages})
            baselines = {conns: _wrk(base + login, conns, [], report) for conns in levels}
            figures = []
            for label, path, options, conns in pages:
                _check(base, path, options)
                figures.append((label, conns, _wrk(base + path, conns, options, report)))
            for conns in levels:  # the better of the two runs, figure by figure (best of 2)
                before, after = baselines[conns], _wrk(base + login, conns, [], report)
                baselines[conns] = (max(before[0], after[0]), *map(min, before[1:], after[1:]))
            header = f"{'page':<36}{'conns':>6}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}"
            print(f"  {header}{'login req/s':>12}{'login p95':>10}{'p95 ×login':>11}")
            for label, conns, (rps, p50, p95) in figures:
                login_rps, _, login_p95 = baselines[conns]
                print(f"  {label:<36}{conns:>6}{rps:>9.1f}{p50:>9.0f}{p95:>9.0f}"
                      f"{login_rps:>12.1f}{login_p95:>10.0f}{p95 / login_p95:>10.1f}×")  # fmt: skip
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(30)


if __name__ == "__main__":
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "citygrid.settings")
    django.setup()
    try:
        run()
    except BenchmarkFailed as exc:
        print(f"  FAILED: {exc}")
        sys.exit(1)
