"""Gunicorn settings for the tips service: ``gunicorn -c tips/gunicorn_conf.py tips.main:app``.

Prometheus multiprocess mode, like the dashboard's ``gunicorn.conf.py`` but in the tips service's own
folder (``NUTRIMAPA_TIPS_METRICS_DIR``; a private temporary one when unset), so neither gunicorn empties
or sums the other's samples when both run on one host. The folder is emptied when the master starts and a
dead worker's live gauges are dropped. No Flask, Dash or TensorFlow is imported here.
"""

import os
import shutil
import tempfile
from pathlib import Path

from app.config import Settings

_settings = Settings.from_env()
_made_dir = _settings.tips_metrics_dir is None
metrics_dir = _settings.tips_metrics_dir or Path(tempfile.mkdtemp(prefix="nutrimapa-tips-metrics-"))
# Workers inherit it (Settings.metrics_dir there); prometheus_client reads it when first imported.
os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
worker_class = "uvicorn_worker.UvicornWorker"


def on_starting(server):
    metrics_dir.mkdir(parents=True, exist_ok=True)
    for stale in metrics_dir.glob("*.db"):
        stale.unlink()


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid, path=str(metrics_dir))


def on_exit(server):
    if _made_dir:
        shutil.rmtree(metrics_dir, ignore_errors=True)
