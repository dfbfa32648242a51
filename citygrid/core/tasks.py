from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from citygrid.core.io import export, importer
from citygrid.core.io.resources import get_resource
from citygrid.core.models import ExportJob, ImportJob
from citygrid.core.retention import prune_export_files, prune_import_files

LOST_JOB_MESSAGE = "导入任务中断（处理进程已停止），未写入任何数据，请重新导入"


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
def prune_imports() -> int:
    """Periodic job (`settings.PERIODIC_JOBS`): delete expired import and export files; returns
    how many."""
    return prune_import_files() + prune_export_files()


@task()
def reap_import_jobs() -> int:
    """Periodic job: fail the imports whose worker stopped beating for a whole lease (killed,
    machine down); returns how many. Their write transaction died with the worker's connection,
    so nothing was written. A job still waiting in the queue has no heartbeat and is left alone."""
    now = timezone.now()
    lost = ImportJob.objects.filter(
        status__in=[ImportJob.Status.PENDING, ImportJob.Status.RUNNING],
        heartbeat_at__lt=now - timedelta(seconds=settings.IMPORT_LEASE_SECONDS),
    )
    return lost.update(status=ImportJob.Status.FAILED, message=LOST_JOB_MESSAGE, finished=now)
