"""Case intake under concurrent load: gunicorn with 2 and 4 workers, wrk at 8, 16 and 32
connections, against the login page served by the same server in the same run.

Needs PostgreSQL (`DATABASE_URL`; SQLite admits one writer at a time, so it has nothing to show
here) and `wrk` (`make bench-deps`); without either it says so and measures nothing. Each figure
is a 10 s wrk run (`BENCH_LOAD_SECONDS`). The intake is `POST /api/cases/` with a token, at
positions spread over 100 grids.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.database import small_territory, superuser, test_database
from bench.timing import BenchmarkFailed

SECONDS = int(os.environ.get("BENCH_LOAD_SECONDS", "10"))
WORKERS = (2, 4)
CONNECTIONS = (8, 16, 32)
ROOT = Path(__file__).resolve().parent.parent

# wrk's request script: each request a new description and position inside the 10 × 10 grids.
INTAKE_LUA = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Token %(token)s"
local n = 0
request = function()
  n = n + 1
  local lng = 120.0005 + (n %% 97) * 0.001
  local lat = 30.0005 + (n %% 89) * 0.001
  local body = string.format(
    '{"category": %(category)d, "description": "基准事件 %%d", "lng": %%f, "lat": %%f}',
    n, lng, lat)
  return wrk.format(nil, "/api/cases/", nil, body)
end
response = function(status, headers, body)
  if status ~= 201 then io.stderr:write("status " .. status .. "\\n") end
end
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_ready(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise BenchmarkFailed("gunicorn exited before serving")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.3)
    raise BenchmarkFailed("gunicorn did not start within 60 s")


def _wrk(
    url: str, connections: int, script: str | None = None, seconds: int = SECONDS
) -> tuple[float, float, int]:
    """Requests per second, p99 in ms, and the count of failed answers (non-2xx, timeouts)."""
    args = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--latency", url]
    if script:
        args[1:1] = ["-s", script]
    out = subprocess.run(args, capture_output=True, text=True, check=True)
    text = out.stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", text).groups()
    p99 = float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    timeouts = re.search(r"timeout (\d+)", text)
    errors = len(out.stderr.splitlines()) + sum(int(m.group(1)) for m in (bad, timeouts) if m)
    return rps, p99, errors


def run() -> None:
    from django.db import connection
    from django.urls import reverse
    from rest_framework.authtoken.models import Token

    from citygrid.cases.models import CaseCategory

    if not shutil.which("wrk"):
        print("  wrk is not installed (`make bench-deps`): nothing measured")
        return
    if connection.vendor != "postgresql":
        print("  DATABASE_URL is not PostgreSQL: intake under load is measured there only")
        return
    with test_database(), tempfile.TemporaryDirectory() as tmp:
        small_territory()
        admin = superuser()
        token = Token.objects.create(user=admin).key
        category = CaseCategory.objects.filter(parent__isnull=False, active=True).first()
        script = Path(tmp, "intake.lua")
        script.write_text(INTAKE_LUA % {"token": token, "category": category.pk})
        settings = connection.settings_dict
        env = {
            **os.environ,
            "DATABASE_URL": (
                f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:"
                f"{settings['PORT'] or 5432}/{settings['NAME']}"
            ),
        }
        print(f"  wrk {SECONDS} s per figure; baseline = login page on the same server")
        heading = f"{'workers':>8}{'conns':>7}{'intake/s':>10}{'p99 ms':>9}{'login/s':>10}"
        print(f"  {heading}{'ratio':>8}")
        for workers in WORKERS:
            port = _free_port()
            server = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "citygrid.wsgi", "--bind",
                 f"127.0.0.1:{port}", "--workers", str(workers), "--threads", "4"],
                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            try:
                _wait_ready(port, server)
                base = f"http://127.0.0.1:{port}"
                # Every worker thread imports, connects and builds its caches once, unmeasured.
                _wrk(base + "/", workers * 4, str(script), seconds=3)
                for conns in CONNECTIONS:
                    rps, p99, errors = _wrk(base + "/", conns, str(script))
                    if errors:
                        raise BenchmarkFailed(f"{errors} intake requests failed")
                    login_rps, _, _ = _wrk(base + reverse("accounts:login"), conns)
                    print(
                        f"  {workers:>8}{conns:>7}{rps:>10.1f}{p99:>9.0f}{login_rps:>10.1f}"
                        f"{rps / login_rps:>7.2f}×"
                    )
            finally:
                server.send_signal(signal.SIGTERM)
                server.wait(30)
