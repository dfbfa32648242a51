from django_tasks import task

from citygrid.core.io import importer
from citygrid.core.io.resources import get_resource
from citygrid.core.models import ImportJob


@task()
def run_import(job_id: int) -> None:
    """Background import so a 100 k-row file never hits the web server's timeout."""
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    importer.run(job, get_resource(job.resource)())
