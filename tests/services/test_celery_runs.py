"""With REDIS_URL set, retraining runs go through Celery (real Redis broker, a real worker process),
and login limits are counted in Redis, shared by every web worker."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace

import pytest

from app.config import ROOT
from tests.fixtures_admin import log_in, signed_in, wait_for
from tests.services.conftest import require_port

pytestmark = pytest.mark.services
REDIS_URL = "redis://127.0.0.1:6379/14"


@pytest.fixture
def redis_settings(admin_settings):
    require_port(6379, "Redis")
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    yield replace(admin_settings, redis_url=REDIS_URL)
    client.flushdb()
    client.close()


@pytest.fixture
def redis_app(make_app, redis_settings):
    return make_app(redis_settings)


@pytest.fixture
def celery_worker(redis_settings, tmp_path):
    """``celery -A app.worker worker`` in its own process, configured like the app."""
    import os

    env = {**os.environ, **redis_settings.to_env(), "PYTHONPATH": str(ROOT)}
    log = open(tmp_path / "celery.log", "wb")  # noqa: SIM115 - closed after the worker stops
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "app.worker",
            "worker",
            "--concurrency",
            "1",
            "--pool",
            "solo",
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    yield proc
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    log.close()


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_run_goes_through_celery(redis_app, celery_worker, models_dir, tmp_path):
    admin = signed_in(redis_app)
    response = admin.post("/admin/api/runs", json={"members": 2, "epochs": 2, "tip_epochs": 2, "validation_years": 1})
    assert response.status_code == 202, response.json
    assert response.json["runner"] == "celery"
    run_id = response.json["id"]

    def finished():
        run = admin.get(f"/admin/api/runs/{run_id}").json
        return run if run["status"] in ("succeeded", "failed", "cancelled") else None

    run = wait_for(finished, timeout=300)
    assert run["status"] == "succeeded", (run["error"], (tmp_path / "celery.log").read_text()[-3000:])
    assert run["model_version"] == "v2"
    assert (models_dir / "v2" / "tips" / "tip_model.tflite").exists()
    assert (models_dir / "ACTIVE").read_text().strip() == "v1"
    assert "nutrimapa.train" in (tmp_path / "celery.log").read_text()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_login_limits_are_shared_through_redis(make_app, redis_settings):
    """Two app instances (two workers) count one client's failures together."""
    clients = [make_app(redis_settings).server.test_client() for _ in range(2)]
    for i in range(5):
        assert log_in(clients[i % 2], password="wrong-password-123").status_code == 401
    assert log_in(clients[1]).status_code == 429
    assert log_in(clients[0]).status_code == 429
