from django_tasks import task

from citygrid.units import expiry


@task()
def warn_expiring_licences() -> dict:
    """Periodic job (`settings.PERIODIC_JOBS`): tell the staff who look after each unit that
    one of its licences expires within 30 days or has expired, once per licence and window;
    returns how many licences and notices went out."""
    return expiry.warn_expiring()
