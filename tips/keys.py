"""Partner API keys: random tokens shown once, stored as SHA-256 (they carry 256 bits: no salt needed)."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import TipApiKey, utcnow

PREFIX = "nmk_"


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_key(session: Session, name: str) -> str:
    """A new key for partner ``name`` (returned once, never stored in clear)."""
    if session.scalar(select(TipApiKey).where(TipApiKey.name == name)) is not None:
        raise ValueError(f"a key named {name!r} exists; revoke it or pick another name")
    key = PREFIX + secrets.token_urlsafe(32)
    session.add(TipApiKey(name=name, key_hash=digest(key)))
    return key


def revoke_key(session: Session, name: str) -> bool:
    row = session.scalar(select(TipApiKey).where(TipApiKey.name == name, TipApiKey.revoked_at.is_(None)))
    if row is None:
        return False
    row.revoked_at = utcnow()
    return True


def check_key(session: Session, key: str) -> TipApiKey | None:
    """The live key row for ``key``, or None (unknown or revoked)."""
    row = session.scalar(select(TipApiKey).where(TipApiKey.key_hash == digest(key)))
    if row is None or row.revoked_at is not None:
        return None
    return row


def list_keys(session: Session) -> list[dict]:
    rows = session.scalars(select(TipApiKey).order_by(TipApiKey.id))
    return [{"name": r.name, "created_at": r.created_at.isoformat(), "revoked": r.revoked_at is not None} for r in rows]
