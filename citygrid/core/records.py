"""The one write path: every create, change and delete of a change-logged record goes through
here — pages, API, both import paths, the grid app, channels and action functions.

A write here, in one transaction:
1. takes the "before" from the state the record had when it was loaded (`from_db`), so nothing
   assigned since (a form, a serializer) can hide a change;
2. runs `full_clean` on the real instance, so what `clean()` derives (sex and birth date from an
   ID number, a house's grid from its building) is the same whichever way a record arrives;
3. derives columns (region code, blind indexes) and saves;
4. re-checks that the record is inside the actor's territory, else rolls back (`OutOfScope`);
5. writes exactly one `ObjectChange`, built by `changelog.entry` — the bulk functions build theirs
   with the same function.

Writes outside this module raise `DirectWriteError` (see `core/writeguard.py` for the escapes).
An actor of None is the system (the deadline sweep) or a citizen channel whose own rules decide
what may be written; their writes are logged but not scope-checked.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import connections, models, router, transaction
from django.db.models.deletion import Collector
from django.utils import timezone

from citygrid.core import changelog, crypto, writeguard
from citygrid.core.errors import OutOfScope
from citygrid.core.fields import EncryptedCharField
from citygrid.core.models import ObjectChange

BATCH = 5000  # rows per INSERT batch
UPDATE_BATCH = 500  # bulk_update builds one CASE per field: keep statements moderate

Action = ObjectChange.Action


def _is_user(actor) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False)


def loaded_relations(instance: models.Model) -> list[str]:
    """Foreign keys holding a loaded record: `full_clean` need not query whether they exist."""
    return [
        f.name
        for f in instance._meta.concrete_fields
        if f.is_relation
        and f.is_cached(instance)
        and getattr(instance, f.name) is not None
        and getattr(instance, f.name).pk is not None
    ]


def full_clean(instance: models.Model, *, unique: bool = True) -> None:
    """`Model.full_clean`, except that a foreign key holding a loaded record is not re-read to
    prove it exists. Unique checks and constraints still cover those keys (a second open rental
    of a house is a validation error, not an IntegrityError); `unique=False` leaves them to the
    bulk path's per-chunk check."""
    errors: dict = {}
    for check, kwargs in (
        (instance.clean_fields, {"exclude": loaded_relations(instance)}),
        (instance.clean, {}),
    ):
        try:
            check(**kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
    if unique:
        failed = set(errors)
        for check in (instance.validate_unique, instance.validate_constraints):
            try:
                check(exclude=failed)
            except ValidationError as exc:
                errors = exc.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


def _check_saved(obj: models.Model, actor, *, whole: bool) -> None:
    """`_check_scope` for one record just saved whole: its own territorial field now holds
    what the row holds, so `covers` (the same prefix rule as `in_scope`) decides without a
    query. A field through a relation, or a partial save, asks the database."""
    field = getattr(type(obj), "scope_field", None)
    if not _is_user(actor) or not whole or (field and "__" in field):
        _check_scope(type(obj), actor, [obj.pk])
    elif not actor.is_active or (field and not actor.covers(getattr(obj, field) or "")):
        raise OutOfScope


def _check_scope(model, actor, pks: list) -> None:
    """The territory half of `restrict`: permissions are the entry point's (a view, the API's
    permission class, the importer per row, an action's guard), territory is everyone's."""
    if not _is_user(actor) or not pks:
        return
    found = model.objects.in_scope(actor).filter(pk__in=pks).count()
    if found != len(set(pks)):
        raise OutOfScope


def save_record(
    obj: models.Model,
    *,
    actor,
    update_fields: Iterable[str] | None = None,
    m2m: dict[str, Iterable] | None = None,
    clean: bool = True,
    savepoint: bool = True,
) -> models.Model:
    """Create or change `obj` (see the module docstring). Raises `ValidationError` or
    `OutOfScope`, having written nothing.

    `m2m`: many-to-many values to set (name → records or pks), logged with the fields.
    `clean=False` only where this very instance was just validated (the importer's rows, a
    serializer's `validate`). `savepoint=False` for a caller whose own transaction is undone as
    a whole on any failure (intake): inside it, a failure here must end that transaction too,
    and the two round trips of a savepoint are saved.
    """
    model = type(obj)
    created = obj._state.adding
    with transaction.atomic(savepoint=savepoint):
        before = None if created else changelog.serialize_before(obj)
        if clean:
            full_clean(obj)
        fields = None
        if update_fields is not None:
            fields = set(update_fields) | {
                f.name for f in model._meta.concrete_fields if getattr(f, "auto_now", False)
            }
        with writeguard.writing():
            obj.save(update_fields=fields)
        for name, items in (m2m or {}).items():
            getattr(obj, name).set(items)
        _check_saved(obj, actor, whole=fields is None)
        if not writeguard.is_unlogged():
            after = changelog.serialize(obj)
            row = changelog.entry(
                obj, Action.CREATE if created else Action.UPDATE, before, after, actor=actor
            )
            if row is not None:
                row.save()
    return obj


def delete_record(obj: models.Model, *, actor) -> None:
    """Delete `obj` and what cascades from it, one DELETE change per change-logged record.

    Raises `ProtectedError` (records still refer to it) or `OutOfScope`, deleting nothing."""
    model = type(obj)
    using = router.db_for_write(model)
    with transaction.atomic(using=using):
        _check_scope(model, actor, [obj.pk])
        collector = Collector(using=using, origin=obj)
        collector.collect([obj])
        doomed = [o for instances in collector.data.values() for o in instances]
        for queryset in collector.fast_deletes:
            if getattr(queryset.model, "change_logged", False):
                doomed += list(queryset)
        rows = []
        if not writeguard.is_unlogged():
            rows = [
                changelog.entry(o, Action.DELETE, changelog.serialize(o), None, actor=actor)
                for o in doomed
                if getattr(o, "change_logged", False)
            ]
        with writeguard.writing():
            # The model's own delete(), not the collector's: overrides keep their duties (a
            # grid's delete bumps the geometry stamp so every locate index drops it).
            obj.delete()
        ObjectChange.objects.bulk_create(rows)


def touch(queryset: models.QuerySet, **values) -> int:
    """Update bookkeeping columns that are not part of a record's history (a client's
    last-used time, a reminder-sent flag): only columns the model leaves out of its change log."""
    model = queryset.model
    logged = set(values) - set(model.changelog_exclude)
    if logged:
        raise ValueError(f"{model.__name__}.{', '.join(sorted(logged))} is change-logged")
    with writeguard.writing():
        return queryset.update(**values)


# --- Bulk: the same writes, a batch at a time ------------------------------------------------


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
    """Insert new rows (ids assigned here) as fast as the database allows, without derivation
    or history: the raw step under `create_records`, and the writer of the change log itself.

    Values are what each field's `pre_save`/`get_db_prep_save` gives, like `bulk_create`, so
    `auto_now` stamps are set and encrypted fields are encrypted — worked out a column at a
    time (`_column`). `copy` uses PostgreSQL's COPY.
    """
    if not objs:
        return
    connection = _connection(model)
    fields = list(model._meta.concrete_fields)
    table = connection.ops.quote_name(model._meta.db_table)
    column_list = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    copy = copy and connection.vendor == "postgresql"
    with transaction.atomic(using=connection.alias, savepoint=False):
        missing = [obj for obj in objs if obj.pk is None]
        for obj, pk in zip(missing, _reserve_ids(connection, model, len(missing)), strict=True):
            obj.pk = pk
        for start in range(0, len(objs), BATCH):
            batch = objs[start : start + BATCH]
            now = timezone.now()
            values = [_column(f, batch, connection, now, copy) for f in fields]
            rows = list(zip(*values, strict=True))
            with connection.cursor() as cursor:
                if copy:
                    with cursor.cursor.copy(f"COPY {table} ({column_list}) FROM STDIN") as stream:
                        for row in rows:
                            stream.write_row(row)
                else:
                    marks = ", ".join(["%s"] * len(fields))
                    cursor.executemany(
                        f"INSERT INTO {table} ({column_list}) VALUES ({marks})", rows
                    )
            for obj in batch:
                obj._state.adding = False
                obj._state.db = connection.alias


# Field classes whose `get_db_prep_save` returns a value of this Python type unchanged (the
# common case, taken without the per-value call chain); other values take the field's own way.
_AS_IS = (
    (models.CharField, str),
    (models.TextField, str),
    (models.IntegerField, int),
    (models.BooleanField, bool),
    (models.FloatField, float),
)
_PREP_METHODS = ("get_db_prep_save", "get_db_prep_value", "get_prep_value")


def _as_is_type(field: models.Field, connection, copy: bool) -> type | None:
    """The Python type `field` stores unconverted on `connection`, if any. Only for fields
    whose class keeps the conversion of one of `_AS_IS`; integers only where the backend does
    not wrap them (SQLite, or COPY, where the column's type parses the text)."""
    target = field.target_field if field.is_relation else field
    if field.is_relation and type(field).get_db_prep_save is not models.ForeignKey.get_db_prep_save:
        return None
    for base, python_type in _AS_IS:
        if not isinstance(target, base):
            continue
        if python_type is int and not copy and connection.vendor == "postgresql":
            return None
        if isinstance(target, models.AutoField | models.BigAutoField | models.SmallAutoField):
            return python_type
        if all(getattr(type(target), m) is getattr(base, m) for m in _PREP_METHODS):
            return python_type
    return None


def _column(field: models.Field, objs: list, connection, now, copy: bool) -> list:
    """The database values of one field for a batch: what `get_db_prep_save(pre_save(obj,
    True))` gives for each object, with the per-value work taken out of the common cases —
    one timestamp per batch for `auto_now`/`auto_now_add` (set on the objects, as `pre_save`
    does), encryption with the key set up once, plain strings and integers as they are."""
    prepare = field.get_db_prep_save
    if isinstance(field, models.DateField) and (field.auto_now or field.auto_now_add):
        # What `pre_save` takes: an aware "now" for a date-time, the local date for a date.
        stamp = now if isinstance(field, models.DateTimeField) else datetime.date.today()
        for obj in objs:
            setattr(obj, field.attname, stamp)
        return [prepare(stamp, connection)] * len(objs)
    if type(field).pre_save is models.Field.pre_save:
        values = [getattr(obj, field.attname) for obj in objs]
    else:
        values = [field.pre_save(obj, True) for obj in objs]
    if isinstance(field, EncryptedCharField):
        return crypto.encrypt_many(values)
    as_is = _as_is_type(field, connection, copy)
    if as_is is None:
        return [prepare(value, connection) for value in values]
    return [v if v is None or type(v) is as_is else prepare(v, connection) for v in values]


def create_records(
    model: type[models.Model], objs: list[models.Model], *, actor, copy: bool = False
) -> list[models.Model]:
    """Create validated records in batches: derived columns, scope re-check and one CREATE
    change each, as `save_record` writes them. The caller has cleaned each instance (the bulk
    importer does it a chunk at a time)."""
    with transaction.atomic():
        for obj in objs:
            obj.derive()
        insert(model, objs, copy=copy)
        _check_scope(model, actor, [obj.pk for obj in objs])
        _log(model, [(obj, Action.CREATE, None) for obj in objs], actor)
        for obj in objs:
            obj.remember_state()
    return objs


def update_records(
    model: type[models.Model], objs: list[models.Model], *, actor, fields: Iterable[str] = ()
) -> None:
    """Write changed, validated records in batches; each logs its change against the state it
    was loaded with. Without `fields`, only the columns that changed since loading are written
    and unchanged records are not written at all (a re-import of the same file costs reads only;
    a CASE per column for every column made it ten times slower on SQLite)."""
    if not objs:
        return
    now = timezone.now()
    with transaction.atomic():
        for obj in objs:
            obj.derive()
        names = list(fields)
        if not names:
            names = _changed_columns(model, objs)
            objs = [obj for obj in objs if _changed_columns(model, [obj])]
            if not objs:
                return
        befores = [changelog.serialize_before(obj) for obj in objs]
        for field in model._meta.concrete_fields:
            if getattr(field, "auto_now", False):
                for obj in objs:
                    setattr(obj, field.attname, now)
                if field.name not in names:
                    names.append(field.name)
        with writeguard.writing():
            model.objects.bulk_update(objs, names, batch_size=UPDATE_BATCH)
        _check_scope(model, actor, [obj.pk for obj in objs])
        _log(
            model,
            [(obj, Action.UPDATE, before) for obj, before in zip(objs, befores, strict=True)],
            actor,
        )
        for obj in objs:
            obj.remember_state()


def _changed_columns(model, objs) -> list[str]:
    """Fields whose value differs from the state at load in any of `objs` (all if unknown)."""
    missing = object()
    names = []
    for field in model._meta.concrete_fields:
        if field.primary_key or getattr(field, "auto_now", False):
            continue
        for obj in objs:
            loaded = getattr(obj, "_loaded_values", None)
            if loaded is None or getattr(obj, field.attname) != loaded.get(field.attname, missing):
                names.append(field.name)
                break
    return names


def _log(model, changes: list[tuple[models.Model, str, dict | None]], actor) -> None:
    if writeguard.is_unlogged() or not getattr(model, "change_logged", False) or not changes:
        return
    from django.contrib.contenttypes.models import ContentType

    from citygrid.core import context

    ctx = context.current()
    request_id = ctx.request_id if ctx else None
    content_type = ContentType.objects.get_for_model(model, for_concrete_model=True)
    rows = []
    for obj, action, before in changes:
        row = changelog.entry(
            obj,
            action,
            before,
            changelog.serialize(obj),
            actor=actor,
            request_id=request_id,
            content_type=content_type,
        )
        if row is not None:
            rows.append(row)
    if rows and request_id is None:
        request_id = rows[0].request_id
        for row in rows:
            row.request_id = request_id
    insert(ObjectChange, rows, copy=True)
