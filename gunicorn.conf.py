"""Gunicorn settings for the dashboard (read automatically from the working directory).

Prometheus multiprocess mode: each worker writes its samples to files in
``PROMETHEUS_MULTIPROC_DIR`` and ``/metrics`` sums them, so a scrape sees all
workers whichever one answers. The folder is emptied when the master starts
(stale files would add old counts) and a dead worker's live gauges are dropped.
Without the variable, a private temporary folder is made and removed on exit.
"""

import os
import shutil
import tempfile
from pathlib import Path

from app.config import Settings

_settings = Settings.from_env()
_made_dir = _settings.metrics_dir is None
metrics_dir = _settings.metrics_dir or Path(tempfile.mkdtemp(prefix="nutrimapa-metrics-"))
# Workers inherit it; prometheus_client reads it when first imported there.
os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)


def on_starting(server):
    metrics_dir.mkdir(parents=True, exist_ok=True)
    for stale in metrics_dir.glob("*.db"):
        stale.unlink()


def post_worker_init(worker):
    if not worker.app.app_uri.startswith("app."):  # the tips service has its own config (tips/gunicorn_conf.py)
        return
    from app.web.metrics import warm

    warm(worker.wsgi)  # drift and model figures ready before the first scrape


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid, path=str(metrics_dir))


def on_exit(server):
    if _made_dir:
        shutil.rmtree(metrics_dir, ignore_errors=True)
