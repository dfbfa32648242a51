"""Exports of any size with flat memory: CSV streams row by row to the client; an XLSX is
written in openpyxl's write-only mode, inline up to `CITYGRID_EXPORT_INLINE_ROWS` rows, above
that by a background job (`ExportJob`) into a private file the requester downloads.

Every cell passes `files.safe_cell`, as in `files.write_table`.
"""

import csv
from collections.abc import Iterable, Iterator

from django.contrib.contenttypes.models import ContentType
from django.http import HttpRequest, QueryDict
from django.utils import timezone
from django.utils.module_loading import import_string
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from citygrid.core import files
from citygrid.core.context import acting_as
from citygrid.core.io.files import safe_cell
from citygrid.core.io.resources import get_resource
from citygrid.core.models import AccessLog, ExportJob
from citygrid.core.querysets import permission_name
from citygrid.core.routers import on_replica

CHUNK_ROWS = 2000
PROGRESS_EVERY = 2000
FAILED_MESSAGE = "导出失败，请重新导出"


class _Echo:
    """A file for `csv.writer` that hands each formatted line back instead of keeping it."""

    def write(self, value: str) -> str:
        return value


def csv_chunks(header: list[str], rows: Iterable[list]) -> Iterator[bytes]:
    """The CSV as byte chunks of a few hundred lines, BOM first (Excel on Chinese Windows reads
    UTF-8 only with it)."""
    writer = csv.writer(_Echo())
    yield ("\ufeff" + writer.writerow([safe_cell(v) for v in header])).encode("utf-8")
    batch = []
    for row in rows:
        batch.append(writer.writerow([safe_cell(v) for v in row]))
        if len(batch) == 500:
            yield "".join(batch).encode("utf-8")
            batch = []
    if batch:
        yield "".join(batch).encode("utf-8")


def write_xlsx(target, header: list[str], rows: Iterable[list]) -> None:
    """One sheet in the export style of `files.add_sheet`, written as the rows come (write-only
    mode keeps no rows in memory); `target` is a path or a binary file."""
    wb = Workbook(write_only=True)
    sheet = wb.create_sheet("数据")
    for i, name in enumerate(header, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = max(12, len(name) * 2 + 4)
    cells = []
    for name in header:
        cell = WriteOnlyCell(sheet, value=safe_cell(name))
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cells.append(cell)
    sheet.append(cells)
    for row in rows:
        sheet.append([safe_cell(v) for v in row])
    wb.save(target)


def log_export(user, model, *, fmt: str, reveal: bool, reason: str, params, count: int, ip: str):
    filters = "&".join(f"{k}={v}" for k, v in params.items() if k != "page")
    mode = "明文" if reveal else "脱敏"
    AccessLog.objects.create(
        user=user,
        user_name=user.get_username(),
        action=AccessLog.Action.EXPORT,
        content_type=ContentType.objects.get_for_model(model),
        record_count=count,
        detail=f"{model._meta.verbose_name} {fmt} {mode} {filters}"[:500],
        reason=reason if reveal else "",
        ip=ip,
    )


def query_dict(filters: dict[str, list[str]]) -> QueryDict:
    params = QueryDict(mutable=True)
    for key, values in filters.items():
        params.setlist(key, values)
    return params


def run(job: ExportJob) -> None:
    """Write the job's file with the rows its user may export now: the export view's own
    queryset, `restrict(user, "export")` and filter set, run for a request rebuilt from the job."""
    user = job.user
    resource = get_resource(job.resource)()
    model = resource.model
    # The first beat: from now on a stopped worker shows as a stale heartbeat.
    job.beat()
    with acting_as(user, ip=job.ip):
        if not user.is_active or not user.has_perm(permission_name(model, "export")):
            return _fail(job, "您已没有此数据的导出权限")
        if job.reveal and not user.can_view_sensitive():
            return _fail(job, "您已没有导出明文的权限")
        params = query_dict(job.filters)
        request = HttpRequest()
        request.method = "GET"
        request.user = user
        request.GET = params
        view = import_string(job.view)()
        view.setup(request)
        qs = on_replica(view.export_queryset(params))
        name = job.file.field.generate_filename(job, f"export.{job.format}")
        # Named before the first row: a worker killed mid-file leaves a job whose file is pruned.
        job.beat(status=ExportJob.Status.RUNNING, total_rows=qs.count(), file=name)
        done = [0]
        rows = (resource.export_row(obj, job.reveal) for obj in qs.iterator(chunk_size=CHUNK_ROWS))
        try:
            with files.local_file(job.file.storage, name) as path:
                write_xlsx(path, resource.header(), _counting(job, rows, done))
        except Exception:
            _fail(job, FAILED_MESSAGE)
            raise
        # The log records what the file holds, written once the file exists.
        log_export(
            user,
            model,
            fmt=job.format,
            reveal=job.reveal,
            reason=job.reason,
            params=params,
            count=done[0],
            ip=job.ip,
        )
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.DONE,
            processed_rows=done[0],
            total_rows=done[0],
            message=f"共导出 {done[0]} 条",
            finished=timezone.now(),
        )


def _counting(job: ExportJob, rows: Iterable[list], done: list[int]) -> Iterator[list]:
    """The rows, counted into `done[0]`, with the job's progress saved and its lease renewed
    every few thousand."""
    for row in rows:
        yield row
        done[0] += 1
        if done[0] % PROGRESS_EVERY == 0:
            job.beat(processed_rows=done[0])


def _fail(job: ExportJob, message: str) -> None:
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.FAILED, message=message, file="", finished=timezone.now()
    )
