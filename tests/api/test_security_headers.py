"""Security headers on every response: pages, API, errors, assets, Dash's own routes."""

from __future__ import annotations

import pytest

PATHS = [
    ("GET", "/"),
    ("GET", "/no-such-page"),
    ("GET", "/api/v1/health"),
    ("GET", "/api/v1/nope"),
    ("POST", "/api/v1/health"),
    ("GET", "/admin/api/me"),
    ("GET", "/login"),
    ("GET", "/_dash-layout"),
    ("GET", "/_dash-component-suites/nope/x.js"),
    ("GET", "/assets/style.css"),
    ("GET", "/geo/departamentos.geojson"),
]


@pytest.mark.parametrize(("method", "path"), PATHS)
def test_every_response_carries_the_security_headers(client, method, path):
    with client.open(path, method=method) as response:
        headers = response.headers
    csp = headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self' 'sha256-" in csp  # Dash's inline start-up script by hash, no 'unsafe-inline'
    assert "'unsafe-eval'" not in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert headers["X-Frame-Options"] == "DENY"


def test_the_inline_renderer_script_is_covered_by_its_hash(client):
    import base64
    import hashlib
    import re

    assert client.get("/admin").status_code == 302  # a first request that stops before Dash sets itself up
    page = client.get("/").get_data(as_text=True)
    csp = client.get("/").headers["Content-Security-Policy"]
    inline = re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>(.*?)</script>", page, re.S)
    executed = [s for s in inline if "Internet Explorer" not in s]  # that one sits in an IE-only comment
    assert executed
    for script in executed:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in csp
