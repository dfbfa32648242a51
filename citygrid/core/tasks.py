from django_tasks import task

from citygrid.core.io import export, importer
from citygrid.core.io.resources import get_resource
from citygrid.core.models import ExportJob, ImportJob
from citygrid.core.retention import prune_export_files, prune_import_files


@task()
def run_import(job_id: int) -> None:
    """Background import so a 100 k-row file never hits the web server's timeout."""
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    importer.run(job, get_resource(job.resource)())


@task()
def run_export(job_id: int) -> None:
    """Background export so a million-row file is never built in a request."""
    export.run(ExportJob.objects.select_related("user").get(pk=job_id))


@task()
def prune_jobs() -> int:
    """Periodic job (`settings.PERIODIC_JOBS`): delete expired import and export files; returns
    how many."""
    return prune_import_files() + prune_export_files()


@task()
def reap_jobs() -> int:
    """Periodic job: fail the imports and exports whose worker stopped beating for a whole lease
    (killed, machine down); returns how many. An import's write transaction died with the
    worker's connection, so nothing was written; an export's half-written file is pruned with the
    job's other files."""
    return ImportJob.reap_lost() + ExportJob.reap_lost()
