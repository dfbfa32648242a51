from django.db import models
from django.urls import reverse

from citygrid.core import writeguard
from citygrid.core.querysets import RestrictedManager
from citygrid.core.text import strip_text_fields


class ChangeLoggedModel(models.Model):
    """A record whose every create, update and delete lands in `ObjectChange`.

    It is written only through `core.records` (the one write path): `save()` and `delete()`
    outside it raise `DirectWriteError`. Fields listed in `sensitive_fields` are never written
    to the change log in clear.
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
    change_logged = True

    class Meta:
        abstract = True
        default_permissions = ("view", "add", "change", "delete", "import", "export")

    def save(self, *args, **kwargs):
        self.derive()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        meta = self._meta
        return reverse(f"{meta.app_label}:{meta.model_name}", args=[self.pk])

    def save_base(self, *args, raw=False, **kwargs):
        if not raw:
            writeguard.check(type(self))
        super().save_base(*args, raw=raw, **kwargs)
        self.remember_state()

    def delete(self, *args, **kwargs):
        writeguard.check(type(self))
        return super().delete(*args, **kwargs)

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # The "before" of the next write is the state at load, whatever is assigned later
        # (forms and serializers assign the new values before anyone could take a snapshot).
        instance._loaded_values = dict(zip(field_names, values, strict=True))
        return instance

    def remember_state(self) -> None:
        """After a write: what was written is the "before" of the next write."""
        self._loaded_values = {
            f.attname: getattr(self, f.attname) for f in self._meta.concrete_fields
        }

    def derive(self) -> None:
        """Columns computed from others, set before validation and before every write (single
        or bulk): text without control characters (every entry point writes through here, so
        this is the one place they are kept out), blind indexes of sensitive fields; subclasses
        add theirs."""
        strip_text_fields(self)
        for name in self.sensitive_fields:
            if hasattr(self, f"{name}_index"):
                setattr(self, f"{name}_index", self.blind_index_of(name))

    def blind_index_of(self, name: str) -> str:
        """The blind index of the field's current value, remembered with the value: a record
        is derived at validation and again at its write, and imports do it a million times."""
        from citygrid.core.crypto import blind_index

        value = getattr(self, name) or ""
        known = self.__dict__.setdefault("_blind_indexes", {})
        if name not in known or known[name][0] != value:
            known[name] = (value, blind_index(value))
        return known[name][1]

    def clean_fields(self, exclude=None):
        self.derive()
        super().clean_fields(exclude)

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


class ScopedModel(ChangeLoggedModel):
    """A record that lives in one region; `region_code` copies the region's code for scoping.

    "My subtree" is then `region_code__within=<code>`: one index range scan on both databases.
    """

    region = models.ForeignKey(
        "regions.Region", verbose_name="所属区域", on_delete=models.PROTECT, related_name="+"
    )
    region_code = models.CharField("区域代码", max_length=15, db_index=True, editable=False)

    scope_field = "region_code"

    class Meta:
        abstract = True
        default_permissions = ("view", "add", "change", "delete", "import", "export")

    def derive(self) -> None:
        super().derive()
        self.derive_region()
        if self.region_id:
            self.region_code = self.region.code

    def derive_region(self) -> None:
        """Records whose place follows another record (a house its building's) set it here."""

    def scope_code(self) -> str:
        return self.region.code if self.region_id else self.region_code
