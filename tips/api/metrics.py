"""``GET /metrics`` of the tips service, and the middleware that counts and times every request.

Requests are labelled by route template (``/v1/subscribers/{subscriber_id}``, ``unmatched`` for anything
else), so a bot walking random paths adds no series. Under gunicorn every worker writes to the tips
service's multiprocess folder (``tips/gunicorn_conf.py``) and one scrape sums them. The outcomes (tips
chosen, sent, delivered, failed, replies, leavers, subscribers) are read from the database at scrape time:
see ``app.metrics.tips``. Only allowed networks, or a bearer token, may scrape (the dashboard's rule).
"""

from __future__ import annotations

import logging
import re
import time

from fastapi import APIRouter, HTTPException, Request, Response
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from starlette.concurrency import run_in_threadpool

from app import metrics as m
from app.db import Database
from app.db.models import TipEvent, TipSend, TipSubscriber
from app.metrics import tips as tm
from app.metrics import web as wm
from tips.api.deps import State

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)
_EVENT_KINDS = ("useful", "not_useful", "leave", "erase")


class RequestMetrics:
    """Count and time every HTTP request by its route template, method and status class."""

    def __init__(self, app, api) -> None:
        self.app, self.api = app, api
        self._templates: list[tuple[str, re.Pattern]] | None = None

    def _route(self, scope) -> str:
        """The path template the request's path matches (the API's documented paths), else "unmatched"."""
        if self._templates is None:  # the routes are all included by the first request
            paths = [*self.api.openapi()["paths"], "/metrics", "/openapi.json"]
            self._templates = [
                (p, re.compile("^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(p)) + "$")) for p in paths
            ]
        path = scope["path"]
        for template, pattern in self._templates:
            if pattern.match(path):
                return template
        return "unmatched"

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        start = time.perf_counter()
        status = [500]  # an exception before the response starts is a server error

        async def _send(message):
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, _send)
        finally:
            route, method = self._route(scope), wm.method_label(scope["method"])
            wm.HTTP_REQUESTS.labels(route=route, method=method, status=wm.status_class(status[0])).inc()
            wm.HTTP_DURATION.labels(route=route, method=method).observe(time.perf_counter() - start)


class Outcomes(Collector):
    """Tips chosen, sent, delivered, failed, replies, leavers and subscribers, counted in the database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def collect(self):
        try:
            with self.db.session() as s:
                sends = s.execute(
                    select(TipSend.arm, TipSend.channel, TipSend.status, TipSend.receipt, func.count()).group_by(
                        TipSend.arm, TipSend.channel, TipSend.status, TipSend.receipt
                    )
                ).all()
                events = s.execute(
                    select(TipEvent.kind, TipEvent.channel, TipEvent.arm, func.count())
                    .where(TipEvent.kind.in_(_EVENT_KINDS))
                    .group_by(TipEvent.kind, TipEvent.channel, TipEvent.arm)
                ).all()
                subscribers = s.execute(
                    select(TipSubscriber.channel, func.count())
                    .where(TipSubscriber.status == "active")
                    .group_by(TipSubscriber.channel)
                ).all()
        except Exception as exc:  # an unmigrated or unreachable database: say so, serve the rest
            log.warning("tips outcomes unavailable for /metrics: %s", type(exc).__name__)
            return iter(())
        return iter(tm.outcome_families(sends, events, subscribers))

    def describe(self):
        return []


def _exposition(state) -> tuple[bytes, str]:
    return m.exposition(state.settings.metrics_dir, [Outcomes(state.db)])


@router.get("/metrics")
async def metrics(request: Request, state: State) -> Response:
    settings = state.settings
    host = request.client.host if request.client else None
    if not m.scrape_allowed(host, request.headers.get("authorization"), settings.metrics_allow, settings.metrics_token):
        raise HTTPException(403, "metrics are not served to this address")
    body, ctype = await run_in_threadpool(_exposition, state)
    return Response(body, media_type=ctype, headers={"Cache-Control": "no-store"})
