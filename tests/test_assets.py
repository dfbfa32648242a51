"""`make assets` ships an icon font holding only the icons the sources name: an icon used in a
template but missing from the font would show as an empty square."""

import importlib.util
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parent.parent


def load_copy_assets():
    spec = importlib.util.spec_from_file_location("copy_assets", ROOT / "scripts/copy_assets.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def copy_assets():
    return load_copy_assets()


def test_every_icon_the_sources_name_is_in_the_built_font(copy_assets):
    used = copy_assets.icons_used()
    # A template, a menu group in Python, and the icons they draw.
    assert {"camera", "grid-dots", "settings", "bell"} <= used
    css = copy_assets.ICON_SUBSET_CSS.read_text(encoding="utf-8")
    built = dict(copy_assets.ICON_RULE.findall(css))
    missing = sorted(used - built.keys())
    assert not missing, f"icons missing from the font, run `make assets`: {missing}"
    glyphs = TTFont(copy_assets.ICON_SUBSET_FONT).getBestCmap()
    assert not [name for name in used if int(built[name], 16) not in glyphs]


def test_only_the_cut_down_font_is_shipped(copy_assets):
    fonts = sorted(p.name for p in copy_assets.ICON_SUBSET_FONT.parent.iterdir())
    assert fonts == ["tabler-icons.woff2"]
    assert copy_assets.ICON_SUBSET_FONT.stat().st_size < 30 * 1024
    assert "url(" in copy_assets.ICON_SUBSET_CSS.read_text(encoding="utf-8")


def test_an_icon_the_font_does_not_have_stops_the_build(copy_assets, tmp_path, monkeypatch):
    (tmp_path / "page.html").write_text('<i class="ti ti-camera"></i><i class="ti ti-camra"></i>')
    monkeypatch.setattr(copy_assets, "ICON_SOURCES", [(tmp_path, ("*.html",))])
    monkeypatch.setattr(copy_assets, "ICON_SUBSET_CSS", tmp_path / "out/icons.css")
    monkeypatch.setattr(copy_assets, "ICON_SUBSET_FONT", tmp_path / "out/icons.woff2")
    assert copy_assets.icons_used() == {"camera", "camra"}
    with pytest.raises(SystemExit, match="ti-camra"):
        copy_assets.build_icons()
    assert not (tmp_path / "out/icons.woff2").exists()


def test_the_built_font_draws_the_icons_it_was_cut_for(copy_assets, tmp_path, monkeypatch):
    (tmp_path / "menu.py").write_text('ICON = "ti-map-2"  # not ti-map')
    (tmp_path / "page.js").write_text('button.className = "ti ti-multi-line ti-refresh";')
    monkeypatch.setattr(copy_assets, "ICON_SOURCES", [(tmp_path, ("*.py", "*.js"))])
    monkeypatch.setattr(copy_assets, "ICON_SUBSET_CSS", tmp_path / "out/icons.css")
    monkeypatch.setattr(copy_assets, "ICON_SUBSET_FONT", tmp_path / "out/icons.woff2")
    with pytest.raises(SystemExit, match="ti-multi-line"):
        copy_assets.build_icons()
    (tmp_path / "page.js").write_text('button.className = "ti ti-refresh";')
    copy_assets.build_icons()
    css = (tmp_path / "out/icons.css").read_text(encoding="utf-8")
    assert sorted(dict(copy_assets.ICON_RULE.findall(css))) == ["map", "map-2", "refresh"]
    assert len(TTFont(tmp_path / "out/icons.woff2").getBestCmap()) == 3
