"""Answers that cost nothing twice: serialised once per (model version, data version, parameters).

``@shared_json("level", ...)`` keeps a route's 200 answer, as bytes with a strong
ETag, in the app cache: Redis with ``REDIS_URL`` (shared by every worker and
host), else the process's embedded cache. Later requests, from any worker, send
those bytes; a client that revalidates with ``If-None-Match`` gets ``304``. The
key names only the listed parameters, so unknown query strings cannot fill the
cache, and the model and survey versions, so a promotion or an accepted survey
is a new key rather than a purge. Errors are never kept. The gzip body is made
once too, and each worker keeps its most recent entries in memory as well.

:func:`lookup` and :func:`keep` are the same two tiers for other answers (Dash
callbacks, PDF reports): the caller builds the key with :func:`shared_key`.
"""

from __future__ import annotations

import gzip
import hashlib
from collections import OrderedDict
from collections.abc import Callable
from functools import lru_cache, wraps
from importlib import metadata
from pathlib import Path
from typing import NamedTuple

from flask import Response, current_app, request

from app.__about__ import __version__
from app.extensions import cache
from app.metrics.web import CACHE_REQUESTS

CACHE_NAME = "responses"
_LOCAL_MAX = 128  # entries each worker also keeps in memory (keys name the versions: never stale, only evicted)
_LOCAL_MAX_BYTES = 48 * 2**20  # and at most this many bytes of them, so worker memory stays flat


class Entry(NamedTuple):
    """A kept answer: strong ETag, plain body (None when only gzip is kept) and gzip body (None: not worth it)."""

    etag: str
    body: bytes | None
    gz: bytes | None

    @property
    def size(self) -> int:
        return len(self.body or b"") + len(self.gz or b"")

    def plain(self) -> bytes:
        return self.body if self.body is not None else gzip.decompress(self.gz)


def make_entry(body: bytes, keep_plain: bool = True, compress: bool = True) -> Entry:
    """An entry for ``body``: its tag, and its gzip made once (level 6, no timestamp: the same bytes everywhere)."""
    gz = gzip.compress(body, 6, mtime=0) if compress else None
    return Entry(hashlib.sha256(body).hexdigest()[:32], body if keep_plain or gz is None else None, gz)


def version_key() -> str:
    """The data this process serves: active model version and survey version."""
    from app.services import active_model_version, get_store

    return f"{active_model_version() or '-'}:{get_store().survey.version}"


RENDERING_PACKAGES = ("dash", "plotly", "flask", "pandas")  # their versions change the serialised answers


@lru_cache(maxsize=4)
def code_key(geodata_dir: Path) -> str:
    """This build: the app's source, the versions of the libraries that render answers and the geodata it
    draws (a few MB), so a deploy never serves an answer kept by the previous one (read once per process)."""
    h = hashlib.sha256(__version__.encode())
    for name in RENDERING_PACKAGES:
        h.update(f"{name}=={metadata.version(name)}\n".encode())
    package = Path(__file__).resolve().parents[1]
    for path in sorted(package.rglob("*.py")):
        h.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    for path in sorted(p for p in geodata_dir.rglob("*") if p.is_file()):
        # content, not size or mtime: an edit of the same size counts, and every host of a deploy agrees
        h.update(path.relative_to(geodata_dir).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:12]


def shared_key(kind: str, text: str) -> str:
    """A cache key for ``text`` (the parameters) under the code version and the served data versions."""
    digest = hashlib.sha256(text.encode()).hexdigest()[:32]
    from app.services import get_store

    return f"resp:{kind}:{code_key(get_store().settings.geodata_dir)}:{version_key()}:{digest}"


def _local() -> OrderedDict:
    return current_app.extensions.setdefault("nutrimapa_responses", OrderedDict())


def lookup(key: str, cache_name: str = CACHE_NAME) -> Entry | None:
    """The kept entry: this worker's memory first, then the shared cache; counted as a hit or a miss."""
    local = _local()
    entry = local.get(key)
    if entry is not None:
        local.move_to_end(key)
    else:
        found = cache.get(key)
        if found is not None:
            entry = Entry(*found)
            _remember(local, key, entry)
    CACHE_REQUESTS.labels(cache=cache_name, result="miss" if entry is None else "hit").inc()
    return entry


def keep(key: str, entry: Entry) -> None:
    """Store ``entry`` in the shared cache and in this worker's memory."""
    cache.set(key, tuple(entry))
    _remember(_local(), key, entry)


def shared_json(*params: str) -> Callable:
    """Decorate a JSON route whose answer depends only on ``params`` and the served versions."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            query = "&".join(f"{p}={request.args.get(p, '')}" for p in params)
            key = shared_key(request.endpoint, query)
            entry = lookup(key)
            if entry is None:
                resp = current_app.make_response(view(*args, **kwargs))
                if resp.status_code != 200:
                    return resp
                entry = make_entry(resp.get_data())
                keep(key, entry)
            return _respond(entry)

        return wrapper

    return decorate


def _remember(local: OrderedDict, key: str, entry: Entry) -> None:
    local[key] = entry
    total = sum(e.size for e in local.values()) if len(local) > 8 else 0
    while len(local) > _LOCAL_MAX or (total > _LOCAL_MAX_BYTES and len(local) > 1):
        _, dropped = local.popitem(last=False)
        total -= dropped.size


def _respond(entry: Entry) -> Response:
    """200 with the stored bytes (gzip when accepted), or 304 when the client holds this version.

    The compression hook (app/web/compression.py) has already turned an incoming ``-gz`` tag back
    into the plain one, and re-suffixes a 304's tag for gzip clients.
    """
    etag = entry.etag
    headers = {"Cache-Control": "public, no-cache", "Vary": "Accept-Encoding"}  # always revalidate: 304 is cheap
    if request.if_none_match.contains(etag):
        return Response(status=304, headers={**headers, "ETag": f'"{etag}"'})
    if entry.gz is not None and "gzip" in request.headers.get("Accept-Encoding", ""):
        return Response(
            entry.gz,
            mimetype="application/json",
            headers={**headers, "ETag": f'"{etag}-gz"', "Content-Encoding": "gzip"},
        )
    return Response(entry.plain(), mimetype="application/json", headers={**headers, "ETag": f'"{etag}"'})
