"""Runs one import: every row validated, then all rows written or only the valid ones.

Record types with a bulk path (people, houses, buildings: the city-sized files) stream the
file through one transaction a chunk at a time, writing as they go and rolling everything back
when an all-or-nothing file turns out to have errors. The others validate every row first and
write in one transaction afterwards. Either way an unexpected failure half-way never leaves
half a file behind.
"""

import contextlib
import gc
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from citygrid.core.context import acting_as
from citygrid.core.io import bulk, pool
from citygrid.core.io.files import FileFormatError, detect_format, open_table
from citygrid.core.io.resources import (
    CellError,
    Resource,
    RowResult,
    record_validation_error,
)
from citygrid.core.io.rows import parse_rows
from citygrid.core.models import AccessLog, ImportJob
from citygrid.core.querysets import permission_name

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 200
MAX_LISTED_ERRORS = 1000
COLLECT_EVERY = 20  # chunks
CONFLICT = "写入时发生冲突，未写入任何数据，请重试"


class ImportAborted(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def map_headers(resource: Resource, header: list[str]) -> dict[int, str]:
    known = {c.header: c for c in resource.columns}
    unknown = [h for h in header if h and h not in known]
    if unknown:
        raise ImportAborted(f"无法识别的列：{'、'.join(unknown)}。请使用下载的模板")
    missing = [c.header for c in resource.columns if c.required and c.header not in header]
    if missing:
        raise ImportAborted(f"缺少必填列：{'、'.join(missing)}")
    return {i: known[h].name for i, h in enumerate(header) if h}


def validate_row(resource: Resource, row: RowResult, user, pending: dict, seen: set) -> None:
    key = resource.row_key(row)
    if key in seen:
        row.errors[resource.natural_key] = "文件中重复出现"
        return
    if key is not None:
        seen.add(key)
    existing = resource.find_existing(row)
    action = "change" if existing else "add"
    if not user.has_perm(permission_name(resource.model, action)):
        row.errors["__all__"] = "无权新增此类记录" if action == "add" else "无权修改此类记录"
        return
    if existing is not None and not resource.in_scope(existing, user):
        row.errors[resource.natural_key] = "该记录不在您的管辖范围内"
        return
    try:
        instance = resource.build(row, existing, pending)
        instance.full_clean()
    except CellError as exc:
        row.errors.setdefault(resource.natural_key, exc.message)
        return
    except ValidationError as exc:
        record_validation_error(resource, row, exc)
        return
    if not resource.in_scope(instance, user):
        row.errors["__all__"] = "该记录不在您的管辖范围内"
        return
    row.instance = instance
    row.created = existing is None
    pending[key] = instance


class ErrorList:
    """The errors of an import in row order, as the job keeps them: every error is counted,
    the first `MAX_LISTED_ERRORS` are listed (a file of a million bad rows must not become a
    million-entry list in the worker and the job row)."""

    def __init__(self, resource: Resource):
        self._headers = {c.name: c.header for c in resource.columns}
        self.listed: list[dict] = []
        self.count = 0

    def add(self, rows: list[RowResult]) -> None:
        for row in sorted(rows, key=lambda r: r.number):
            for name, message in row.errors.items():
                self.count += 1
                if len(self.listed) < MAX_LISTED_ERRORS:
                    column = self._headers.get(name, "")
                    self.listed.append({"row": row.number, "column": column, "message": message})

    def summary(self) -> str:
        """The count for a message, saying when only part is listed."""
        if self.count > len(self.listed):
            return f"{self.count} 处错误（列出前 {len(self.listed)} 处）"
        return f"{self.count} 处错误"


def run(job: ImportJob, resource: Resource) -> None:
    user = job.user
    # The first beat: from now on a stopped worker shows as a stale heartbeat.
    job.beat()
    with acting_as(user):
        try:
            fmt = detect_format(job.file_name)
            with job.file.open("rb") as fh:
                table = open_table(fh, fmt, row_cap(resource))
                index = map_headers(resource, table.header)
                job.total_rows = table.count
                job.status = ImportJob.Status.RUNNING
                job.heartbeat_at = timezone.now()
                job.save(update_fields=["total_rows", "status", "heartbeat_at"])
                if resource.bulk:
                    _run_streamed(job, resource, table, index)
                else:
                    _run_rows(job, resource, parse_rows(resource, index, list(table)))
        except (FileFormatError, ImportAborted) as exc:
            _finish(job, ImportJob.Status.INVALID, exc.message, [])


def row_cap(resource: Resource | type[Resource]) -> int:
    """Most data rows one file of this type may hold: the bulk path streams the file, so its
    cap only bounds one job; the row path holds every row."""
    if resource.bulk:
        return settings.CITYGRID_MAX_BULK_IMPORT_ROWS
    return settings.CITYGRID_MAX_IMPORT_ROWS


class _Rollback(Exception):
    """Leaves the import's transaction when a file with errors may not be written in part."""


def _validated(resource: Resource, user, table, index: dict[int, str]):
    """(rows, candidates) per chunk, validated in worker processes when the file is big enough
    (`core.io.pool`), else here, each chunk after the one before it was written."""
    workers = pool.workers_for(resource, table.count)
    if workers:
        yield from pool.validated_chunks(resource, user, table, index, workers)
        return
    for first, cells in pool.chunks(table, bulk.CHUNK):
        rows = parse_rows(resource, index, cells, first)
        yield rows, bulk.check_chunk(resource, user, rows)


def _run_streamed(job: ImportJob, resource: Resource, table, index: dict[int, str]) -> None:
    """The bulk path in one pass and one transaction: each chunk of the file is parsed,
    validated and written before the next is read, so memory stays flat however long the
    file. After the first bad row of an all-or-nothing import nothing more is written, the
    rest is only validated (every error is reported), and the transaction is rolled back."""
    user = job.user
    errors = ErrorList(resource)
    done = 0
    job.created_count = job.updated_count = job.skipped_count = 0
    report = _progress_outside(job)
    try:
        with transaction.atomic():
            seen = bulk.SeenKeys(resource.model)
            # Closed on the way out, whatever happens: it may hold worker processes.
            chunks = contextlib.closing(_validated(resource, user, table, index))
            with chunks as validated:
                for number, (rows, candidates) in enumerate(validated, start=1):
                    _apply(job, resource, seen, rows, candidates, errors)
                    done += len(rows)
                    report(done)
                    if number % COLLECT_EVERY == 0:
                        # Written records and their details refer to each other: only the
                        # cycle collector frees them, and left to itself it lets them pile up.
                        gc.collect()
            seen.close()
            if errors.count and not job.valid_only:
                raise _Rollback
    except _Rollback:
        job.processed_rows = done
        job.created_count = job.updated_count = 0  # rolled back
        _finish(
            job,
            ImportJob.Status.INVALID,
            f"{errors.summary()}，未写入任何数据",
            errors.listed,
        )
        return
    except IntegrityError:
        logger.exception("import job %s failed while writing", job.pk)
        job.created_count = job.updated_count = 0  # rolled back
        _finish(job, ImportJob.Status.FAILED, CONFLICT, errors.listed)
        return
    finally:
        getattr(report, "close", lambda: None)()
    job.processed_rows = done
    _done(job, resource, errors)


def _apply(job: ImportJob, resource: Resource, seen, rows: list, candidates: list, errors) -> None:
    """One validated chunk: keys met before marked, errors kept, and the valid rows written
    unless an all-or-nothing import has met an error (counts kept on the job)."""
    bulk.mark_met_before(resource, seen, candidates)
    errors.add([row for row in rows if row.errors])
    job.skipped_count += sum(1 for row in rows if row.instance is None)
    if job.valid_only or not errors.count:
        added, changed = bulk.write_rows(resource, rows, job.user)
        job.created_count += added
        job.updated_count += changed


def _run_rows(job: ImportJob, resource: Resource, rows: list[RowResult]) -> None:
    """The row-by-row path for record types without a bulk path (small files, rows that refer
    to earlier rows): validate every row, then write all or only the valid ones."""
    user = job.user
    pending: dict = {}
    seen: set = set()
    for done, row in enumerate(resource.order_rows(rows), start=1):
        if not row.errors:
            validate_row(resource, row, user, pending, seen)
        if done % PROGRESS_EVERY == 0:
            _progress(job, done)
    job.processed_rows = len(rows)
    errors = ErrorList(resource)
    errors.add(rows)
    if errors.count and not job.valid_only:
        _finish(job, ImportJob.Status.INVALID, f"{errors.summary()}，未写入任何数据", errors.listed)
        return
    try:
        _write(job, resource, rows)
    except IntegrityError:
        logger.exception("import job %s failed while writing", job.pk)
        _finish(job, ImportJob.Status.FAILED, CONFLICT, errors.listed)
        return
    _done(job, resource, errors)


def _done(job: ImportJob, resource: Resource, errors: ErrorList) -> None:
    user = job.user
    AccessLog.objects.create(
        user=user,
        user_name=user.get_username(),
        action=AccessLog.Action.IMPORT,
        record_count=job.created_count + job.updated_count,
        detail=f"{resource.model._meta.verbose_name} {job.file_name}",
    )
    message = f"新增 {job.created_count} 条，更新 {job.updated_count} 条"
    if job.skipped_count:
        message += f"，跳过有错误的 {job.skipped_count} 行"
    _finish(job, ImportJob.Status.DONE, message, errors.listed)


def _progress(job: ImportJob, done: int) -> None:
    job.beat(processed_rows=done)


def _progress_outside(job: ImportJob):
    """Progress and heartbeat while the write transaction is open: PostgreSQL takes them on a
    connection of its own so the job page and the reaper see them before the commit; SQLite has
    one writer at a time, so there they are written in the transaction and seen at its end
    (the lease must outlast the longest import: large files belong on PostgreSQL)."""
    from django.db import DEFAULT_DB_ALIAS, connection, connections

    if connection.vendor != "postgresql":
        return lambda done: _progress(job, done)
    side = connections.create_connection(DEFAULT_DB_ALIAS)
    table = ImportJob._meta.db_table

    def report(done: int) -> None:
        with side.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET processed_rows = %s, heartbeat_at = %s WHERE id = %s",
                [done, timezone.now(), job.pk],
            )

    report.close = side.close
    return report


def _write(job: ImportJob, resource: Resource, rows: list[RowResult]) -> None:
    created = updated = 0
    # The bar stays full (validation was all of it); the beats keep the lease.
    report = _progress_outside(job)
    try:
        with transaction.atomic():
            for done, row in enumerate(resource.order_rows(rows), start=1):
                if done % PROGRESS_EVERY == 0:
                    report(len(rows))
                if row.instance is None:
                    continue
                resource.save(row.instance, job.user)
                if row.created:
                    created += 1
                else:
                    updated += 1
    finally:
        getattr(report, "close", lambda: None)()
    job.created_count, job.updated_count = created, updated
    job.skipped_count = sum(1 for r in rows if r.instance is None)


def _finish(job: ImportJob, status: str, message: str, errors: list[dict]) -> None:
    job.status = status
    job.message = message
    job.errors = errors
    job.finished = timezone.now()
    job.save()
