"""Deleting personal data that is no longer needed (PIPL Art. 19: keep it no longer than needed).

Uploaded import files are the copy nobody looks after: once their job has finished and the
retention period passed, the file goes; the job row with its counts and errors stays as the record
of what was imported. Export files (big exports written by a background job) likewise: a copy of
personal data in bulk, kept only until its requester had time to download it; the half-written
file of an export whose worker was lost goes the same way once the reaper has failed the job.
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from citygrid.core.models import ExportJob, ImportJob


def prune_import_files(now=None) -> int:
    """Delete the files of import jobs finished more than the retention period ago."""
    return _prune(ImportJob, settings.IMPORT_FILE_RETENTION_DAYS, now)


def prune_export_files(now=None) -> int:
    """Delete the files of export jobs finished more than the retention period ago."""
    return _prune(ExportJob, settings.EXPORT_FILE_RETENTION_DAYS, now)


def _prune(model, days: int, now) -> int:
    cutoff = (now or timezone.now()) - timedelta(days=days)
    pruned = 0
    for job in model.objects.filter(finished__lt=cutoff).exclude(file="").iterator():
        job.file.delete(save=False)
        model.objects.filter(pk=job.pk).update(file="")
        pruned += 1
    return pruned
