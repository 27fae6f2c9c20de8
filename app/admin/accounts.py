"""Admin accounts (scrypt password hashes via Werkzeug) and the audit log."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from app.db.models import AuditEntry, User, utcnow

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
MIN_PASSWORD = 12
# Checked when the username is unknown, so a wrong name costs as much time as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


class AccountError(ValueError):
    """A username or password that cannot be used; the message says why."""


def create_user(session: Session, username: str, password: str, *, reset: bool = False) -> User:
    """Create an admin (or, with ``reset``, set a new password for an existing one)."""
    username = username.strip().lower()
    if not USERNAME_RE.match(username):
        raise AccountError(
            f"username {username!r}: expected 3-64 characters, lower-case letters, digits, '.', '_' or '-'"
        )
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"password: expected at least {MIN_PASSWORD} characters, got {len(password)}")
    user = session.scalar(select(User).where(User.username == username))
    if user is not None and not reset:
        raise AccountError(f"user {username!r} exists; use --reset to set a new password")
    if user is None:
        user = User(username=username, password_hash="")
        session.add(user)
    user.password_hash = generate_password_hash(password)
    user.is_active = True
    session.flush()
    audit(session, user, "password_reset" if reset else "user_created", target=username)
    return user


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with this username and password, or None (same cost either way)."""
    user = session.scalar(select(User).where(User.username == (username or "").strip().lower()))
    if user is None or not user.is_active:
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    if not check_password_hash(user.password_hash, password or ""):
        return None
    user.last_login_at = utcnow()
    return user


def audit(
    session: Session,
    user: User | None,
    action: str,
    *,
    target: str | None = None,
    detail: dict | None = None,
    ip: str | None = None,
    username: str | None = None,
) -> AuditEntry:
    """Record an admin action (committed with the caller's unit of work)."""
    entry = AuditEntry(
        user_id=user.id if user else None,
        username=user.username if user else username,
        action=action,
        target=target,
        detail=detail,
        ip=ip,
    )
    session.add(entry)
    return entry


def recent_audit(session: Session, limit: int = 50) -> list[dict]:
    rows = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit))
    return [
        {
            "at": e.at.isoformat(timespec="seconds"),
            "user": e.username,
            "action": e.action,
            "target": e.target,
            "detail": e.detail,
            "ip": e.ip,
        }
        for e in rows
    ]
