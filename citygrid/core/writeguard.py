"""The guard that keeps every write of a change-logged record on the one write path.

`core.records` opens a writing window around each write it makes; `ChangeLoggedModel.save()`,
`.delete()` and the bulk/update methods of its querysets refuse to run outside one, so a
`.save()` or `.update()` that would skip the change log, the scope re-check or `full_clean`
fails loudly (in tests first) instead of silently writing history-less data.

Two documented escapes:
- `unlogged()`: writes that deliberately leave no history — demo generation back-filling a
  past, and data fix-ups that run outside any request. Migrations need none: their historical
  models carry no custom `save()`.
- Test fixtures: under pytest (`excuse_test_fixtures()`, called by the root conftest) a write
  whose nearest caller is test code builds the test's world directly. Any write made by
  project code under test is still held to the rule.

Kept free of model imports so that models and querysets can use it.
"""

import contextlib
import sys
from contextvars import ContextVar

_writing: ContextVar[bool] = ContextVar("citygrid_writing", default=False)
_unlogged: ContextVar[bool] = ContextVar("citygrid_unlogged", default=False)
_excuse_fixtures = False

# Frames that belong to the write machinery itself, not to the code that asked for the write.
_MACHINERY = ("/django/", "/citygrid/core/writeguard.py", "/citygrid/core/querysets.py")
_TEST_CODE = ("/tests/", "/conftest.py", "/testing.py")


class DirectWriteError(RuntimeError):
    """A change-logged record was written outside `core.records` (see module docstring)."""


@contextlib.contextmanager
def writing():
    """The window in which `core.records` performs its writes."""
    token = _writing.set(True)
    try:
        yield
    finally:
        _writing.reset(token)


@contextlib.contextmanager
def unlogged():
    """Write without the write path and without history (demo generation, back-fills)."""
    token = _unlogged.set(True)
    try:
        yield
    finally:
        _unlogged.reset(token)


def is_unlogged() -> bool:
    return _unlogged.get()


def excuse_test_fixtures() -> None:
    global _excuse_fixtures
    _excuse_fixtures = True


def _caller_is_test_code() -> bool:
    frame = sys._getframe(2)
    while frame is not None:
        path = frame.f_code.co_filename
        if not any(part in path for part in _MACHINERY) and not _is_model_method(frame):
            return any(part in path for part in _TEST_CODE)
        frame = frame.f_back
    return False


def _is_model_method(frame) -> bool:
    """`save()`/`delete()` overrides of the models themselves pass the call on."""
    return frame.f_code.co_name in ("save", "delete", "save_base") and "/models/" in (
        frame.f_code.co_filename.replace("models.py", "models/")
    )


def check(model) -> None:
    """Raise unless a write of `model` is allowed here."""
    if _writing.get() or _unlogged.get():
        return
    if _excuse_fixtures and _caller_is_test_code():
        return
    raise DirectWriteError(
        f"{model.__name__} is change-logged: write it through citygrid.core.records "
        "(save_record / delete_record / create_records / update_records / touch)"
    )
