"""Failed-login limits counted in the admin database, so they hold across every gunicorn worker.

Used when no ``REDIS_URL`` is set (with Redis, flask-limiter's Redis storage does the
same job). ``settings.login_limit`` (default "5 per 15 minutes") caps failed attempts
per client address and, separately, per username: once either has that many failures
inside the window, every further attempt gets 429, even with the right password,
until the oldest failure leaves the window.

Each attempt is written *before* the password is checked and removed again if the
login succeeds, so two workers handling attempts at the same instant both see the
other's row: concurrency can only make the limit stricter, never looser.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from limits import parse
from sqlalchemy import delete, func, or_, select

from app.db import Database
from app.db.models import LoginAttempt, utcnow


@dataclass(frozen=True)
class Attempt:
    """One login attempt held in the database while its password is checked."""

    id: int
    blocked: bool
    retry_after_s: int


def window(limit: str) -> tuple[int, timedelta]:
    """``"5 per 15 minutes"`` -> (5, 15 minutes), parsed as flask-limiter parses it."""
    item = parse(limit)
    return item.amount, timedelta(seconds=item.get_expiry())


def normalise_username(username: str | None) -> str:
    return (username or "").strip().lower()[:64]


def begin(db: Database, limit: str, ip: str | None, username: str | None, now: datetime | None = None) -> Attempt:
    """Record an attempt and tell whether it is over the limit (then it is removed again: it never ran)."""
    amount, span = window(limit)
    now = now or utcnow()
    ip, username = (ip or "unknown")[:64], normalise_username(username)
    since = now - span
    with db.session() as s:
        s.execute(delete(LoginAttempt).where(LoginAttempt.at < since))
        attempt = LoginAttempt(at=now, ip=ip, username=username)
        s.add(attempt)
        s.flush()
        attempt_id = attempt.id
    with db.session() as s:
        recent = select(LoginAttempt).where(LoginAttempt.at >= since, LoginAttempt.id != attempt_id)
        by_ip = s.scalar(select(func.count()).select_from(recent.where(LoginAttempt.ip == ip).subquery()))
        by_user = s.scalar(select(func.count()).select_from(recent.where(LoginAttempt.username == username).subquery()))
        blocked = by_ip >= amount or by_user >= amount
        retry = 0
        if blocked:
            oldest = s.scalar(
                select(func.min(LoginAttempt.at)).where(
                    LoginAttempt.at >= since,
                    LoginAttempt.id != attempt_id,
                    or_(LoginAttempt.ip == ip, LoginAttempt.username == username),
                )
            )
            if oldest is not None and oldest.tzinfo is None:  # SQLite hands back naive UTC
                oldest = oldest.replace(tzinfo=now.tzinfo)
            retry = max(1, int(((oldest or now) + span - now).total_seconds()) + 1)
            s.execute(delete(LoginAttempt).where(LoginAttempt.id == attempt_id))
    return Attempt(attempt_id, blocked, retry)


def forget(db: Database, attempt: Attempt) -> None:
    """The attempt was not a failed password (a success, or a form that never reached the check)."""
    with db.session() as s:
        s.execute(delete(LoginAttempt).where(LoginAttempt.id == attempt.id))
