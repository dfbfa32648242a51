from dataclasses import asdict

from django_tasks import task

from citygrid.disputes import reports


@task()
def compile_dispute_reports() -> dict:
    """Periodic job (`settings.PERIODIC_JOBS`): yesterday's 日报告 and last week's 周报告, brought
    up to date on every run (the content is a function of the history, so a run that finds
    nothing new writes nothing); returns the counts per kind, None for one another
    process was compiling."""
    return {
        kind: asdict(result) if result is not None else None
        for kind, result in reports.compile_due().items()
    }
