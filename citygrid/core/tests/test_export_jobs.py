"""Big exports never build the whole file in a request: CSV streams, an XLSX above
`CITYGRID_EXPORT_INLINE_ROWS` rows becomes a background job with a progress page and a download
that only its owner can fetch. The job is leased like an import (`reap_jobs` fails a lost one),
and "我的导出" lists the user's own jobs."""

import io
import os
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from citygrid.core.io import export
from citygrid.core.models import AccessLog, ExportJob, ImportJob
from citygrid.core.retention import prune_export_files
from citygrid.core.tasks import prune_jobs, reap_jobs, run_export
from citygrid.regions.models import GridWorker, Region

pytestmark = pytest.mark.django_db

REGION_PERMS = ["regions.view_region", "regions.export_region"]
REGION_EXPORT_VIEW = "citygrid.regions.views.RegionExportView"
LOST_EXPORT = "导出任务中断（处理进程已停止），请重新导出"
LOST_IMPORT = "导入任务中断（处理进程已停止），未写入任何数据，请重新导入"


def xlsx_rows(data: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    return [[c.value for c in row] for row in sheet.iter_rows()]


def test_csv_export_streams_with_bom_and_logs_the_count(client, tree, make_user):
    user = make_user(perms=REGION_PERMS, scope=[tree.county_a])
    client.force_login(user)
    response = client.get("/territory/regions/export/", {"export_format": "csv"})
    assert response.streaming
    data = b"".join(response.streaming_content)
    assert data.startswith("\ufeff".encode())
    lines = data.decode("utf-8-sig").strip().splitlines()
    codes = {line.split(",")[0] for line in lines[1:]}
    assert {tree.county_a.code, tree.grid_a1.code, tree.grid_a2.code} <= codes
    assert tree.grid_b1.code not in codes
    log = AccessLog.objects.get(user=user, action="export")
    assert log.record_count == len(lines) - 1


def test_small_xlsx_export_is_inline(client, tree, make_user, settings):
    settings.CITYGRID_EXPORT_INLINE_ROWS = 100
    client.force_login(make_user(perms=REGION_PERMS, scope=[tree.county_a]))
    response = client.get("/territory/regions/export/", {"level": "grid", "export_format": "xlsx"})
    assert response.status_code == 200
    rows = xlsx_rows(response.content)
    assert sorted(r[0] for r in rows[1:]) == [tree.grid_a1.code, tree.grid_a2.code]
    assert not ExportJob.objects.exists()


def test_big_xlsx_export_runs_as_a_job_in_the_users_scope_and_filters(
    client, tree, make_user, settings
):
    settings.CITYGRID_EXPORT_INLINE_ROWS = 1
    user = make_user(perms=REGION_PERMS, scope=[tree.county_a])
    client.force_login(user)
    response = client.get("/territory/regions/export/", {"level": "grid", "export_format": "xlsx"})
    job = ExportJob.objects.get(user=user)
    assert response.status_code == 302
    assert response["Location"] == reverse("core:exportjob", args=[job.pk])
    assert job.status == ExportJob.Status.DONE
    assert (job.total_rows, job.processed_rows, job.percent) == (2, 2, 100)
    assert job.filters == {"level": ["grid"]}
    # The file is private (outside MEDIA_ROOT) and under an unguessable name.
    assert os.path.realpath(job.file.path).startswith(str(settings.CITYGRID_PRIVATE_ROOT))
    assert "regions" not in job.file.name
    page = client.get(reverse("core:exportjob", args=[job.pk]))
    assert job.file.url in page.content.decode()
    download = client.get(job.file.url)
    assert download.status_code == 200
    rows = xlsx_rows(b"".join(download.streaming_content))
    # Grid B1 matches the filter but lies outside the user's scope.
    assert sorted(r[0] for r in rows[1:]) == [tree.grid_a1.code, tree.grid_a2.code]
    log = AccessLog.objects.get(user=user, action="export")
    assert log.record_count == 2 and "level=grid" in log.detail and log.reason == ""


def test_export_job_and_its_file_are_the_owners_alone(client, tree, make_user, settings):
    settings.CITYGRID_EXPORT_INLINE_ROWS = 1
    owner = make_user(perms=REGION_PERMS, scope=[tree.city])
    client.force_login(owner)
    client.get("/territory/regions/export/", {"export_format": "xlsx"})
    job = ExportJob.objects.get(user=owner)
    client.force_login(make_user(perms=REGION_PERMS, scope=[tree.city], superuser=True))
    assert client.get(reverse("core:exportjob", args=[job.pk])).status_code == 404
    assert client.get(job.file.url).status_code == 404


def test_plaintext_job_keeps_the_reason(client, tree, make_user, settings):
    settings.CITYGRID_EXPORT_INLINE_ROWS = 0
    worker = GridWorker(region=tree.grid_a1, name="张三", role="grid_worker", phone="13812345678")
    worker.full_clean()
    worker.save()
    perms = ["regions.view_gridworker", "regions.export_gridworker"]
    user = make_user(perms=perms, scope=[tree.city], view_sensitive=True)
    client.force_login(user)
    url = "/territory/grid-workers/export/"
    client.get(url, {"export_format": "xlsx", "plaintext": "1"})
    assert not ExportJob.objects.exists()  # no reason, no job
    client.get(url, {"export_format": "xlsx", "plaintext": "1", "reason": "核对"})
    job = ExportJob.objects.get(user=user)
    assert job.reveal and job.reason == "核对"
    with job.file.open("rb") as fh:
        assert "13812345678" in str(xlsx_rows(fh.read()))
    log = AccessLog.objects.get(user=user, action="export")
    assert log.reason == "核对" and "明文" in log.detail


def test_expired_export_files_are_pruned_and_the_job_stays(client, tree, make_user, settings):
    settings.CITYGRID_EXPORT_INLINE_ROWS = 0
    settings.EXPORT_FILE_RETENTION_DAYS = 1
    user = make_user(perms=REGION_PERMS, scope=[tree.city])
    client.force_login(user)
    client.get("/territory/regions/export/", {"export_format": "xlsx"})
    client.get("/territory/regions/export/", {"export_format": "xlsx"})
    old, recent = ExportJob.objects.order_by("pk")
    ExportJob.objects.filter(pk=old.pk).update(finished=timezone.now() - timedelta(days=2))
    old_path = old.file.path
    assert prune_export_files() == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert not old.file and old.status == ExportJob.Status.DONE
    assert not os.path.exists(old_path) and os.path.exists(recent.file.path)
    # The periodic pruning job covers exports too.
    ExportJob.objects.filter(pk=recent.pk).update(finished=timezone.now() - timedelta(days=2))
    assert prune_jobs.call() == 1


def test_job_of_a_user_who_lost_the_export_permission_writes_nothing(tree, make_user):
    user = make_user(perms=["regions.view_region"], scope=[tree.city])
    job = ExportJob.objects.create(
        user=user, resource="regions.region", view="citygrid.regions.views.RegionExportView"
    )
    run_export.call(job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED and not job.file
    assert job.message == "您已没有此数据的导出权限"
    assert not AccessLog.objects.filter(action="export").exists()


class WorkerKilled(BaseException):
    """What the exporter sees of a killed process: nothing it may catch."""


def new_job(user, **fields) -> ExportJob:
    return ExportJob.objects.create(
        user=user, resource="regions.region", view=REGION_EXPORT_VIEW, **fields
    )


def backdate(job, seconds: float) -> None:
    type(job).objects.filter(pk=job.pk).update(
        heartbeat_at=timezone.now() - timedelta(seconds=seconds)
    )


def test_a_lost_export_is_failed_after_its_lease_and_its_half_file_pruned(
    client, tree, make_user, monkeypatch, settings
):
    settings.JOB_LEASE_SECONDS = 600
    settings.EXPORT_FILE_RETENTION_DAYS = 1

    def write_then_die(path, header, rows):
        with open(path, "wb") as fh:
            fh.write(b"half a workbook")
        raise WorkerKilled

    monkeypatch.setattr(export, "write_xlsx", write_then_die)
    user = make_user(perms=REGION_PERMS, scope=[tree.city])
    job = new_job(user)

    with pytest.raises(WorkerKilled):
        export.run(ExportJob.objects.select_related("user").get(pk=job.pk))

    job.refresh_from_db()
    assert job.status == ExportJob.Status.RUNNING and job.heartbeat_at is not None
    half = job.file.path
    assert os.path.exists(half)
    client.force_login(user)
    assert client.get(job.file.url).status_code == 404  # not done: nothing to download

    # Within the lease the worker may still be busy: the job is left alone.
    backdate(job, 599)
    assert reap_jobs.call() == 0
    job.refresh_from_db()
    assert (job.status, job.message, job.finished) == (ExportJob.Status.RUNNING, "", None)

    backdate(job, 601)
    assert reap_jobs.call() == 1
    job.refresh_from_db()
    assert (job.status, job.message) == (ExportJob.Status.FAILED, LOST_EXPORT)
    assert job.finished is not None
    assert client.get(job.file.url).status_code == 404

    # The half-written file is personal data too: it goes with the job's retention.
    ExportJob.objects.filter(pk=job.pk).update(finished=timezone.now() - timedelta(days=2))
    assert prune_jobs.call() == 1
    job.refresh_from_db()
    assert not job.file and not os.path.exists(half)


def test_one_reaper_fails_lost_imports_and_exports_and_only_those(tree, make_user, settings):
    settings.JOB_LEASE_SECONDS = 60
    user = make_user()
    waiting = new_job(user)  # still in the queue: no heartbeat yet
    ExportJob.objects.filter(pk=waiting.pk).update(created=timezone.now() - timedelta(days=1))
    done = new_job(user, status=ExportJob.Status.DONE, message="共导出 3 条")
    backdate(done, 3600)
    alive = new_job(user, status=ExportJob.Status.RUNNING)
    backdate(alive, 30)
    lost = new_job(user, status=ExportJob.Status.RUNNING)
    backdate(lost, 61)
    lost_import = ImportJob.objects.create(
        user=user, resource="regions.region", file_name="r.csv", status=ImportJob.Status.RUNNING
    )
    backdate(lost_import, 61)

    assert reap_jobs.call() == 2

    assert dict(ExportJob.objects.values_list("pk", "status")) == {
        waiting.pk: ExportJob.Status.PENDING,
        done.pk: ExportJob.Status.DONE,
        alive.pk: ExportJob.Status.RUNNING,
        lost.pk: ExportJob.Status.FAILED,
    }
    assert ExportJob.objects.get(pk=lost.pk).message == LOST_EXPORT
    assert ExportJob.objects.get(pk=done.pk).message == "共导出 3 条"
    lost_import.refresh_from_db()
    assert (lost_import.status, lost_import.message) == (ImportJob.Status.FAILED, LOST_IMPORT)


def test_the_export_heartbeat_moves_on_while_rows_are_written(tree, make_user, monkeypatch):
    monkeypatch.setattr(export, "PROGRESS_EVERY", 1)
    beats = []
    beat = ExportJob.beat

    def record(job, **progress):
        beat(job, **progress)
        beats.append(ExportJob.objects.get(pk=job.pk).heartbeat_at)

    monkeypatch.setattr(ExportJob, "beat", record)
    job = new_job(make_user(perms=REGION_PERMS, scope=[tree.city]))

    run_export.call(job.pk)

    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE
    rows = Region.objects.count()
    assert job.processed_rows == rows
    # Picked up, started writing, then one beat per row.
    assert len(beats) == 2 + rows
    assert all(beats) and beats == sorted(beats)


def list_rows(response) -> list[int]:
    return [job.pk for job in response.context["page"]]


def test_my_exports_lists_the_users_own_jobs_newest_first(client, tree, make_user):
    owner, other = make_user(), make_user()
    done = new_job(
        owner, status=ExportJob.Status.DONE, file="exports/2026/01/done.xlsx", message="共导出 2 条"
    )
    pruned = new_job(owner, status=ExportJob.Status.DONE, message="共导出 5 条")
    # A running job already names its half-written file: no link to it.
    running = new_job(
        owner, status=ExportJob.Status.RUNNING, file="exports/2026/01/half.xlsx", total_rows=4
    )
    failed = new_job(owner, status=ExportJob.Status.FAILED, message="您已没有此数据的导出权限")
    theirs = new_job(other, status=ExportJob.Status.DONE, file="exports/2026/01/theirs.xlsx")
    client.force_login(owner)

    response = client.get(reverse("core:exportjob_list"))

    assert response.status_code == 200
    assert list_rows(response) == [failed.pk, running.pk, pruned.pk, done.pk]
    page = response.content.decode()
    assert "我的导出" in page and "区域网格" in page
    assert reverse("core:exportjob", args=[theirs.pk]) not in page
    assert page.count("下载文件") == 1
    assert done.file.url in page
    assert running.file.url not in page and theirs.file.url not in page
    assert "您已没有此数据的导出权限" in page and "导出中" in page
    assert page.count("文件已按保留期限删除") == 1  # the pruned one


def test_my_exports_is_paginated_and_shows_an_empty_list(client, make_user):
    owner = make_user()
    client.force_login(owner)
    assert "暂无导出任务" in client.get(reverse("core:exportjob_list")).content.decode()
    ExportJob.objects.bulk_create(
        ExportJob(user=owner, resource="regions.region", view=REGION_EXPORT_VIEW) for _ in range(51)
    )
    first = client.get(reverse("core:exportjob_list"))
    second = client.get(reverse("core:exportjob_list"), {"page": 2})
    assert (len(list_rows(first)), len(list_rows(second))) == (50, 1)
    assert "1 / 2" in first.content.decode()


def test_my_imports_is_the_same_page_for_import_jobs(client, make_user):
    owner, other = make_user(), make_user()
    mine = ImportJob.objects.create(
        user=owner, resource="regions.region", file_name="mine.csv", status=ImportJob.Status.DONE
    )
    ImportJob.objects.create(user=other, resource="regions.region", file_name="theirs.csv")
    client.force_login(owner)
    response = client.get(reverse("core:importjob_list"))
    page = response.content.decode()
    assert list_rows(response) == [mine.pk]
    assert "我的导入" in page and "区域网格：mine.csv" in page and "theirs.csv" not in page
    assert "下载文件" not in page and "文件已按保留期限删除" not in page


def test_the_export_page_and_the_header_lead_to_my_exports(client, tree, make_user):
    owner = make_user()
    job = new_job(owner, status=ExportJob.Status.DONE)
    client.force_login(owner)
    page = client.get(reverse("core:exportjob", args=[job.pk])).content.decode()
    # The side menu (next to 导入任务), the header and the job card.
    assert page.count(f'href="{reverse("core:exportjob_list")}"') == 3
