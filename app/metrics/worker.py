"""What the Celery worker records: training tasks by outcome and their duration."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

from app.metrics import NAMESPACE

OUTCOMES = ("succeeded", "failed")
TASKS = Counter("worker_tasks_total", "Celery tasks finished.", ["task", "outcome"], namespace=NAMESPACE)
TASK_DURATION = Histogram(
    "worker_task_duration_seconds",
    "Wall time of a Celery task (a training run: its whole job process).",
    ["task"],
    namespace=NAMESPACE,
    buckets=(1, 10, 60, 300, 900, 1800, 3600, 7200, 14400),
)
WORKER_UP = Gauge(
    "worker_up", "1 while the Celery worker's main process runs.", namespace=NAMESPACE, multiprocess_mode="livesum"
)


def touch(task: str) -> None:
    """Create every outcome's series at zero, so rates and alerts have data before the first task."""
    for outcome in OUTCOMES:
        TASKS.labels(task=task, outcome=outcome)
    TASK_DURATION.labels(task=task)
