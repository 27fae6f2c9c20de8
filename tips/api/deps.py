"""Dependencies: the worker's state, a database session per request, API-key auth, the preview rate limit."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from sqlalchemy.orm import Session

from app.db.models import TipApiKey
from tips import keys
from tips.api.state import ServiceState
from tips.model import NoTipModelError, TipModel


async def get_state(request: Request) -> ServiceState:
    return request.app.state.tips


State = Annotated[ServiceState, Depends(get_state)]


def get_session(state: State) -> Iterator[Session]:
    with state.db.session() as session:
        yield session


# scope="function": committed when the route returns, before the answer leaves (the next request sees it).
DbSession = Annotated[Session, Depends(get_session, scope="function")]


async def get_model(state: State) -> TipModel:
    try:
        return state.models.current()
    except NoTipModelError as exc:
        raise HTTPException(503, f"no tip model to serve: {exc}") from exc


Model = Annotated[TipModel, Depends(get_model)]


def presented_key(request: Request) -> str | None:
    """``Authorization: Bearer <key>`` or ``X-API-Key: <key>``."""
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip() or None
    return request.headers.get("x-api-key") or None


def _unauthorized(message: str) -> HTTPException:
    return HTTPException(401, message, headers={"WWW-Authenticate": 'Bearer realm="nutrimapa-tips"'})


def require_key(request: Request, state: State) -> TipApiKey:
    """A partner's live API key, else 401 (missing, unknown or revoked: the message says which)."""
    key = presented_key(request)
    if key is None:
        raise _unauthorized("an API key is required: Authorization: Bearer <key>")
    with state.db.session() as session:
        row = keys.check_key(session, key)
        if row is None:
            raise _unauthorized("unknown or revoked API key")
        session.expunge(row)
    return row


ApiKey = Annotated[TipApiKey, Depends(require_key)]
