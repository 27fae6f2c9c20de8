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
