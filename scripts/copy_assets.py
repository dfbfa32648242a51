"""Copy the dist files the pages use from node_modules into static/vendor/.

Only what is listed here is served, so a page can never pull an asset from a CDN by accident.
"""

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE = ROOT / "node_modules"
VENDOR = ROOT / "static" / "vendor"

COPIES = {
    "@tabler/core/dist/css/tabler.min.css": "tabler/tabler.min.css",
    "@tabler/core/dist/js/tabler.min.js": "tabler/tabler.min.js",
    "@tabler/icons-webfont/dist/tabler-icons.min.css": "tabler-icons/tabler-icons.min.css",
    "@tabler/icons-webfont/dist/fonts": "tabler-icons/fonts",
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


def main() -> None:
    missing = [src for src in COPIES if not (NODE / src).exists()]
    if missing:
        raise SystemExit(f"missing in node_modules (run npm ci): {', '.join(missing)}")
    if VENDOR.exists():
        shutil.rmtree(VENDOR)
    for src, dest in COPIES.items():
        target = VENDOR / dest
        target.parent.mkdir(parents=True, exist_ok=True)
        if (NODE / src).is_dir():
            shutil.copytree(NODE / src, target)
        else:
            shutil.copy2(NODE / src, target)
    print(f"copied {len(COPIES)} asset groups into {VENDOR.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
