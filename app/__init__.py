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
    from app.admin import api as admin_api
    from app.admin import auth
    from app.db import Database
    from app.db.active import ActiveModel, warn_if_file_disagrees
    from app.extensions import cache
    from app.store import DataStore
    from app.web import compression, errors, geo, lang, plotlyjs, security

    settings = settings or Settings.from_env()
    server = Flask(__name__, instance_path=str(settings.instance_dir.resolve()))
    server.config.from_mapping(
        SECRET_KEY=settings.secret_key or _instance_secret(settings.instance_dir),
        # Dash sends uploads base64-encoded inside JSON: 4/3 of the file size, plus the envelope.
        MAX_CONTENT_LENGTH=(settings.max_upload_mb * 4 // 3 + 2) * 1024 * 1024,
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
    store = DataStore.from_settings(settings)
    server.extensions["nutrimapa"] = store
    server.before_request(store.refresh)  # one stat per request: picks up a survey another worker accepted
    db = Database.from_settings(settings)
    server.extensions["nutrimapa_db"] = db
    server.extensions["nutrimapa_active"] = ActiveModel(db, settings.models_dir, settings.model_check_s)
    if not db.is_current():
        log.warning("admin database %s is not migrated: run `python -m app.cli db upgrade`", db.url)
    else:
        warn_if_file_disagrees(db, settings.models_dir)
    auth.init_app(server, settings)
    server.register_blueprint(api.bp)
    server.register_blueprint(admin_api.bp)
    server.register_blueprint(geo.bp)
    server.register_blueprint(lang.bp)
    server.register_blueprint(plotlyjs.bp)  # the partial plotly.js bundle, at the URL dcc.Graph loads
    compression.init_app(server)
    lang.init_app(server)  # <html lang> of the visitor's language (registered after compression: runs before it)
    plotlyjs.init_app(server)  # preload plotly.js on pages that draw graphs (also before compression)
    errors.init_app(server)  # one JSON error shape under /api and /admin/api; no 500s from Dash's views

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
    security.init_app(server, app)  # CSP (with Dash's inline-script hashes), nosniff, referrer, no framing
    from app.web import metrics

    metrics.init_app(
        server,
        settings,
        callback_ids=lambda: list(app.callback_map),
        page_paths=lambda: [p.get("path_template") or p["path"] for p in dash.page_registry.values()],
    )
    from app.web import callback_cache

    callback_cache.init_app(server, lambda: app.callback_map)  # last: first on the way out, after metrics' start
    log.info("NutriMapa ready: survey %s", server.extensions["nutrimapa"].survey.version)
    return app


def _instance_secret(instance_dir: Path) -> str:
    """A random session key made once and kept in the instance folder (0600), so every worker signs alike."""
    import os
    import secrets
    import tempfile

    path = instance_dir / "secret_key"
    if not path.exists():
        instance_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=instance_dir)  # mode 0600
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
        try:
            os.link(tmp, path)  # atomic: the first worker's key wins, complete
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
    return path.read_text().strip()
