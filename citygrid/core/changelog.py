"""What a change-log row says: the serialised before/after of a record and the row itself.

Rows are written explicitly by the one write path (`core/records.py`), never by signals: a
signal cannot know the actor, sees `update()` and bulk writes not at all, and was what let API
edits go unlogged. Single writes and bulk writes build their rows with the same `entry()`.
"""

import datetime
import decimal
import functools
import uuid

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q

from citygrid.core import context
from citygrid.core.models.base import ChangeLoggedModel
from citygrid.core.models.changes import ObjectChange


def readable_content_types(user) -> list[int]:
    """Content types whose history `user` may read: history shows before/after values, so it
    is need-to-know exactly like the records (a special-group diagnosis stays with those who
    may see special groups), on top of the regional scope of every history row."""
    from django.apps import apps

    from citygrid.core.querysets import permission_name

    readable = []
    for model in apps.get_models():
        if not issubclass(model, ChangeLoggedModel):
            continue
        needed = model.changelog_permission or permission_name(model, "view")
        if user.has_perm(needed):
            readable.append(model)
    return [ct.pk for ct in ContentType.objects.get_for_models(*readable).values()]


def hidden_history(user) -> Q:
    """History rows of single records withheld from `user` although the type is readable
    (a sealed juvenile record): each model may name them in `history_hidden_from(user)`."""
    from django.apps import apps

    hidden = Q(pk__in=[])
    for model in apps.get_models():
        withheld = getattr(model, "history_hidden_from", None)
        ids = withheld(user) if withheld else None
        if ids is not None:
            ct = ContentType.objects.get_for_model(model)
            hidden |= Q(content_type=ct, object_id__in=ids)
    return hidden


def _plain(value):
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if hasattr(value, "name") and hasattr(value, "storage"):  # FieldFile
        return value.name or ""
    return value


# Values `_plain` returns unchanged: the bulk path serialises a record per row, so the common
# case skips the isinstance chain.
_AS_IS = frozenset({str, int, float, bool, type(None)})


@functools.cache
def _plan(model) -> tuple[tuple[str, str, object], ...]:
    """(name, attname, mask or None) per logged field, worked out once per model: the bulk
    path serialises thousands of records of one type."""
    from citygrid.core import validators

    plan = []
    for field in model._meta.concrete_fields:
        if field.name in model.changelog_exclude:
            continue
        kind = model.sensitive_fields.get(field.name)
        mask = getattr(validators, f"mask_{kind}") if kind else None
        plan.append((field.name, field.attname, mask))
    return tuple(plan)


def _serialize(model, value_of) -> dict:
    data = {}
    for name, attname, mask in _plan(model):
        value = value_of(attname)
        if mask is not None:
            data[name] = mask(value or "")
        elif type(value) in _AS_IS:
            data[name] = value
        else:
            data[name] = _plain(value)
    return data


def serialize(obj: models.Model) -> dict:
    """The record as the change log shows it now (sensitive fields masked, many-to-many
    values as sorted ids), the same whichever path wrote it."""
    return {**_serialize(type(obj), lambda attname: getattr(obj, attname)), **m2m_values(obj)}


def m2m_values(obj: models.Model) -> dict:
    """Many-to-many values as stored now (role grants, department members): one query each."""
    if obj.pk is None:
        return {}
    return {
        field.name: sorted(getattr(obj, field.name).values_list("pk", flat=True))
        for field in type(obj)._meta.many_to_many
        if field.name not in type(obj).changelog_exclude
    }


def serialize_before(obj: models.Model) -> dict:
    """The "before" of a write about to happen: the fields as they were when the record was
    loaded (or last written), whatever was assigned since, and many-to-many values as stored."""
    return {**(serialize_loaded(obj) or {}), **m2m_values(obj)}


def serialize_loaded(obj: models.Model) -> dict | None:
    """The record's fields as they were when loaded (or last written)."""
    loaded = getattr(obj, "_loaded_values", None)
    if loaded is None:
        return None
    return _serialize(
        type(obj),
        lambda attname: loaded[attname] if attname in loaded else getattr(obj, attname),
    )


def entry(
    obj: ChangeLoggedModel,
    action: str,
    before: dict | None,
    after: dict | None,
    *,
    actor=None,
    request_id: uuid.UUID | None = None,
    content_type: ContentType | None = None,
) -> ObjectChange | None:
    """The unsaved change-log row of one write; None for an update that changed nothing."""
    if action == ObjectChange.Action.UPDATE and before is not None and before == after:
        return None
    ctx = context.current()
    if actor is None and ctx is not None:
        actor = ctx.user
    user = actor if actor is not None and actor.is_authenticated else None
    content_type = content_type or ContentType.objects.get_for_model(obj, for_concrete_model=True)
    return _row(
        user_id=user.pk if user else None,
        user_name=user.get_username() if user else "system",
        request_id=request_id or (ctx.request_id if ctx else uuid.uuid4()),
        action=action,
        content_type_id=content_type.pk,
        object_id=obj.pk,
        object_repr=str(obj)[:200],
        region_code=obj.scope_code(),
        prechange_data=None if action == ObjectChange.Action.CREATE else before,
        postchange_data=after,
    )


@functools.cache
def _row_fields() -> tuple:
    return tuple((f.attname, f) for f in ObjectChange._meta.concrete_fields)


def _row(**values) -> ObjectChange:
    """An unsaved row from column values, built positionally — Django's quick constructor: the
    bulk path builds one per record. Ids, not related objects: the row is only ever written."""
    return ObjectChange(
        *(values[name] if name in values else field.get_default() for name, field in _row_fields())
    )
