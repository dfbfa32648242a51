"""Worker processes validate a big bulk import on PostgreSQL while the importer writes: the
outcome — records, counts, errors, change log — is the one the importer gives alone.

Workers read committed data, so these tests commit (transactional tests, PostgreSQL only).
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from citygrid.core import writeguard
from citygrid.core.io import bulk, importer, pool
from citygrid.core.models import Dictionary, DictItem, ImportJob
from citygrid.core.seeds import seed_dictionaries
from citygrid.core.testing import csv_bytes
from citygrid.core.tests.test_import_bulk import PERMS, reset, rows, snapshot
from citygrid.housing.resources import HouseResource
from citygrid.housing.tests.test_import_bulk_houses import PERMS as HOUSE_PERMS
from citygrid.housing.tests.test_import_bulk_houses import places  # noqa: F401 - a fixture
from citygrid.housing.tests.test_import_bulk_houses import reset as reset_houses
from citygrid.housing.tests.test_import_bulk_houses import rows as house_rows
from citygrid.housing.tests.test_import_bulk_houses import snapshot as house_snapshot
from citygrid.people.models import FloatingDetail
from citygrid.people.resources import PersonResource

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="workers run on PostgreSQL"),
]


@pytest.fixture
def code_tables():
    # A transactional test may follow another that emptied every table; the code tables are
    # the migration's data, written without history as the migration writes them.
    with writeguard.unlogged():
        seed_dictionaries(Dictionary, DictItem)


def run(user, data: list[dict], valid_only: bool) -> ImportJob:
    job = ImportJob.objects.create(
        user=user,
        resource=PersonResource.key(),
        file=SimpleUploadedFile("p.csv", csv_bytes(data)),
        file_name="p.csv",
        valid_only=valid_only,
    )
    importer.run(job, PersonResource())
    job.refresh_from_db()
    return job


def outcome(job: ImportJob) -> tuple:
    counts = (job.created_count, job.updated_count, job.skipped_count, job.processed_rows)
    return job.status, job.message, job.errors, counts, snapshot()


@pytest.mark.parametrize("valid_only", [True, False])
def test_workers_give_what_the_importer_gives_alone(
    code_tables, tree, make_user, settings, monkeypatch, valid_only
):
    user = make_user(perms=PERMS, scope=[tree.county_a])
    monkeypatch.setattr(bulk, "CHUNK", 3)
    settings.CITYGRID_IMPORT_POOL_MIN_ROWS = 0
    used = []
    validated_chunks = pool.validated_chunks

    def spied(*args):
        used.append(args[-1])
        yield from validated_chunks(*args)

    monkeypatch.setattr(pool, "validated_chunks", spied)
    registered = rows(tree, 5, name="已登记")  # on file before: the import updates them
    data = rows(tree, 16)
    data[1]["联系电话"] = "12345"
    data[4]["证件号码"] = data[3]["证件号码"]  # twice in one chunk
    data[11]["证件号码"] = data[2]["证件号码"]  # again three chunks later
    data[7]["所属网格（网格代码）"] = tree.grid_b1.code  # outside the user's county
    outcomes = {}
    for workers in (0, 1, 2):
        FloatingDetail.objects.all().delete()
        reset()
        settings.CITYGRID_IMPORT_WORKERS = 0
        assert run(user, registered, valid_only=False).status == "done"
        settings.CITYGRID_IMPORT_WORKERS = workers
        outcomes[workers] = outcome(run(user, data, valid_only))
    assert used == [1, 2]
    assert outcomes[1] == outcomes[0]
    assert outcomes[2] == outcomes[0]
    status, _, errors, counts, _ = outcomes[0]
    assert [(e["row"], e["column"]) for e in errors] == [
        (3, "联系电话"),
        (6, "证件号码"),
        (9, ""),
        (13, "证件号码"),
    ]
    if valid_only:
        assert (status, counts) == ("done", (9, 3, 4, 16))
    else:
        assert (status, counts[3]) == ("invalid", 16)


def test_small_files_and_sqlite_stay_in_the_process(tree, settings):
    settings.CITYGRID_IMPORT_POOL_MIN_ROWS = 100
    settings.CITYGRID_IMPORT_WORKERS = 3
    assert pool.workers_for(PersonResource, 99) == 0
    assert pool.workers_for(PersonResource, 100) == 3
    settings.CITYGRID_IMPORT_WORKERS = 0
    assert pool.workers_for(PersonResource, 10**6) == 0


@pytest.mark.usefixtures("code_tables", "places")
def test_houses_get_the_same_codes_and_history_with_workers(tree, make_user, settings, monkeypatch):
    # Houses refer to buildings by name and get generated codes: the workers resolve the
    # buildings, the importer hands out the codes, in row order.
    user = make_user(perms=HOUSE_PERMS, scope=[tree.county_a])
    monkeypatch.setattr(bulk, "CHUNK", 7)
    settings.CITYGRID_IMPORT_POOL_MIN_ROWS = 0
    data = house_rows(tree, 40)
    data[9]["楼栋名称"] = "没有这栋楼"
    outcomes = {}
    for workers in (0, 1):
        reset_houses()
        settings.CITYGRID_IMPORT_WORKERS = workers
        job = ImportJob.objects.create(
            user=user,
            resource=HouseResource.key(),
            file=SimpleUploadedFile("h.csv", csv_bytes(data)),
            file_name="h.csv",
            valid_only=True,
        )
        importer.run(job, HouseResource())
        job.refresh_from_db()
        outcomes[workers] = (job.status, job.errors, job.created_count, house_snapshot())
    assert outcomes[1] == outcomes[0]
    assert outcomes[0][0] == "done" and outcomes[0][2] == 39
