"""Failed logins counted in the database: per address, per username, and only inside the window."""

from __future__ import annotations

from datetime import timedelta

from app.admin import login_limits
from app.db.models import utcnow


def test_limit_per_address_and_per_username_expires_with_the_window(db):
    limit, now = "5 per 15 minutes", utcnow()
    for i in range(5):
        assert not login_limits.begin(db, limit, "10.0.0.1", f"user{i}", now).blocked
    blocked = login_limits.begin(db, limit, "10.0.0.1", "someone", now)
    assert blocked.blocked
    assert 0 < blocked.retry_after_s <= 15 * 60 + 1
    assert not login_limits.begin(db, limit, "10.0.0.2", "someone", now).blocked  # other address, new name
    for i in range(5):
        assert not login_limits.begin(db, limit, f"10.0.1.{i}", "ana", now).blocked
    assert login_limits.begin(db, limit, "10.0.9.9", "ANA ", now).blocked  # the same username, any address
    later = now + timedelta(minutes=15, seconds=1)
    assert not login_limits.begin(db, limit, "10.0.0.1", "ana", later).blocked


def test_a_successful_attempt_is_forgotten(db):
    limit, now = "2 per 1 minute", utcnow()
    login_limits.forget(db, login_limits.begin(db, limit, "10.0.0.1", "ana", now))
    login_limits.forget(db, login_limits.begin(db, limit, "10.0.0.1", "ana", now))
    assert not login_limits.begin(db, limit, "10.0.0.1", "ana", now).blocked
