"""Population statistics computed ahead of time: one `PopulationSnapshot` per region.

Computing a city's figures takes seconds (≈ 7 s for 1 000 000 persons on PostgreSQL, and a city
has ten times that); reading a snapshot is one indexed row. The periodic job
`snapshot_population` refreshes the city, county and township snapshots. A request never
computes: the pages show the region's latest snapshot whatever its age, with its time
("数据更新于"), and when it is older than `settings.POPULATION_SNAPSHOT_MAX_AGE` seconds or
missing they queue one refresh task and say "正在更新" (`people.tasks.queue_refresh`).
"立即刷新" queues one too (`may_refresh`, at most once a minute per region).

**One refresh at a time per region.** Every request that found a stale snapshot used to
recompute it, all at once (3.6 s each for the city). Now a refresh is queued only by whoever
claims the region's "queued" key in the shared cache (`cache.add`, atomic on Redis and in the
database cache, so on SQLite too), and `refresh` computes only while it holds the region's
"running" key: a second refresh of the region meanwhile returns at once. Both keys expire
(`QUEUED_SECONDS`, `RUNNING_SECONDS`), so a worker that died holds nothing for long.

**Why a snapshot computed without a user is safe to show to a user.** `compute` counts the whole
subtree of the region (`SYSTEM` passes every permission and scope check). The statistics views
open a region only when it lies inside the user's territory — `Region.objects.in_scope(user)`
(the region's code starts with one of the user's scope codes) or the user's own scope region —
and only for users holding `people.view_person`. For such a user with scope code S and a region R
whose code starts with S, `Person.objects.restrict(user, "view")` keeps the persons whose
region_code lies within one of the scope codes (`code__within`: the index range of the codes
starting with it). Every person of R's subtree has a region_code starting with R's code, hence
with S: the user sees the *entire* subtree, so the restricted and the unrestricted counts are the
same (a superuser sees everything anyway; an inactive user has no session user at all). The same
holds for the membership models, which are scoped by their own `region_code`, as soon as the user
holds the model's view permission — and that permission is exactly what `from_data` checks per
category when reading (`queries.visible_categories`), as `queries.by_category` does live. The
flow trend follows the persons. `test_stats_snapshots.py` checks the equality for scoped users.
"""

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone

from citygrid.core.locks import only_one
from citygrid.core.routers import replica_reads
from citygrid.people.models import PopulationSnapshot
from citygrid.people.stats import figures
from citygrid.regions.choices import RegionLevel
from citygrid.regions.models import Region

logger = logging.getLogger(__name__)

# The levels the periodic job keeps fresh; communities and grids are cheap to compute on read.
JOB_LEVELS = (RegionLevel.CITY, RegionLevel.COUNTY, RegionLevel.TOWNSHIP)
# "立即刷新" at most once per region in this interval (measured from the snapshot's time).
REFRESH_INTERVAL = timedelta(minutes=1)
# A queued refresh that no worker has run is queued again after this; a refresh that died
# (worker killed) stops blocking the next one after this. A city round takes minutes.
QUEUED_SECONDS = 15 * 60
RUNNING_SECONDS = 30 * 60


class _System:
    """The periodic job's view of the data: every permission, the whole territory; nobody's
    account. Only `compute` uses it; what it counts is filtered at read time (see above)."""

    is_authenticated = True
    is_active = True
    is_superuser = True
    pk = None

    def has_perm(self, perm, obj=None) -> bool:
        return True

    def get_username(self) -> str:
        return "system"


SYSTEM = _System()


def compute(region: Region, today=None) -> dict:
    """The region's figures for every category, computed now, as `figures.to_data` data."""
    today = today or timezone.localdate()
    with replica_reads():
        return figures.to_data(figures.overview(SYSTEM, region, today))


def max_age() -> timedelta:
    return timedelta(seconds=settings.POPULATION_SNAPSHOT_MAX_AGE)


def is_current(snapshot: PopulationSnapshot, region: Region) -> bool:
    """Of the current layout and of the region's current code (a region whose code changed has
    another subtree): else it cannot be shown at all."""
    return snapshot.data.get("version") == figures.VERSION and snapshot.data.get("region") == (
        region.code
    )


def is_fresh(snapshot: PopulationSnapshot | None, region: Region, now=None) -> bool:
    """Current and younger than the maximum age."""
    if snapshot is None or not is_current(snapshot, region):
        return False
    return (now or timezone.now()) - snapshot.computed_at < max_age()


def _store(region: Region, data: dict, started, seconds: float) -> PopulationSnapshot:
    """Write the snapshot unless a newer one was written meanwhile (then return that one)."""
    fields = {"data": data, "computed_at": started, "seconds": seconds}
    updated = PopulationSnapshot.objects.filter(region=region, computed_at__lte=started).update(
        **fields
    )
    if updated:
        return PopulationSnapshot(region=region, **fields)
    try:
        with transaction.atomic():
            return PopulationSnapshot.objects.create(region=region, **fields)
    except IntegrityError:
        return PopulationSnapshot.objects.get(region=region)


def _key(region_id: int, what: str) -> str:
    return f"population-snapshot:{region_id}:{what}"


def claim_queue(region_id: int) -> bool:
    """True for the one caller that may queue the region's refresh now."""
    return cache.add(_key(region_id, "queued"), 1, QUEUED_SECONDS)


def release_queue(region_id: int) -> None:
    cache.delete(_key(region_id, "queued"))


def refresh(region: Region) -> PopulationSnapshot | None:
    """Compute the region's figures and store them; None (nothing done) while another refresh
    of the region runs. `computed_at` is when computing began, so a change saved while the
    queries ran is never reported as included."""
    with only_one(_key(region.pk, "running"), RUNNING_SECONDS) as mine:
        if not mine:
            return None
        started = timezone.now()
        clock = time.perf_counter()
        data = compute(region)
        return _store(region, data, started, round(time.perf_counter() - clock, 3))


def refresh_levels(levels=JOB_LEVELS) -> list[PopulationSnapshot]:
    """Refresh the snapshot of every region at these levels (the periodic job), skipping those
    being refreshed right now."""
    regions = Region.objects.filter(level__in=levels).order_by("code")
    return [snapshot for region in regions if (snapshot := refresh(region)) is not None]


def current(region: Region) -> PopulationSnapshot | None:
    return PopulationSnapshot.objects.filter(region=region).first()


def read(user, region: Region, snapshot: PopulationSnapshot | None) -> figures.Overview:
    """The figures of `snapshot` as the user may see them, whatever its age (`updating` when it
    is not fresh). A snapshot of another layout or code cannot be shown: then, as when there is
    none yet, an empty overview that is `updating`. The caller has checked `people.view_person`
    and that the region is in the user's territory; the categories the user may not view are
    dropped here."""
    today = timezone.localdate()
    if snapshot is None or not is_current(snapshot, region):
        return figures.empty(region, today)
    found = figures.from_data(snapshot.data, region, user, snapshot.computed_at)
    found.updating = not is_fresh(snapshot, region)
    return found


def may_refresh(snapshot: PopulationSnapshot | None, now=None) -> bool:
    """Whether "立即刷新" may queue a refresh now: once a minute per region."""
    if snapshot is None:
        return True
    return (now or timezone.now()) - snapshot.computed_at >= REFRESH_INTERVAL
