"""Start the real production server (gunicorn serving ``app.wsgi:server``) on a free loopback port for a test."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from app.config import ROOT


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(env: Mapping[str, str], workers: int, log: Path, timeout: float = 120.0) -> Iterator[str]:
    """Yield the base URL of gunicorn with ``workers`` workers, once every worker answers; stop it after."""
    port = free_port()
    config = log.with_suffix(".conf.py")
    config.write_text("def post_worker_init(worker):\n    worker.log.info('worker %s app ready', worker.pid)\n")
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("REDIS_URL", "DATABASE_URL", "MQTT_URL"))}
    full_env.update(env)
    cmd = [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--timeout",
        "120",
        "--log-level",
        "info",
        "--config",
        str(config),
        "app.wsgi:server",
    ]
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=full_env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({proc.returncode}):\n{log.read_text()[-3000:]}")
            # every worker has built its app (post_worker_init) and the server answers
            if log.read_text(errors="replace").count("app ready") >= workers and _answers(base):
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn not ready after {timeout} s:\n{log.read_text()[-3000:]}")
            time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _answers(base: str) -> bool:
    try:
        with urllib.request.urlopen(base + "/api/v1/health", timeout=5) as resp:
            return resp.status == 200
    except OSError:
        return False
