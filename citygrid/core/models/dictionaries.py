from collections.abc import Callable

from django.db import models

from citygrid.core.models.base import ChangeLoggedModel
from citygrid.core.models.stamps import VersionStamp

STAMP = "dictionaries"
# Caches of the code tables in this process drop themselves here on an edit (`core.dictionaries`
# registers); other processes notice the bumped stamp.
listeners: list[Callable[[], None]] = []


class Dictionary(ChangeLoggedModel):
    """A code table (GB/T 2261.1 sex, GB/T 3304 ethnicity, local "X" extensions ...).

    Values are data, editable by administrators, because local standards override national ones.
    """

    code = models.CharField("代码集标识", max_length=50, unique=True)
    name = models.CharField("名称", max_length=100)
    standard = models.CharField("依据标准", max_length=100, blank=True)
    description = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "代码表"
        verbose_name_plural = "代码表"
        ordering = ["code"]
        default_permissions = ("view", "add", "change", "delete")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        changed()

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        changed()
        return result

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("core:dictionary", args=[self.pk])


class DictItem(ChangeLoggedModel):
    """One value of a code table; records store `value`, labels resolve through here."""

    dictionary = models.ForeignKey(
        Dictionary, verbose_name="代码表", on_delete=models.CASCADE, related_name="items"
    )
    value = models.CharField("代码值", max_length=30)
    label = models.CharField("名称", max_length=100)
    sort = models.PositiveIntegerField("排序", default=0)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "代码项"
        verbose_name_plural = "代码项"
        ordering = ["dictionary", "sort", "value"]
        default_permissions = ("view", "add", "change", "delete")
        constraints = [
            models.UniqueConstraint(
                fields=["dictionary", "value"],
                name="dictitem_unique_value",
                violation_error_message="同一代码表中代码值不能重复",
            )
        ]

    def __str__(self) -> str:
        return f"{self.value} {self.label}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        changed()

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        changed()
        return result

    def get_absolute_url(self) -> str:
        return self.dictionary.get_absolute_url()


def changed() -> None:
    """A code table changed: bump the stamp and tell this process's caches."""
    VersionStamp.bump(STAMP)
    for listener in listeners:
        listener()
