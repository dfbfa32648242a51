import contextlib
from contextvars import ContextVar

from django.db import models
from django.db.models import F

# Within `VersionStamp.pinned()`: name → value already read in this batch.
_pinned: ContextVar[dict | None] = ContextVar("citygrid_pinned_stamps", default=None)


class VersionStamp(models.Model):
    """A named counter bumped inside the transaction that changes what it guards.

    In-process caches (the point → grid index) compare it to the stamp they were built from, so
    every process rebuilds after another process changes the data: no shared state but the DB.
    """

    name = models.CharField("名称", max_length=50, unique=True)
    value = models.BigIntegerField("版本", default=0)

    class Meta:
        verbose_name = "版本戳"
        verbose_name_plural = "版本戳"

    def __str__(self) -> str:
        return f"{self.name}={self.value}"

    @classmethod
    def bump(cls, name: str) -> None:
        updated = cls.objects.filter(name=name).update(value=F("value") + 1)
        if not updated:
            cls.objects.get_or_create(name=name, defaults={"value": 1})
        pinned = _pinned.get()
        if pinned is not None:
            pinned.pop(name, None)

    @classmethod
    def read(cls, name: str) -> int:
        pinned = _pinned.get()
        if pinned is not None and name in pinned:
            return pinned[name]
        value = cls.objects.filter(name=name).values_list("value", flat=True).first() or 0
        if pinned is not None:
            pinned[name] = value
        return value

    @classmethod
    @contextlib.contextmanager
    def pinned(cls, *names: str):
        """Read each stamp once for a batch job (thousands of actions in one process) or a
        request: the caches it guards are then checked once, not on every call. `names` are read
        at once, in one query (intake checks two caches per case). Stamps this process bumps are
        read again."""
        values = dict.fromkeys(names, 0)
        if names:
            values.update(cls.objects.filter(name__in=names).values_list("name", "value"))
        token = _pinned.set(values)
        try:
            yield
        finally:
            _pinned.reset(token)
