"""Serve the partial plotly.js bundle where Dash's graph component asks for plotly.js.

``dcc.Graph`` loads plotly.js on demand (only on pages that draw a graph) from
``/_dash-component-suites/plotly/package_data/plotly.min.js`` when assets are
served locally. This route answers that URL with ``vendor/plotly/dist``'s bundle
of the four trace types the app draws (recipe in ``vendor/plotly/README.md``):
about a third of the full file. Gzipped once, strong ETag, revalidated on each
visit (a 304 of a few hundred bytes).
"""

from __future__ import annotations

import gzip
import hashlib
from functools import lru_cache
from pathlib import Path

from flask import Blueprint, Response, request

from app.config import ROOT

BUNDLE = ROOT / "vendor" / "plotly" / "dist" / "plotly-nutrimapa.min.js"
DASH_PLOTLY_PATH = "/_dash-component-suites/plotly/package_data/plotly.min.js"
bp = Blueprint("plotlyjs", __name__)


@lru_cache(maxsize=2)
def _load(path: str, mtime: float) -> tuple[bytes, bytes, str]:
    raw = Path(path).read_bytes()
    return raw, gzip.compress(raw, compresslevel=9, mtime=0), hashlib.sha256(raw).hexdigest()[:20]


@bp.get(DASH_PLOTLY_PATH)
def plotly_js() -> Response:
    raw, gz, etag = _load(str(BUNDLE), BUNDLE.stat().st_mtime)
    headers = {"Cache-Control": "public, no-cache", "Vary": "Accept-Encoding"}
    if request.if_none_match.contains(etag):
        return Response(status=304, headers={**headers, "ETag": f'"{etag}"'})
    use_gzip = "gzip" in request.headers.get("Accept-Encoding", "")
    headers["ETag"] = f'"{etag}-gz"' if use_gzip else f'"{etag}"'
    resp = Response(gz if use_gzip else raw, mimetype="application/javascript", headers=headers)
    if use_gzip:
        resp.headers["Content-Encoding"] = "gzip"
    return resp
