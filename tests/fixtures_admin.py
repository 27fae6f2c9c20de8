"""Admin fixtures, a pytest plugin (see tests/conftest.py).

A migrated database (SQLite file, and a fresh PostgreSQL database when reachable),
a private models folder holding the bundled v1, a logged-in client with its CSRF token.
"""

from __future__ import annotations

import re
import socket
import uuid
from dataclasses import replace
from pathlib import Path

import pytest

from app.config import ROOT, Settings
from tests.conftest import _reset_dash_globals, services_required

PG_ADMIN_URL = "postgresql+psycopg://root@127.0.0.1:5432/postgres"
PASSWORD = "correct-horse-battery"


def postgres_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


def temporary_database(kind: str, prefix: str = "nutrimapa_test"):
    """Yield None for SQLite, or the URL of a new, empty PostgreSQL database dropped afterwards.

    Under REQUIRE_SERVICES=1 an unreachable PostgreSQL fails the test instead of skipping it.
    """
    if kind == "sqlite":
        yield None
        return
    if not postgres_reachable():
        if services_required():
            pytest.fail("PostgreSQL on 127.0.0.1:5432 is required (REQUIRE_SERVICES=1) but not reachable")
        pytest.skip("PostgreSQL not reachable on 127.0.0.1:5432")
    from sqlalchemy import create_engine, text

    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield f"postgresql://root@127.0.0.1:5432/{name}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request) -> str | None:
    """None (the SQLite file in the instance folder) or a new, empty PostgreSQL database, dropped after."""
    yield from temporary_database(request.param)


@pytest.fixture
def models_dir(tmp_path: Path) -> Path:
    """A models folder of this test's own: the bundled v1 (linked, read-only use) and its ACTIVE pointer."""
    folder = tmp_path / "models"
    folder.mkdir()
    (folder / "v1").symlink_to(ROOT / "models" / "v1", target_is_directory=True)
    (folder / "ACTIVE").write_text("v1\n")
    return folder


@pytest.fixture
def admin_settings(tmp_path: Path, database_url: str | None, models_dir: Path) -> Settings:
    return replace(
        Settings(),
        instance_dir=tmp_path / "instance",
        models_dir=models_dir,
        database_url=database_url,
        testing=True,
        secret_key="test-secret",
        secure_cookies=False,
    )


@pytest.fixture
def db(admin_settings):
    from app.db import Database

    database = Database.from_settings(admin_settings)
    database.upgrade()
    yield database
    database.dispose()


@pytest.fixture
def admin_user(db):
    from app.admin.accounts import create_user

    with db.session() as s:
        create_user(s, "ana", PASSWORD)
    return "ana"


@pytest.fixture
def make_app(db, admin_user):
    """Build apps over this test's database and folders, each like one gunicorn worker; closed after the test."""
    from app import create_app

    made = []

    def _make(settings: Settings):
        _reset_dash_globals()
        made.append(create_app(settings))
        return made[-1]

    yield _make
    for dash_app in made:
        dash_app.server.extensions["nutrimapa_db"].dispose()
    _reset_dash_globals()


@pytest.fixture
def admin_app(make_app, admin_settings):
    return make_app(admin_settings)


def login_form_token(client) -> str:
    page = client.get("/login")
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.get_data(as_text=True)).group(1)


def log_in(client, username: str = "ana", password: str = PASSWORD, next_url: str | None = None):
    url = "/login" + (f"?next={next_url}" if next_url else "")
    data = {"username": username, "password": password, "csrf_token": login_form_token(client)}
    return client.post(url, data=data)


class AdminClient:
    """A logged-in test client that sends the CSRF header on unsafe requests, as the browser does."""

    def __init__(self, client) -> None:
        self.client = client

    @property
    def token(self) -> str:
        cookie = self.client.get_cookie("_csrf_token")
        return cookie.value if cookie else ""

    def get(self, *a, **kw):
        return self.client.get(*a, **kw)

    def post(self, *a, **kw):
        kw.setdefault("headers", {})["X-CSRFToken"] = self.token
        return self.client.post(*a, **kw)


def signed_in(dash_app) -> AdminClient:
    """A test client of ``dash_app`` logged in as the fixture admin (the login response sets the CSRF cookie)."""
    client = dash_app.server.test_client()
    assert log_in(client).status_code == 302
    return AdminClient(client)


@pytest.fixture
def admin_client(admin_app):
    return signed_in(admin_app)


@pytest.fixture
def anon_client(admin_app):
    return admin_app.server.test_client()


def survey_subset(path: Path, years: set[int], edit=None) -> bytes:
    """Rows of the bundled ENDES sample for ``years`` as CSV bytes, text kept verbatim.

    ``edit(row_number, fields)`` may change fields to build a bad file (test data, labelled as such).
    """
    import csv
    import io

    from app.config import BUNDLED_SURVEY

    out = io.StringIO()
    with open(BUNDLED_SURVEY, encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        year_at = header.index("ANIO")
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        line = 1
        for fields in reader:
            if int(fields[year_at]) in years:
                line += 1
                if edit is not None:
                    edit(line, fields, header)
                writer.writerow(fields)
    path.write_text(out.getvalue(), encoding="utf-8")
    return path.read_bytes()


def wait_for(check, timeout: float = 240.0, every: float = 0.5):
    """Poll ``check()`` until it returns something truthy; fail with its last value after ``timeout``."""
    import time

    deadline = time.monotonic() + timeout
    value = None
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(every)
    pytest.fail(f"timed out after {timeout} s; last value: {value!r}")


def multipart(name: str, content: bytes) -> dict:
    """A multipart body encoded up front (the test client would spool big ones to an unclosed temp file)."""
    import io

    from werkzeug.datastructures import FileStorage
    from werkzeug.test import encode_multipart

    boundary, body = encode_multipart({"files": FileStorage(io.BytesIO(content), filename=name)})
    return {"data": body, "content_type": f"multipart/form-data; boundary={boundary}"}


@pytest.fixture(autouse=True)
def _no_job_outlives_its_test():
    """Training jobs a test started are finished (or stopped) before its temporary folders go."""
    yield
    from app.admin import jobs

    for pid, proc in list(jobs._CHILDREN.items()):
        try:
            proc.wait(timeout=30)
        except Exception:  # still training: stop it
            proc.kill()
            proc.wait()
        jobs._CHILDREN.pop(pid, None)
