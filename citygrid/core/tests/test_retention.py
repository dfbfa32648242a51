import io
import os
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from citygrid.core.models import ImportJob

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
    call_command("prune_imports", stdout=io.StringIO())
    old.refresh_from_db()
    recent.refresh_from_db()
    running.refresh_from_db()
    assert not old.file and old.status == ImportJob.Status.DONE
    assert not os.path.exists(old_path)
    assert recent.file and running.file


def test_error_file_of_a_pruned_job_explains_instead_of_failing(client, make_user, settings):
    settings.IMPORT_FILE_RETENTION_DAYS = 7
    user = make_user()
    job = _job(user, 30)
    call_command("prune_imports", stdout=io.StringIO())
    client.force_login(user)
    response = client.get(reverse("core:importjob_errors", args=[job.pk]), follow=True)
    assert "原始文件已按保留期限删除" in response.content.decode()
