"""Rows for a big demo city: instances built without Django's per-field `__init__`, inserted
with COPY. At a million people, `Model.__init__` (about 100 µs for a person, walking all its
fields) was a third of the generator's time, and INSERT round trips most of the rest."""

from django.db.models import Model
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init

from citygrid.core import records

_TEMPLATES: dict[type, tuple[dict, list, set]] = {}


def insert(model: type[Model], objs: list) -> None:
    """`records.insert` through COPY on PostgreSQL (plain INSERTs elsewhere)."""
    records.insert(model, objs, copy=True)


def build(model: type[Model], **values) -> Model:
    """What `model(**values)` gives, from a copy of one default instance per model.

    Callable defaults (a fresh dict, "now") are called again for each instance; relation
    fields given as objects go through their descriptors, plain values into the instance.
    """
    if pre_init.has_listeners(model) or post_init.has_listeners(model):
        return model(**values)
    template = _TEMPLATES.get(model)
    if template is None:
        fields = model._meta.concrete_fields
        fresh = [f for f in fields if f.has_default() and callable(f.default)]
        relations = {f.name for f in fields if f.is_relation}
        template = _TEMPLATES[model] = (model().__dict__, fresh, relations)
    defaults, fresh, relations = template
    obj = model.__new__(model)
    state = obj.__dict__
    state.update(defaults)
    state["_state"] = ModelState()
    for field in fresh:
        state[field.attname] = field.get_default()
    for name, value in values.items():
        if name in relations:
            setattr(obj, name, value)
        else:
            state[name] = value
    return obj
