"""The admin database: SQLAlchemy engine and sessions, Alembic migrations.

A SQLite file under the instance folder by default; PostgreSQL (psycopg 3) when
``DATABASE_URL`` is set. The schema is created and upgraded only by Alembic
(``python -m app.cli db upgrade``), never by ``create_all``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from app.config import Settings

MIGRATIONS = Path(__file__).parent / "migrations"


def database_url(settings: Settings) -> str:
    """The SQLAlchemy URL: ``DATABASE_URL`` (postgres:// spellings mapped to psycopg 3) or the SQLite file."""
    url = settings.database_url
    if not url:
        return f"sqlite:///{(settings.instance_dir / 'nutrimapa.db').resolve()}"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


CONNECT_TIMEOUT_S = 2  # a dead PostgreSQL host must not hold a visitor's request for the OS default (minutes)


def engine_options(url: str) -> dict:
    """Extra ``create_engine`` options: a short connect timeout for PostgreSQL unless the URL sets one."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql" and "connect_timeout" not in parsed.query:
        return {"connect_args": {"connect_timeout": CONNECT_TIMEOUT_S}}
    return {}


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")  # readers (web workers) never wait for the training job's writes
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


@dataclass
class Database:
    """One engine and session factory per process."""

    url: str
    engine: Engine
    sessions: sessionmaker[Session]

    @classmethod
    def from_url(cls, url: str) -> Database:
        if url.startswith("sqlite"):
            path = Path(url.removeprefix("sqlite:///"))
            path.parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(url)
            event.listen(engine, "connect", _sqlite_pragmas)
        else:
            engine = create_engine(url, pool_pre_ping=True, **engine_options(url))
        return cls(url, engine, sessionmaker(engine, expire_on_commit=False))

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        return cls.from_url(database_url(settings))

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: committed on success, rolled back on any error."""
        with self.sessions() as s:
            try:
                yield s
                s.commit()
            except BaseException:
                s.rollback()
                raise

    def alembic_config(self):
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        cfg.attributes["engine"] = self.engine
        return cfg

    def upgrade(self, revision: str = "head") -> None:
        """Apply migrations up to ``revision``."""
        from alembic import command

        command.upgrade(self.alembic_config(), revision)

    def downgrade(self, revision: str) -> None:
        from alembic import command

        command.downgrade(self.alembic_config(), revision)

    def current_revision(self) -> str | None:
        from alembic.runtime.migration import MigrationContext

        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def head_revision(self) -> str | None:
        from alembic.script import ScriptDirectory

        return ScriptDirectory.from_config(self.alembic_config()).get_current_head()

    def is_current(self) -> bool:
        return self.current_revision() == self.head_revision()

    def dispose(self) -> None:
        self.engine.dispose()
