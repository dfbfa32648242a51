import io
import os
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from citygrid.core.models import ExportJob, ImportJob

pytestmark = pytest.mark.django_db


def _job(user, finished_days_ago):
    job = ImportJob(user=user, resource="regions.region", file_name="people.csv")
    job.file.save("people.csv", ContentFile(b"\xef\xbb\xbfa,b\n1,2\n"), save=False)
    job.status = ImportJob.Status.DONE
    job.finished = (
        None if finished_days_ago is None else timezone.now() - timedelta(days=finished_days_ago)
    )
    job.save()
    return job


def test_expired_import_files_are_deleted_and_the_job_stays(make_user, settings):
    settings.IMPORT_FILE_RETENTION_DAYS = 7
    user = make_user()
    old, recent, running = _job(user, 8), _job(user, 6), _job(user, None)
    old_path = old.file.path
    call_command("prune_jobs", stdout=io.StringIO())
    old.refresh_from_db()
    recent.refresh_from_db()
    running.refresh_from_db()
    assert not old.file and old.status == ImportJob.Status.DONE
    assert not os.path.exists(old_path)
    assert recent.file and running.file


def _export(user, finished_days_ago):
    job = ExportJob(user=user, resource="regions.region", view="v", status=ExportJob.Status.DONE)
    job.file.save("export.xlsx", ContentFile(b"PK"), save=False)
    job.finished = timezone.now() - timedelta(days=finished_days_ago)
    job.save()
    return job


def test_prune_jobs_deletes_expired_import_and_export_files_and_says_how_many(make_user, settings):
    settings.IMPORT_FILE_RETENTION_DAYS = 7
    settings.EXPORT_FILE_RETENTION_DAYS = 1
    user = make_user()
    imports = [_job(user, 8), _job(user, 9), _job(user, 6)]
    exports = [_export(user, 2), _export(user, 0.5)]
    paths = [job.file.path for job in imports + exports]
    out = io.StringIO()

    call_command("prune_jobs", stdout=out)

    assert out.getvalue() == "已删除过期导入文件 2 个、导出文件 1 个\n"
    assert [os.path.exists(path) for path in paths] == [False, False, True, False, True]
    for job in imports + exports:
        job.refresh_from_db()
    assert [bool(job.file) for job in imports + exports] == [False, False, True, False, True]
    assert ImportJob.objects.count() == 3 and ExportJob.objects.count() == 2
    call_command("prune_jobs", stdout=out)
    assert out.getvalue().endswith("已删除过期导入文件 0 个、导出文件 0 个\n")


def test_error_file_of_a_pruned_job_explains_instead_of_failing(client, make_user, settings):
    settings.IMPORT_FILE_RETENTION_DAYS = 7
    user = make_user()
    job = _job(user, 30)
    call_command("prune_jobs", stdout=io.StringIO())
    client.force_login(user)
    response = client.get(reverse("core:importjob_errors", args=[job.pk]), follow=True)
    assert "原始文件已按保留期限删除" in response.content.decode()
