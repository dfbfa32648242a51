"""Reading the teams tree: where a user's tree starts, a node's children, head counts.

Head counts are SQL: own = one GROUP BY unit; subtree = one GROUP BY on the fixed-length
prefix of the unit path (all children of a node have paths of the same length), so a node
with thousands of children costs two queries, not a walk over every member. The subtree
grouping of a city's counties still reads every member of the city (~180 ms at 200 k), so it is
cached under the head-count stamp: a member added, moved or granted shows at once, a bulk
import within `CACHE_SECONDS`.
"""

import hashlib
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, Q
from django.db.models.functions import Substr

from citygrid.core.models import VersionStamp
from citygrid.core.querysets import scope_q
from citygrid.orgs.choices import UNIT_KIND_BADGE, UnitKind
from citygrid.orgs.models import OrgUnit, Staff
from citygrid.orgs.models.staff import HEADCOUNT_STAMP

CACHE_SECONDS = 60

# Members who count: on post (a mirrored grid worker's flag follows the worker, `orgs.mirror`).
ON_POST = Q(active=True)


@dataclass
class Node:
    unit: OrgUnit
    own: int
    total: int
    has_children: bool

    def as_json(self) -> dict:
        unit = self.unit
        return {
            "id": unit.pk,
            "name": unit.name,
            "kind": UnitKind(unit.kind).label,
            "badge": UNIT_KIND_BADGE[unit.kind],
            "own": self.own,
            "total": self.total,
            "has_children": self.has_children,
            "url": unit.get_absolute_url(),
        }


def visible_units(user):
    return OrgUnit.objects.restrict(user, "view")


def roots(user) -> list[OrgUnit]:
    """The top of the user's tree: the visible units whose parent is not visible to them."""
    units = visible_units(user)
    if user.is_superuser:
        return list(units.filter(parent__isnull=True).order_by("sort", "path"))
    beyond = Q(parent__isnull=True) | ~scope_q("parent__region_code", user.scope_codes())
    return list(units.filter(beyond).order_by("sort", "path"))


def nodes(units: list[OrgUnit]) -> list[Node]:
    """Nodes with their head counts and whether they have children, for units that are
    siblings or roots (roots may differ in depth: one query per distinct depth)."""
    if not units:
        return []
    ids = [u.pk for u in units]
    own = dict(
        Staff.objects.filter(ON_POST, unit_id__in=ids)
        .values_list("unit_id")
        .annotate(n=Count("id"))
    )
    parents = set(
        OrgUnit.objects.filter(parent_id__in=ids).values_list("parent_id", flat=True).distinct()
    )
    totals: dict[str, int] = {}
    for length in {len(u.path) for u in units}:
        paths = [u.path for u in units if len(u.path) == length]
        totals.update(subtree_counts(paths, length))
    return [Node(u, own.get(u.pk, 0), totals.get(u.path, 0), u.pk in parents) for u in units]


def subtree_counts(paths: list[str], length: int) -> dict[str, int]:
    """Members on post in the subtree of each path (all of one length), grouped in SQL."""
    digest = hashlib.sha256("\n".join(sorted(paths)).encode()).hexdigest()
    key = f"orgs:subtree:{VersionStamp.read(HEADCOUNT_STAMP)}:{length}:{digest}"
    found = cache.get(key)
    if found is None:
        common = _common_prefix(paths)
        rows = (
            Staff.objects.filter(ON_POST, unit_path__startswith=common)
            .annotate(branch=Substr("unit_path", 1, length))
            .filter(branch__in=paths)
            .values_list("branch")
            .annotate(n=Count("id"))
        )
        found = dict(rows)
        cache.set(key, found, CACHE_SECONDS)
    return found


def _common_prefix(paths: list[str]) -> str:
    first, last = min(paths), max(paths)
    n = 0
    while n < len(first) and first[n] == last[n]:
        n += 1
    return first[:n]


def children(unit: OrgUnit) -> list[Node]:
    kids = list(unit.children.order_by("sort", "name", "path"))
    return nodes(kids)


def branch(unit: OrgUnit) -> tuple[Node, list[Node]]:
    """A node and its children; its subtree total is its own count plus its children's, so
    the whole subtree is grouped once, not twice."""
    kids = children(unit)
    own = Staff.objects.filter(ON_POST, unit=unit).count()
    node = Node(unit, own, own + sum(k.total for k in kids), bool(kids))
    return node, kids


def ancestors(unit: OrgUnit, user) -> list[OrgUnit]:
    """The visible units above `unit`, root first (for the breadcrumb)."""
    from citygrid.orgs.models.units import SEGMENT

    prefixes = [unit.path[:n] for n in range(SEGMENT, len(unit.path), SEGMENT)]
    return list(visible_units(user).filter(path__in=prefixes).order_by("path"))


def search(user, text: str, limit: int = 20) -> tuple[list[OrgUnit], list[Staff]]:
    """Units and members in scope whose name contains `text`."""
    text = text.strip()
    if not text:
        return [], []
    units = list(visible_units(user).filter(name__icontains=text).order_by("path")[:limit])
    # In index order, so the scan stops at the limit instead of sorting every match.
    members = list(
        Staff.objects.restrict(user, "view")
        .filter(name__icontains=text)
        .select_related("unit")
        .order_by("id")[:limit]
    )
    return units, members
