"""Person import through the real importer (the UI job's code path) against a raw bulk INSERT.

`BENCH_PEOPLE_ROWS` (or `--rows N` when run as `python -m bench.bench_import_people`) sets the
size, default 100 000. The baseline writes the same rows as plain text into a plain table with
one `executemany` INSERT (SQLite) or one COPY (PostgreSQL) in this same run: the least work any
import of these rows must do. The importer also parses, validates every row (ID check
characters, code tables, scope), encrypts ID and phone numbers, computes blind indexes and
writes a change-log row per person. Set `DATABASE_URL` (or `--pg URL`) to measure PostgreSQL.

Each side is timed twice: wall clock, and CPU seconds of this process plus its PostgreSQL
backend (when the server runs on this machine). On a machine shared with other work the wall
clock measures the neighbours; the CPU ratio is the one to compare across runs.

`--houses` measures a house import instead (`HouseResource`, same baseline idea): one estate
with ten 4-entrance buildings per grid, rows naming 小区名称 + 楼栋名称 + 单元 + 楼层 + 门牌号
and an owner phone; every row creates a house with a generated house code.
"""

import argparse
import csv
import io
import os
import resource
import time

from bench.database import small_territory, superuser, test_database
from bench.timing import BenchmarkFailed

ROWS = int(os.environ.get("BENCH_PEOPLE_ROWS", "100000"))
HEADER = ["证件号码", "姓名", "性别", "民族", "联系电话", "人口类型", "所属网格（网格代码）"]


def _rows(n: int, grids: list[str]) -> list[list[str]]:
    from datetime import date, timedelta

    from citygrid.core.validators import id_number_check_char

    out = []
    start = date(1950, 1, 1)
    for i in range(n):
        born = start + timedelta(days=i % 20000)
        body = f"330101{born:%Y%m%d}{i // 20000:03d}"
        out.append(
            [
                body + id_number_check_char(body),
                f"基准人员{i}",
                "男" if (i // 20000) % 2 else "女",
                "汉族",
                f"139{i:08d}",
                "户籍人口",
                grids[i % len(grids)],
            ]
        )
    return out


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue().encode()


class _Clock:
    """Wall and CPU seconds of a block; CPU counts this process, its validation workers and the
    database backend serving this process (PostgreSQL on this machine: read from /proc; the
    workers' own backends, which only read, are not counted)."""

    def __enter__(self):
        self._wall, self._cpu = time.perf_counter(), self._cpu_now()
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self._wall
        self.cpu = self._cpu_now() - self._cpu

    @staticmethod
    def _cpu_now() -> float:
        from django.db import connection

        # This process, and its finished children (the import's validation workers).
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        used = time.process_time() + children.ru_utime + children.ru_stime
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                pid = cursor.fetchone()[0]
            try:
                with open(f"/proc/{pid}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:  # a server elsewhere: its CPU is not counted
                return used
            used += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return used


def _baseline(rows: list[list[str]]) -> _Clock:
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE bench_plain (id_number varchar(18), name varchar(50), sex varchar(4),"
            " ethnicity varchar(10), phone varchar(11), kind varchar(10), grid varchar(15))"
        )
    with _Clock() as clock, transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy("COPY bench_plain FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany("INSERT INTO bench_plain VALUES (%s, %s, %s, %s, %s, %s, %s)", rows)
    return clock


def _floor(models: list) -> _Clock:
    """The database's share alone: the rows the import wrote (records, details, change log),
    taken out and written back into the same tables, indexes and constraints with raw COPY
    (PostgreSQL) or one executemany (SQLite). No import of these rows can be faster."""
    from django.db import connection, transaction

    saved = {}
    with connection.cursor() as cursor:
        for model in models:
            table = model._meta.db_table
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} TO STDOUT") as copy:
                    saved[table] = b"".join(bytes(data) for data in copy)
            else:
                cursor.execute(f"SELECT * FROM {table}")
                saved[table] = cursor.fetchall()
        for model in reversed(models):
            cursor.execute(f"DELETE FROM {model._meta.db_table}")
    with _Clock() as clock, transaction.atomic(), connection.cursor() as cursor:
        for table, data in saved.items():
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} FROM STDIN") as copy:
                    copy.write(data)
            elif data:
                marks = ", ".join(["%s"] * len(data[0]))
                cursor.executemany(f"INSERT INTO {table} VALUES ({marks})", data)
    return clock


def _written_models() -> list:
    """The tables an import of people or houses writes, parents first."""
    from citygrid.core.models import ObjectChange
    from citygrid.housing.models import House
    from citygrid.people.models import FloatingDetail, Person, Residency

    models = [House, Person, FloatingDetail, Residency, ObjectChange]
    return [model for model in models if model._base_manager.exists()]


def _report(
    vendor: str, what: str, rows: int, baseline: _Clock, clock: _Clock, floor: _Clock
) -> None:
    print(f"database: {vendor}; {rows:,} {what}, one import job (validate + write)")
    print(f"  (b) baseline raw {'COPY' if vendor == 'postgresql' else 'executemany'}:")
    print(f"      {rows / baseline.wall:>12,.0f} rows/s  {baseline.wall:7.2f} s wall")
    print(f"      {rows / baseline.cpu:>12,.0f} rows/CPU-s  {baseline.cpu:7.2f} CPU-s")
    print(f"  (a) {clock.label}:")
    print(f"      {rows / clock.wall:>12,.0f} rows/s  {clock.wall:7.2f} s wall")
    print(f"      {rows / clock.cpu:>12,.0f} rows/CPU-s  {clock.cpu:7.2f} CPU-s")
    print("  (f) floor: the rows the import wrote, raw into their tables (indexes, constraints):")
    print(f"      {rows / floor.wall:>12,.0f} rows/s  {floor.wall:7.2f} s wall")
    print(f"      {rows / floor.cpu:>12,.0f} rows/CPU-s  {floor.cpu:7.2f} CPU-s")
    print(f"  ratio a/b, wall: {baseline.wall / clock.wall:.3f}× (importer ÷ raw insert)")
    print(f"  ratio a/b, CPU:  {baseline.cpu / clock.cpu:.3f}× (the one to compare across runs)")
    print(f"  ratio f/b, wall: {baseline.wall / floor.wall:.3f}× (the best any import could do)")
    print(f"  ratio a/f, wall: {floor.wall / clock.wall:.3f}× (importer ÷ its own rows' raw write)")


def _import(data: bytes, rows: int) -> tuple[_Clock, object]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from citygrid.core.io import importer
    from citygrid.core.models import ImportJob
    from citygrid.people.models import Person
    from citygrid.people.resources import PersonResource

    admin = superuser()
    job = ImportJob.objects.create(
        user=admin,
        resource=PersonResource.key(),
        file=SimpleUploadedFile("people.csv", data),
        file_name="people.csv",
    )
    with _Clock() as clock:
        importer.run(job, PersonResource())
    clock.label = "importer (PersonResource, bulk path)"
    job.refresh_from_db()
    if job.status != ImportJob.Status.DONE or job.created_count != rows:
        raise BenchmarkFailed(f"import ended {job.status}: {job.message} {job.errors[:3]}")
    if Person.objects.count() != rows or job.processed_rows != rows:
        raise BenchmarkFailed("not every row became exactly one person")
    return clock, job


def run(rows: int = ROWS) -> None:
    from citygrid.regions.models import Region

    with test_database() as vendor:
        small_territory()
        grids = list(Region.objects.filter(level="grid").values_list("code", flat=True))
        data = _rows(rows, grids)
        baseline = _baseline(data)
        with _Media():
            clock, _ = _import(_csv(data), rows)
        _report(vendor, "rows", rows, baseline, clock, _floor(_written_models()))


HOUSE_HEADER = ["小区名称", "楼栋名称", "单元", "楼层", "门牌号", "使用状态", "产权人电话"]


def _house_rows(n: int, grids: list) -> list[list[str]]:
    from citygrid.core import writeguard
    from citygrid.housing.models import Building, Estate

    buildings = []
    # Estates and buildings are the fixture the measured house rows refer to: no history.
    with writeguard.unlogged():
        for i, grid in enumerate(grids):
            estate = Estate.objects.create(region=grid, name=f"基准小区{i + 1}")
            for k in range(10):
                buildings.append(
                    Building.objects.create(
                        region=grid, estate=estate, name=f"{k + 1}号楼", floors=30, entrances=4
                    )
                )
    out = []
    for i in range(n):
        building = buildings[i % len(buildings)]
        door = i // len(buildings)
        entrance, floor = door % 4 + 1, door // 4 % 30 + 1
        number = f"{floor}{door // 120 + 1:02d}"
        out.append(
            [
                building.estate.name,
                building.name,
                str(entrance),
                str(floor),
                number,
                "自住",
                f"139{i:08d}",
            ]
        )
    return out


def run_houses(rows: int = ROWS) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from citygrid.core.io import importer
    from citygrid.core.models import ImportJob
    from citygrid.housing import numbering
    from citygrid.housing.models import House
    from citygrid.housing.resources import HouseResource
    from citygrid.regions.models import Region

    with test_database() as vendor:
        small_territory()
        data = _house_rows(rows, list(Region.objects.filter(level="grid")))
        baseline = _baseline(data)
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(HOUSE_HEADER)
        writer.writerows(data)
        admin = superuser()
        with _Media():
            job = ImportJob.objects.create(
                user=admin,
                resource=HouseResource.key(),
                file=SimpleUploadedFile("houses.csv", out.getvalue().encode()),
                file_name="houses.csv",
            )
            with _Clock() as clock:
                importer.run(job, HouseResource())
        clock.label = f"importer (HouseResource, {'bulk' if HouseResource.bulk else 'row'} path)"
        job.refresh_from_db()
        if job.status != ImportJob.Status.DONE or job.created_count != rows:
            raise BenchmarkFailed(f"import ended {job.status}: {job.message} {job.errors[:3]}")
        codes = list(House.objects.values_list("code", flat=True))
        if len(set(codes)) != rows or not all(numbering.is_valid(c) for c in codes):
            raise BenchmarkFailed("house codes are not valid and unique")
        _report(vendor, "house rows", rows, baseline, clock, _floor(_written_models()))


class _Media:
    """Uploaded benchmark files go to a temporary media root."""

    def __enter__(self):
        import tempfile

        from django.test import override_settings

        self._dir = tempfile.TemporaryDirectory()
        self._override = override_settings(
            MEDIA_ROOT=self._dir.name,
            STORAGES={
                "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
                "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
            },
        )
        self._override.enable()

    def __exit__(self, *exc):
        self._override.disable()
        self._dir.cleanup()


if __name__ == "__main__":
    import django

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=ROWS)
    parser.add_argument("--pg", help="PostgreSQL URL (instead of DATABASE_URL)")
    parser.add_argument("--houses", action="store_true", help="a house import instead")
    args = parser.parse_args()
    if args.pg:
        os.environ["DATABASE_URL"] = args.pg
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "citygrid.settings")
    django.setup()
    (run_houses if args.houses else run)(args.rows)
