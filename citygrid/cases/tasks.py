from dataclasses import asdict

from django_tasks import task

from citygrid.cases import numbering, sweep


@task()
def sweep_deadlines() -> dict:
    """Periodic job (`settings.PERIODIC_JOBS`): warnings, overdue reminders, escalations; returns
    the counts, kept with the task's result."""
    return asdict(sweep.sweep_deadlines())


@task()
def prepare_case_numbers() -> int:
    """Periodic job: today's and tomorrow's case-number sequences exist before the first intake;
    old ones are dropped. Returns how many were dropped."""
    return numbering.prepare_sequences()
