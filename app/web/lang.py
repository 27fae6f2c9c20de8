"""The interface language: a cookie set by a plain link, read by every layout and callback."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, has_request_context, redirect, request

LANGS = ("es", "en")
COOKIE = "nutrimapa_lang"
bp = Blueprint("lang", __name__)


def current_lang(default: str = "es") -> str:
    """The visitor's language (cookie), Spanish by default."""
    if not has_request_context():
        return default
    lang = request.cookies.get(COOKIE, default)
    return lang if lang in LANGS else default


def _back_to(default: str = "/") -> str:
    """The page the visitor came from (``next`` or the Referer), only ever a path on this site."""
    target = request.args.get("next")
    if target is None and request.referrer:
        ref = urlsplit(request.referrer)
        if ref.netloc == request.host:
            target = ref.path + (f"?{ref.query}" if ref.query else "")
    target = target or default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


@bp.get("/idioma/<lang>")
def set_lang(lang: str):
    target = _back_to()
    resp = redirect(target)
    if lang in LANGS:
        resp.set_cookie(COOKIE, lang, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return resp


def _html_lang(response):
    """Pages say which language they are in: ``<html lang="en">`` for an English visitor (screen readers)."""
    if response.mimetype == "text/html" and not response.direct_passthrough and response.status_code == 200:
        body = response.get_data(as_text=True)
        if '<html lang="' in body[:200]:
            lang = current_lang()
            start = body.index('<html lang="') + len('<html lang="')
            end = body.index('"', start)
            if body[start:end] != lang:
                response.set_data(body[:start] + lang + body[end:])
    return response


def init_app(server) -> None:
    """Register the ``<html lang>`` rewrite (runs before the compression hook registered earlier)."""
    server.after_request(_html_lang)
