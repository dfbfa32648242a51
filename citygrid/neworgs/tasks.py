from django_tasks import task

from citygrid.neworgs import reports_remind


@task()
def remind_monthly_reports() -> int:
    """Periodic job (`settings.PERIODIC_JOBS`): after the due day, one 催报 to every region
    still late with last month's 两新组织月报; returns how many were reminded (0 on a rerun)."""
    return reports_remind.remind_due()
