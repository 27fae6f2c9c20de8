"""Celery worker for retraining jobs (used when ``REDIS_URL`` is set), and the weekly tips schedule.

Start it with ``celery -A app.worker worker --concurrency 1``. The task only
launches ``python -m training.job`` in a fresh interpreter: the worker itself
never imports TensorFlow. ``celery -A app.worker beat`` (``make beat``) sends the
week's tips every Monday at 09:00 Lima time (``python -m tips.cli send-week``,
safe to run twice).
"""

from __future__ import annotations

from app.admin import jobs
from app.config import Settings

settings = Settings.from_env()
celery = jobs.celery_app(settings)


@celery.task(name=jobs.TASK_NAME)
def train(run_id: int) -> int:
    return jobs.run_in_worker(settings, run_id)


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
