"""The weekly schedule: Celery beat sends the week's tips every Monday morning in Lima, through the tips CLI."""

from __future__ import annotations

import os
from datetime import datetime

import pytest
from sqlalchemy import func, select

from app.db.models import TipSend
from tests.tips.conftest import service_env


def test_beat_runs_send_week_on_monday_morning_lima():
    from app import worker

    entry = worker.celery.conf.beat_schedule["weekly-tips"]
    assert entry["task"] == worker.TIPS_TASK
    assert worker.celery.conf.timezone == "America/Lima"
    schedule = entry["schedule"]
    assert schedule.day_of_week == {1}
    assert (schedule.hour, schedule.minute) == ({9}, {0})
    assert schedule.is_due(datetime(2026, 11, 30, 8, 0)).next > 0


@pytest.mark.services
def test_the_task_chooses_the_week_and_keeps_it_in_the_outbox_without_a_broker(tips_db, tips_settings, monkeypatch):
    from app import worker

    for name, value in service_env(tips_settings).items():
        monkeypatch.setitem(os.environ, name, value)
    monkeypatch.delenv("MQTT_URL", raising=False)
    out = worker.send_tips_week.run()
    assert "no MQTT_URL" in out
    with tips_db.session() as s:
        assert s.scalar(select(func.count()).where(TipSend.status == "sent")) == 0
