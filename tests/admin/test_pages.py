"""The admin page layouts for a logged-in admin: what each page shows before anyone clicks."""

from __future__ import annotations

import pytest
from flask_login import login_user
from sqlalchemy import select

from app.db.models import User


@pytest.fixture
def render(admin_app, db):
    from dash import page_registry

    pages = {p["path"]: p["layout"] for p in page_registry.values()}
    with db.session() as s:
        user = s.scalar(select(User).where(User.username == "ana"))

    def _render(path: str) -> str:
        with admin_app.server.test_request_context(path):
            login_user(user)
            return str(pages[path]())

    return _render


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_overview_shows_active_model_survey_and_audit(render, admin_client):
    text = render("/admin")
    assert "Modelo activo" in text
    assert "v1" in text
    assert "0.714" in text  # v1's holdout anemia AUC
    assert "No hay entrenamientos todavía." in text
    assert "login" in text  # the audit log lists the fixture's login
    assert "csrf_token" in text  # the sign-out form carries its token


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_data_training_and_models_pages(render):
    data = render("/admin/datos")
    assert "admin-upload" in data
    assert "máximo 200 MB" in data
    training = render("/admin/entrenamiento")
    assert "Iniciar reentrenamiento" in training
    assert "Encuesta en uso" in training
    models = render("/admin/modelos")
    assert "Versión activa: v1" in models
    assert "/admin/api/models/v1/tips.tflite" in models
    assert "6.6 KB" in models


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_admin_pages_follow_the_language_toggle(admin_app, db):
    from dash import page_registry

    pages = {p["path"]: p["layout"] for p in page_registry.values()}
    with db.session() as s:
        user = s.scalar(select(User).where(User.username == "ana"))
    headers = {"Cookie": "nutrimapa_lang=en"}
    with admin_app.server.test_request_context("/admin/modelos", headers=headers):
        login_user(user)
        models = str(pages["/admin/modelos"]())
    assert "Active version: v1" in models
    assert "Stunting AUC / Brier" in models
    assert "same category" in models
    with admin_app.server.test_request_context("/admin", headers=headers):
        login_user(user)
        assert "Audit log" in str(pages["/admin"]())


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_header_links_to_admin_only_when_signed_in(admin_app, db):
    from app.components import shell

    with admin_app.server.test_request_context("/"):
        assert "href='/admin'" not in str(shell.layout())
    with db.session() as s:
        user = s.scalar(select(User).where(User.username == "ana"))
    with admin_app.server.test_request_context("/"):
        login_user(user)
        assert "href='/admin'" in str(shell.layout())
