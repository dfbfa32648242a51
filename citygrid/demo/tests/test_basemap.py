"""The demo city's own flat base map: drawn at seed time from its layout, never over a base
map someone imported."""

import io
from io import StringIO

import pytest
from django.core.management import call_command
from PIL import Image

from citygrid.demo.basemap import render_demo_basemap
from citygrid.demo.testing import small_demo_city
from citygrid.regions.geo.tiles import TileSet, TileWriter, iter_mbtiles, summary

pytestmark = pytest.mark.django_db


def test_small_city_base_map_draws_streets_on_land(settings, tmp_path):
    city = small_demo_city(settings, seed=5, grids=(3, 3), cases=0, people=60)
    path = tmp_path / "demo.mbtiles"
    result = render_demo_basemap(city, path, range(11, 14))
    tiles = list(iter_mbtiles(path))
    assert result.tiles == len(tiles) > 0
    assert {z for z, *_ in tiles} == {11, 12, 13}
    meta = summary(path)
    assert meta["zooms"] == (11, 13) and meta["generator"] == "citygrid-demo"
    assert "虚构城市" in meta["attribution"]
    # A tile in the middle of the city: land, and streets across it — not one flat colour.
    z, x, y = 13, *_tile_of(13, 120.20, 30.25)
    tile = TileSet(path).tile(z, x, y)
    assert tile is not None and tile.content_type == "image/png"
    colours = Image.open(io.BytesIO(tile.data)).convert("RGB").getcolors(65536)
    assert len(colours) > 3
    assert max(count for count, _ in colours) < 256 * 256 * 0.98


def test_seed_draws_the_base_map_once_and_never_over_an_imported_one(settings):
    settings.DEMO_MODE = True
    out = StringIO()
    call_command("seed_demo", cases=0, people=0, stdout=out)
    path = settings.BASEMAP_FILES["flat"]
    assert "演示底图：" in out.getvalue() and path.is_file()
    # An imported base map is the city's real one: a later seed leaves it alone.
    path.unlink()
    writer = TileWriter(path)
    writer.write([(11, 0, 0, _png())])
    writer.finish()
    out = StringIO()
    call_command("seed_demo", "--if-empty", stdout=out)
    assert [t[:3] for t in iter_mbtiles(path)] == [(11, 0, 0)]
    path.unlink()
    call_command("seed_demo", "--if-empty", stdout=StringIO())
    assert summary(path)["generator"] == "citygrid-demo"


def _tile_of(z: int, lng: float, lat: float) -> tuple[int, int]:
    import math

    n = 1 << z
    x = int((lng + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (256, 256), (1, 2, 3)).save(out, "PNG")
    return out.getvalue()
