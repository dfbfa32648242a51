"""State that several server processes share, and the client address they count it by.

`make run` starts two gunicorn workers and a task worker: a rate limit kept in one process's
memory lets a client through once per process. And a client address taken from a header anyone
can send lets a client count as whoever it likes.
"""

import os
import subprocess
import sys
import uuid
from ipaddress import ip_network
from pathlib import Path

import pytest
from django.test import RequestFactory

from citygrid.core.middleware import client_ip
from citygrid.housing.public import DECLARE_LIMIT

ROOT = Path(__file__).resolve().parents[3]


def request(remote: str, **headers):
    return RequestFactory().get("/", REMOTE_ADDR=remote, **headers)


def test_forwarded_headers_from_a_client_are_ignored(settings):
    settings.TRUSTED_PROXIES = []
    spoofed = request("203.0.113.7", HTTP_X_REAL_IP="10.9.9.9", HTTP_X_FORWARDED_FOR="10.9.9.9")
    assert client_ip(spoofed) == "203.0.113.7"


def test_a_trusted_proxy_names_the_client(settings):
    settings.TRUSTED_PROXIES = [ip_network("127.0.0.1/32"), ip_network("10.0.0.0/8")]
    assert client_ip(request("127.0.0.1", HTTP_X_REAL_IP="203.0.113.7")) == "203.0.113.7"
    # nginx appends the address it saw; what the client wrote before it is not believed.
    chain = "10.9.9.9, 203.0.113.7, 10.0.0.5"
    assert client_ip(request("127.0.0.1", HTTP_X_FORWARDED_FOR=chain)) == "203.0.113.7"
    assert client_ip(request("127.0.0.1", HTTP_X_FORWARDED_FOR="garbage")) == "127.0.0.1"
    assert client_ip(request("127.0.0.1")) == "127.0.0.1"


@pytest.mark.django_db
def test_spoofed_addresses_do_not_escape_the_rate_limit(client, settings):
    """The public declaration form counts per client address: a new X-Real-IP per request
    must not reset the count."""
    settings.TRUSTED_PROXIES = []
    url, form = "/housing/declare/", {"house_code": "bad"}
    statuses = [
        client.post(url, form, REMOTE_ADDR="203.0.113.7", HTTP_X_REAL_IP=f"10.0.0.{i}").status_code
        for i in range(DECLARE_LIMIT + 1)
    ]
    assert statuses == [200] * DECLARE_LIMIT + [429]


def _clean_env() -> dict:
    return {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}


def settings_value(expression: str, **env) -> str:
    environment = {**_clean_env(), **env, "DJANGO_SETTINGS_MODULE": "citygrid.settings"}
    code = f"import django; django.setup(); from django.conf import settings; print({expression})"
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout.strip()


def test_the_cache_is_shared_by_every_process():
    backend = "settings.CACHES['default']['BACKEND']"
    assert settings_value(backend) == "django.core.cache.backends.db.DatabaseCache"
    redis = settings_value(backend, REDIS_URL="redis://127.0.0.1:6379/0")
    assert redis == "django_redis.cache.RedisCache"


def test_a_malformed_proxy_list_refuses_to_start():
    with pytest.raises(subprocess.CalledProcessError) as failed:
        settings_value("settings.TRUSTED_PROXIES", CITYGRID_TRUSTED_PROXIES="10.0.0.0/8,nginx")
    assert "CITYGRID_TRUSTED_PROXIES 格式错误" in failed.value.stderr


def hit_twice_in_two_processes(**env) -> list[int]:
    scope = f"test-{uuid.uuid4().hex}"
    count = f"__import__('citygrid.core.ratelimit').core.ratelimit.hit('{scope}', 'x', 60)"
    return [int(settings_value(count, **env)) for _ in range(2)]


def test_rate_limits_count_across_processes_in_the_database_cache(tmp_path):
    database = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    subprocess.run(
        [sys.executable, "manage.py", "createcachetable"],
        cwd=ROOT,
        env={**_clean_env(), "DATABASE_URL": database},
        check=True,
        timeout=60,
    )
    assert hit_twice_in_two_processes(DATABASE_URL=database) == [1, 2]


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL 未设置（CI 会设置）")
def test_rate_limits_count_across_processes_in_redis(tmp_path):
    database = f"sqlite:///{tmp_path / 'unused.sqlite3'}"
    counts = hit_twice_in_two_processes(DATABASE_URL=database, REDIS_URL=os.environ["REDIS_URL"])
    assert counts == [1, 2]
