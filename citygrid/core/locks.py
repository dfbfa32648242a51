"""One holder at a time across every process and machine: an atomic `cache.add` (Redis `SET NX`,
or the database cache's insert — SQLite included) with an expiry, so a worker that dies holding
the lock blocks the others no longer than that."""

import contextlib
from collections.abc import Iterator

from django.core.cache import cache


@contextlib.contextmanager
def only_one(key: str, seconds: int) -> Iterator[bool]:
    """True for the one caller that got `key`, False for everyone else meanwhile; the key is
    released when the block ends, whatever happened in it."""
    if not cache.add(key, True, seconds):
        yield False
        return
    try:
        yield True
    finally:
        cache.delete(key)
