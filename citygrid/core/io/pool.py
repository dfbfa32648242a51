"""Both cores for a big bulk import: worker processes parse and validate chunks of the file
while the importer writes the chunks before them in its transaction.

A worker validates against committed data, not the importer's open transaction. For the bulk
record types that gives the same result: the only thing a row learns from earlier rows of the
same file is that their key was met before, and the importer decides that itself, in file
order (`bulk.mark_met_before`). Workers are spawned, not forked: a forked child would share the
importer's database connections. They get the importer's database and key settings, so a test
database or a rotated key is the same on both sides.

Used on PostgreSQL only (SQLite is the single-machine trial: one writer, and a test database
in memory that no other process can open), for files of at least `CITYGRID_IMPORT_POOL_MIN_ROWS`
rows (a worker takes a second or two to start), with `CITYGRID_IMPORT_WORKERS` workers.
"""

from __future__ import annotations

import collections
import multiprocessing
import os

from django.conf import settings
from django.db import connections, router

# Settings a worker must share with the importer (the rest come from the settings module).
SHARED_SETTINGS = ("DATABASES", "SECRET_KEY", "BLIND_INDEX_KEY", "FIELD_ENCRYPTION_KEYS")

_worker: dict = {}


def workers_for(resource, rows: int) -> int:
    """How many worker processes an import of `rows` rows of this type gets (0: none)."""
    connection = connections[router.db_for_write(resource.model)]
    if connection.vendor != "postgresql" or rows < settings.CITYGRID_IMPORT_POOL_MIN_ROWS:
        return 0
    return settings.CITYGRID_IMPORT_WORKERS


def validated_chunks(resource, user, table, index: dict[int, str], workers: int):
    """(rows, candidates) per chunk of `table`, in file order, as `bulk.check_chunk` gives
    them. At most two chunks per worker are in flight, so memory stays flat."""
    from citygrid.core.io import bulk

    shared = {name: getattr(settings, name) for name in SHARED_SETTINGS}
    context = multiprocessing.get_context("spawn")
    start = (os.environ.get("DJANGO_SETTINGS_MODULE"), shared, resource.key(), user.pk, index)
    with context.Pool(workers, initializer=_start, initargs=start) as pool:
        waiting: collections.deque = collections.deque()
        for first, cells in chunks(table, bulk.CHUNK):
            waiting.append(pool.apply_async(_check, (first, cells)))
            if len(waiting) >= 2 * workers:
                yield _unpack(waiting.popleft().get())
        while waiting:
            yield _unpack(waiting.popleft().get())


def chunks(table, size: int):
    """(line number of the first row, rows) for consecutive slices of the file's data rows."""
    import itertools

    rows = iter(table)
    first = 2
    while chunk := list(itertools.islice(rows, size)):
        yield first, chunk
        first += len(chunk)


def _unpack(result) -> tuple[list, list]:
    rows, keys = result
    by_number = {row.number: row for row in rows}
    return rows, [(by_number[number], key) for number, key in keys]


# --- In the worker ---------------------------------------------------------------------------


def _start(settings_module, shared: dict, resource_key: str, user_pk: int, index) -> None:
    if settings_module:
        os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    from django.conf import settings as worker_settings

    for name, value in shared.items():
        setattr(worker_settings, name, value)
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from citygrid.core.io.resources import get_resource

    user = get_user_model().objects.get(pk=user_pk)
    _worker.update(resource=get_resource(resource_key)(), user=user, index=index)


def _check(first: int, cells: list) -> tuple[list, list]:
    from citygrid.core.context import acting_as
    from citygrid.core.io import bulk
    from citygrid.core.io.rows import parse_rows

    resource, user = _worker["resource"], _worker["user"]
    with acting_as(user):
        rows = parse_rows(resource, _worker["index"], cells, first)
        candidates = bulk.check_chunk(resource, user, rows)
    for row in rows:
        row.values = {}  # the importer needs the outcome only
    return rows, [(row.number, key) for row, key in candidates]
