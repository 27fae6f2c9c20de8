"""JSON answers that cost nothing twice: serialised once per (model version, data version, parameters).

``@shared_json("level", ...)`` keeps a route's 200 answer, as bytes with a strong
ETag, in the app cache: Redis with ``REDIS_URL`` (shared by every worker and
host), else the process's embedded cache. Later requests, from any worker, send
those bytes; a client that revalidates with ``If-None-Match`` gets ``304``. The
key names only the listed parameters, so unknown query strings cannot fill the
cache, and the model and survey versions, so a promotion or an accepted survey
is a new key rather than a purge. Errors are never kept.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps

from flask import Response, current_app, request

from app.extensions import cache
from app.metrics.web import CACHE_REQUESTS

CACHE_NAME = "responses"


def version_key() -> str:
    """The data this process serves: active model version and survey version."""
    from app.services import get_store
    from training import registry

    store = get_store()
    return f"{registry.active_version(store.settings.models_dir) or '-'}:{store.survey.version}"


def shared_json(*params: str) -> Callable:
    """Decorate a JSON route whose answer depends only on ``params`` and the served versions."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            query = "&".join(f"{p}={request.args.get(p, '')}" for p in params)
            digest = hashlib.sha256(f"{request.endpoint}?{query}".encode()).hexdigest()[:24]
            key = f"resp:{request.endpoint}:{version_key()}:{digest}"
            hit = cache.get(key)
            if hit is None:
                CACHE_REQUESTS.labels(cache=CACHE_NAME, result="miss").inc()
                resp = current_app.make_response(view(*args, **kwargs))
                if resp.status_code != 200:
                    return resp
                body = resp.get_data()
                etag = hashlib.sha256(body).hexdigest()[:32]
                cache.set(key, (etag, body))
            else:
                CACHE_REQUESTS.labels(cache=CACHE_NAME, result="hit").inc()
                etag, body = hit
            resp = Response(body, mimetype="application/json")
            resp.set_etag(etag)
            resp.cache_control.public = True
            resp.cache_control.no_cache = True  # always revalidate: a 304 is cheap, stale data is not
            return resp.make_conditional(request)

        return wrapper

    return decorate
