"""The admin side: accounts and login, uploads, retraining jobs, the model registry and tip models.

Everything here is plain Python over the database and the model registry; the
HTTP routes (``api.py``, ``auth.py``) and the Dash pages (``app/pages/admin_*``)
are thin layers over it.
"""

from __future__ import annotations

from flask import current_app

from app.db import Database


def get_db() -> Database:
    return current_app.extensions["nutrimapa_db"]
