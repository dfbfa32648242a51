"""The fast path for large imports (resources with `bulk = True`).

The row-by-row importer costs a few queries per row (find the existing record, unique checks,
foreign-key checks, one INSERT/UPDATE and one change-log INSERT). Here the same steps run per
chunk of rows: existing records are fetched by natural key in one query (`find_existing_many`),
rows are validated in Python (foreign keys already resolved to loaded records are not looked up
again; unique checks query once per chunk and fall back to Django's own per-row check only for
a row that really collides, so the messages are the same), and writes go out in batches through
the bulk half of the one write path (`core.records.create_records` / `update_records`), which
derives columns, re-checks scope and logs each record with the same `changelog.entry` as a
single write. Resources add what their `save()` adds in their hooks.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import connections, models, router
from django.db.models import UniqueConstraint

from citygrid.core import records
from citygrid.core.io.resources import CellError, record_validation_error
from citygrid.core.querysets import permission_name

BATCH = records.BATCH
CHUNK = 1000  # rows validated per natural-key query


# --- Validation ----------------------------------------------------------------------------------


def _unique_sets(model) -> list[tuple[str, ...]]:
    """Field sets that must be unique and can be checked with one query per chunk."""
    sets = [(f.name,) for f in model._meta.concrete_fields if f.unique and not f.primary_key]
    sets += [tuple(fields) for fields in model._meta.unique_together]
    sets += [
        tuple(c.fields)
        for c in model._meta.constraints
        if isinstance(c, UniqueConstraint) and c.fields and not c.condition and not c.expressions
    ]
    return sets


def _per_row_constraints(model) -> bool:
    """Whether some constraint cannot be checked per chunk (conditions, checks, expressions)."""
    return any(
        not (isinstance(c, UniqueConstraint) and c.fields and not c.condition and not c.expressions)
        for c in model._meta.constraints
    )


def check_unique(model, instances: list[models.Model]) -> dict[int, ValidationError]:
    """Unique checks for a chunk: one query per unique field set finds the rows that collide;
    only those (and models with constraints that need a row) get Django's own checks, so the
    messages are exactly those of `full_clean`. Returns errors by position in `instances`."""
    suspects: set[int] = set(range(len(instances))) if _per_row_constraints(model) else set()
    for fields in _unique_sets(model):
        attnames = [model._meta.get_field(n).attname for n in fields]
        values = {getattr(i, attnames[0]) for i in instances} - {None, ""}
        if not values:
            continue
        taken: dict[tuple, set] = {}
        rows = model._base_manager.filter(**{f"{attnames[0]}__in": values})
        for pk, *key in rows.values_list("pk", *attnames):
            taken.setdefault(tuple(key), set()).add(pk)
        for position, instance in enumerate(instances):
            key = tuple(getattr(instance, a) for a in attnames)
            if None in key:
                continue
            if taken.get(key, set()) - {instance.pk}:
                suspects.add(position)
    errors: dict[int, ValidationError] = {}
    for position in sorted(suspects):
        instance = instances[position]
        found: dict = {}
        for check in (instance.validate_unique, instance.validate_constraints):
            try:
                check()
            except ValidationError as exc:
                found = exc.update_error_dict(found)
        if found:
            errors[position] = ValidationError(found)
    return errors


# --- The import fast path ------------------------------------------------------------------------


class SeenKeys:
    """The natural keys an import has met, in a temporary table of the import's transaction
    rather than in memory: a file of ten million rows must not hold ten million keys in the
    worker. A key is stored as its `repr` (strings, numbers, None and tuples of them)."""

    TABLE = "citygrid_import_seen_keys"

    def __init__(self, model):
        self._connection = connections[router.db_for_write(model)]
        with self._connection.cursor() as cursor:
            cursor.execute(f"CREATE TEMPORARY TABLE {self.TABLE} (k text PRIMARY KEY)")

    def seen_before(self, keys: list) -> set:
        """Which of `keys` an earlier call had; remembers the rest."""
        names = {repr(key): key for key in keys}
        wanted = list(names)
        new: set = set()
        with self._connection.cursor() as cursor:
            for start in range(0, len(wanted), 500):
                part = wanted[start : start + 500]
                marks = ", ".join(["(%s)"] * len(part))
                cursor.execute(
                    f"INSERT INTO {self.TABLE} (k) VALUES {marks} "
                    "ON CONFLICT DO NOTHING RETURNING k",
                    part,
                )
                new.update(row[0] for row in cursor.fetchall())
        return {key for name, key in names.items() if name not in new}

    def close(self) -> None:
        with self._connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE {self.TABLE}")


DUPLICATE = "文件中重复出现"


def check_chunk(resource, user, chunk: list) -> list:
    """Validate a chunk's rows as `importer.validate_row` would, except for keys met in earlier
    chunks (the caller's `SeenKeys` decides those). Returns (row, key) for each row that got as
    far as its key, in order: the caller marks those met before."""
    resource.prefetch_chunk([row for row in chunk if not row.errors])
    candidates = [(row, resource.row_key(row)) for row in chunk if not row.errors]
    here: set = set()
    keyed = []
    for row, key in candidates:
        if key in here:
            row.errors[resource.natural_key] = DUPLICATE
            continue
        if key is not None:
            here.add(key)
        keyed.append((row, key))
    existing = resource.find_existing_many([k for _, k in keyed if k is not None])
    pending: dict = {}
    built = []
    for row, key in keyed:
        found = existing.get(key) if key is not None else None
        instance = _build(resource, row, found, user, pending)
        if instance is not None:
            built.append((row, key, instance, found is None))
            pending[key] = instance
    collisions = check_unique(resource.model, [b[2] for b in built])
    for position, (row, key, instance, new) in enumerate(built):
        if position in collisions:
            record_validation_error(resource, row, collisions[position])
        elif not resource.in_scope(instance, user):
            row.errors["__all__"] = "该记录不在您的管辖范围内"
        else:
            row.instance = instance
            row.created = new
            continue
        pending.pop(key, None)
    return candidates


def mark_met_before(resource, seen: SeenKeys, candidates: list) -> None:
    """Rows whose key an earlier chunk had are duplicates, whatever their own validation
    found (the row path never validates them)."""
    earlier = seen.seen_before([key for _, key in candidates if key is not None])
    for row, key in candidates:
        if key is not None and key in earlier:
            row.errors = {resource.natural_key: DUPLICATE}
            row.instance = None


def _build(resource, row, existing, user, pending: dict):
    action = "change" if existing else "add"
    if not user.has_perm(permission_name(resource.model, action)):
        row.errors["__all__"] = "无权新增此类记录" if action == "add" else "无权修改此类记录"
        return None
    if existing is not None and not resource.in_scope(existing, user):
        row.errors[resource.natural_key] = "该记录不在您的管辖范围内"
        return None
    try:
        instance = resource.build(row, existing, pending)
        resource.bulk_clean(instance)
    except CellError as exc:
        row.errors.setdefault(resource.natural_key, exc.message)
        return None
    except ValidationError as exc:
        record_validation_error(resource, row, exc)
        return None
    return instance


def write_rows(resource, rows: list, user) -> tuple[int, int]:
    """Write the validated rows in batches; call inside the import's transaction."""
    ordered = [row for row in resource.order_rows(rows) if row.instance is not None]
    created = [row.instance for row in ordered if row.created]
    updated = [row.instance for row in ordered if not row.created]
    for start in range(0, len(created), BATCH):
        batch = created[start : start + BATCH]
        resource.before_bulk_create(batch)
        records.create_records(resource.model, batch, actor=user, copy=resource.copy)
        resource.after_bulk_write(batch, [], user)
    for start in range(0, len(updated), BATCH):
        batch = updated[start : start + BATCH]
        records.update_records(resource.model, batch, actor=user)
        resource.after_bulk_write([], batch, user)
    return len(created), len(updated)
