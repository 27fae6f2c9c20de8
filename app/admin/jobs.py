"""Where retraining jobs run: a spawned local process, or a Celery worker when ``REDIS_URL`` is set.

Both run ``python -m training.job RUN_ID`` in a fresh interpreter, so TensorFlow
never enters a web worker and nothing forks a process that has loaded it. The
job reports through the database, so any web worker (or host) can show its
progress and cancel it.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

from app.config import ROOT, Settings

log = logging.getLogger(__name__)
TASK_NAME = "nutrimapa.train"
# Jobs this process started, kept so they are reaped (no zombies) and their liveness is exact.
_CHILDREN: dict[int, subprocess.Popen] = {}


def job_command(run_id: int) -> list[str]:
    return [sys.executable, "-m", "training.job", str(run_id)]


def job_env(settings: Settings) -> dict[str, str]:
    return {**os.environ, **settings.to_env(), "PYTHONPATH": str(ROOT)}


def spawn(settings: Settings, run_id: int) -> int:
    """Start the job as its own process group (outlives the request; log in instance/runs/)."""
    logs = settings.instance_dir / "runs"
    logs.mkdir(parents=True, exist_ok=True)
    with open(logs / f"run-{run_id}.log", "ab") as out:
        proc = subprocess.Popen(
            job_command(run_id),
            cwd=ROOT,
            env=job_env(settings),
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    reap()
    _CHILDREN[proc.pid] = proc
    log.info("run %s started locally as pid %s", run_id, proc.pid)
    return proc.pid


def reap() -> None:
    """Collect the exit status of finished local jobs."""
    for pid, proc in list(_CHILDREN.items()):
        if proc.poll() is not None:
            del _CHILDREN[pid]


def use_metrics_dir(path: Path) -> None:
    """Make this process and its children write Prometheus samples to ``path`` (the Celery worker's pool).

    prometheus_client reads ``PROMETHEUS_MULTIPROC_DIR`` when first imported, so call this before.
    """
    path.mkdir(parents=True, exist_ok=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(path)


def celery_app(settings: Settings):
    """The Celery app (broker and results in Redis); the worker runs ``celery -A app.worker worker``."""
    from celery import Celery

    celery = Celery("nutrimapa", broker=settings.redis_url, backend=settings.redis_url)
    celery.conf.update(
        task_acks_late=True,
        worker_prefetch_multiplier=1,
        task_serializer="json",
        accept_content=["json"],
        result_serializer="json",
        broker_connection_retry_on_startup=True,
    )
    return celery


def submit(settings: Settings, run_id: int) -> str:
    """Queue the run on the configured runner; returns the runner's name."""
    if settings.redis_url:
        celery_app(settings).send_task(TASK_NAME, args=[run_id])
        log.info("run %s queued on Celery (%s)", run_id, settings.redis_url)
        return "celery"
    spawn(settings, run_id)
    return "local"


def run_in_worker(settings: Settings, run_id: int) -> int:
    """What the Celery task does: run the job in a fresh interpreter and wait for it."""
    done = subprocess.run(job_command(run_id), cwd=ROOT, env=job_env(settings), check=False)
    return done.returncode


def pid_alive(pid: int) -> bool:
    if pid in _CHILDREN:
        return _CHILDREN[pid].poll() is None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A finished child we spawned stays a zombie until reaped: treat it as gone.
    stat = Path(f"/proc/{pid}/stat")
    try:
        return stat.read_text().split(")")[-1].split()[0] != "Z"
    except OSError:
        return True
