"""Settings that grow a deployment past one machine (docs/deployment.md), and the replica router.

Each switch is read from the environment once, at start-up: the settings are evaluated in a
fresh process per environment, as a node would start.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage
from django.db import connections

from citygrid.core import files, routers
from citygrid.core.routers import REPLICA, ReplicaRouter, on_replica, replica_reads
from citygrid.people.models import Person

ROOT = Path(__file__).resolve().parents[3]
REDIS = "redis://10.0.0.5:6379/1"
S3 = {
    "CITYGRID_MEDIA_STORAGE": "s3",
    "AWS_STORAGE_BUCKET_NAME": "citygrid-files",
    "AWS_S3_ENDPOINT_URL": "http://minio:9000",
    "AWS_ACCESS_KEY_ID": "citygrid",
    "AWS_SECRET_ACCESS_KEY": "not-a-real-secret",
}


def started(code: str, **env) -> subprocess.CompletedProcess:
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_"))},
        **env,
        "DJANGO_SETTINGS_MODULE": "citygrid.settings",
    }
    program = f"import django, json; django.setup(); from django.conf import settings; {code}"
    return subprocess.run(
        [sys.executable, "-c", program],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def read(expression: str, **env):
    done = started(f"print(json.dumps({expression}))", **env)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def refused(**env) -> str:
    done = started("pass", **env)
    assert done.returncode != 0
    return done.stderr


NODE = (
    "{'tasks': settings.TASKS['default']['BACKEND'], 'session': settings.SESSION_ENGINE,"
    " 'rq': getattr(settings, 'RQ_QUEUES', None), 'job': getattr(settings, 'RQ', {}),"
    " 'apps': [a for a in settings.INSTALLED_APPS if 'rq' in a],"
    " 'databases': sorted(settings.DATABASES), 'routers': settings.DATABASE_ROUTERS}"
)


def test_one_machine_keeps_the_embedded_defaults():
    assert read(NODE) == {
        "tasks": "django_tasks_db.DatabaseBackend",
        "session": "django.contrib.sessions.backends.db",
        "rq": None,
        "job": {},
        "apps": [],
        "databases": ["default"],
        "routers": [],
    }


def test_redis_holds_sessions_and_rq_runs_tasks():
    node = read(NODE, REDIS_URL=REDIS, CITYGRID_TASK_BACKEND="rq")
    assert node["tasks"] == "django_tasks_rq.RQBackend"
    # Read from Redis, written through to the database: a Redis restart logs nobody out.
    assert node["session"] == "django.contrib.sessions.backends.cached_db"
    assert node["rq"] == {"default": {"URL": REDIS, "DEFAULT_TIMEOUT": 3600}}
    assert node["job"] == {"JOB_CLASS": "django_tasks_rq.Job"}
    assert node["apps"] == ["django_rq", "django_tasks_rq"]
    # The dotted path names the same backend.
    dotted = read(NODE, REDIS_URL=REDIS, CITYGRID_TASK_BACKEND="django_tasks_rq.RQBackend")
    assert dotted == node


def test_rq_without_redis_refuses_to_start():
    assert "CITYGRID_TASK_BACKEND=rq 需要设置 REDIS_URL" in refused(CITYGRID_TASK_BACKEND="rq")


def test_a_replica_is_an_alias_with_the_router():
    replica = "postgres://reader@10.0.0.6:5432/citygrid"
    node = read(
        NODE[:-1] + ", 'replica': settings.DATABASES['replica']}",
        DATABASE_URL="postgres://writer@10.0.0.5:5432/citygrid",
        DATABASE_REPLICA_URL=replica,
    )
    assert node["databases"] == ["default", "replica"]
    assert node["routers"] == ["citygrid.core.routers.ReplicaRouter"]
    assert node["replica"]["HOST"] == "10.0.0.6"
    assert node["replica"]["USER"] == "reader"
    # The same connection options as the primary (pool, jit off); tests read the primary.
    assert node["replica"]["OPTIONS"]["options"] == "-c jit=off"
    assert node["replica"]["OPTIONS"]["pool"]["max_size"] == 8
    assert node["replica"]["TEST"]["MIRROR"] == "default"


STORAGE = (
    "(lambda s: {'class': type(s).__name__, 'bucket': s.bucket_name, 'location': s.location,"
    " 'acl': s.default_acl, 'endpoint': s.endpoint_url, 'custom_domain': s.custom_domain,"
    " 'url': s.url('exports/2026/03/a.xlsx'), 'path': s.deconstruct()[0],"
    " 'default': settings.STORAGES['default']})"
    "(__import__('citygrid.core.models', fromlist=['x']).ExportJob._meta.get_field('file').storage)"
)


def test_uploads_in_a_bucket_stay_private():
    pytest.importorskip("storages", reason="requirements-s3.txt 未安装")
    assert read(STORAGE, **S3) == {
        "class": "PrivateS3Storage",
        "bucket": "citygrid-files",
        "location": "private",
        "acl": "private",
        "endpoint": "http://minio:9000",
        "custom_domain": None,
        # The protected view, never a bucket URL: the download passes the scope check.
        "url": "/files/exports/exports/2026/03/a.xlsx",
        # The same field definition as on disk: switching storage needs no migration.
        "path": "citygrid.core.files.PrivateStorage",
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {"location": "media"}},
    }


def test_uploads_on_disk_by_default():
    storage = files.PrivateStorage("imports", private=True)
    assert isinstance(storage, FileSystemStorage)
    assert storage.deconstruct()[0] == "citygrid.core.files.PrivateStorage"


def test_a_bucket_needs_its_name_and_cannot_use_sendfile():
    without_bucket = {**S3, "AWS_STORAGE_BUCKET_NAME": ""}
    assert "需要设置 AWS_STORAGE_BUCKET_NAME" in refused(**without_bucket)
    assert "不能设置 CITYGRID_SENDFILE" in refused(**S3, CITYGRID_SENDFILE="nginx")
    assert "只能为 local 或 s3" in refused(CITYGRID_MEDIA_STORAGE="ftp")


class _Bucket(Storage):
    """A storage without local paths, as a bucket: objects in a dict."""

    def __init__(self, location=None):
        self.objects = {}

    def _save(self, name, content):
        self.objects[name] = content.read()
        return name

    def _open(self, name, mode="rb"):
        return ContentFile(self.objects[name], name=name)

    def exists(self, name):
        return name in self.objects


@pytest.mark.parametrize("storage_class", [FileSystemStorage, _Bucket])
def test_a_file_written_by_path_lands_in_the_storage(tmp_path, storage_class):
    storage = storage_class(location=tmp_path / "store")
    with files.local_file(storage, "exports/2026/03/a.xlsx") as path:
        Path(path).write_bytes(b"rows")
    assert storage.open("exports/2026/03/a.xlsx").read() == b"rows"
    with pytest.raises(ValueError), files.local_file(storage, "exports/2026/03/b.xlsx") as path:
        Path(path).write_bytes(b"half")
        raise ValueError
    assert not storage.exists("exports/2026/03/b.xlsx")


# --- the router: no database needed, it only decides


@pytest.fixture
def replica(monkeypatch):
    monkeypatch.setitem(settings.DATABASES, REPLICA, {**settings.DATABASES["default"]})
    routers._request_finished()  # outside any request, whatever a test before left


def test_no_replica_configured_reads_the_primary():
    with replica_reads():
        assert ReplicaRouter().db_for_read(Person) is None
    assert on_replica(Person.objects.all()).db == "default"


def test_only_marked_reads_go_to_the_replica(replica):
    router = ReplicaRouter()
    assert router.db_for_read(Person) is None
    with replica_reads():
        assert router.db_for_read(Person) == REPLICA
        assert router.db_for_write(Person) is None
    assert router.db_for_read(Person) is None
    assert on_replica(Person.objects.all()).db == REPLICA
    assert Person.objects.all().db == "default"


def test_a_read_after_a_write_in_the_same_request_stays_on_the_primary(replica):
    # What request_started / request_finished call (their other receivers use the database).
    router = ReplicaRouter()
    routers._request_started()
    try:
        with replica_reads():
            assert router.db_for_read(Person) == REPLICA
            router.db_for_write(Person)
            assert router.db_for_read(Person) is None
        assert on_replica(Person.objects.all()).db == "default"
    finally:
        routers._request_finished()
    # The next request has written nothing yet.
    routers._request_started()
    try:
        with replica_reads():
            assert router.db_for_read(Person) == REPLICA
    finally:
        routers._request_finished()
    # Outside a request (a task) writes do not pin reads to the primary.
    router.db_for_write(Person)
    with replica_reads():
        assert router.db_for_read(Person) == REPLICA


def test_a_read_inside_a_transaction_stays_on_the_primary(replica, monkeypatch):
    monkeypatch.setattr(connections["default"], "in_atomic_block", True)
    with replica_reads():
        assert ReplicaRouter().db_for_read(Person) is None


def test_the_replica_is_never_migrated():
    router = ReplicaRouter()
    assert router.allow_migrate(REPLICA, "people") is False
    assert router.allow_migrate("default", "people") is None
