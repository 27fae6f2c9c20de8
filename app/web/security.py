"""Security headers on every response.

- ``Content-Security-Policy``: only this origin's scripts, plus the hashes of the
  Dash renderer's inline start-up script (and any inline clientside callbacks),
  computed by Dash itself (``Dash.csp_hashes``). Styles allow ``'unsafe-inline'``
  because Plotly and the Dash components inject ``<style>`` rules at run time.
  ``frame-ancestors 'none'`` forbids framing (clickjacking), as does
  ``X-Frame-Options: DENY`` for older browsers.
- ``X-Content-Type-Options: nosniff``; ``Referrer-Policy: strict-origin-when-cross-origin``;
  ``Cross-Origin-Opener-Policy: same-origin``.

The policy is checked in real Chromium (tests/browser/test_security_headers.py):
the dashboard must run under it with no CSP errors in the console.
"""

from __future__ import annotations

from flask import Flask, Response

STATIC_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def content_security_policy(script_hashes: list[str]) -> str:
    """The policy for this app, given the hashes of its inline scripts."""
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", *script_hashes],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


def init_app(server: Flask, dash_app) -> None:
    """Add the headers to every response of ``server`` (the Flask server of ``dash_app``)."""
    policy: dict[str, str] = {}

    def add_headers(response: Response) -> Response:
        csp = policy.get("csp")
        if csp is None:
            csp = content_security_policy(list(dash_app.csp_hashes()))
            # Kept once Dash has set itself up (its inline clientside scripts are known only then);
            # a first request stopped earlier (a login redirect) must not freeze an incomplete list.
            if getattr(dash_app, "_got_first_request", {}).get("setup_server"):
                policy["csp"] = csp
        response.headers.setdefault("Content-Security-Policy", csp)
        for name, value in STATIC_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    server.after_request(add_headers)
