"""Gzip for scripts, styles and JSON without breaking browser caching.

flask-compress rewrites ETags so revalidation never matches; here a gzip body
carries the original tag plus ``-gz``, and an incoming ``If-None-Match`` with
that suffix is mapped back before the route compares it, so a repeat visit
still gets its 304. Fingerprinted Dash bundles (one-year ``max-age``) are
compressed once and kept in memory.
"""

from __future__ import annotations

import gzip
from collections import OrderedDict

from flask import Flask, Response, request

COMPRESSIBLE = (
    "application/javascript",
    "text/javascript",
    "text/css",
    "application/json",
    "image/svg+xml",
    "application/geo+json",
    "text/html",
)
MIN_BYTES = 1024
_CACHE: OrderedDict[tuple, bytes] = OrderedDict()
_CACHE_MAX = 64


def _accepts_gzip() -> bool:
    return "gzip" in request.headers.get("Accept-Encoding", "")


def _strip_gz_suffix() -> None:
    tag = request.environ.get("HTTP_IF_NONE_MATCH")
    if tag and '-gz"' in tag:
        request.environ["HTTP_IF_NONE_MATCH"] = tag.replace('-gz"', '"')


def _compress(response: Response) -> Response:
    if not _accepts_gzip() or response.headers.get("Content-Encoding"):
        return response
    etag, weak = response.get_etag()
    if response.status_code == 304:
        if etag:
            response.set_etag(f"{etag}-gz", weak=weak)
        return response
    if response.status_code != 200 or response.mimetype not in COMPRESSIBLE:
        return response
    response.direct_passthrough = False
    source = response.response
    data = response.get_data()
    if hasattr(source, "close"):  # a file wrapper from send_file: read, so close it now
        source.close()
    if len(data) < MIN_BYTES:
        return response
    cacheable = bool(etag) or (response.cache_control.max_age or 0) > 3600
    key = (request.path, etag, len(data))
    body = _CACHE.get(key) if cacheable else None
    if body is None:
        body = gzip.compress(data, compresslevel=6, mtime=0)
        if cacheable:
            _CACHE[key] = body
            while len(_CACHE) > _CACHE_MAX:
                _CACHE.popitem(last=False)
    response.set_data(body)
    response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    if etag:
        response.set_etag(f"{etag}-gz", weak=weak)
    return response


def init_app(server: Flask) -> None:
    """Register the hooks on the Flask server."""
    server.before_request(_strip_gz_suffix)
    server.after_request(_compress)
