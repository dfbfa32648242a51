"""Past one machine (docs/deployment.md): two web nodes share what a client does on either —
a rate limit counted on one refuses the client on the other, a session opened on one is valid on
the other — and an import queued on one node is run by the RQ worker and shown done by the
other. A count, a session or a queue kept in one process would fail each of these.

The deployment runs on this machine: one database, Redis, two gunicorn nodes and an RQ worker,
each a process of its own started as deploy/ starts it. What nodes must share is given to each
process alike — SECRET_KEY, the database, Redis, the upload folders — and nothing else.
"""

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
# A Redis database of its own, flushed at start: the suite's other users keep theirs.
REDIS_DB = 7
ADMIN, PASSWORD = "node-admin", "Multi@2026node"
START_TIMEOUT = 30
JOB_TIMEOUT = 30
THROTTLED = "登录失败次数过多"
# One process migrates and adds the administrator: each Django start costs seconds of CPU.
# Users are change-logged: created through the write path (createsuperuser would bypass it).
SET_UP = f"""
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
from citygrid.accounts.models import User
from citygrid.core.records import save_record
admin = User(username="{ADMIN}", is_superuser=True, is_staff=True)
admin.set_password("{PASSWORD}")
save_record(admin, actor=None)
"""
WRONG = "用户名或密码错误"


def redis_url() -> str | None:
    """REDIS_URL (or the local default) moved to REDIS_DB, when that Redis answers."""
    import redis

    parts = urlsplit(os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0")
    url = urlunsplit(parts._replace(path=f"/{REDIS_DB}"))
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return None
    return url


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def database(tmp_path: Path) -> Iterator[str]:
    """A database of its own: a new PostgreSQL database on DATABASE_URL's server, dropped
    afterwards, or else an SQLite file (WAL, see settings) that the processes share."""
    configured = os.environ.get("DATABASE_URL", "")
    if not configured.startswith(("postgres://", "postgresql://")):
        yield f"sqlite:///{tmp_path / 'multinode.sqlite3'}"
        return
    import psycopg

    parts = urlsplit(configured)
    name = f"{parts.path.lstrip('/') or 'citygrid'}_multinode_{uuid.uuid4().hex[:8]}"
    server = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class Cluster:
    env: dict[str, str]
    logs: Path
    nodes: list[str] = field(default_factory=list)
    processes: list[subprocess.Popen] = field(default_factory=list)

    def manage(self, *args: str) -> None:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            # Migrating a fresh database takes seconds alone and minutes on a loaded machine.
            timeout=600,
        )
        assert done.returncode == 0, f"manage.py {' '.join(args)}:\n{done.stderr[-3000:]}"

    def start(self, name: str, *command: str) -> None:
        with open(self.logs / f"{name}.log", "wb") as log:
            process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log, stderr=log)
        self.processes.append(process)

    def start_web(self) -> None:
        bind = f"127.0.0.1:{free_port()}"
        # Each node its own control socket (the default path is one per user).
        control = str(self.logs / f"web-{len(self.nodes)}.ctl")
        command = ["citygrid.wsgi", "--bind", bind, "--threads", "4", "--control-socket", control]
        self.start(f"web-{len(self.nodes)}", str(BIN / "gunicorn"), *command)
        self.nodes.append(f"http://{bind}")

    def wait_until_up(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        for node in self.nodes:
            while True:
                with contextlib.suppress(requests.ConnectionError, requests.Timeout):
                    if requests.get(f"{node}/accounts/login/", timeout=20).status_code == 200:
                        break
                if time.monotonic() > deadline or any(p.poll() is not None for p in self.processes):
                    raise AssertionError(f"{node} did not start:\n{self.log_tails()}")
                time.sleep(0.2)

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")

    def log_tails(self) -> str:
        return "\n".join(
            f"--- {path.name}\n{path.read_text(errors='replace')[-3000:]}"
            for path in sorted(self.logs.glob("*.log"))
        )

    def stop(self) -> None:
        # gunicorn: SIGQUIT stops at once (SIGTERM waits for kept-alive connections); rq: SIGTERM.
        for process in self.processes:
            process.send_signal(signal.SIGQUIT if "gunicorn" in process.args[0] else signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> Iterator[Cluster]:
    url = redis_url()
    if url is None:
        pytest.skip("Redis 未响应（REDIS_URL 或 127.0.0.1:6379）：跳过多节点测试")
    import redis

    redis.Redis.from_url(url).flushdb()
    tmp = tmp_path_factory.mktemp("multinode")
    logs = tmp / "logs"
    logs.mkdir()
    with database(tmp) as db_url:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_"))},
            "DJANGO_SETTINGS_MODULE": "citygrid.settings",
            "SECRET_KEY": "multinode-" + uuid.uuid4().hex * 2,
            "DATABASE_URL": db_url,
            "REDIS_URL": url,
            "CITYGRID_TASK_BACKEND": "rq",
            "MEDIA_ROOT": str(tmp / "shared" / "media"),
            "CITYGRID_PRIVATE_ROOT": str(tmp / "shared" / "private"),
            # nginx names the client in X-Real-IP (deploy/nginx); here the test plays nginx.
            "CITYGRID_TRUSTED_PROXIES": "127.0.0.1",
            "CITYGRID_LOGIN_IP_MAX_FAILURES": "3",
            "CITYGRID_DB_POOL_MAX": "4",
        }
        node = Cluster(env, logs)
        try:
            # The processes boot while the database is migrated: none reads it before a request.
            node.start_web()
            node.start_web()
            node.start("worker", sys.executable, "manage.py", "rqworker", "default")
            node.manage("shell", "-c", SET_UP)
            node.wait_until_up()
            yield node
        finally:
            node.stop()


def client(ip: str) -> requests.Session:
    """A browser at `ip`, as nginx names it. Cookies are per host, not per port: the session
    cookie one node sets is sent to the other, as behind one nginx."""
    session = requests.Session()
    session.headers["X-Real-IP"] = ip
    return session


def csrf_token(session: requests.Session, url: str) -> str:
    page = session.get(url, timeout=10)
    assert page.status_code == 200, page.text[:500]
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)


def login(session: requests.Session, node: str, username: str, password: str):
    url = f"{node}/accounts/login/"
    form = {
        "csrfmiddlewaretoken": csrf_token(session, url),
        "username": username,
        "password": password,
    }
    return session.post(url, data=form, headers={"Referer": url}, timeout=10)


def test_a_rate_limit_counted_on_one_node_holds_on_the_other(cluster: Cluster):
    node_a, node_b = cluster.nodes
    attacker = client("203.0.113.9")
    for attempt in range(3):
        assert WRONG in login(attacker, node_a, f"guess{attempt}", "wrong-password").text
    assert THROTTLED in login(attacker, node_a, "guess3", "wrong-password").text
    # The other node refuses the same address, even with the right password ...
    refused = client("203.0.113.9")
    assert THROTTLED in login(refused, node_b, ADMIN, PASSWORD).text
    assert "sessionid" not in refused.cookies
    # ... and only that address.
    assert WRONG in login(client("203.0.113.10"), node_b, "guess", "wrong-password").text


def test_an_import_queued_on_one_node_is_run_by_the_worker_and_seen_on_the_other(cluster):
    node_a, node_b = cluster.nodes
    browser = client("198.51.100.7")
    assert login(browser, node_a, ADMIN, PASSWORD).url == f"{node_a}/"
    # The session opened on node A is valid on node B: B's form posted to A.
    form = f"{node_b}/territory/regions/import/"
    upload = "区划代码,名称,层级\n3399,多节点市,市\n339901,一区,区县\n".encode()
    queued = browser.post(
        f"{node_a}/territory/regions/import/",
        data={"csrfmiddlewaretoken": csrf_token(browser, form)},
        files={"file": ("regions.csv", upload, "text/csv")},
        headers={"Referer": form},
        timeout=10,
    )
    job = re.search(r"/core/imports/(\d+)/$", queued.url)
    assert job, queued.text[:1000]
    status, deadline = "pending", time.monotonic() + JOB_TIMEOUT
    while status in ("pending", "running") and time.monotonic() < deadline:
        time.sleep(0.3)
        page = browser.get(f"{node_b}/core/imports/{job.group(1)}/", timeout=10)
        status = re.search(r'data-status="(\w+)"', page.text).group(1)
    assert status == "done", f"import {status}:\n{cluster.log_tails()}"
    assert "多节点市" in browser.get(f"{node_b}/territory/regions/", timeout=10).text
    # The worker ran it: the web nodes only queued it.
    assert "citygrid.core.tasks.run_import" in cluster.log("worker")
