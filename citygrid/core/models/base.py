from django.db import models
from django.urls import reverse

from citygrid.core.querysets import RestrictedManager


class ChangeLoggedModel(models.Model):
    """A record whose every create, update and delete lands in `ObjectChange`.

    Fields listed in `sensitive_fields` are never written to the change log in clear.
    """

    created = models.DateTimeField("创建时间", auto_now_add=True, null=True)
    last_updated = models.DateTimeField("更新时间", auto_now=True, null=True)

    objects = RestrictedManager()

    # field name -> kind ("mobile", "id_number", "name"): masked on screen and in the change log,
    # and a `<field>_index` column, where present, is kept as the field's blind index.
    sensitive_fields: dict[str, str] = {}
    # Fields left out of the change log entirely (derived or bulky caches).
    changelog_exclude: tuple[str, ...] = ("created", "last_updated")
    # Who may read this type's history; default: whoever may view the records themselves.
    # Parts of another record (a patient's diagnosis) name their owner's permission.
    changelog_permission: str = ""

    class Meta:
        abstract = True
        default_permissions = ("view", "add", "change", "delete", "import", "export")

    def save(self, *args, **kwargs):
        from citygrid.core.crypto import blind_index

        for name in self.sensitive_fields:
            if hasattr(self, f"{name}_index"):
                setattr(self, f"{name}_index", blind_index(getattr(self, name) or ""))
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        meta = self._meta
        return reverse(f"{meta.app_label}:{meta.model_name}", args=[self.pk])

    def scope_code(self) -> str:
        """The code scope checks compare against (before save too)."""
        field = getattr(self, "scope_field", None)
        if not field:
            return ""
        # A part of another record (`person__region_code`) follows the path to its owner.
        value = self
        for step in field.split("__"):
            value = getattr(value, step, None) if value is not None else None
        return value or ""

    def masked(self, name: str) -> str:
        from citygrid.core import validators

        mask = getattr(validators, f"mask_{self.sensitive_fields[name]}")
        return mask(getattr(self, name) or "")

    def snapshot(self) -> None:
        """Remember the current state so the next save logs before/after."""
        from citygrid.core.changelog import serialize

        self._prechange_snapshot = serialize(self)


class ScopedModel(ChangeLoggedModel):
    """A record that lives in one region; `region_code` copies the region's code for scoping.

    "My subtree" is then `region_code LIKE '<my code>%'`: one index range scan on both databases.
    """

    region = models.ForeignKey(
        "regions.Region", verbose_name="所属区域", on_delete=models.PROTECT, related_name="+"
    )
    region_code = models.CharField("区域代码", max_length=15, db_index=True, editable=False)

    scope_field = "region_code"

    class Meta:
        abstract = True
        default_permissions = ("view", "add", "change", "delete", "import", "export")

    def save(self, *args, **kwargs):
        self.derive_region()
        if self.region_id:
            self.region_code = self.region.code
        super().save(*args, **kwargs)

    def derive_region(self) -> None:
        """Records whose place follows another record (a house its building's) set it here."""

    def clean_fields(self, exclude=None):
        self.derive_region()
        super().clean_fields(exclude)

    def scope_code(self) -> str:
        return self.region.code if self.region_id else self.region_code
