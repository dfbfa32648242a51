"""Per-request context (actor, request id, client address) for the change and access logs.

A contextvar, not a thread-local, so it is correct under ASGI too. Background tasks set it
explicitly with `acting_as` so their writes are attributed to the user who queued them.
"""

import contextlib
import uuid
from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass
class RequestContext:
    user: object | None = None
    request_id: uuid.UUID = field(default_factory=uuid.uuid4)
    ip: str = ""


_current: ContextVar[RequestContext | None] = ContextVar("citygrid_request", default=None)


def current() -> RequestContext | None:
    return _current.get()


@contextlib.contextmanager
def acting_as(user, request_id: uuid.UUID | None = None, ip: str = ""):
    token = _current.set(RequestContext(user=user, request_id=request_id or uuid.uuid4(), ip=ip))
    try:
        yield _current.get()
    finally:
        _current.reset(token)
