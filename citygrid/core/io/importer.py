"""Runs one import: read, validate every row, then write all or only the valid rows.

Validation saves nothing, so a bad file leaves the database untouched; the write runs in one
transaction (a savepoint per row when only valid rows are wanted), so an unexpected failure
half-way never leaves half a file behind.
"""

import logging

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from citygrid.core.context import acting_as
from citygrid.core.io import bulk
from citygrid.core.io.files import FileFormatError, detect_format, read_table
from citygrid.core.io.resources import (
    CellError,
    Resource,
    RowResult,
    record_validation_error,
)
from citygrid.core.models import AccessLog, ImportJob
from citygrid.core.querysets import permission_name
from citygrid.core.text import strip_controls

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 200


class ImportAborted(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _map_headers(resource: Resource, header: list[str]) -> dict[int, str]:
    known = {c.header: c for c in resource.columns}
    unknown = [h for h in header if h and h not in known]
    if unknown:
        raise ImportAborted(f"无法识别的列：{'、'.join(unknown)}。请使用下载的模板")
    missing = [c.header for c in resource.columns if c.required and c.header not in header]
    if missing:
        raise ImportAborted(f"缺少必填列：{'、'.join(missing)}")
    return {i: known[h].name for i, h in enumerate(header) if h}


def parse_rows(resource: Resource, header: list[str], rows: list[list[str]]) -> list[RowResult]:
    index = _map_headers(resource, header)
    columns = {c.name: c for c in resource.columns}
    results = []
    for offset, cells in enumerate(rows):
        row = RowResult(number=offset + 2)
        for i, name in index.items():
            # Cleaned before parsing: look-ups by natural key must see the value that is stored.
            text = strip_controls(cells[i]).strip() if i < len(cells) else ""
            column = columns[name]
            if not text:
                if column.required:
                    row.errors[name] = "必填"
                continue
            try:
                row.values[name] = column.parse(text) if column.parse else text
            except CellError as exc:
                row.errors[name] = exc.message
        results.append(row)
    return results


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


def _error_list(resource: Resource, rows: list[RowResult]) -> list[dict]:
    headers = {c.name: c.header for c in resource.columns}
    out = []
    for row in sorted(rows, key=lambda r: r.number):
        for name, message in row.errors.items():
            out.append({"row": row.number, "column": headers.get(name, ""), "message": message})
    return out


def run(job: ImportJob, resource: Resource) -> None:
    user = job.user
    # The first beat: from now on a stopped worker shows as a stale heartbeat.
    job.beat()
    with acting_as(user):
        try:
            fmt = detect_format(job.file_name)
            with job.file.open("rb") as fh:
                header, raw_rows = read_table(fh.read(), fmt)
            rows = parse_rows(resource, header, raw_rows)
        except (FileFormatError, ImportAborted) as exc:
            _finish(job, ImportJob.Status.INVALID, exc.message, [])
            return
        job.total_rows = len(rows)
        job.status = ImportJob.Status.RUNNING
        job.heartbeat_at = timezone.now()
        job.save(update_fields=["total_rows", "status", "heartbeat_at"])

        if resource.bulk:
            # Validation is the first half of the bar, writing the second.
            bulk.validate_rows(resource, rows, user, lambda done: _progress(job, done // 2))
        else:
            pending: dict = {}
            seen: set = set()
            for done, row in enumerate(resource.order_rows(rows), start=1):
                if not row.errors:
                    validate_row(resource, row, user, pending, seen)
                if done % PROGRESS_EVERY == 0:
                    _progress(job, done)
        job.processed_rows = len(rows)
        errors = _error_list(resource, rows)
        job.errors = errors
        if errors and not job.valid_only:
            _finish(job, ImportJob.Status.INVALID, f"{len(errors)} 处错误，未写入任何数据", errors)
            return
        try:
            _write(job, resource, rows)
        except IntegrityError:
            logger.exception("import job %s failed while writing", job.pk)
            _finish(job, ImportJob.Status.FAILED, "写入时发生冲突，未写入任何数据，请重试", errors)
            return
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
        _finish(job, ImportJob.Status.DONE, message, job.errors)


def _progress(job: ImportJob, done: int) -> None:
    job.beat(processed_rows=done)


def _progress_outside(job: ImportJob):
    """Progress and heartbeat while the write transaction is open: PostgreSQL takes them on a
    connection of its own so the job page and the reaper see them before the commit; SQLite has
    one writer at a time, so there the bar moves on from validation to done (and the lease must
    outlast the longest write)."""
    from django.db import DEFAULT_DB_ALIAS, connection, connections

    if connection.vendor != "postgresql":
        return lambda done: None
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
    if resource.bulk:
        half = len(rows) // 2
        valid = sum(1 for r in rows if r.instance is not None) or 1

        report = _progress_outside(job)

        def progress(written: int) -> None:
            report(half + (len(rows) - half) * written // valid)

        try:
            with transaction.atomic():
                created, updated = bulk.write_rows(resource, rows, job.user, progress)
        finally:
            getattr(report, "close", lambda: None)()
        job.created_count, job.updated_count = created, updated
        job.skipped_count = sum(1 for r in rows if r.instance is None)
        return
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
