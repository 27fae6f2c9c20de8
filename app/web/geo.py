"""Serve the browser GeoJSON as static, cacheable files (gzip precompressed, strong ETag).

Geometry never travels inside a figure: the map trace names this URL and the
browser fetches it once, then revalidates with ``If-None-Match`` (304).
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, request

from app.data.geo import FILE_STEMS

bp = Blueprint("geo", __name__, url_prefix="/geo")
MAX_AGE_S = 7 * 24 * 3600


@lru_cache(maxsize=8)
def _load(folder: str, stem: str, mtime: float) -> tuple[bytes, bytes, str]:
    base = Path(folder) / f"{stem}.geojson"
    raw = base.read_bytes()
    gz_path = base.with_suffix(".geojson.gz")
    gz = gz_path.read_bytes() if gz_path.exists() else b""
    return raw, gz, hashlib.sha256(raw).hexdigest()[:20]


def geojson_url(level: str) -> str:
    """The URL of a level's GeoJSON (used by the figures)."""
    return f"/geo/{FILE_STEMS[level]}.geojson"


@bp.get("/<stem>.geojson")
def geojson(stem: str) -> Response:
    if stem not in FILE_STEMS.values():
        abort(404)
    folder = current_app.extensions["nutrimapa"].settings.web_geo_dir
    path = folder / f"{stem}.geojson"
    if not path.exists():
        abort(404)
    raw, gz, etag = _load(str(folder), stem, path.stat().st_mtime)
    use_gzip = bool(gz) and "gzip" in request.headers.get("Accept-Encoding", "")
    # One ETag per representation ("-gz" for gzip), so caches never mix the two bodies; the compression
    # hook maps an incoming "-gz" tag back to the plain one and re-suffixes the 304.
    headers = {"Cache-Control": f"public, max-age={MAX_AGE_S}", "Vary": "Accept-Encoding"}
    if request.if_none_match.contains(etag):
        return Response(status=304, headers={**headers, "ETag": f'"{etag}"'})
    tag = f"{etag}-gz" if use_gzip else etag
    headers["ETag"] = f'"{tag}"'
    body = gz if use_gzip else raw
    resp = Response(body, mimetype="application/geo+json", headers=headers)
    if use_gzip:
        resp.headers["Content-Encoding"] = "gzip"
    return resp
