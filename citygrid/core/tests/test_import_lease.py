"""An import whose worker dies writes nothing and does not stay "导入中" forever: the importer
beats a heartbeat while it runs, and the periodic job `reap_jobs` fails a job whose
heartbeat is older than the lease."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone

from citygrid.core import tasks
from citygrid.core.io import bulk, importer
from citygrid.core.models import ImportJob
from citygrid.core.testing import csv_bytes
from citygrid.core.tests.test_import_bulk import PERMS, rows
from citygrid.people.models import Person
from citygrid.people.resources import PersonResource

pytestmark = pytest.mark.django_db

LOST = "导入任务中断（处理进程已停止），未写入任何数据，请重新导入"


class WorkerKilled(BaseException):
    """What the importer sees of a killed process: nothing it may catch."""


def new_job(user, data) -> ImportJob:
    return ImportJob.objects.create(
        user=user,
        resource=PersonResource.key(),
        file=SimpleUploadedFile("p.csv", csv_bytes(data)),
        file_name="p.csv",
    )


def backdate(job: ImportJob, seconds: float) -> None:
    ImportJob.objects.filter(pk=job.pk).update(
        heartbeat_at=timezone.now() - timedelta(seconds=seconds)
    )


def test_a_job_lost_mid_write_wrote_nothing_and_is_failed_after_its_lease(
    tree, make_user, monkeypatch, settings
):
    settings.JOB_LEASE_SECONDS = 600
    write_rows = bulk.write_rows

    def write_then_die(*args, **kwargs):
        write_rows(*args, **kwargs)
        raise WorkerKilled

    monkeypatch.setattr(bulk, "write_rows", write_then_die)
    job = new_job(make_user(perms=PERMS, scope=[tree.county_a]), rows(tree, 10))

    with pytest.raises(WorkerKilled):
        importer.run(job, PersonResource())

    assert Person.objects.count() == 0  # the write transaction died with the worker
    job.refresh_from_db()
    assert job.status == ImportJob.Status.RUNNING
    assert job.heartbeat_at is not None

    # Within the lease the worker may still be busy: the job is left alone.
    backdate(job, 599)
    assert tasks.reap_jobs.enqueue().return_value == 0
    job.refresh_from_db()
    assert (job.status, job.message, job.finished) == (ImportJob.Status.RUNNING, "", None)

    backdate(job, 601)
    assert tasks.reap_jobs.enqueue().return_value == 1
    job.refresh_from_db()
    assert (job.status, job.message) == (ImportJob.Status.FAILED, LOST)
    assert job.finished is not None
    assert Person.objects.count() == 0


def test_only_jobs_a_worker_took_and_lost_are_reaped(tree, make_user, settings):
    settings.JOB_LEASE_SECONDS = 60
    user = make_user(perms=PERMS, scope=[tree.county_a])
    waiting = new_job(user, rows(tree, 1))  # still in the queue: no heartbeat yet
    ImportJob.objects.filter(pk=waiting.pk).update(created=timezone.now() - timedelta(days=1))
    done = new_job(user, rows(tree, 1))
    ImportJob.objects.filter(pk=done.pk).update(status=ImportJob.Status.DONE)
    backdate(done, 3600)
    alive = new_job(user, rows(tree, 1))
    ImportJob.objects.filter(pk=alive.pk).update(status=ImportJob.Status.RUNNING)
    backdate(alive, 30)
    picked_up = new_job(user, rows(tree, 1))  # died while reading the file
    backdate(picked_up, 61)

    assert tasks.reap_jobs.enqueue().return_value == 1

    statuses = dict(ImportJob.objects.values_list("pk", "status"))
    assert statuses == {
        waiting.pk: ImportJob.Status.PENDING,
        done.pk: ImportJob.Status.DONE,
        alive.pk: ImportJob.Status.RUNNING,
        picked_up.pk: ImportJob.Status.FAILED,
    }


def _heartbeat_seen_elsewhere(job: ImportJob):
    """The job's heartbeat as another process (the job page, the reaper) reads it now."""
    other = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with other.cursor() as cursor:
            table = ImportJob._meta.db_table
            cursor.execute(f"SELECT heartbeat_at FROM {table} WHERE id = %s", [job.pk])
            return cursor.fetchone()[0]
    finally:
        other.close()


def test_the_heartbeat_moves_on_chunk_by_chunk(tree, make_user, monkeypatch):
    monkeypatch.setattr(bulk, "CHUNK", 5)
    seen = []
    outside = importer._progress_outside

    def watched(job):
        report = outside(job)

        def record(done):
            report(done)
            seen.append(done)

        record.close = getattr(report, "close", lambda: None)
        return record

    monkeypatch.setattr(importer, "_progress_outside", watched)
    job = new_job(make_user(perms=PERMS, scope=[tree.county_a]), rows(tree, 20))

    importer.run(job, PersonResource())

    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE, job.errors
    assert seen == [5, 10, 15, 20]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite: one writer at a time")
def test_progress_is_seen_outside_the_open_import_transaction(make_user):
    job = ImportJob.objects.create(
        user=make_user(), resource=PersonResource.key(), file_name="p.csv"
    )
    report = importer._progress_outside(job)
    beats = []
    try:
        with transaction.atomic():  # the import's write transaction, still open
            for done in (5, 10):
                report(done)
                beats.append(_heartbeat_seen_elsewhere(job))
    finally:
        report.close()
    assert all(beats) and beats[0] < beats[1]
    job.refresh_from_db()
    assert job.processed_rows == 10
