"""Base-map tiles: TileSet and the tile view against reading the same blobs with sqlite3.

A synthetic MBTiles file (zoom 14 to 16 over the demo city, PNG-signed blobs of 4–12 KB, the
size of the demo's tiles) is read at the same random XYZ addresses by:

  (b) baseline: one raw sqlite3 connection, the SELECT with the TMS row already flipped;
  (a) `TileSet.tile` (citygrid/regions/geo/tiles.py): flip, file-version check, ETag; goal ≥ 0.5×;
  (c) the tile view called directly (response object, headers), no middleware;
  (d) the whole Django stack through the test client, as a browser asks (informational).

Correctness first: every reader returns the exact blob the file holds, a missing address gives
no tile (204 from the view), and the view's rows are flipped.
"""

import math
import random
import sqlite3
import tempfile
from pathlib import Path

from django.test import Client, RequestFactory, override_settings

from bench.timing import BenchmarkFailed, best_of
from citygrid.regions import views
from citygrid.regions.geo.tiles import TileSet, TileWriter, flip_y

ZOOMS = (14, 15, 16)
READS = 20_000
STACK_READS = 2_000
GOAL = 0.5


def _tile_range(z: int) -> tuple[range, range]:
    """Tiles over the demo city (±0.15° around lng 120.20, lat 30.25)."""
    n = 1 << z

    def column(lng: float) -> int:
        return int((lng + 180) / 360 * n)

    def row(lat: float) -> int:
        return int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)

    return range(column(120.05), column(120.35) + 1), range(row(30.40), row(30.10) + 1)


def _build(path: Path) -> list[tuple[int, int, int]]:
    rng = random.Random(1)
    addresses = []
    writer = TileWriter(path)

    def tiles():
        for z in ZOOMS:
            xs, ys = _tile_range(z)
            for x in xs:
                for y in ys:
                    addresses.append((z, x, y))
                    body = rng.randbytes(rng.randint(4_000, 12_000))
                    yield z, x, y, b"\x89PNG\r\n\x1a\n" + body

    writer.write(tiles())
    writer.finish()
    return addresses


def run() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "flat.mbtiles"
        addresses = _build(path)
        rng = random.Random(2)
        sample = [rng.choice(addresses) for _ in range(READS)]
        print(
            f"data: {len(addresses):,} tiles at zooms {ZOOMS[0]}–{ZOOMS[-1]}, "
            f"{path.stat().st_size / 1e6:.0f} MB; {READS:,} random reads"
        )
        raw = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        query = "SELECT tile_data FROM tiles WHERE zoom_level=? AND tile_column=? AND tile_row=?"

        def raw_read(z, x, y):
            row = raw.execute(query, (z, x, flip_y(z, y))).fetchone()
            return bytes(row[0]) if row else None

        tileset = TileSet(path)
        factory = RequestFactory()
        with override_settings(BASEMAP_FILES={"flat": path, "satellite": Path(tmp) / "none"}):
            views._tilesets.clear()
            _check(sample[:500], raw_read, tileset, factory)

            def baseline():
                for z, x, y in sample:
                    raw_read(z, x, y)

            def tileset_reads():
                for z, x, y in sample:
                    tileset.tile(z, x, y)

            request = factory.get("/")  # one request object: the view's own work is measured

            def view_reads():
                for z, x, y in sample:
                    views.tile(request, "flat", z, x, y)

            client = Client()

            def stack_reads():
                for z, x, y in sample[:STACK_READS]:
                    client.get(f"/tiles/flat/{z}/{x}/{y}.png")

            b = best_of(baseline)
            a = best_of(tileset_reads)
            c = best_of(view_reads)
            d = best_of(stack_reads)
        raw.close()
    stack_rate = STACK_READS / d
    rows = [
        ("(b) raw sqlite3 SELECT", READS / b, "baseline"),
        ("(a) TileSet.tile", READS / a, f"ratio {b / a:.2f}×"),
        ("(c) tile view, no middleware", READS / c, f"ratio {b / c:.2f}×"),
        ("(d) full stack, test client", stack_rate, f"ratio {stack_rate * b / READS:.2f}×"),
    ]
    for label, tiles_per_second, note in rows:
        print(f"  {label:<30} {tiles_per_second:>10,.0f} tiles/s   {note}")
    for label, ratio in (("(a)", b / a), ("(c)", b / c)):
        verdict = "met" if ratio >= GOAL else "NOT met"
        print(f"goal: {label} ≥ {GOAL}× baseline — {verdict} ({ratio:.2f}×)")


def _check(sample, raw_read, tileset: TileSet, factory: RequestFactory) -> None:
    for z, x, y in sample:
        expected = raw_read(z, x, y)
        found = tileset.tile(z, x, y)
        response = views.tile(factory.get("/"), "flat", z, x, y)
        if found is None or found.data != expected or response.content != expected:
            raise BenchmarkFailed(f"tile {z}/{x}/{y}: readers disagree with the raw blob")
        if response["Content-Type"] != "image/png" or not response.get("ETag"):
            raise BenchmarkFailed(f"tile {z}/{x}/{y}: missing content type or ETag")
    z, x, y = sample[0]
    flipped = flip_y(z, y)
    if raw_read(z, x, flipped) is not None and views.tile(
        factory.get("/"), "flat", z, x, flipped
    ).content != raw_read(z, x, flipped):
        raise BenchmarkFailed("flipped row served the wrong blob")
    missing = views.tile(factory.get("/"), "flat", 3, 0, 0)
    if missing.status_code != 204 or tileset.tile(3, 0, 0) is not None:
        raise BenchmarkFailed("a missing tile was not answered 204")
    print(f"correctness: {len(sample)} tiles identical through every reader; missing tile → 204")
