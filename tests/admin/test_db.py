"""Migrations run up and down on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import inspect

TABLES = {"users", "datasets", "training_runs", "model_versions", "activations", "audit_log", "alembic_version"}


def test_migrations_up_down_up(db):
    assert db.is_current()
    assert set(inspect(db.engine).get_table_names()) >= TABLES
    db.downgrade("base")
    assert db.current_revision() is None
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    db.upgrade()
    assert db.is_current()


def test_postgres_urls_use_psycopg3(admin_settings):
    from dataclasses import replace

    from app.db import database_url

    assert database_url(replace(admin_settings, database_url="postgres://u@h/db")) == "postgresql+psycopg://u@h/db"
    assert database_url(replace(admin_settings, database_url=None)).startswith("sqlite:///")
