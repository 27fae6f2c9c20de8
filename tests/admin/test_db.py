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


def test_models_and_migrations_agree(db):
    """Autogenerate finds nothing to do: the schema comes only from migrations, and they are complete."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from app.db.models import Base

    with db.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []


def test_only_one_run_can_hold_the_active_slot(db):
    """Two workers starting runs in the same instant: the database lets exactly one through."""
    import pytest
    from sqlalchemy.exc import IntegrityError

    from app.db.models import TrainingRun

    with db.session() as s:
        first = TrainingRun(params={}, slot=1)
        s.add(first)
    with pytest.raises(IntegrityError), db.session() as s:
        s.add(TrainingRun(params={}, slot=1))
    with db.session() as s:
        s.get(TrainingRun, first.id).finish("succeeded")
    with db.session() as s:
        s.add(TrainingRun(params={}, slot=1))  # the slot is free again
