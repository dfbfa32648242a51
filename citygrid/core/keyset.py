"""Keyset ("seek") paging: the next page starts after the last row's ordering key.

`OFFSET 500000` reads and throws away half a million rows; `(region_code, name, id) > (…)`
starts at the right place in the list's index. It needs an ordering that is unique (ends in
the primary key), runs one way, and has no NULL-able or joined columns: NULL never compares.
"""

from django.core.exceptions import FieldDoesNotExist
from django.db.models import F
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan


def key_fields(queryset) -> tuple[list[str], bool] | None:
    """The ordering's columns and whether they descend, or None when it cannot be sought."""
    query = queryset.query
    default = queryset.model._meta.ordering if query.default_ordering else []
    ordering = list(query.order_by or default)
    if not ordering or not all(isinstance(o, str) for o in ordering):
        return None
    pk = queryset.model._meta.pk
    directions = {o.startswith("-") for o in ordering}
    if len(directions) != 1:
        return None
    descending = directions.pop()
    names = [pk.name if o.lstrip("-") == "pk" else o.lstrip("-") for o in ordering]
    if names[-1] != pk.name:
        # Ties on the ordering are broken by the primary key, so the key is unique.
        names.append(pk.name)
    for name in names:
        try:
            field = queryset.model._meta.get_field(name)
        except FieldDoesNotExist:
            return None
        if not field.concrete or field.null or field.is_relation:
            return None
    return names, descending


def row_key(row, names: list[str]) -> tuple:
    return tuple(getattr(row, name) for name in names)


def seek(queryset, names: list[str], descending: bool, key: tuple, *, forward: bool = True):
    """Rows after `key` in list order (`forward`), or before it, nearest first."""
    ahead = TupleLessThan if descending else TupleGreaterThan
    behind = TupleGreaterThan if descending else TupleLessThan
    lookup = ahead if forward else behind
    # Backwards reads the list in reverse, so the rows nearest the key come first.
    down = descending if forward else not descending
    order = [f"-{n}" if down else n for n in names]
    return queryset.filter(lookup(Tuple(*(F(n) for n in names)), key)).order_by(*order)
