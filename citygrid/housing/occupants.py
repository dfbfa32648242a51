"""Who lives in the houses, for housing's pages: an extension point the people app fills.

People sit above housing (a person lives in a house), so people import housing and never the
other way round. Housing's pages still show residents, tenants and the special-group marker:
they ask the `Occupants` that people registers from its `ready()`, and the need-to-know rules
stay with the records they protect.
"""

from typing import Protocol

from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet

from citygrid.housing.models import Building


class Occupants(Protocol):
    def residencies(self, user) -> QuerySet:
        """Residencies (person ↔ house) `user` may see, with their person loaded."""

    def tenants(self, user) -> QuerySet:
        """Of those, the current ones whose relation to the house is tenant."""

    def resident_counts(self, building: Building) -> dict[int, int]:
        """Current residents per house of `building`, in one query. A count, not a list of
        people, so it needs no people permission."""

    def owner_counts(self, house_ids: list[int]) -> dict[int, int]:
        """Current owners (产权人) per house, in one query: the house picker warns before a
        second one is registered. A count, not names."""

    def may_see_marked(self, user) -> bool:
        """Whether `user` may see which houses have a resident in a special group."""

    def marked_houses(self, building: Building, user) -> set[int]:
        """Houses of `building` with a current resident in an open special group, among the
        groups `user` may see, in one query."""


_occupants: Occupants | None = None


def register(occupants: Occupants) -> None:
    global _occupants
    _occupants = occupants


def occupants() -> Occupants:
    if _occupants is None:
        raise ImproperlyConfigured("housing shows residents through the people app: install it")
    return _occupants
