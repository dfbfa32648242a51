from django_tasks import task

from citygrid.core.io import importer
from citygrid.core.io.resources import get_resource
from citygrid.core.models import ImportJob
from citygrid.core.retention import prune_import_files


@task()
def run_import(job_id: int) -> None:
    """Background import so a 100 k-row file never hits the web server's timeout."""
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    importer.run(job, get_resource(job.resource)())


@task()
def prune_imports() -> int:
    """Periodic job (`settings.PERIODIC_JOBS`): delete expired import files; returns how many."""
    return prune_import_files()
