from dataclasses import asdict

from django_tasks import task

from citygrid.cases import sweep


@task()
def sweep_deadlines() -> dict:
    """Periodic job (`settings.PERIODIC_JOBS`): warnings, overdue reminders, escalations; returns
    the counts, kept with the task's result."""
    return asdict(sweep.sweep_deadlines())
