"""Copy the dist files the pages use from node_modules into static/vendor/ (`make assets`).

Only what is listed here is served, so a page can never pull an asset from a CDN by accident.
The icon font is cut down to the icons the sources name (`--icons` redoes only that): the whole
font is half a megabyte, the icons we use a few kilobytes.
"""

import logging
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE = ROOT / "node_modules"
VENDOR = ROOT / "static" / "vendor"

COPIES = {
    "@tabler/core/dist/css/tabler.min.css": "tabler/tabler.min.css",
    "@tabler/core/dist/js/tabler.min.js": "tabler/tabler.min.js",
    "htmx.org/dist/htmx.min.js": "htmx/htmx.min.js",
    "alpinejs/dist/cdn.min.js": "alpinejs/alpine.min.js",
    "leaflet/dist/leaflet.js": "leaflet/leaflet.js",
    "leaflet/dist/leaflet.css": "leaflet/leaflet.css",
    "leaflet/dist/images": "leaflet/images",
    "@geoman-io/leaflet-geoman-free/dist/leaflet-geoman.js": "geoman/leaflet-geoman.js",
    "@geoman-io/leaflet-geoman-free/dist/leaflet-geoman.css": "geoman/leaflet-geoman.css",
    "leaflet.markercluster/dist": "markercluster",
    "echarts/dist/echarts.min.js": "echarts/echarts.min.js",
    "hls.js/dist/hls.min.js": "hls/hls.min.js",
    "tom-select/dist/css/tom-select.bootstrap5.min.css": "tom-select/tom-select.bootstrap5.min.css",
    "tom-select/dist/js/tom-select.complete.min.js": "tom-select/tom-select.complete.min.js",
    "flatpickr/dist/flatpickr.min.css": "flatpickr/flatpickr.min.css",
    "flatpickr/dist/flatpickr.min.js": "flatpickr/flatpickr.min.js",
    "flatpickr/dist/l10n/zh.js": "flatpickr/zh.js",
}

# Tabler's icon webfont: its stylesheet maps each `ti-<name>` class to a code point of the font.
ICON_CSS = NODE / "@tabler/icons-webfont/dist/tabler-icons.min.css"
ICON_FONT = NODE / "@tabler/icons-webfont/dist/fonts/tabler-icons.woff2"
# Same paths as the full font's stylesheet had, so the templates' links stay as they were.
ICON_SUBSET_CSS = VENDOR / "tabler-icons" / "tabler-icons.min.css"
ICON_SUBSET_FONT = VENDOR / "tabler-icons" / "fonts" / "tabler-icons.woff2"
# Where icon classes are written: templates, Python (menu groups) and our own scripts.
ICON_SOURCES = [
    (ROOT / "citygrid", ("*.html", "*.py", "*.js")),
    (ROOT / "static" / "citygrid", ("*.js", "*.css")),
    (ROOT / "static" / "portal", ("*.js", "*.css")),
    (ROOT / "static" / "mobile", ("*.js", "*.css")),
]
ICON_CLASS = re.compile(r"(?<![\w-])ti-([a-z0-9]+(?:-[a-z0-9]+)*)")
ICON_RULE = re.compile(r'\.ti-([a-z0-9-]+):before\{content:"\\([0-9a-f]+)"\}')
# A source map is a debugging aid we do not ship; the hashed-name storage of `collectstatic`
# fails on a reference to a file that is not there.
SOURCE_MAP = re.compile(r"\n?(//# sourceMappingURL=\S+|/\*# sourceMappingURL=\S+ \*/)\s*$")


def icons_used() -> set[str]:
    """Every `ti-<name>` written in the sources (tests excluded: they name icons to test)."""
    names = set()
    for folder, patterns in ICON_SOURCES:
        for pattern in patterns:
            for path in folder.rglob(pattern):
                if "tests" in path.relative_to(folder).parts:
                    continue
                names.update(ICON_CLASS.findall(path.read_text(encoding="utf-8")))
    return names


def build_icons() -> None:
    """Write a font and a stylesheet holding only the icons in `icons_used()`."""
    from fontTools import subset  # build-time only: `make assets`, never imported by the app

    css = ICON_CSS.read_text(encoding="utf-8")
    code_points = dict(ICON_RULE.findall(css))
    used = icons_used()
    unknown = sorted(used - code_points.keys())
    if unknown:
        raise SystemExit(f"not a Tabler icon: {', '.join('ti-' + n for n in unknown)}")
    font_face = re.search(r"@font-face\{[^}]*\}", css).group(0)
    font_face = re.sub(
        r"src:[^;}]*", 'src:url("./fonts/tabler-icons.woff2") format("woff2")', font_face
    )
    base = re.search(r"\.ti\{[^}]*\}", css).group(0)
    rules = "".join(f'.ti-{n}:before{{content:"\\{code_points[n]}"}}' for n in sorted(used))
    ICON_SUBSET_FONT.parent.mkdir(parents=True, exist_ok=True)
    ICON_SUBSET_CSS.write_text(font_face + base + rules + "\n", encoding="utf-8")

    logging.getLogger("fontTools").setLevel(logging.ERROR)  # quirks of the source font's tables
    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = []
    font = subset.load_font(str(ICON_FONT), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[int(code_points[n], 16) for n in used])
    subsetter.subset(font)
    subset.save_font(font, str(ICON_SUBSET_FONT), options)
    print(f"icon font: {len(used)} icons, {ICON_SUBSET_FONT.stat().st_size} bytes")


def strip_source_map(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    stripped = SOURCE_MAP.sub("\n", text)
    if stripped != text:
        path.write_text(stripped, encoding="utf-8")


def copy_vendor() -> None:
    missing = [src for src in [*COPIES, ICON_CSS, ICON_FONT] if not (NODE / src).exists()]
    if missing:
        raise SystemExit(f"missing in node_modules (run npm ci): {', '.join(map(str, missing))}")
    if VENDOR.exists():
        shutil.rmtree(VENDOR)
    for src, dest in COPIES.items():
        target = VENDOR / dest
        target.parent.mkdir(parents=True, exist_ok=True)
        if (NODE / src).is_dir():
            shutil.copytree(NODE / src, target, ignore=shutil.ignore_patterns("*.map"))
        else:
            shutil.copy2(NODE / src, target)
    for path in [*VENDOR.rglob("*.js"), *VENDOR.rglob("*.css")]:
        strip_source_map(path)
    print(f"copied {len(COPIES)} asset groups into {VENDOR.relative_to(ROOT)}")


def main() -> None:
    if "--icons" not in sys.argv[1:]:
        copy_vendor()
    build_icons()


if __name__ == "__main__":
    main()
