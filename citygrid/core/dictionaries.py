"""Labels and choices of code tables, cached per process.

Records store code values (standards §12.1); every screen resolves labels through here. The
cache is checked against the `dictionaries` version stamp at most every few seconds, so an
administrator's edit reaches every process without a shared cache.
"""

import time

from citygrid.core.models import DictItem, VersionStamp
from citygrid.core.models.dictionaries import STAMP, listeners

CHECK_EVERY = 5.0  # seconds between stamp reads

_cache: dict[str, dict[str, tuple[str, bool]]] = {}
# label -> value per code table, the first value of each label (imports look up by label)
_by_label: dict[str, dict[str, str]] = {}
_state = {"stamp": None, "checked": 0.0}


def reset() -> None:
    _cache.clear()
    _by_label.clear()
    _state.update(stamp=None, checked=0.0)


listeners.append(reset)  # an edit in this process drops the cache at once


def _fresh() -> None:
    now = time.monotonic()
    if now - _state["checked"] < CHECK_EVERY and _state["stamp"] is not None:
        return
    stamp = VersionStamp.read(STAMP)
    if stamp != _state["stamp"]:
        _cache.clear()
        _by_label.clear()
        _state["stamp"] = stamp
    _state["checked"] = now


def _items(code: str) -> dict[str, tuple[str, bool]]:
    _fresh()
    if code not in _cache:
        rows = DictItem.objects.filter(dictionary__code=code).order_by("sort", "value")
        _cache[code] = {r.value: (r.label, r.active) for r in rows}
    return _cache[code]


def label(code: str, value: str | None) -> str:
    """The label of a stored value; an unknown value shows as itself rather than vanishing."""
    if not value:
        return ""
    entry = _items(code).get(value)
    return entry[0] if entry else value


def choices(code: str) -> list[tuple[str, str]]:
    """Active values, for pickers."""
    return [(value, lbl) for value, (lbl, active) in _items(code).items() if active]


def exists(code: str, value: str) -> bool:
    return value in _items(code)


def value_for(code: str, text: str) -> str | None:
    """Accept a stored value or its label (imports are typed by people who know labels)."""
    items = _items(code)
    if text in items:
        return text
    if code not in _by_label:
        labels: dict[str, str] = {}
        for value, (lbl, _) in items.items():
            labels.setdefault(lbl, value)
        _by_label[code] = labels
    return _by_label[code].get(text)
