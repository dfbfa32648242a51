"""The bulk import path gives the results of the row path: records, counts, errors, change log.

Person imports (`PersonResource.bulk = True`) are run both ways on the same file and compared.
"""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from citygrid.core import records
from citygrid.core.io import bulk, importer
from citygrid.core.models import ImportJob, ObjectChange
from citygrid.core.testing import csv_bytes
from citygrid.core.validators import id_number_check_char
from citygrid.housing.models import Building, House
from citygrid.people.models import FloatingDetail, Person, Residency
from citygrid.people.resources import PersonResource
from citygrid.regions.models import Region
from citygrid.regions.resources import RegionResource

pytestmark = pytest.mark.django_db

PERMS = [f"people.{a}_person" for a in ("view", "add", "change", "import")]


def number(serial: int, born: str = "19850301") -> str:
    body = f"330101{born}{serial:03d}"
    return body + id_number_check_char(body)


def rows(tree, n: int, name: str = "人员") -> list[dict]:
    out = []
    for i in range(n):
        row = {
            "证件号码": number(i),
            "姓名": f"{name}{i}",
            "联系电话": f"1390000{i:04d}",
            "民族": "汉族",
            "人口类型": "流动人口" if i % 3 == 0 else "户籍人口",
            "所属网格（网格代码）": (tree.grid_a1 if i % 2 else tree.grid_a2).code,
        }
        if i % 3 == 0:
            row["流入原因"] = "务工经商"
            row["登记日期"] = "2025-05-01"
        out.append(row)
    return out


def upload(client, data: list[dict], valid_only: bool = False) -> ImportJob:
    file = SimpleUploadedFile("people.csv", csv_bytes(data), content_type="text/csv")
    form = {"file": file, **({"valid_only": "on"} if valid_only else {})}
    assert client.post(reverse("people:person_import"), form).status_code == 302
    return ImportJob.objects.latest("pk")


@pytest.fixture
def importer_user(client, make_user, tree):
    user = make_user(perms=PERMS, scope=[tree.county_a])
    client.force_login(user)
    return user


def snapshot() -> dict:
    """Persons and their change log, keyed by what does not depend on the path taken."""
    persons = {
        p.id_number: (
            p.name,
            p.phone,
            p.phone_index,
            p.id_number_index,
            p.region_code,
            p.sex,
            p.birth_date,
            p.residence_type,
            p.ethnicity,
        )
        for p in Person.objects.all()
    }
    details = sorted(
        (d.person.id_number, d.reason, d.registered_on)
        for d in FloatingDetail.objects.select_related("person")
    )

    def strip(data):
        if data is None:
            return None
        return {k: v for k, v in data.items() if k not in ("id", "person")}

    changes = sorted(
        (
            c.content_type.model,
            c.action,
            c.user_name,
            c.object_repr,
            c.region_code,
            repr(strip(c.prechange_data)),
            repr(strip(c.postchange_data)),
        )
        for c in ObjectChange.objects.filter(content_type__app_label="people")
    )
    return {"persons": persons, "details": details, "changes": changes}


def reset() -> None:
    Person.objects.all().delete()
    ObjectChange.objects.all().delete()


def both_ways(client, monkeypatch, files: list[list[dict]]) -> tuple[dict, dict, list, list]:
    """Import the files in turn with the row path, then (after a reset) with the bulk path."""
    results = []
    for fast in (False, True):
        reset()
        monkeypatch.setattr(PersonResource, "bulk", fast)
        jobs = [upload(client, data) for data in files]
        results.append(
            (
                snapshot(),
                [(j.status, j.created_count, j.updated_count, j.skipped_count) for j in jobs],
            )
        )
    (slow, slow_jobs), (fast, fast_jobs) = results
    return slow, fast, slow_jobs, fast_jobs


def test_bulk_and_row_paths_give_the_same_records_and_change_log(
    client, tree, importer_user, monkeypatch
):
    first = rows(tree, 30)
    second = [{**r, "姓名": r["姓名"] + "改"} if i % 4 == 0 else r for i, r in enumerate(first)]
    second.append({**rows(tree, 31)[30]})
    slow, fast, slow_jobs, fast_jobs = both_ways(client, monkeypatch, [first, second])
    assert slow_jobs == fast_jobs == [("done", 30, 0, 0), ("done", 1, 30, 0)]
    assert fast == slow
    assert len(fast["persons"]) == 31
    actions = [c[1] for c in fast["changes"]]
    # 31 persons created, 11 floating details created, 8 renamed persons updated; unchanged
    # rows are written but log nothing, like save().
    assert actions.count("create") == 31 + 11
    assert actions.count("update") == 8
    # Sensitive values are masked in the log.
    for change in fast["changes"]:
        assert "13900000" not in change[6]
        assert "330101198503010" not in change[6]


@pytest.mark.parametrize("chunk", [1000, 3])
def test_bulk_path_reports_the_same_errors_and_writes_nothing(
    client, tree, importer_user, monkeypatch, chunk
):
    # With chunks of 3 the duplicate is met a chunk after its first row, which is written by
    # then, and the last error comes after three chunks were written and must be rolled back.
    monkeypatch.setattr(bulk, "CHUNK", chunk)
    data = rows(tree, 12)
    data[4]["证件号码"] = data[4]["证件号码"][:-1] + (
        "0" if data[4]["证件号码"][-1] != "0" else "1"
    )
    data[7]["所属网格（网格代码）"] = tree.grid_b1.code  # outside the user's county
    data[9]["证件号码"] = data[2]["证件号码"]  # twice in the file
    data[10]["联系电话"] = "12345"
    jobs = {}
    for fast in (False, True):
        reset()
        monkeypatch.setattr(PersonResource, "bulk", fast)
        changes = ObjectChange.objects.count()
        jobs[fast] = upload(client, data)
        assert jobs[fast].status == ImportJob.Status.INVALID
        assert not Person.objects.exists()
        assert ObjectChange.objects.count() == changes
    assert jobs[True].errors == jobs[False].errors
    assert [(e["row"], e["column"]) for e in jobs[True].errors] == [
        (6, "证件号码"),
        (9, ""),
        (11, "证件号码"),
        (12, "联系电话"),
    ]
    assert jobs[True].processed_rows == jobs[True].total_rows == 12


def test_valid_rows_only_skips_the_bad_ones(client, tree, importer_user):
    data = rows(tree, 10)
    data[3]["证件号码"] = "12345"
    job = upload(client, data, valid_only=True)
    assert job.status == ImportJob.Status.DONE
    assert (job.created_count, job.updated_count, job.skipped_count) == (9, 0, 1)
    assert Person.objects.count() == 9


def test_upsert_moves_people_to_the_given_house(client, tree, importer_user):
    building = Building.objects.create(region=tree.grid_a1, name="1幢", floors=6)
    first = House.objects.create(building=building, entrance=1, floor=1, number="101")
    second = House.objects.create(building=building, entrance=1, floor=2, number="201")
    data = rows(tree, 4)
    for row in data:
        row["房屋编码"] = first.code
        row["所属网格（网格代码）"] = ""
    job = upload(client, data)
    assert (job.status, job.created_count) == ("done", 4), job.errors
    assert Residency.objects.filter(house=first, ended_on__isnull=True).count() == 4
    assert set(Person.objects.values_list("region_id", flat=True)) == {tree.grid_a1.pk}
    data[0]["房屋编码"] = second.code
    job = upload(client, data)
    assert (job.status, job.created_count, job.updated_count) == ("done", 0, 4), job.errors
    homes = Residency.objects.filter(person__name="人员0").order_by("started_on", "pk")
    assert [(r.house_id, r.ended_on is None) for r in homes] == [
        (first.pk, False),
        (second.pk, True),
    ]
    assert Residency.objects.filter(ended_on__isnull=True).count() == 4
    residency_changes = ObjectChange.objects.filter(content_type__model="residency")
    assert residency_changes.filter(action="create").count() == 5
    ended = residency_changes.get(action="update")
    assert ended.prechange_data["ended_on"] is None
    assert ended.postchange_data["ended_on"] == date.today().isoformat()


def test_queries_do_not_grow_with_the_rows(tree, make_user):
    user = make_user(perms=PERMS, scope=[tree.county_a])

    def run(n: int) -> int:
        reset()
        job = ImportJob.objects.create(
            user=user,
            resource=PersonResource.key(),
            file=SimpleUploadedFile("p.csv", csv_bytes(rows(tree, n))),
            file_name="p.csv",
        )
        with CaptureQueriesContext(connection) as queries:
            importer.run(job, PersonResource())
        job.refresh_from_db()
        assert (job.status, job.created_count) == ("done", n), job.errors
        return len(queries)

    run(5)  # warm the per-process caches (code tables, content types)
    assert run(200) == run(20)


def test_progress_moves_chunk_by_chunk_to_the_total(tree, make_user, monkeypatch):
    user = make_user(perms=PERMS, scope=[tree.county_a])
    seen = []
    monkeypatch.setattr(importer, "_progress_outside", lambda job: seen.append)
    monkeypatch.setattr(bulk, "CHUNK", 10)
    job = ImportJob.objects.create(
        user=user,
        resource=PersonResource.key(),
        file=SimpleUploadedFile("p.csv", csv_bytes(rows(tree, 40))),
        file_name="p.csv",
    )
    importer.run(job, PersonResource())
    job.refresh_from_db()
    assert job.status == "done"
    assert seen == [10, 20, 30, 40]  # each chunk validated and written
    assert job.processed_rows == job.total_rows == 40


def test_a_resource_without_bulk_keeps_the_row_path(client, tree, make_user, monkeypatch):
    assert RegionResource.bulk is False
    called = []
    monkeypatch.setattr(bulk, "check_chunk", lambda *a: called.append(a))
    perms = [f"regions.{a}_region" for a in ("view", "add", "change", "import")]
    client.force_login(make_user(perms=perms, scope=[tree.city]))
    data = [{"区划代码": "330101001001009", "名称": "新网格", "层级": "网格"}]
    file = SimpleUploadedFile("r.csv", csv_bytes(data), content_type="text/csv")
    client.post("/territory/regions/import/", {"file": file})
    job = ImportJob.objects.latest("pk")
    assert (job.status, job.created_count) == ("done", 1), job.errors
    assert Region.objects.get(code="330101001001009").parent == tree.community_a
    assert called == []


def test_unique_check_per_chunk_gives_djangos_messages(tree):
    taken = Region(parent=tree.community_a, level="grid", code=tree.grid_a1.code, name="重复")
    fresh = Region(parent=tree.community_a, level="grid", code="330101001001077", name="新")
    errors = bulk.check_unique(Region, [fresh, taken])
    assert list(errors) == [1]
    with pytest.raises(ValidationError) as expected:
        taken.validate_unique()
    assert errors[1].message_dict["code"] == expected.value.message_dict["code"]


def test_insert_assigns_ids_above_existing_rows(tree):
    regions = [
        Region(parent=tree.community_b, level="grid", code=f"33010200100100{i}", name=f"g{i}")
        for i in (5, 6)
    ]
    records.insert(Region, regions)
    top = Region.objects.exclude(pk__in=[r.pk for r in regions]).order_by("-pk").first().pk
    assert [r.pk for r in regions] == [top + 1, top + 2]
    assert Region.objects.get(pk=regions[1].pk).code == "330102001001006"
    assert (
        Region.objects.create(
            parent=tree.community_b, level="grid", code="330102001001007", name="g7"
        ).pk
        == top + 3
    )


def test_copy_and_executemany_give_the_same_records_and_change_log(
    client, tree, importer_user, monkeypatch
):
    """On PostgreSQL the bulk path writes persons and change-log rows with COPY; without
    `copy` the same rows go through executemany (SQLite always does: both runs compare it)."""
    results = []
    for copy in (False, True):
        reset()
        monkeypatch.setattr(PersonResource, "copy", copy)
        job = upload(client, rows(tree, 12))
        results.append((snapshot(), (job.status, job.created_count)))
    assert results[0] == results[1]
    assert results[1][1] == ("done", 12)


def test_batch_and_chunk_boundaries_inside_a_file_change_nothing(
    client, tree, importer_user, monkeypatch
):
    """Chunks of 4 rows validated, batches of 5 written: the records and the change log are
    those of the row path, and a re-import updates across the same boundaries."""
    monkeypatch.setattr(bulk, "CHUNK", 4)
    monkeypatch.setattr(bulk, "BATCH", 5)
    monkeypatch.setattr(records, "BATCH", 5)
    first = rows(tree, 23)
    second = [{**r, "姓名": r["姓名"] + "改"} if i % 3 == 0 else r for i, r in enumerate(first)]
    slow, fast, slow_jobs, fast_jobs = both_ways(client, monkeypatch, [first, second])
    assert slow_jobs == fast_jobs == [("done", 23, 0, 0), ("done", 0, 23, 0)]
    assert fast == slow
    assert [c[1] for c in fast["changes"]].count("update") == 8


def test_errors_in_different_chunks_are_reported_by_their_row(
    client, tree, importer_user, monkeypatch
):
    """Rows 2 and 13 of the data share a number across a chunk boundary; bad cells in three
    chunks: each error keeps its own row number, exactly as on the row path."""
    monkeypatch.setattr(bulk, "CHUNK", 5)
    data = rows(tree, 16)
    data[13]["证件号码"] = data[2]["证件号码"]
    data[6]["联系电话"] = "12345"
    data[11]["所属网格（网格代码）"] = tree.grid_b1.code
    jobs = {}
    for fast in (False, True):
        reset()
        monkeypatch.setattr(PersonResource, "bulk", fast)
        jobs[fast] = upload(client, data)
        assert not Person.objects.exists()
    assert jobs[True].errors == jobs[False].errors
    assert [(e["row"], e["column"]) for e in jobs[True].errors] == [
        (8, "联系电话"),
        (13, ""),
        (15, "证件号码"),
    ]


def test_insert_stores_what_get_db_prep_save_gives(tree):
    """`records.insert` works a column at a time; its values are those of the fields' own
    `pre_save` + `get_db_prep_save`, except one timestamp per batch and fresh ciphertexts."""
    from citygrid.core import crypto

    person = Person(
        region=tree.grid_a1,
        id_number=number(1),
        name="张三",
        phone="13900000001",
        birth_date=date(1985, 3, 1),
        sex="1",
    )
    person.derive()
    person.pk = 10**9
    change = ObjectChange(
        user_id=None,
        user_name="system",
        request_id="6f1c0b4e-0000-4000-8000-000000000001",
        action="create",
        content_type_id=1,
        object_id=1,
        object_repr="张三",
        prechange_data=None,
        postchange_data={"name": "张三", "n": 1},
    )
    change.pk = 10**9
    for obj in (person, change):
        model = type(obj)
        for copy in (False, True):
            for field in model._meta.concrete_fields:
                [value] = records._column(field, [obj], connection, timezone.now(), copy)
                expected = field.get_db_prep_save(field.pre_save(obj, True), connection)
                if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                    assert type(value) is type(expected), field.name
                elif field.name in ("id_number", "phone"):
                    assert crypto.decrypt(value) == crypto.decrypt(expected) != ""
                    assert value != expected  # a fresh nonce per value
                elif field.name in ("prechange_data", "postchange_data"):
                    assert str(value) == str(expected), field.name
                else:
                    assert value == expected, field.name
