"""A bulk import streams its file: one chunk parsed, validated and written at a time in one
transaction, so memory does not grow with the file, and the outcome is that of validating the
whole file first (all or nothing, or only the valid rows)."""

import csv
import io
import tracemalloc

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from citygrid.core.crypto import blind_index
from citygrid.core.io import bulk, importer
from citygrid.core.models import ImportJob, ObjectChange
from citygrid.core.testing import csv_bytes
from citygrid.core.tests.test_import_bulk import PERMS, number, rows
from citygrid.people.models import FloatingDetail, Person
from citygrid.people.resources import PersonResource

pytestmark = pytest.mark.django_db


def new_job(user, data: list[dict], valid_only: bool = False) -> ImportJob:
    return ImportJob.objects.create(
        user=user,
        resource=PersonResource.key(),
        file=SimpleUploadedFile("p.csv", csv_bytes(data)),
        file_name="p.csv",
        valid_only=valid_only,
    )


def run(user, data: list[dict], valid_only: bool = False) -> ImportJob:
    job = new_job(user, data, valid_only)
    importer.run(job, PersonResource())
    job.refresh_from_db()
    return job


@pytest.fixture
def user(make_user, tree):
    return make_user(perms=PERMS, scope=[tree.county_a])


def test_valid_rows_around_bad_ones_in_other_chunks_are_all_written(tree, user, monkeypatch):
    monkeypatch.setattr(bulk, "CHUNK", 4)
    data = rows(tree, 14)
    data[1]["联系电话"] = "12345"  # chunk 1
    data[9]["证件号码"] = data[2]["证件号码"]  # chunk 3 repeats a row written in chunk 1
    job = run(user, data, valid_only=True)
    assert job.status == ImportJob.Status.DONE, job.errors
    assert (job.created_count, job.updated_count, job.skipped_count) == (12, 0, 2)
    assert [(e["row"], e["column"], e["message"]) for e in job.errors] == [
        (3, "联系电话", job.errors[0]["message"]),
        (11, "证件号码", "文件中重复出现"),
    ]
    assert Person.objects.count() == 12
    first = Person.objects.get(id_number_index=blind_index(data[2]["证件号码"]))
    assert first.name == data[2]["姓名"]
    assert ObjectChange.objects.filter(content_type__model="person").count() == 12


def test_an_error_in_the_last_chunk_rolls_back_the_written_chunks(tree, user, monkeypatch):
    monkeypatch.setattr(bulk, "CHUNK", 5)
    changes = ObjectChange.objects.count()
    data = rows(tree, 15)
    data[14]["证件号码"] = number(999)[:-1] + ("0" if number(999)[-1] != "0" else "1")
    job = run(user, data)
    assert job.status == ImportJob.Status.INVALID
    assert job.message == "1 处错误，未写入任何数据"
    assert [(e["row"], e["column"]) for e in job.errors] == [(16, "证件号码")]
    assert job.processed_rows == job.total_rows == 15
    assert (job.created_count, job.updated_count) == (0, 0)
    assert not Person.objects.exists()
    assert ObjectChange.objects.count() == changes


def test_errors_are_all_counted_and_the_first_ones_listed(tree, user, monkeypatch):
    monkeypatch.setattr(importer, "MAX_LISTED_ERRORS", 3)
    data = rows(tree, 8)
    for row in data[2:7]:
        row["联系电话"] = "12345"
    job = run(user, data)
    assert job.status == ImportJob.Status.INVALID
    assert job.message == "5 处错误（列出前 3 处），未写入任何数据"
    assert [e["row"] for e in job.errors] == [4, 5, 6]


def test_a_second_import_finds_the_first_ones_rows_and_updates_them(tree, user, monkeypatch):
    # The keys met are kept in a temporary table of the import's transaction: gone with it.
    monkeypatch.setattr(bulk, "CHUNK", 3)
    assert run(user, rows(tree, 7)).created_count == 7
    job = run(user, rows(tree, 7, name="改名"))
    assert (job.status, job.created_count, job.updated_count) == ("done", 0, 7), job.errors
    assert set(Person.objects.values_list("name", flat=True)) == {f"改名{i}" for i in range(7)}


def _peak_bytes(user, data) -> int:
    """Peak memory of the import alone (the file is on disk before it starts)."""
    job = new_job(user, data)
    tracemalloc.start()
    try:
        importer.run(job, PersonResource())
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        job.refresh_from_db()
        assert job.status == ImportJob.Status.DONE, job.errors
        FloatingDetail.objects.all()._raw_delete(FloatingDetail.objects.db)
        Person.objects.all()._raw_delete(Person.objects.db)


def test_memory_does_not_grow_with_the_file(tree, user, monkeypatch):
    """Ten times the rows, about the same peak: only one chunk is ever held (the old importer
    held every row, parsed and validated, until the end: its peak grew with the file)."""
    monkeypatch.setattr(bulk, "CHUNK", 50)
    monkeypatch.setattr(importer, "COLLECT_EVERY", 2)
    _peak_bytes(user, many_rows(tree, 50))  # warm the per-process caches
    small = _peak_bytes(user, many_rows(tree, 200))
    large = _peak_bytes(user, many_rows(tree, 2000))
    assert large < small * 1.5, (small, large)


def many_rows(tree, n: int) -> list[dict]:
    """`rows` past its 999 ID numbers: later thousands are born in later months."""
    first = rows(tree, min(n, 999))
    more = [
        {**first[i % 999], "证件号码": number(i % 1000, f"1985{i // 1000 + 1:02d}01")}
        for i in range(999, n)
    ]
    return first + more


def test_the_error_file_is_the_upload_with_each_rows_errors(client, tree, user, settings):
    settings.CITYGRID_MAX_IMPORT_ROWS = 2  # people stream: their cap is the bulk one
    data = rows(tree, 4)
    data[2]["联系电话"] = "12345"
    data[3]["证件号码"] = data[0]["证件号码"]
    job = run(user, data)
    client.force_login(user)
    response = client.get(reverse("core:importjob_errors", args=[job.pk]))
    assert response.status_code == 200
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert lines[0][-1] == "错误信息"
    assert [line[-1] for line in lines[1:]] == [
        "",
        "",
        f"【联系电话】{job.errors[0]['message']}",
        "【证件号码】文件中重复出现",
    ]
    assert [line[0] for line in lines[1:]] == [row["证件号码"] for row in data]
