from django_tasks import task

from citygrid.people.stats.snapshots import refresh_levels


@task()
def snapshot_population() -> int:
    """Periodic job (`settings.PERIODIC_JOBS`): refresh the city, county and township population
    snapshots; returns how many regions were refreshed."""
    return len(refresh_levels())
