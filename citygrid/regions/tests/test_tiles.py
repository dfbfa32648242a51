"""Base-map tiles: served from the configured MBTiles file with caching headers, XYZ rows
flipped to the file's TMS rows, nothing outside the configured files reachable."""

import io
import sqlite3

import pytest
from django.core.management import CommandError, call_command
from PIL import Image

from citygrid.regions.geo.tiles import TileWriter, flip_y, iter_mbtiles


def png(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (256, 256), colour).save(out, "PNG")
    return out.getvalue()


RED, BLUE = png((255, 0, 0)), png((0, 0, 255))


@pytest.fixture
def flat(settings, tmp_path):
    path = tmp_path / "flat.mbtiles"
    # Written straight into the file in TMS order, as other tools write MBTiles.
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE tiles (zoom_level, tile_column, tile_row, tile_data BLOB)")
    conn.execute("CREATE TABLE metadata (name, value)")
    conn.execute("INSERT INTO tiles VALUES (2, 1, 0, ?)", (RED,))  # XYZ 2/1/3
    conn.execute("INSERT INTO tiles VALUES (2, 1, 3, ?)", (BLUE,))  # XYZ 2/1/0
    conn.commit()
    conn.close()
    settings.BASEMAP_FILES = {"flat": path, "satellite": tmp_path / "missing.mbtiles"}
    return path


def test_tile_is_served_with_caching_headers_and_rows_flipped(client, flat):
    response = client.get("/tiles/flat/2/1/3.png")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response.content == RED
    assert response["Cache-Control"] == "public, max-age=86400"
    etag = response["ETag"]
    assert client.get("/tiles/flat/2/1/0.png").content == BLUE
    assert client.get("/tiles/flat/2/1/0.png")["ETag"] != etag
    again = client.get("/tiles/flat/2/1/3.png", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag


def test_missing_tile_is_empty_and_bad_addresses_are_not_found(client, flat):
    missing = client.get("/tiles/flat/2/0/0.png")
    assert missing.status_code == 204 and missing.content == b""
    assert "Content-Type" not in missing and missing["Cache-Control"].startswith("public")
    for url in (
        "/tiles/flat/2/4/0.png",  # x beyond 2**z - 1
        "/tiles/flat/2/0/4.png",
        "/tiles/flat/23/0/0.png",  # beyond the deepest zoom
        "/tiles/flat/-1/0/0.png",
        "/tiles/flat/a/0/0.png",
        "/tiles/satellite/2/1/3.png",  # configured, but no file
        "/tiles/roads/2/1/3.png",  # not a layer
        "/tiles/..%2Fflat/2/1/3.png",
        "/tiles/flat/../flat/2/1/3.png",
    ):
        assert client.get(url).status_code == 404, url
    assert client.head("/tiles/flat/2/1/3.png").status_code == 200
    assert client.post("/tiles/flat/2/1/3.png").status_code == 405


def test_a_replaced_file_is_served_at_once(client, flat, tmp_path):
    assert client.get("/tiles/flat/2/1/3.png").content == RED
    writer = TileWriter(tmp_path / "new.mbtiles")
    writer.write([(2, 1, 3, BLUE)])
    writer.finish()
    (tmp_path / "new.mbtiles").replace(flat)
    assert client.get("/tiles/flat/2/1/3.png").content == BLUE


def test_flip_is_its_own_inverse():
    assert [flip_y(3, y) for y in range(8)] == [7, 6, 5, 4, 3, 2, 1, 0]
    assert flip_y(0, 0) == 0


# --- manage.py import_tiles ------------------------------------------------------------------


@pytest.fixture
def target(settings, tmp_path, flat):
    settings.BASEMAP_FILES = {
        "flat": tmp_path / "var" / "flat.mbtiles",
        "satellite": tmp_path / "var" / "satellite.mbtiles",
    }
    return settings.BASEMAP_FILES


def test_import_from_an_xyz_folder(client, target, tmp_path):
    folder = tmp_path / "xyz"
    (folder / "3" / "5").mkdir(parents=True)
    (folder / "3" / "5" / "2.png").write_bytes(RED)
    (folder / "3" / "5" / "6.png").write_bytes(BLUE)
    (folder / "README.txt").write_text("not a tile")
    out = io.StringIO()
    call_command("import_tiles", str(folder), "--layer", "satellite", stdout=out)
    assert "已导入 2 张瓦片到卫星地图" in out.getvalue()
    assert sorted(t[:3] for t in iter_mbtiles(target["satellite"])) == [(3, 5, 2), (3, 5, 6)]
    assert client.get("/tiles/satellite/3/5/2.png").content == RED


def test_import_from_a_tms_folder_flips_rows(target, tmp_path):
    folder = tmp_path / "tms"
    (folder / "3" / "5").mkdir(parents=True)
    (folder / "3" / "5" / "2.png").write_bytes(RED)
    call_command("import_tiles", str(folder), "--layer", "flat", "--tms", stdout=io.StringIO())
    assert [t[:3] for t in iter_mbtiles(target["flat"])] == [(3, 5, 5)]


def test_import_from_mbtiles_merges_unless_replace(client, target, flat):
    call_command("import_tiles", str(flat), "--layer", "satellite", stdout=io.StringIO())
    assert client.get("/tiles/satellite/2/1/3.png").content == RED
    other = flat.parent / "other.mbtiles"
    writer = TileWriter(other)
    writer.write([(4, 0, 0, BLUE)])
    writer.finish()
    call_command("import_tiles", str(other), "--layer", "satellite", stdout=io.StringIO())
    assert len(list(iter_mbtiles(target["satellite"]))) == 3
    call_command(
        "import_tiles", str(other), "--layer", "satellite", "--replace", stdout=io.StringIO()
    )
    assert [t[:3] for t in iter_mbtiles(target["satellite"])] == [(4, 0, 0)]
    meta = dict(sqlite3.connect(target["satellite"]).execute("SELECT * FROM metadata"))
    assert (meta["minzoom"], meta["maxzoom"]) == ("4", "4")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda root: root / "absent", "找不到瓦片来源"),
        (lambda root: _write(root / "x.mbtiles", b"plain text, not SQLite"), "不是有效的 MBTiles"),
        (lambda root: _write(root / "t" / "3" / "9" / "1.png", RED), "瓦片编号超出范围：3/9/1"),
        (lambda root: _write(root / "t" / "3" / "1" / "1.png", b"<html>"), "不是 PNG/JPEG/WebP"),
        (lambda root: _write(root / "t" / "a" / "b.png", RED), "瓦片路径应为 z/x/y.png"),
        (lambda root: (root / "empty").mkdir() or root / "empty", "来源中没有瓦片"),
    ],
)
def test_import_refuses_bad_sources_and_keeps_the_layer(target, tmp_path, flat, make, message):
    call_command("import_tiles", str(flat), "--layer", "satellite", stdout=io.StringIO())
    before = target["satellite"].read_bytes()
    source = make(tmp_path)
    if source.name.endswith(".png"):
        source = tmp_path / "t"
    with pytest.raises(CommandError) as error:
        call_command("import_tiles", str(source), "--layer", "satellite", stdout=io.StringIO())
    assert message in str(error.value)
    # Every message says it in English too, for operators reading logs.
    assert str(error.value).splitlines()[1].isascii()
    assert target["satellite"].read_bytes() == before
    assert not list(target["satellite"].parent.glob("*.importing"))


def _write(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_a_local_file_becomes_the_maps_flat_layer(settings, tmp_path):
    from citygrid.regions.geo.tiles import map_config

    path = tmp_path / "flat.mbtiles"
    settings.BASEMAP_FILES = {"flat": path, "satellite": tmp_path / "none.mbtiles"}
    blank = {"flat_url": "", "satellite_url": "", "attribution": ""}
    settings.MAP = dict(blank)
    assert map_config() == blank  # no file yet: a plain background
    writer = TileWriter(path)
    writer.write([(12, 0, 0, RED), (15, 0, 0, BLUE)])
    writer.set_metadata({"attribution": "某市测绘院"})
    writer.finish()
    # Offered on the next page, without a restart; settings stay as configured.
    assert map_config() == {
        **blank,
        "flat_url": "/tiles/flat/{z}/{x}/{y}.png",
        "flat_zooms": [12, 15],
        "attribution": "某市测绘院",
    }
    assert blank == settings.MAP
    # A tile server configured by URL wins over the file.
    settings.MAP = {**blank, "flat_url": "http://tiles.gov/{z}"}
    assert map_config()["flat_url"] == "http://tiles.gov/{z}"
