"""Deleting personal data that is no longer needed (PIPL Art. 19: keep it no longer than needed).

Uploaded import files are the copy nobody looks after: once their job has finished and the
retention period passed, the file goes; the job row with its counts and errors stays as the record
of what was imported.
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from citygrid.core.models import ImportJob


def prune_import_files(now=None) -> int:
    """Delete the files of import jobs finished more than the retention period ago."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.IMPORT_FILE_RETENTION_DAYS)
    pruned = 0
    jobs = ImportJob.objects.filter(finished__lt=cutoff).exclude(file="")
    for job in jobs.iterator():
        job.file.delete(save=False)
        ImportJob.objects.filter(pk=job.pk).update(file="")
        pruned += 1
    return pruned
