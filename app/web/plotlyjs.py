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


GRAPH_PAGES = ("/", "/departamento/", "/provincia/", "/distrito/")
PRELOAD = f'<link rel="preload" href="{DASH_PLOTLY_PATH}" as="script">'


def _preload(response: Response) -> Response:
    """On pages that draw a graph, start fetching plotly.js with the other scripts, not after React renders.

    ``dcc.Graph`` asks for plotly.js only once it mounts: on a slow link that is one more round trip and
    download after the whole start-up chain. The preload hint overlaps it (same URL: one download).
    """
    path = request.path
    is_graph_page = path == "/" or any(path.startswith(p) for p in GRAPH_PAGES[1:])
    html_ok = response.mimetype == "text/html" and response.status_code == 200 and not response.direct_passthrough
    if is_graph_page and html_ok:
        body = response.get_data(as_text=True)
        if "<head>" in body and PRELOAD not in body:
            response.set_data(body.replace("<head>", "<head>\n        " + PRELOAD, 1))
    return response


def init_app(server) -> None:
    """Register the preload hint (after the compression hook is registered, so it runs before it)."""
    server.after_request(_preload)
