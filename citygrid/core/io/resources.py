"""Declarative column specs per record type, and the registry the generic views use."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import models

from citygrid.core import records


class CellError(ValueError):
    """A cell that cannot be parsed; the message is shown against its row and column."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Column:
    name: str
    header: str
    required: bool = False
    help: str = ""
    parse: Callable[[str], object] | None = None
    export: Callable[[models.Model], object] | None = None
    # Values shown in place of the real one to users without "view sensitive".
    sensitive: str = ""


@dataclass
class RowResult:
    number: int  # 1-based line in the file including the header row, as Excel shows it
    values: dict = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    instance: models.Model | None = None
    created: bool = False


class Resource:
    """How one record type maps to file columns. Subclass and set model, columns, natural_key."""

    model: type[models.Model]
    columns: list[Column]
    natural_key: str
    title: str = ""
    # The fast path (`core/io/bulk.py`): chunked look-ups and validation, batched writes with
    # the change log written in bulk. Only for resources whose `save()` the hooks below cover.
    bulk: bool = False
    # New rows through PostgreSQL's COPY (no per-row database defaults or triggers needed).
    copy: bool = False

    @classmethod
    def key(cls) -> str:
        return f"{cls.model._meta.app_label}.{cls.model._meta.model_name}"

    def natural_key_label(self) -> str:
        """How users recognise an existing record in a file (shown on the import page)."""
        column = self.column_for_field(self.natural_key)
        return column.header if column else self.natural_key

    def header(self) -> list[str]:
        return [c.header for c in self.columns]

    def column_for_field(self, field_name: str) -> Column | None:
        for column in self.columns:
            if column.name == field_name:
                return column
        return None

    # --- import -------------------------------------------------------------------------------
    def order_rows(self, rows: list[RowResult]) -> list[RowResult]:
        """Order in which rows are applied (e.g. parents before children)."""
        return rows

    def row_key(self, row: RowResult):
        """The natural key of a row, to spot duplicates within one file."""
        return row.values.get(self.natural_key)

    def find_existing(self, row: RowResult):
        key = self.row_key(row)
        if key is None:
            return None
        return self.model.objects.filter(**{self.natural_key: key}).first()

    def prefetch_chunk(self, rows: list[RowResult]) -> None:
        """Bulk path: load what a chunk's rows refer to (buildings named in the cells ...) in a
        few queries, before `row_key` and `build` use it. Called once per chunk."""

    def find_existing_many(self, keys: list) -> dict:
        """Bulk path: existing records by `row_key`, for a chunk of keys in one query."""
        if not keys:
            return {}
        found = self.model.objects.filter(**{f"{self.natural_key}__in": keys})
        return {getattr(obj, self.natural_key): obj for obj in found}

    def bulk_clean(self, instance) -> None:
        """Bulk path: `full_clean` minus the per-row queries: unique checks run per chunk
        (`bulk.check_unique`), loaded foreign keys are not looked up again."""
        records.full_clean(instance, unique=False)

    def before_bulk_create(self, instances: list) -> None:
        """Bulk path: what `save()` adds to new records beyond region code and blind indexes
        (generated numbers ...)."""

    def after_bulk_write(self, created: list, updated: list, user) -> None:
        """Bulk path: the related records `save()` writes (details, links), in bulk."""

    def build(self, row: RowResult, existing, pending: dict) -> models.Model:
        """Apply parsed values to an existing or new instance. `pending` holds earlier rows."""
        instance = existing or self.model()
        for column in self.columns:
            if column.name in row.values:
                setattr(instance, column.name, row.values[column.name])
        return instance

    def in_scope(self, instance, user) -> bool:
        return user.covers(instance.scope_code())

    def save(self, instance, user) -> None:
        """Row-by-row path: write one validated row through the one write path."""
        records.save_record(instance, actor=user, clean=False)

    # --- export -------------------------------------------------------------------------------
    def export_row(self, obj, reveal: bool) -> list:
        row = []
        for column in self.columns:
            if column.sensitive and not reveal:
                row.append(obj.masked(column.name))
            elif column.export:
                row.append(column.export(obj))
            else:
                value = getattr(obj, column.name, "")
                display = getattr(obj, f"get_{column.name}_display", None)
                row.append(display() if display else ("" if value is None else value))
        return row

    def notes(self) -> list[list[str]]:
        rows = [["列名", "是否必填", "说明"]]
        rows += [[c.header, "必填" if c.required else "", c.help] for c in self.columns]
        return rows


def record_validation_error(resource: "Resource", row: RowResult, exc: ValidationError) -> None:
    """Messages of a model validation against their columns (the rest against the row)."""
    for field_name, message in validation_messages(exc).items():
        target = field_name if resource.column_for_field(field_name) else "__all__"
        row.errors[target] = (row.errors.get(target, "") + "；" + message).strip("；")


def validation_messages(error: ValidationError) -> dict[str, str]:
    if hasattr(error, "error_dict"):
        return {k: "；".join(m for e in v for m in e.messages) for k, v in error.error_dict.items()}
    return {"__all__": "；".join(error.messages)}


_registry: dict[str, type[Resource]] = {}


def register(resource: type[Resource]) -> type[Resource]:
    _registry[resource.key()] = resource
    return resource


def get_resource(key: str) -> type[Resource]:
    return _registry[key]


def resource_for(model: type[models.Model]) -> type[Resource] | None:
    return _registry.get(f"{model._meta.app_label}.{model._meta.model_name}")


def choice_parser(choices: type[models.TextChoices], label: str) -> Callable[[str], str]:
    """Accept either the stored value or the Chinese label."""
    by_label = {str(lbl): value for value, lbl in choices.choices}
    values = frozenset(choices.values)  # the enum builds a new list on every access

    def parse(text: str) -> str:
        if text in values:
            return text
        if text in by_label:
            return by_label[text]
        raise CellError(f"{label}应为：{'、'.join(by_label)}")

    return parse
