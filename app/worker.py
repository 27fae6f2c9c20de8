"""Celery worker for retraining jobs (used when ``REDIS_URL`` is set), and the weekly tips schedule.

Start it with ``celery -A app.worker worker --concurrency 1``. The task only
launches ``python -m training.job`` in a fresh interpreter: the worker itself
never imports TensorFlow.

The worker serves its own ``/metrics`` (tasks by outcome and their duration) on
``NUTRIMAPA_WORKER_METRICS_PORT`` (9540), summed over its pool processes through
``PROMETHEUS_MULTIPROC_DIR`` (a private temporary folder when unset).

``celery -A app.worker beat`` (``make beat``) sends the
week's tips every Monday at 09:00 Lima time (``python -m tips.cli send-week``,
safe to run twice).
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace

from app.admin import jobs
from app.config import Settings

log = logging.getLogger(__name__)
settings = Settings.from_env()
if settings.metrics_dir is None:
    import tempfile
    from pathlib import Path

    settings = replace(settings, metrics_dir=Path(tempfile.mkdtemp(prefix="nutrimapa-worker-metrics-")))
jobs.use_metrics_dir(settings.metrics_dir)  # before prometheus_client is imported

from celery.signals import worker_ready, worker_shutdown  # noqa: E402

from app.metrics import worker as wm  # noqa: E402

celery = jobs.celery_app(settings)
wm.touch(jobs.TASK_NAME)


@celery.task(name=jobs.TASK_NAME)
def train(run_id: int) -> int:
    start = time.monotonic()
    code = 1
    try:
        code = jobs.run_in_worker(settings, run_id)
        return code
    finally:
        wm.TASKS.labels(task=jobs.TASK_NAME, outcome="succeeded" if code == 0 else "failed").inc()
        wm.TASK_DURATION.labels(task=jobs.TASK_NAME).observe(time.monotonic() - start)


@worker_ready.connect
def _serve_metrics(**_kwargs) -> None:
    from prometheus_client import CollectorRegistry, multiprocess, start_http_server

    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=str(settings.metrics_dir))
    wm.WORKER_UP.set(1)
    try:
        start_http_server(settings.worker_metrics_port, addr=settings.worker_metrics_addr, registry=registry)
    except OSError as exc:  # the port is taken: the worker still works, unobserved, and says so
        log.warning("worker metrics not served on port %s: %s", settings.worker_metrics_port, exc)


@worker_shutdown.connect
def _stop_metrics(**_kwargs) -> None:
    import os

    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(os.getpid(), path=str(settings.metrics_dir))


TIPS_TASK = "nutrimapa.tips.send_week"


def _weekly_schedule() -> dict:
    from celery.schedules import crontab

    return {"weekly-tips": {"task": TIPS_TASK, "schedule": crontab(minute=0, hour=9, day_of_week="mon")}}


celery.conf.beat_schedule = _weekly_schedule()
celery.conf.timezone = "America/Lima"


@celery.task(name=TIPS_TASK)
def send_tips_week() -> str:
    """Choose and publish this week's tips in a fresh interpreter (the tips CLI; its output is the result)."""
    import subprocess
    import sys

    from app.config import ROOT

    out = subprocess.run(
        [sys.executable, "-m", "tips.cli", "send-week"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return out.stdout.strip()
