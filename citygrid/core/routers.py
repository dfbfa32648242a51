"""Reads that may go to a read replica (`DATABASE_REPLICA_URL`, docs/deployment.md).

Only code that says so reads from the replica: statistics and exports, inside
`replica_reads()`, or a queryset passed through `on_replica()` (a streamed export is read after
its view has returned). A replica lags the primary by a moment, so everything else reads the
primary, and so does a marked read inside a transaction or after a write in the same request: a
user who has just changed a record must see the change in the statistics that request shows.
Background jobs (exports, snapshots) read the replica: their figures may be older by its lag.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db import connections
from django.db.models import QuerySet

REPLICA = "replica"

_marked: ContextVar[bool] = ContextVar("replica_reads", default=False)
# None outside a request; in one, whether it has written yet.
_wrote: ContextVar[bool | None] = ContextVar("replica_wrote", default=None)


@contextmanager
def replica_reads() -> Iterator[None]:
    """Reads inside go to the replica when one is configured and nothing was written before."""
    token = _marked.set(True)
    try:
        yield
    finally:
        _marked.reset(token)


def on_replica(queryset: QuerySet) -> QuerySet:
    """`queryset` bound to the replica if a marked read would go there now: decided here, not
    when it is read, so a write made while it streams does not move it."""
    with replica_reads():
        return queryset.using(REPLICA) if _replica_allowed() else queryset


def _replica_allowed() -> bool:
    if not _marked.get() or _wrote.get() or REPLICA not in settings.DATABASES:
        return False
    return not connections["default"].in_atomic_block


def _request_started(**kwargs) -> None:
    # A thread serves many requests: one request's write says nothing of the next.
    _wrote.set(False)


def _request_finished(**kwargs) -> None:
    _wrote.set(None)


request_started.connect(_request_started, dispatch_uid="citygrid.core.routers.started")
request_finished.connect(_request_finished, dispatch_uid="citygrid.core.routers.finished")


class ReplicaRouter:
    """`DATABASE_ROUTERS` entry: the replica for marked reads, the primary for everything else."""

    def db_for_read(self, model, **hints) -> str | None:
        return REPLICA if _replica_allowed() else None

    def db_for_write(self, model, **hints) -> str | None:
        if _wrote.get() is False:
            _wrote.set(True)
        return None

    def allow_relation(self, obj1, obj2, **hints) -> bool | None:
        # The replica holds the same rows: a record read there may point to one from the primary.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool | None:
        # The replica follows the primary's schema through replication.
        return False if db == REPLICA else None
