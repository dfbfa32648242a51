"""Persons per region and map category for the 人员地图, counted ahead of time.

Counting on every request read every person in view: zoomed out over a city of 1 M that was a
parallel sequential scan of all persons (1.7 s on PostgreSQL), and it grows with the city. The
periodic job `refresh_grid_population` (`settings.PERIODIC_JOBS`, or `manage.py
refresh_grid_population`) counts once, with one grouped query over the persons, and stores a
`GridPopulation` row per (region code, category); the map sums those rows per region in view
(`counts`), and shows when they were counted ("数据更新于 …", `computed_at`). One refresh runs
at a time: a second one that starts meanwhile does nothing (`refresh` returns None).

**Why counts made without a user are right for every user who may see them.** A row counts the
persons whose `region_code` *equals* its `region_code` (grouped by the code itself, not by a
prefix). `Person.objects.restrict(user, "view")` keeps a person when the user holds
`people.view_person` and the person's region code lies within one of the user's scope codes
(all persons for a superuser). `visible` keeps a row under the same two conditions on the row's
code, which is every one of its persons' code: a row is visible exactly when all its persons
are, so the sum of the visible rows is the live count through `restrict`, at every level and
for every scope — a grid user's too. (`people/stats/snapshots.py` makes the same argument for
whole subtrees.)

**Which categories.** "全部实有人口" and the residence types: who may see such a person depends on
nothing but the above. Membership categories (special and vulnerable groups, key persons,
at-risk youth) stay live in `geo`: a member is visible by the membership's *own* region code and
by the membership model's permission, and a sealed special-group row only to those who may see
sealed records (`SpecialGroup.disclosable`) — a roll-up keyed by the person's region could not
honour all three exactly. They are small sets, so their live count stays cheap.
"""

import logging
import time
from collections import Counter
from datetime import datetime

from django.db import transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Substr
from django.utils import timezone

from citygrid.core.locks import only_one
from citygrid.core.querysets import permission_name, scope_q
from citygrid.people.choices import PersonStatus, ResidenceType
from citygrid.people.models import GridPopulation, Person

logger = logging.getLogger(__name__)

ALL = "all"
CATEGORIES = (ALL, *ResidenceType.values)
LOCK = "people:grid_population:refresh"
# Longer than any refresh (a city of 10 M: about a minute): a worker that died holding the lock
# blocks refreshes no longer than this.
LOCK_SECONDS = 30 * 60
BATCH = 5000


def _count() -> Counter:
    """(region code, category) → persons living there now: one grouped query."""
    totals: Counter = Counter()
    rows = (
        Person.objects.filter(status=PersonStatus.PRESENT)
        .order_by()
        .values_list("region_code", "residence_type")
        .annotate(n=Count("id"))
    )
    for code, residence_type, n in rows:
        totals[code, residence_type] += n
        totals[code, ALL] += n
    return totals


def refresh() -> int | None:
    """Count again and replace every row in one transaction (readers see the old counts until
    it commits); the number of rows written, or None when another refresh is running.

    `computed_at` is when counting began: a change saved while it ran is not claimed."""
    with only_one(LOCK, LOCK_SECONDS) as mine:
        if not mine:
            logger.info("grid population refresh skipped: another one is running")
            return None
        started = timezone.now()
        clock = time.perf_counter()
        totals = _count()
        rows = [
            GridPopulation(region_code=code, category=category, count=n, computed_at=started)
            for (code, category), n in sorted(totals.items())
        ]
        with transaction.atomic():
            GridPopulation.objects.all().delete()
            GridPopulation.objects.bulk_create(rows, batch_size=BATCH)
        logger.info(
            "grid population refreshed: %d rows in %.1f s", len(rows), time.perf_counter() - clock
        )
        return len(rows)


def computed_at() -> datetime | None:
    """When the stored counts were made (every row of a refresh has the same time); None when
    there are none yet."""
    return GridPopulation.objects.values_list("computed_at", flat=True).first()


def visible(user) -> QuerySet:
    """The rows whose persons `Person.objects.restrict(user, "view")` shows (module docstring)."""
    if not user.is_superuser and not user.has_perm(permission_name(Person, "view")):
        return GridPopulation.objects.none()
    return GridPopulation.objects.in_scope(user)


def rows(user, category: str, length: int, codes: list[str]) -> QuerySet:
    """(region code prefix of `length` characters, persons) for the prefixes in `codes`, of the
    rows the user may see; one index range scan of `grid_population_unique` per code."""
    in_regions = Q(region_code__in=codes) if length == 15 else scope_q("region_code", codes)
    return (
        visible(user)
        .filter(in_regions, category=category)
        .annotate(prefix=Substr("region_code", 1, length))
        .order_by()
        .values_list("prefix")
        .annotate(n=Sum("count"))
    )


def counts(user, category: str, length: int, codes: list[str]) -> dict[str, int]:
    """Persons of the category per region (code prefix) in `codes`, as the user may see them."""
    return dict(rows(user, category, length, codes))
