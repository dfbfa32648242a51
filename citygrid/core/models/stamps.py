from django.db import models
from django.db.models import F


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

    @classmethod
    def read(cls, name: str) -> int:
        return cls.objects.filter(name=name).values_list("value", flat=True).first() or 0
