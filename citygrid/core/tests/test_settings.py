"""Production refuses trial defaults; the API documents itself."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def run_check(**env) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_the_default_secret():
    result = run_check(CITYGRID_ENV="production")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_debug_and_missing_field_keys():
    secret = "x" * 40
    result = run_check(CITYGRID_ENV="production", SECRET_KEY=secret, DEBUG="1")
    assert "DEBUG" in result.stderr
    result = run_check(CITYGRID_ENV="production", SECRET_KEY=secret)
    assert "CITYGRID_FIELD_KEY" in result.stderr
    result = run_check(
        CITYGRID_ENV="production",
        SECRET_KEY=secret,
        CITYGRID_FIELD_KEY="ab" * 16,
        CITYGRID_INDEX_KEY="cd" * 16,
        ALLOWED_HOSTS="grid.example.gov.cn",
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.django_db
def test_openapi_schema_lists_the_endpoints(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in [
        "/api/regions/",
        "/api/regions/{id}/",
        "/api/regions/locate/",
        "/api/grid-workers/",
        "/api/auth/token/",
    ]:
        assert path in paths
    docs = client.get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in docs
    assert "cdn" not in docs.lower()
