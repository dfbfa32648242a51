"""Change-log rows as a person reads them.

`ObjectChange` keeps values as stored (codes, ids, UTC timestamps, masked sensitive values);
this module turns a page of rows into field labels and values: choice and code-table labels,
是/否, the referenced record's name instead of its id (one query per referenced model for the
whole page, never one per row), local times to the second, and the actor's display name.
Bookkeeping columns (timestamps, blind indexes, the idempotency key, the derived scope code)
are not shown: they change with every write and say nothing to a reader.
"""

import datetime
import functools
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime

from citygrid.core import dictionaries
from citygrid.core.fields import DictField
from citygrid.core.models.changes import ObjectChange

SYSTEM = "系统"
EMPTY = "—"
# Stored values longer than this (a boundary's GeoJSON, a long text) are cut on screen.
MAX_VALUE = 200


@dataclass
class FieldChange:
    label: str
    before: str
    after: str


@dataclass
class HistoryEntry:
    """One change-log row ready for a template."""

    change: ObjectChange
    actor: str
    fields: list[FieldChange] = field(default_factory=list)

    @property
    def time(self) -> str:
        return local_time(self.change.time)


def local_time(value: datetime.datetime) -> str:
    return formats.date_format(timezone.localtime(value), "Y-m-d H:i:s")


def actor_name(change: ObjectChange) -> str:
    """The actor's display name; the login kept on the row once the account is gone."""
    if change.user_id is not None and change.user is not None:
        return str(change.user)
    return change.user_name if change.user_name and change.user_name != "system" else SYSTEM


def is_internal(model, field: models.Field) -> bool:
    """A column that is bookkeeping rather than content: automatic timestamps, blind indexes
    of sensitive fields, the scope code derived from the region, and any field without a
    Chinese name (such as the idempotency key): every field a person edits has one."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return True
    if field.name.endswith("_index") and field.name[: -len("_index")] in model.sensitive_fields:
        return True
    if field.name == getattr(model, "scope_field", None):
        return True
    return field.name in model.changelog_exclude or not _is_chinese(str(field.verbose_name))


def _is_chinese(text: str) -> bool:
    return any("\u4e00" <= char <= "\u9fff" for char in text)


@functools.cache
def _fields(model) -> dict[str, models.Field]:
    """Shown fields by name: concrete and many-to-many, without the internal ones."""
    found = {}
    for f in [*model._meta.concrete_fields, *model._meta.many_to_many]:
        if not f.primary_key and not is_internal(model, f):
            found[f.name] = f
    return found


def _referenced_names(entries: list[tuple[object, ObjectChange]]) -> dict:
    """{(model, pk): name} of every record the page's values refer to, one query per model."""
    wanted: dict[type, set] = {}
    for model, change in entries:
        fields = _fields(model)
        for data in (change.prechange_data or {}, change.postchange_data or {}):
            for name, value in data.items():
                f = fields.get(name)
                if f is None or not f.is_relation or value in (None, "", []):
                    continue
                ids = value if isinstance(value, list) else [value]
                wanted.setdefault(f.related_model, set()).update(ids)
    names = {}
    for related, ids in wanted.items():
        # A name never needs a region's boundary or other JSON documents: leave them unread.
        bulky = [f.name for f in related._meta.concrete_fields if isinstance(f, models.JSONField)]
        for obj in related._base_manager.filter(pk__in=ids).defer(*bulky):
            names[(related, obj.pk)] = str(obj)
    return names


def _display(f: models.Field, value, names: dict) -> str:
    if value is None or value == "" or value == []:
        return EMPTY
    if f.is_relation:
        ids = value if isinstance(value, list) else [value]
        shown = [names.get((f.related_model, pk), "（已删除）") for pk in ids]
        return "、".join(shown)
    if isinstance(f, DictField):
        return dictionaries.label(f.dictionary, value)
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(f, models.BooleanField):
        return "是" if value else "否"
    if isinstance(f, models.DateTimeField) and isinstance(value, str):
        parsed = parse_datetime(value)
        if parsed is not None:
            if timezone.is_naive(parsed):
                parsed = timezone.make_aware(parsed, datetime.UTC)
            return local_time(parsed)
    if isinstance(f, models.DateField) and isinstance(value, str):
        parsed = parse_date(value)
        return formats.date_format(parsed, "Y-m-d") if parsed else value
    if isinstance(f, models.JSONField):
        return "（内容较长，从略）"
    text = str(value)
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…"


def readable(changes) -> list[HistoryEntry]:
    """The page's rows as a person reads them, fields in the model's order. Pass `changes`
    with `user` selected; content types come from Django's per-process cache."""
    types = ContentType.objects
    entries = [(types.get_for_id(c.content_type_id).model_class(), c) for c in changes]
    names = _referenced_names([(m, c) for m, c in entries if m is not None])
    result = []
    for model, change in entries:
        entry = HistoryEntry(change=change, actor=actor_name(change))
        before_data, after_data = change.prechange_data or {}, change.postchange_data or {}
        for name, f in _fields(model).items() if model is not None else ():
            if before_data.get(name) == after_data.get(name):
                continue
            before = _display(f, before_data.get(name), names)
            after = _display(f, after_data.get(name), names)
            if before != EMPTY or after != EMPTY:
                entry.fields.append(FieldChange(str(f.verbose_name), before, after))
        result.append(entry)
    return result
