"""Base-map tiles (底图/瓦片) kept in MBTiles files: read for the tile view, written by imports.

An MBTiles file is one SQLite database with a `tiles` table keyed by (zoom, column, row) in TMS
order — rows count from the south — and a `metadata` table of name/value pairs. The web map asks
for XYZ tiles (rows from the north), so a read flips the row: `tms_row = 2**z - 1 - y`.

Tiles are read through one read-only connection per file per thread, opened on first use and
kept: opening a SQLite file costs more than reading a tile from it. A file replaced on disk
(a new import) is noticed by its modification time and reopened.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

MAX_ZOOM = 22
# The kinds of base layer a deployment may configure (DESIGN.md: 平面地图 and 卫星地图).
LAYERS = ("flat", "satellite")
LAYER_LABELS = {"flat": "平面地图", "satellite": "卫星地图"}

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS metadata (name TEXT PRIMARY KEY, value TEXT)",
    "CREATE TABLE IF NOT EXISTS tiles (zoom_level INTEGER, tile_column INTEGER, "
    "tile_row INTEGER, tile_data BLOB, PRIMARY KEY (zoom_level, tile_column, tile_row))",
)
_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"RIFF", "image/webp"),
)


def content_type(data: bytes) -> str:
    """The image type of a tile from its first bytes: MBTiles' `format` is optional and a file
    imported from elsewhere may mix formats."""
    for signature, mime in _SIGNATURES:
        if data.startswith(signature):
            return mime
    return "application/octet-stream"


def valid_tile(z: int, x: int, y: int) -> bool:
    return 0 <= z <= MAX_ZOOM and 0 <= x < (1 << z) and 0 <= y < (1 << z)


def flip_y(z: int, y: int) -> int:
    """XYZ row ↔ TMS row (the same formula both ways)."""
    return (1 << z) - 1 - y


@dataclass(frozen=True)
class Tile:
    data: bytes
    etag: str
    content_type: str


class TileSet:
    """One MBTiles file, read-only. Thread-safe: each thread keeps its own connection."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self._local = threading.local()

    def _connection(self) -> tuple[sqlite3.Connection, int] | None:
        try:
            mtime = os.stat(self.path).st_mtime_ns
        except OSError:
            return None
        held = getattr(self._local, "held", None)
        if held is not None and held[1] == mtime:
            return held
        if held is not None:
            held[0].close()
        # mode=ro: the tile view can never change the file, whatever the request.
        conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
        self._local.held = (conn, mtime)
        return self._local.held

    def tile(self, z: int, x: int, y: int) -> Tile | None:
        """The XYZ tile (z, x, y), or None when the file or the tile is missing."""
        if not valid_tile(z, x, y):
            return None
        held = self._connection()
        if held is None:
            return None
        conn, mtime = held
        try:
            row = conn.execute(
                "SELECT tile_data FROM tiles WHERE zoom_level=? AND tile_column=? AND tile_row=?",
                (z, x, flip_y(z, y)),
            ).fetchone()
        except sqlite3.DatabaseError:
            return None
        if row is None or not row[0]:
            return None
        data = bytes(row[0])
        # The file's version and the tile's address: unique per content without hashing it.
        return Tile(data, f'"{mtime:x}-{z}-{x}-{y}"', content_type(data))

    def metadata(self) -> dict[str, str]:
        held = self._connection()
        if held is None:
            return {}
        try:
            return dict(held[0].execute("SELECT name, value FROM metadata").fetchall())
        except sqlite3.DatabaseError:
            return {}


def summary(path: Path | str) -> dict | None:
    """What a map needs to know of an MBTiles file before asking for tiles: its zoom range
    (from the metadata, or else the tiles) and its attribution. None when unreadable or empty."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error:
        return None
    try:
        meta = dict(conn.execute("SELECT name, value FROM metadata").fetchall())
        if meta.get("minzoom", "").isdigit() and meta.get("maxzoom", "").isdigit():
            zooms = (int(meta["minzoom"]), int(meta["maxzoom"]))
        else:
            zooms = conn.execute("SELECT min(zoom_level), max(zoom_level) FROM tiles").fetchone()
        if zooms[0] is None:
            return None
        return {"zooms": zooms, "attribution": meta.get("attribution", ""), **meta}
    except sqlite3.DatabaseError:
        return None
    finally:
        conn.close()


# summary() per version of a file: (path, modification time) → summary.
_summaries: dict[tuple[str, int], dict | None] = {}


def _summary_of(path: Path) -> dict | None:
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        return None
    key = (str(path), stamp)
    if key not in _summaries:
        _summaries[key] = summary(path)
    return _summaries[key]


def map_config() -> dict:
    """`settings.MAP` with each MBTiles file of `settings.BASEMAP_FILES` that exists offered as
    its layer, unless a tile URL configures that layer. Each page asks afresh (one `stat` per
    file; a file is read once per version), so an import shows on the next page, no restart."""
    config = dict(settings.MAP)
    for layer, path in settings.BASEMAP_FILES.items():
        found = _summary_of(Path(path))
        if config.get(f"{layer}_url") or found is None:
            continue
        config[f"{layer}_url"] = f"/tiles/{layer}/{{z}}/{{x}}/{{y}}.png"
        config[f"{layer}_zooms"] = list(found["zooms"])
        config["attribution"] = config["attribution"] or found["attribution"] or "底图：本地瓦片"
    return config


class TileWriter:
    """Writes XYZ tiles into an MBTiles file (created if missing), replacing tiles with the
    same address; the metadata's zoom range and bounds grow to cover what was written."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(self.path)
        for statement in _SCHEMA:
            self.conn.execute(statement)

    def write(self, tiles: Iterable[tuple[int, int, int, bytes]], batch: int = 500) -> int:
        count = 0
        rows: list[tuple[int, int, int, bytes]] = []
        for z, x, y, data in tiles:
            rows.append((z, x, flip_y(z, y), data))
            if len(rows) >= batch:
                count += self._flush(rows)
        return count + self._flush(rows)

    def _flush(self, rows: list) -> int:
        with self.conn:
            self.conn.executemany("INSERT OR REPLACE INTO tiles VALUES (?, ?, ?, ?)", rows)
        written = len(rows)
        rows.clear()
        return written

    def set_metadata(self, values: dict[str, str]) -> None:
        with self.conn:
            self.conn.executemany(
                "INSERT OR REPLACE INTO metadata VALUES (?, ?)",
                [(k, str(v)) for k, v in values.items()],
            )

    def finish(self) -> None:
        """Record the zoom range actually held, then close."""
        low, high = self.conn.execute(
            "SELECT min(zoom_level), max(zoom_level) FROM tiles"
        ).fetchone()
        if low is not None:
            self.set_metadata({"minzoom": low, "maxzoom": high})
        self.conn.close()


def iter_mbtiles(path: Path | str) -> Iterator[tuple[int, int, int, bytes]]:
    """Every tile of an MBTiles file as XYZ (z, x, y, data)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = conn.execute("SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles")
        for z, x, tms_y, data in rows:
            yield z, x, flip_y(z, tms_y), bytes(data)
    finally:
        conn.close()
