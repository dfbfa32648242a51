"""Production passes Django's deployment checks, and every page carries the CSP."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def test_production_passes_the_deployment_checks():
    # Not the browser tests' DJANGO_ALLOW_ASYNC_UNSAFE (set in this process while Chromium runs).
    skip = {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environment = {k: v for k, v in os.environ.items() if k not in skip}
    environment.update(
        CITYGRID_ENV="production",
        SECRET_KEY="k" * 20 + "Q#9z" * 10,
        CITYGRID_FIELD_KEY="ab" * 16,
        CITYGRID_INDEX_KEY="cd" * 16,
        ALLOWED_HOSTS="grid.example.gov.cn",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.django_db
def test_pages_carry_a_policy_that_runs_no_inline_script(client):
    policy = client.get("/accounts/login/")["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    assert directives["script-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"


def test_base_map_tile_servers_are_the_only_foreign_images(settings):
    import importlib

    from citygrid import settings as project

    os.environ["CITYGRID_MAP_FLAT_URL"] = "https://tiles.intranet.gov.cn/{z}/{x}/{y}.png"
    try:
        reloaded = importlib.reload(project)
        images = reloaded.CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"]
    finally:
        del os.environ["CITYGRID_MAP_FLAT_URL"]
        importlib.reload(project)
    assert "https://tiles.intranet.gov.cn" in images
    assert not [src for src in images if src.startswith("http") and "intranet" not in src]
