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
    # "icontains" scans every row; a record type with millions of rows (persons) searches by
    # prefix, which an index answers.
    lookup: str = "icontains"


_registry: list[SearchEntry] = []


def register(
    model: type[Model], *, fields: tuple[str, ...], label: str, lookup: str = "icontains"
) -> None:
    _registry.append(SearchEntry(model, fields, label, lookup))


def search(user, query: str, limit: int = 10) -> list[tuple[SearchEntry, list[Model]]]:
    query = query.strip()
    if not query:
        return []
    results = []
    for entry in _registry:
        q = Q()
        for field in entry.fields:
            q |= Q(**{f"{field}__{entry.lookup}": query})
        hits = list(entry.model.objects.restrict(user, "view").filter(q)[:limit])
        if hits:
            results.append((entry, hits))
    return results
