"""`manage.py backup` and `restore`: a round trip into a fresh database gives back every row, the
decrypted personal data and the uploaded files; a restore that would leave data unreadable or
overwrite a database unasked is refused before it changes anything."""

import copy
import io
import json
import uuid
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.db.utils import load_backend
from PIL import Image

from citygrid.cases.intake import Report, report_case
from citygrid.cases.models import CaseAttachment
from citygrid.cases.testing import street_order_class
from citygrid.core import backup, crypto, writeguard
from citygrid.core.files import PrivateStorage
from citygrid.core.models import Dictionary, DictItem
from citygrid.core.seeds import seed_dictionaries
from citygrid.housing.models import House
from citygrid.housing.tests.factories import building, house, id_number
from citygrid.people.models import Person

# pg_dump and the online backup see committed data only.
committed = pytest.mark.django_db(transaction=True)

KEY_A = "00112233445566778899aabbccddeeff"
KEY_B = "ffeeddccbbaa99887766554433221100"
INDEX_KEY = "0123456789abcdef0123456789abcdef"
RESTORED = "restored"
IMPORT_FILE = "imports/2026/03/0123456789abcdef0123456789abcdef.csv"


@pytest.fixture
def keys(settings):
    settings.FIELD_ENCRYPTION_KEYS = (("1", KEY_A),)
    settings.BLIND_INDEX_KEY = INDEX_KEY
    return settings


@pytest.fixture
def world(tree, keys):
    """Three persons, a house with its owner, a case with a photo, an import file."""
    # An earlier transactional test flushed what the migrations seeded.
    with writeguard.unlogged():
        seed_dictionaries(Dictionary, DictItem)
    for serial, (name, phone) in enumerate(
        [("张三", "13800000001"), ("李四", "13800000002"), ("王五", "")], start=1
    ):
        person = Person(region=tree.grid_a1, name=name, id_number=id_number(serial), phone=phone)
        person.full_clean()
        person.save()
    house(
        building(tree.grid_a1),
        owner_name="赵房主",
        owner_id_number=id_number(9),
        owner_phone="13900000009",
    )
    report_case(
        Report(
            category=street_order_class("0508", "占道施工"),
            description="人行道上堆放建材",
            lng=120.005,
            lat=30.005,
            photos=[_jpeg()],
        )
    )
    PrivateStorage("imports", private=True).save(IMPORT_FILE, ContentFile("证件号码\n".encode()))


def _jpeg() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "blue").save(out, format="JPEG")
    return SimpleUploadedFile("现场.jpg", out.getvalue(), content_type="image/jpeg")


def _backup(tmp_path) -> Path:
    call_command("backup", output=tmp_path / "backups", stdout=io.StringIO())
    (path,) = (tmp_path / "backups").iterdir()
    return path


def _counts(alias: str) -> dict[str, int]:
    conn = connections[alias]
    with conn.cursor() as cursor:
        tables = conn.introspection.table_names(cursor, include_views=False)
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {conn.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def _personal(alias: str) -> list:
    persons = Person.objects.using(alias).order_by("pk")
    houses = House.objects.using(alias).order_by("pk")
    return [
        *persons.values_list("name", "id_number", "phone", "id_number_index"),
        *houses.values_list("owner_name", "owner_id_number", "owner_phone"),
    ]


def _round_trip(tmp_path, settings) -> None:
    photo = CaseAttachment.objects.get()
    photo_bytes = Path(photo.image.path).read_bytes()
    counts, personal = _counts("default"), _personal("default")
    path = _backup(tmp_path)

    manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["tables"] == counts
    assert manifest["files"]["count"] == {"media": 2, "private": 1}  # photo, thumbnail; import
    assert manifest["keys"]["current"] == "1"
    assert KEY_A not in (path / "manifest.json").read_text(encoding="utf-8")

    settings.MEDIA_ROOT = tmp_path / "new-media"
    settings.CITYGRID_PRIVATE_ROOT = tmp_path / "new-private"
    call_command("restore", path, database=RESTORED, stdout=io.StringIO())

    assert _counts(RESTORED) == counts
    assert _personal(RESTORED) == personal
    assert personal[0][:3] == ("张三", id_number(1), "13800000001")
    assert personal[3][:3] == ("赵房主", id_number(9), "13900000009")
    restored = CaseAttachment.objects.using(RESTORED).get()
    assert (settings.MEDIA_ROOT / restored.image.name).read_bytes() == photo_bytes
    assert (settings.CITYGRID_PRIVATE_ROOT / IMPORT_FILE).read_bytes() == "证件号码\n".encode()


def _attach(name: str):
    """A connection to another database, made outside the settings: pytest-django allows those
    without creating a test database for them."""
    settings_dict = {**copy.deepcopy(connection.settings_dict), "NAME": name}
    connections[RESTORED] = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(
        settings_dict, RESTORED
    )


def _detach():
    connections[RESTORED].close()
    del connections[RESTORED]


@pytest.fixture
def fresh_postgresql():
    name = f"citygrid_restore_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    _attach(name)
    yield
    _detach()
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def fresh_sqlite(tmp_path):
    _attach(str(tmp_path / "restored.sqlite3"))
    yield
    _detach()


@pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="pg_dump/pg_restore round trip (CI runs it)"
)
@committed
def test_postgresql_round_trip_into_a_fresh_database(world, fresh_postgresql, tmp_path, settings):
    _round_trip(tmp_path, settings)


@pytest.mark.skipif("connection.vendor != 'sqlite'", reason="SQLite online-backup round trip")
@committed
def test_sqlite_round_trip_into_a_fresh_file(world, fresh_sqlite, tmp_path, settings):
    _round_trip(tmp_path, settings)


def _unchanged(expected: list, tmp_path) -> None:
    assert _personal("default") == expected
    assert not (tmp_path / "new-media").exists()


@pytest.mark.parametrize(
    "ring", [(("2", KEY_B),), (("1", KEY_B),)], ids=["other key id", "same id, other key"]
)
@committed
def test_a_ring_without_the_backups_key_is_refused(world, tmp_path, settings, ring):
    path = _backup(tmp_path)
    before = _personal("default")
    settings.MEDIA_ROOT = tmp_path / "new-media"
    settings.FIELD_ENCRYPTION_KEYS = ring

    with pytest.raises(CommandError, match="没有写入该备份的加密密钥（编号 1"):
        call_command("restore", path, yes=True)

    settings.FIELD_ENCRYPTION_KEYS = (("1", KEY_A),)
    _unchanged(before, tmp_path)


@committed
def test_another_index_key_is_refused(world, tmp_path, settings):
    path = _backup(tmp_path)
    before = _personal("default")
    settings.MEDIA_ROOT = tmp_path / "new-media"
    settings.BLIND_INDEX_KEY = KEY_B

    with pytest.raises(CommandError, match="检索密钥 CITYGRID_INDEX_KEY 与备份时不同"):
        call_command("restore", path, yes=True)

    settings.BLIND_INDEX_KEY = INDEX_KEY
    _unchanged(before, tmp_path)


@pytest.mark.parametrize(
    "ring", [(("1", KEY_A),), (("2", KEY_B), ("1", KEY_A))], ids=["same ring", "rotated since"]
)
@committed
def test_a_database_with_data_is_refused_without_yes(world, tmp_path, settings, ring):
    """A ring still holding the backup's key passes the key check and reaches this one."""
    path = _backup(tmp_path)
    before = _personal("default")
    settings.MEDIA_ROOT = tmp_path / "new-media"
    settings.FIELD_ENCRYPTION_KEYS = ring

    with pytest.raises(CommandError, match="不是空库.*加 --yes 重新运行"):
        call_command("restore", path)

    _unchanged(before, tmp_path)


@committed
def test_a_damaged_backup_is_refused(world, tmp_path, settings):
    path = _backup(tmp_path)
    with (path / "files.tar").open("ab") as archive:
        archive.write(b"\0")
    settings.MEDIA_ROOT = tmp_path / "new-media"

    with pytest.raises(CommandError, match="files.tar 校验和不符"):
        call_command("restore", path, yes=True)

    assert not (tmp_path / "new-media").exists()


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="pg_dump is PostgreSQL's")
@committed
def test_missing_or_too_old_pg_dump_is_reported(keys, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(CommandError, match="未找到 pg_dump"):
        _backup(tmp_path)

    fake = tmp_path / "pg_dump"
    fake.write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 9.6.24'\n")
    fake.chmod(0o755)
    with pytest.raises(CommandError, match="pg_dump 版本 9 低于数据库服务器版本"):
        _backup(tmp_path)
    assert not any((tmp_path / "backups").iterdir())  # no partial backup left behind


def test_an_older_key_dropped_since_is_a_warning_not_a_refusal(settings):
    settings.BLIND_INDEX_KEY = INDEX_KEY
    settings.FIELD_ENCRYPTION_KEYS = (("2", KEY_B), ("1", KEY_A))
    made = crypto.key_fingerprints()
    settings.FIELD_ENCRYPTION_KEYS = (("2", KEY_B),)

    assert backup.check_keys(made) == [
        "备份时的旧密钥（编号 1）不在当前密钥配置中："
        "备份前未用 rotate_keys 轮换到新密钥的值将无法解密"
    ]
    assert KEY_A not in json.dumps(made) and KEY_B not in json.dumps(made)
