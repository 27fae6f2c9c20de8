"""Assembly: the FastAPI app with its state, middleware, error answers and routes under ``/v1``."""

from __future__ import annotations

import json
import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from app.__about__ import __version__
from app.config import Settings
from app.db import Database
from tips.api import metrics
from tips.api.fast import PreviewFastPath
from tips.api.routes import health, preview, sms, subscribers
from tips.api.state import RateLimit, ServiceState
from tips.bank import load_bank
from tips.errors import FieldError
from tips.model import ModelSource
from tips.privacy import PhoneVault

log = logging.getLogger(__name__)


class BodyLimit:
    """Refuse request bodies over ``limit`` bytes (declared or streamed) before any route sees them.

    The answer is the same 422 as any other bad input (``loc: ["body"]``, what was expected and what came),
    and nothing is stored. Bodies here are small (an enrolment is a few hundred bytes), so the whole body is
    read first and replayed to the app.
    """

    DRAIN_FACTOR = 64  # a streamed oversized body is counted (not kept) up to 64 times the limit

    def __init__(self, app, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            return await self.app(scope, receive, send)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            return await self._refuse(send, f"{int(declared)}")
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return await self.app(scope, _replay([message]), send)
            chunk = message.get("body", b"")
            size += len(chunk)
            more = message.get("more_body", False)
            if size > self.limit:
                return await self._refuse(send, await self._drained(receive, size, more))
            chunks.append(chunk)
        body = b"".join(chunks)
        return await self.app(
            scope, _replay([{"type": "http.request", "body": body, "more_body": False}], receive), send
        )

    async def _drained(self, receive, size: int, more: bool) -> str:
        """The streamed body's size, read and dropped up to a cap ("more than N" past it)."""
        cap = self.limit * self.DRAIN_FACTOR
        while more and size <= cap:
            message = await receive()
            if message["type"] != "http.request":
                break
            size += len(message.get("body", b""))
            more = message.get("more_body", False)
        return f"more than {cap}" if more else str(size)

    async def _refuse(self, send, got: str) -> None:
        msg = f"request body too large: expected at most {self.limit} bytes; got {got}"
        body = json.dumps({"detail": [{"loc": ["body"], "msg": msg, "type": "too_large"}]}).encode()
        await send({"type": "http.response.start", "status": 422, "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": body})


def _replay(messages: list[dict], then=None):
    async def receive():
        if messages:
            return messages.pop(0)
        if then is not None:
            return await then()
        return {"type": "http.disconnect"}

    return receive


def field_error_response(exc: FieldError) -> JSONResponse:
    return JSONResponse(
        {"detail": [{"loc": [exc.location, exc.field], "msg": exc.message, "type": "value_error"}]}, status_code=422
    )


def build(settings: Settings) -> FastAPI:
    """The tips service for ``settings`` (one per worker process)."""
    api = FastAPI(
        title="NutriMapa tips service",
        version=__version__,
        description="Weekly health tips for caregivers of young children in Peru, chosen by the TFLite tip model.",
        docs_url=None,  # the interactive docs would load their scripts from a CDN: /openapi.json only
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    db = Database.from_settings(settings)
    models = ModelSource(settings.models_dir, db=db)  # follows promotions recorded in the admin database
    try:
        categories = models.current().categories
    except Exception:  # no active model yet: the bank is still checked, the endpoints answer 503
        log.warning("no tip model in %s yet", settings.models_dir)
        categories = None
    api.state.tips = ServiceState(
        settings=settings,
        db=db,
        models=models,
        bank=load_bank(categories=categories),
        vault=PhoneVault.from_settings(settings),
        limit=RateLimit(settings.tips_preview_limit),
    )

    @api.exception_handler(FieldError)
    async def _field_error(_request: Request, exc: FieldError) -> JSONResponse:
        return field_error_response(exc)

    @api.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        # FastAPI's shape, without echoing the input (it may hold a phone number).
        errors = [{"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in exc.errors()]
        return JSONResponse({"detail": errors}, status_code=422)

    api.add_middleware(BodyLimit, limit=settings.tips_max_body_bytes)
    api.add_middleware(PreviewFastPath, state=api.state.tips)
    for module in (health, preview, subscribers, sms):
        api.include_router(module.router, prefix="/v1")
    api.include_router(metrics.router)
    api.add_middleware(metrics.RequestMetrics, api=api)  # outermost: sees the fast path and every refusal
    return api
