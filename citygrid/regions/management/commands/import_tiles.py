"""`manage.py import_tiles <path> --layer flat|satellite`: load base-map tiles for offline use.

The source is an MBTiles file or an XYZ folder (`z/x/y.png`, also .jpg/.jpeg/.webp). Every tile
is checked (address inside its zoom, a real image) before the layer's file is swapped in, so a
bad source never leaves a half-imported base map behind.
"""

import os
import shutil
import sqlite3
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from citygrid.regions.geo.tiles import (
    LAYER_LABELS,
    LAYERS,
    TileWriter,
    content_type,
    flip_y,
    iter_mbtiles,
    valid_tile,
)

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".webp"}


def _error(chinese: str, english: str) -> CommandError:
    return CommandError(f"{chinese}\n{english}")


class Command(BaseCommand):
    help = "导入底图瓦片（MBTiles 文件或 z/x/y 目录）到平面地图或卫星地图"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="MBTiles 文件，或按 z/x/y.png 存放瓦片的目录")
        parser.add_argument(
            "--layer", choices=LAYERS, required=True, help="flat 平面地图；satellite 卫星地图"
        )
        parser.add_argument(
            "--replace", action="store_true", help="清空该底图原有瓦片（默认与原有瓦片合并）"
        )
        parser.add_argument(
            "--tms", action="store_true", help="目录中的行号按 TMS 自南向北计数（默认 XYZ）"
        )
        parser.add_argument("--attribution", default=None, help="底图版权说明（显示在地图右下角）")

    def handle(self, *args, **options) -> None:
        source = Path(options["path"])
        layer = options["layer"]
        target = Path(settings.BASEMAP_FILES[layer])
        if not source.exists():
            raise _error(f"找不到瓦片来源：{source}", f"Tile source not found: {source}")
        if source.is_file() and source.resolve() == target.resolve():
            raise _error(
                "瓦片来源就是该底图文件本身，无需导入",
                "The source is the layer's own MBTiles file: nothing to import.",
            )
        temporary = target.with_name(target.name + ".importing")
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists() and not options["replace"]:
            shutil.copyfile(target, temporary)
        else:
            temporary.unlink(missing_ok=True)
        writer = TileWriter(temporary)
        try:
            if source.is_dir():
                tiles = _folder_tiles(source, options["tms"])
                metadata = {"name": source.name}
            else:
                tiles = _checked(_mbtiles_tiles(source), source)
                metadata = _mbtiles_metadata(source)
            count = writer.write(tiles)
            if count == 0:
                raise _error(f"来源中没有瓦片：{source}", f"No tiles found in {source}")
            if options["attribution"] is not None:
                metadata["attribution"] = options["attribution"]
            writer.set_metadata({**metadata, "type": "baselayer"})
            writer.finish()
        except BaseException:
            writer.conn.close()
            temporary.unlink(missing_ok=True)
            raise
        first = not target.exists()
        # One rename: a server reading the old file keeps it until it notices the new one.
        os.replace(temporary, target)
        self.stdout.write(
            self.style.SUCCESS(f"已导入 {count} 张瓦片到{LAYER_LABELS[layer]}：{target}")
        )
        if first:
            self.stdout.write("首次导入该底图：请重启 CityGrid 服务后在地图上选用。")


def _mbtiles_tiles(source: Path):
    try:
        yield from iter_mbtiles(source)
    except sqlite3.DatabaseError as exc:
        raise _error(
            f"不是有效的 MBTiles 文件：{source}（{exc}）",
            f"Not a valid MBTiles file: {source} ({exc})",
        ) from None


def _mbtiles_metadata(source: Path) -> dict[str, str]:
    conn = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        rows = conn.execute("SELECT name, value FROM metadata").fetchall()
    except sqlite3.DatabaseError:
        rows = []
    finally:
        conn.close()
    keep = {"name", "description", "attribution", "bounds", "center"}
    return {name: value for name, value in rows if name in keep}


def _checked(tiles, source: Path):
    for z, x, y, data in tiles:
        where = f"{z}/{x}/{y}"
        if not valid_tile(z, x, y):
            raise _error(
                f"瓦片编号超出范围：{where}（{source}）",
                f"Tile address out of range: {where} ({source})",
            )
        if content_type(data) == "application/octet-stream":
            raise _error(
                f"瓦片 {where} 不是 PNG/JPEG/WebP 图片（{source}）",
                f"Tile {where} is not a PNG/JPEG/WebP image ({source})",
            )
        yield z, x, y, data


def _folder_tiles(root: Path, tms: bool):
    def tiles():
        for path in sorted(root.rglob("*")):
            if not path.is_file() or path.suffix.lower() not in IMAGE_SUFFIXES:
                continue
            parts = path.relative_to(root).with_suffix("").parts
            if len(parts) != 3 or not all(p.isdigit() for p in parts):
                raise _error(
                    f"瓦片路径应为 z/x/y.png：{path}",
                    f"Tile paths must look like z/x/y.png: {path}",
                )
            z, x, y = (int(p) for p in parts)
            if tms and valid_tile(z, x, y):
                y = flip_y(z, y)
            yield z, x, y, path.read_bytes()

    return _checked(tiles(), root)
