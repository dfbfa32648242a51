"""The fast path for large writes: imports of resources with `bulk = True`, and demo data.

The row-by-row importer costs a few queries per row (find the existing record, unique checks,
foreign-key checks, one INSERT/UPDATE and one change-log INSERT). Here the same steps run per
chunk of rows: existing records are fetched by natural key in one query (`find_existing_many`),
rows are validated in Python (foreign keys already resolved to loaded records are not looked up
again; unique checks query once per chunk and fall back to Django's own per-row check only for
a row that really collides, so the messages are the same), and writes go out in batches —
`executemany` on SQLite, COPY on PostgreSQL for new rows when the resource allows it, and
`bulk_update` for changed ones — with the change-log rows written in bulk with the same content
the signal handler would write (`core/changelog.py`).

Bulk writes skip `save()` and signals, so what `save()` derives (region code, blind indexes,
`derive_region`) is applied here by `prepare`, and resources add the rest in their hooks.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connections, models, router, transaction
from django.db.models import UniqueConstraint
from django.utils import timezone

from citygrid.core import changelog, context
from citygrid.core.crypto import blind_index
from citygrid.core.models import ChangeLoggedModel, ObjectChange

BATCH = 5000  # rows per INSERT batch
CHUNK = 1000  # rows validated per natural-key query
UPDATE_BATCH = 500  # bulk_update builds one CASE per field: keep statements moderate


# --- Writing -------------------------------------------------------------------------------------


def _connection(model):
    return connections[router.db_for_write(model)]


def _reserve_ids(connection, model, n: int) -> list[int]:
    """Primary keys for `n` new rows, taken before the INSERT so no RETURNING is needed (COPY
    has none). PostgreSQL: from the column's sequence. SQLite: above both the highest id and
    the AUTOINCREMENT counter, inside the write transaction that holds the database lock."""
    table = model._meta.db_table
    pk = model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, pk, n],
            )
            return [row[0] for row in cursor.fetchall()]
        quoted = connection.ops.quote_name(table)
        cursor.execute(f"SELECT MAX({connection.ops.quote_name(pk)}) FROM {quoted}")
        top = cursor.fetchone()[0] or 0
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        top = max(top, row[0] if row else 0)
    return list(range(top + 1, top + n + 1))


def insert(model: type[models.Model], objs: list[models.Model], *, copy: bool = False) -> None:
    """Insert new records (ids assigned here) as fast as the database allows.

    Values go through each field's `pre_save`/`get_db_prep_save`, like `bulk_create`, so
    `auto_now` stamps are set and encrypted fields are encrypted. `copy` uses PostgreSQL's COPY.
    """
    if not objs:
        return
    connection = _connection(model)
    fields = list(model._meta.concrete_fields)
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with transaction.atomic(using=connection.alias, savepoint=False):
        missing = [obj for obj in objs if obj.pk is None]
        for obj, pk in zip(missing, _reserve_ids(connection, model, len(missing)), strict=True):
            obj.pk = pk
        for start in range(0, len(objs), BATCH):
            batch = objs[start : start + BATCH]
            rows = [
                tuple(f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields)
                for obj in batch
            ]
            with connection.cursor() as cursor:
                if copy and connection.vendor == "postgresql":
                    with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as stream:
                        for row in rows:
                            stream.write_row(row)
                else:
                    marks = ", ".join(["%s"] * len(fields))
                    cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)
            for obj in batch:
                obj._state.adding = False
                obj._state.db = connection.alias


def prepare(instance: models.Model) -> None:
    """What `ChangeLoggedModel.save()` and `ScopedModel.save()` derive before writing."""
    derive = getattr(instance, "derive_region", None)
    if derive is not None:
        derive()
    if hasattr(instance, "region_code") and getattr(instance, "region_id", None):
        instance.region_code = instance.region.code
    for name in getattr(instance, "sensitive_fields", {}):
        if hasattr(instance, f"{name}_index"):
            setattr(instance, f"{name}_index", blind_index(getattr(instance, name) or ""))


def create(
    model: type[models.Model], objs: list[models.Model], *, copy: bool = False
) -> list[models.Model]:
    """Prepare, insert and log new records as `save()` would have (one CREATE change each)."""
    for obj in objs:
        prepare(obj)
    insert(model, objs, copy=copy)
    log(model, [(obj, ObjectChange.Action.CREATE, None) for obj in objs])
    return objs


def update(model: type[models.Model], objs: list[models.Model], fields: Iterable[str] = ()):
    """Prepare, write and log changed records. Each should hold `snapshot()` from before the
    change: as with `save()`, an unchanged record still gets written but logs nothing."""
    if not objs:
        return
    for obj in objs:
        prepare(obj)
    names = list(fields) or [
        f.name for f in model._meta.concrete_fields if not f.primary_key and f.name != "created"
    ]
    now = timezone.now()
    for field in model._meta.concrete_fields:
        if getattr(field, "auto_now", False):
            for obj in objs:
                setattr(obj, field.attname, now)
            if field.name not in names:
                names.append(field.name)
    model.objects.bulk_update(objs, names, batch_size=UPDATE_BATCH)
    log(
        model,
        [
            (obj, ObjectChange.Action.UPDATE, getattr(obj, "_prechange_snapshot", None))
            for obj in objs
        ],
    )


def log(model: type[models.Model], changes: list[tuple[models.Model, str, dict | None]]) -> None:
    """Change-log rows for records written in bulk: the content `changelog._on_save` writes."""
    if changelog._paused.get() or not issubclass(model, ChangeLoggedModel) or not changes:
        return
    ctx = context.current()
    user = ctx.user if ctx and ctx.user is not None and ctx.user.is_authenticated else None
    request_id = ctx.request_id if ctx else uuid.uuid4()
    content_type = ContentType.objects.get_for_model(model, for_concrete_model=True)
    rows = []
    for obj, action, before in changes:
        after = changelog.serialize(obj)
        if action == ObjectChange.Action.UPDATE and before is not None and before == after:
            continue
        rows.append(
            ObjectChange(
                user=user,
                user_name=user.get_username() if user else "system",
                request_id=request_id,
                action=action,
                content_type=content_type,
                object_id=obj.pk,
                object_repr=str(obj)[:200],
                region_code=obj.scope_code(),
                prechange_data=None if action == ObjectChange.Action.CREATE else before,
                postchange_data=after,
            )
        )
        obj._prechange_snapshot = after
    insert(ObjectChange, rows)


# --- Validation ----------------------------------------------------------------------------------


def clean(instance: models.Model) -> None:
    """`full_clean` without the per-row queries: unique checks run per chunk (`check_unique`),
    and a foreign key already holding a loaded record is not looked up again."""
    loaded = [
        f.name
        for f in instance._meta.concrete_fields
        if f.is_relation
        and f.is_cached(instance)
        and getattr(instance, f.name) is not None
        and getattr(instance, f.name).pk is not None
    ]
    instance.full_clean(exclude=loaded, validate_unique=False, validate_constraints=False)


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


def _value(instance, name: str):
    field = instance._meta.get_field(name)
    return getattr(instance, field.attname)


def check_unique(model, instances: list[models.Model]) -> dict[int, ValidationError]:
    """Unique checks for a chunk: one query per unique field set finds the rows that collide;
    only those (and models with constraints that need a row) get Django's own checks, so the
    messages are exactly those of `full_clean`. Returns errors by position in `instances`."""
    suspects: set[int] = set(range(len(instances))) if _per_row_constraints(model) else set()
    for fields in _unique_sets(model):
        first = model._meta.get_field(fields[0])
        values = {_value(i, fields[0]) for i in instances} - {None, ""}
        if not values:
            continue
        taken: dict[tuple, set] = {}
        rows = model._base_manager.filter(**{f"{first.attname}__in": values})
        attnames = [model._meta.get_field(n).attname for n in fields]
        for pk, *key in rows.values_list("pk", *attnames):
            taken.setdefault(tuple(key), set()).add(pk)
        for position, instance in enumerate(instances):
            key = tuple(_value(instance, n) for n in fields)
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


def validate_rows(resource, rows: list, user, progress: Callable[[int], None]) -> None:
    """Validate every row like `importer.validate_row`, a chunk at a time."""
    from citygrid.core.io.importer import record_validation_error

    pending: dict = {}
    seen: set = set()
    ordered = resource.order_rows(rows)
    for start in range(0, len(ordered), CHUNK):
        chunk = ordered[start : start + CHUNK]
        resource.prefetch_chunk([row for row in chunk if not row.errors])
        keyed = []
        for row in chunk:
            if row.errors:
                continue
            key = resource.row_key(row)
            if key in seen:
                row.errors[resource.natural_key] = "文件中重复出现"
                continue
            if key is not None:
                seen.add(key)
            keyed.append((row, key))
        existing = resource.find_existing_many([k for _, k in keyed if k is not None])
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
        progress(start + len(chunk))


def _build(resource, row, existing, user, pending: dict):
    from citygrid.core.io.importer import record_validation_error
    from citygrid.core.io.resources import CellError
    from citygrid.core.querysets import permission_name

    action = "change" if existing else "add"
    if not user.has_perm(permission_name(resource.model, action)):
        row.errors["__all__"] = "无权新增此类记录" if action == "add" else "无权修改此类记录"
        return None
    if existing is not None:
        if not resource.in_scope(existing, user):
            row.errors[resource.natural_key] = "该记录不在您的管辖范围内"
            return None
        existing.snapshot()
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


def write_rows(resource, rows: list, progress: Callable[[int], None]) -> tuple[int, int]:
    """Write the validated rows in batches; call inside the import's transaction."""
    ordered = [row for row in resource.order_rows(rows) if row.instance is not None]
    created = [row.instance for row in ordered if row.created]
    updated = [row.instance for row in ordered if not row.created]
    done = 0
    for start in range(0, len(created), BATCH):
        batch = created[start : start + BATCH]
        resource.before_bulk_create(batch)
        create(resource.model, batch, copy=resource.copy)
        resource.after_bulk_write(batch, [])
        done += len(batch)
        progress(done)
    for start in range(0, len(updated), BATCH):
        batch = updated[start : start + BATCH]
        update(resource.model, batch)
        resource.after_bulk_write([], batch)
        done += len(batch)
        progress(done)
    return len(created), len(updated)
