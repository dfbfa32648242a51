from django_tasks import task

from citygrid.people import grid_population
from citygrid.people.stats import snapshots
from citygrid.regions.models import Region


@task()
def snapshot_population() -> int:
    """Periodic job (`settings.PERIODIC_JOBS`): refresh the city, county and township population
    snapshots; returns how many regions were refreshed."""
    return len(snapshots.refresh_levels())


@task()
def refresh_grid_population() -> int | None:
    """Periodic job (`settings.PERIODIC_JOBS`): recount the persons per region of the 人员地图;
    returns the rows written, None when another refresh was running."""
    return grid_population.refresh()


@task()
def refresh_population_snapshot(region_id: int) -> bool:
    """One region's snapshot, queued by `queue_refresh`; False when the region is gone or its
    refresh was already running."""
    try:
        region = Region.objects.filter(pk=region_id).first()
        return region is not None and snapshots.refresh(region) is not None
    finally:
        snapshots.release_queue(region_id)


def queue_refresh(region: Region) -> bool:
    """Queue one refresh of the region's snapshot, unless one is queued already. True when the
    refresh has run by the time this returns (a task backend that runs tasks at once: tests, a
    trial without a worker); the statistics pages then read the snapshot again."""
    if not snapshots.claim_queue(region.pk):
        return False
    try:
        result = refresh_population_snapshot.enqueue(region.pk)
    except Exception:
        snapshots.release_queue(region.pk)
        raise
    return result.is_finished
