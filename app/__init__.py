"""NutriMapa Perú: where Peru's children go hungry, and why.

``create_app`` is the only entry point; nothing is read or loaded at import time.
"""

from __future__ import annotations

import logging
from pathlib import Path

from app.config import ROOT, Settings

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None):
    """Build the Dash app (its Flask server is ``app.server``).

    Args:
        settings: configuration; ``Settings.from_env()`` when omitted.
    """
    import dash
    from flask import Flask

    from app import api
    from app.extensions import cache
    from app.store import DataStore
    from app.web import compression, geo, lang

    settings = settings or Settings.from_env()
    server = Flask(__name__, instance_path=str(settings.instance_dir.resolve()))
    server.config.from_mapping(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=settings.max_upload_mb * 1024 * 1024,
        JSON_SORT_KEYS=False,
        TESTING=settings.testing,
    )
    if settings.redis_url:
        cache_config = {
            "CACHE_TYPE": "RedisCache",
            "CACHE_REDIS_URL": settings.redis_url,
            "CACHE_KEY_PREFIX": "nutrimapa:",
        }
    else:
        cache_config = {"CACHE_TYPE": "SimpleCache"}
    server.json.sort_keys = False  # keep documented field order (ubigeo, name, ...) in API answers
    cache.init_app(server, config={**cache_config, "CACHE_DEFAULT_TIMEOUT": settings.cache_timeout_s})
    server.extensions["nutrimapa"] = DataStore.from_settings(settings)
    server.register_blueprint(api.bp)
    server.register_blueprint(geo.bp)
    server.register_blueprint(lang.bp)
    compression.init_app(server)

    app = dash.Dash(
        __name__,
        server=server,
        use_pages=True,
        pages_folder=str(Path(__file__).parent / "pages"),
        assets_folder=str(ROOT / "assets"),
        title="NutriMapa Perú",
        serve_locally=True,
        suppress_callback_exceptions=True,
        update_title=None,
    )
    from app.components import shell

    app.layout = shell.layout  # a function: evaluated per page load, in the visitor's language
    app.index_string = app.index_string.replace("<html>", f'<html lang="{settings.default_language}">')
    log.info("NutriMapa ready: survey %s", server.extensions["nutrimapa"].survey.version)
    return app
