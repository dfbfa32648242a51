from dataclasses import asdict
from datetime import date

from django_tasks import task

from citygrid.cases import numbering, rollup, sweep


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


@task()
def rebuild_indicators(since: str | None = None) -> int:
    """The indicator roll-up recomputed from the events from `since` (YYYY-MM-DD; None: all),
    e.g. queued after a bulk load of events; returns the rows written."""
    return rollup.rebuild(since=date.fromisoformat(since) if since else None)
