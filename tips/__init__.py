"""The tips service: a FastAPI application choosing a caregiver's weekly health tip with the TFLite tip model.

Runs in its own process (``gunicorn -c tips/gunicorn_conf.py tips.main:app``, uvicorn workers), apart from the Dash
app, and shares the model registry (``models/``) and the admin database (``app/db``). It never imports
TensorFlow, Dash or Flask: the tip model runs in ``ai_edge_litert``.

Layout: ``main.py`` (what gunicorn loads) -> ``create_app`` here -> ``api/`` (routes per resource,
``deps.py``) -> plain modules (``bank``, ``model``, ``choice``, ``subscribers``, ``weekly``, ``privacy``,
``keys``) -> ``app.db`` and ``training.registry``.
"""

from __future__ import annotations

from app.config import Settings


def create_app(settings: Settings | None = None):
    """Build the FastAPI app; nothing is read or loaded until this is called."""
    from tips.api.app import build

    return build(settings or Settings.from_env())
