"""JSON answers that cost nothing twice: serialised once per (model version, data version, parameters).

``@shared_json("level", ...)`` keeps a route's 200 answer, as bytes with a strong
ETag, in the app cache: Redis with ``REDIS_URL`` (shared by every worker and
host), else the process's embedded cache. Later requests, from any worker, send
those bytes; a client that revalidates with ``If-None-Match`` gets ``304``. The
key names only the listed parameters, so unknown query strings cannot fill the
cache, and the model and survey versions, so a promotion or an accepted survey
is a new key rather than a purge. Errors are never kept. The gzip body is made
once too, and each worker keeps its most recent entries in memory as well.
"""

from __future__ import annotations

import gzip
import hashlib
from collections import OrderedDict
from collections.abc import Callable
from functools import wraps

from flask import Response, current_app, request

from app.extensions import cache
from app.metrics.web import CACHE_REQUESTS

CACHE_NAME = "responses"
_LOCAL_MAX = 32  # entries each worker also keeps in memory (keys name the versions: never stale, only evicted)


def version_key() -> str:
    """The data this process serves: active model version and survey version."""
    from app.services import active_model_version, get_store

    return f"{active_model_version() or '-'}:{get_store().survey.version}"


def shared_json(*params: str) -> Callable:
    """Decorate a JSON route whose answer depends only on ``params`` and the served versions."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            query = "&".join(f"{p}={request.args.get(p, '')}" for p in params)
            digest = hashlib.sha256(f"{request.endpoint}?{query}".encode()).hexdigest()[:24]
            key = f"resp:{request.endpoint}:{version_key()}:{digest}"
            local = current_app.extensions.setdefault("nutrimapa_responses", OrderedDict())
            entry = local.get(key)
            if entry is None:
                entry = cache.get(key)
                if entry is None:
                    CACHE_REQUESTS.labels(cache=CACHE_NAME, result="miss").inc()
                    resp = current_app.make_response(view(*args, **kwargs))
                    if resp.status_code != 200:
                        return resp
                    body = resp.get_data()
                    entry = (hashlib.sha256(body).hexdigest()[:32], body, gzip.compress(body, 6, mtime=0))
                    cache.set(key, entry)
                else:
                    CACHE_REQUESTS.labels(cache=CACHE_NAME, result="hit").inc()
                _remember(local, key, entry)
            else:
                CACHE_REQUESTS.labels(cache=CACHE_NAME, result="hit").inc()
            return _respond(*entry)

        return wrapper

    return decorate


def _remember(local: OrderedDict, key: str, entry: tuple) -> None:
    local[key] = entry
    while len(local) > _LOCAL_MAX:
        local.popitem(last=False)


def _respond(etag: str, body: bytes, gz: bytes) -> Response:
    """200 with the stored bytes (gzip when accepted), or 304 when the client holds this version.

    The compression hook (app/web/compression.py) has already turned an incoming ``-gz`` tag back
    into the plain one, and re-suffixes a 304's tag for gzip clients.
    """
    headers = {"Cache-Control": "public, no-cache", "Vary": "Accept-Encoding"}  # always revalidate: 304 is cheap
    if request.if_none_match.contains(etag):
        return Response(status=304, headers={**headers, "ETag": f'"{etag}"'})
    if "gzip" in request.headers.get("Accept-Encoding", ""):
        return Response(
            gz, mimetype="application/json", headers={**headers, "ETag": f'"{etag}-gz"', "Content-Encoding": "gzip"}
        )
    return Response(body, mimetype="application/json", headers={**headers, "ETag": f'"{etag}"'})
