"""Global search: each app registers which of its record types and fields are searchable.

Results always go through `restrict(user, "view")`, so search never reveals out-of-scope records.
"""

from dataclasses import dataclass

from django.db.models import Model, Q


@dataclass(frozen=True)
class SearchEntry:
    model: type[Model]
    fields: tuple[str, ...]
    label: str


_registry: list[SearchEntry] = []


def register(model: type[Model], *, fields: tuple[str, ...], label: str) -> None:
    _registry.append(SearchEntry(model, fields, label))


def search(user, query: str, limit: int = 10) -> list[tuple[SearchEntry, list[Model]]]:
    query = query.strip()
    if not query:
        return []
    results = []
    for entry in _registry:
        q = Q()
        for field in entry.fields:
            q |= Q(**{f"{field}__icontains": query})
        hits = list(entry.model.objects.restrict(user, "view").filter(q)[:limit])
        if hits:
            results.append((entry, hits))
    return results
