"""Writes `ObjectChange` rows for every save and delete of a `ChangeLoggedModel`.

Signals are used here (and only here) because change logging must catch every write path —
forms, API, imports, shell — not just the ones someone remembered to instrument. Domain logic
never lives in signals.
"""

import contextlib
import datetime
import decimal
import uuid
from contextvars import ContextVar

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.db.models.signals import m2m_changed, post_save, pre_delete

from citygrid.core import context
from citygrid.core.models.base import ChangeLoggedModel
from citygrid.core.models.changes import ObjectChange

_paused: ContextVar[bool] = ContextVar("citygrid_changelog_paused", default=False)


@contextlib.contextmanager
def paused():
    """Write no change history: for back-filling history that happened at other times (the
    demo city's past), where a row stamped "now, by nobody" would be false."""
    token = _paused.set(True)
    try:
        yield
    finally:
        _paused.reset(token)


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


def serialize(obj: models.Model) -> dict:
    data = {}
    for field in obj._meta.concrete_fields:
        if field.name in obj.changelog_exclude:
            continue
        if field.name in obj.sensitive_fields:
            data[field.name] = obj.masked(field.name)
            continue
        data[field.name] = _plain(field.value_from_object(obj))
    return data


def _record(obj: ChangeLoggedModel, action: str, before, after) -> None:
    ctx = context.current()
    user = ctx.user if ctx and ctx.user is not None and ctx.user.is_authenticated else None
    ObjectChange.objects.create(
        user=user,
        user_name=user.get_username() if user else "system",
        request_id=ctx.request_id if ctx else uuid.uuid4(),
        action=action,
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=True),
        object_id=obj.pk,
        object_repr=str(obj)[:200],
        region_code=obj.scope_code(),
        prechange_data=before,
        postchange_data=after,
    )


def _on_save(sender, instance, created, raw=False, **kwargs):
    if raw or _paused.get() or not isinstance(instance, ChangeLoggedModel):
        return
    before = None if created else getattr(instance, "_prechange_snapshot", None)
    after = serialize(instance)
    if before is not None and before == after:
        return
    _record(
        instance,
        ObjectChange.Action.CREATE if created else ObjectChange.Action.UPDATE,
        before,
        after,
    )
    instance._prechange_snapshot = after


def _on_delete(sender, instance, **kwargs):
    if _paused.get() or not isinstance(instance, ChangeLoggedModel):
        return
    _record(instance, ObjectChange.Action.DELETE, serialize(instance), None)


def _m2m_field(sender, instance) -> str | None:
    for field in type(instance)._meta.many_to_many:
        if field.remote_field.through is sender:
            return field.name
    return None


def _on_m2m(sender, instance, action, reverse, **kwargs):
    """Role grants and scope changes land in the history like any field change."""
    if reverse or _paused.get() or not isinstance(instance, ChangeLoggedModel):
        return
    name = _m2m_field(sender, instance)
    if name is None:
        return
    if action in ("pre_add", "pre_remove", "pre_clear"):
        instance._m2m_before = sorted(getattr(instance, name).values_list("pk", flat=True))
    elif action in ("post_add", "post_remove", "post_clear"):
        before = getattr(instance, "_m2m_before", None)
        after = sorted(getattr(instance, name).values_list("pk", flat=True))
        if before is not None and before != after:
            _record(instance, ObjectChange.Action.UPDATE, {name: before}, {name: after})


def connect() -> None:
    m2m_changed.connect(_on_m2m, dispatch_uid="citygrid_changelog_m2m")
    post_save.connect(_on_save, dispatch_uid="citygrid_changelog_save")
    pre_delete.connect(_on_delete, dispatch_uid="citygrid_changelog_delete")
