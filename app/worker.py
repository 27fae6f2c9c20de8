"""Celery worker for retraining jobs (used when ``REDIS_URL`` is set).

Start it with ``celery -A app.worker worker --concurrency 1``. The task only
launches ``python -m training.job`` in a fresh interpreter: the worker itself
never imports TensorFlow.
"""

from __future__ import annotations

from app.admin import jobs
from app.config import Settings

settings = Settings.from_env()
celery = jobs.celery_app(settings)


@celery.task(name=jobs.TASK_NAME)
def train(run_id: int) -> int:
    return jobs.run_in_worker(settings, run_id)
