"""Tips service fixtures: a migrated database (SQLite and a fresh PostgreSQL), the real service process
(gunicorn + uvicorn worker on a free loopback port), a partner API key made with the CLI.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, replace
from pathlib import Path

import httpx
import pytest

from app.config import ROOT, Settings
from tests.fixtures_admin import temporary_database

PHONE_KEY = "pVqk0cZt0n3cQ0wq0Nq3lqvKk7gJ4gJt6e8d7cBqH3c="  # test keys (Fernet format), never used outside tests
HASH_KEY = "dGVzdC1oYXNoLWtleS1mb3ItdGhlLXRpcHMtc2VydmljZQ"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def tips_database_url(request) -> str | None:
    """None (SQLite in the instance folder) or a new PostgreSQL database, dropped after the module."""
    yield from temporary_database(request.param, "nutrimapa_tips")


@pytest.fixture(scope="module")
def tips_settings(tmp_path_factory, tips_database_url) -> Settings:
    base = tmp_path_factory.mktemp("tips")
    models = base / "models"
    models.mkdir()
    (models / "v1").symlink_to(ROOT / "models" / "v1", target_is_directory=True)
    (models / "ACTIVE").write_text("v1\n")
    return replace(
        Settings(),
        instance_dir=base / "instance",
        models_dir=models,
        database_url=tips_database_url,
        tips_phone_key=PHONE_KEY,
        tips_hash_key=HASH_KEY,
        tips_preview_limit=1000,
        testing=True,
    )


def service_env(settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "MQTT_URL")}
    env.update(settings.to_env())
    env.update(
        NUTRIMAPA_TIPS_PHONE_KEY=settings.tips_phone_key,
        NUTRIMAPA_TIPS_HASH_KEY=settings.tips_hash_key,
        NUTRIMAPA_TIPS_PREVIEW_LIMIT=str(settings.tips_preview_limit),
        NUTRIMAPA_TIPS_MAX_BODY_BYTES=str(settings.tips_max_body_bytes),
        PYTHONUNBUFFERED="1",
    )
    return env


@pytest.fixture(scope="module")
def tips_db(tips_settings):
    from app.db import Database

    db = Database.from_settings(tips_settings)
    db.upgrade()
    yield db
    db.dispose()


@dataclass
class Service:
    url: str
    log: Path
    settings: Settings
    proc: subprocess.Popen

    def client(self, key: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=10)


def start_service(settings: Settings, log: Path) -> Service:
    """gunicorn with one uvicorn worker, as in production (``make run``), on a free loopback port."""
    port = free_port()
    cmd = [
        sys.executable, "-m", "gunicorn", "tips.main:app", "--bind", f"127.0.0.1:{port}", "--workers", "1",
        "--config", "tips/gunicorn_conf.py", "--access-logfile", "-",
    ]  # fmt: skip
    with log.open("ab") as fh:  # the child keeps its own descriptor
        proc = subprocess.Popen(cmd, cwd=ROOT, env=service_env(settings), stdout=fh, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"tips service exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(url + "/v1/health", timeout=1).status_code == 200:
                return Service(url, log, settings, proc)
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.kill()
    pytest.fail(f"tips service did not answer in 60 s:\n{log.read_text()[-3000:]}")


def stop_service(service: Service) -> None:
    service.proc.terminate()
    try:
        service.proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        service.proc.kill()
        service.proc.wait()


@pytest.fixture(scope="module")
def service(tips_db, tips_settings, tmp_path_factory):
    svc = start_service(tips_settings, tmp_path_factory.mktemp("logs") / "tips.log")
    yield svc
    stop_service(svc)


def cli(settings: Settings, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tips.cli", *args],
        check=False,
        cwd=ROOT,
        env=service_env(settings),
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture(scope="module")
def api_key(service) -> str:
    out = cli(service.settings, "create-key", f"gateway-{uuid.uuid4().hex[:6]}")
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()
