"""Counting public submissions per client (phone, address) in a time window.

Kept in Django's cache, which every process shares (Redis when `REDIS_URL` is set, else a
database table), so a client is not let through once per worker.
"""

from django.core.cache import cache

from citygrid.core.crypto import blind_index


def _key(scope: str, value: str) -> str:
    # The cache holds the blind index, never the phone or address itself.
    return f"ratelimit:{scope}:{blind_index(value)}"


def count(scope: str, value: str) -> int:
    """The count of `value` in the current window, without adding to it."""
    return cache.get(_key(scope, value), 0)


def hit(scope: str, value: str, window: int) -> int:
    """Count one submission of `value` and return the count in the current window."""
    key = _key(scope, value)
    cache.add(key, 0, window)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        return 1
