"""Big exports never build the whole file in a request: CSV streams, an XLSX above
`CITYGRID_EXPORT_INLINE_ROWS` rows becomes a background job with a progress page and a download
that only its owner can fetch."""

import io
import os
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from citygrid.core.models import AccessLog, ExportJob
from citygrid.core.retention import prune_export_files
from citygrid.core.tasks import prune_imports, run_export
from citygrid.regions.models import GridWorker

pytestmark = pytest.mark.django_db

REGION_PERMS = ["regions.view_region", "regions.export_region"]


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
    assert prune_imports.call() == 1


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
