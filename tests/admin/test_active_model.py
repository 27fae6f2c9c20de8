"""The active model version lives in the admin database: promotion works with models/ read-only (Kubernetes),
every worker follows it, models/ACTIVE is only the default (SQLite and PostgreSQL)."""

from __future__ import annotations

import errno
import tempfile
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import pytest

from tests.admin.test_versions import second_version  # noqa: F401 (fixture)
from tests.fixtures_admin import signed_in

UNREACHABLE = "postgresql+psycopg://nobody@127.0.0.1:9/none?connect_timeout=2"  # nothing listens on port 9


@pytest.fixture
def read_only_models(models_dir: Path, monkeypatch):
    """models/ as the web pods mount it: nothing can be created in it (root ignores file modes, so the
    file system's refusal is simulated where registry.activate writes: its temporary file)."""
    real = tempfile.mkstemp

    def refuse(*args, dir=None, **kwargs):
        if dir is not None and Path(dir).resolve() == models_dir.resolve():
            raise OSError(errno.EROFS, "Read-only file system", str(dir))
        return real(*args, dir=dir, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    models_dir.chmod(0o555)
    yield models_dir
    models_dir.chmod(0o755)


def _model_versions(client, level: str = "department") -> set[str]:
    rows = client.get(f"/api/v1/estimates?level={level}&indicator=anemia").json
    return {r["model_version"] for r in rows}


def test_promote_and_roll_back_with_read_only_models(make_app, admin_settings, second_version, read_only_models):  # noqa: F811
    dash_app = make_app(replace(admin_settings, model_check_s=60))  # the switching worker must not wait
    admin = signed_in(dash_app)
    assert _model_versions(admin) == {"v1"}
    response = admin.post("/admin/api/models/v2/promote")
    assert response.status_code == 200, response.json
    assert response.json == {"active": "v2", "previous": "v1"}
    assert (read_only_models / "ACTIVE").read_text().strip() == "v1"  # untouched: the database decides
    assert _model_versions(admin) == {"v2"}
    listing = admin.get("/admin/api/models").json
    assert [v["version"] for v in listing if v["active"]] == ["v2"]
    assert admin.post("/admin/api/models/v2/promote").status_code == 409  # already active

    assert admin.post("/admin/api/models/rollback").json == {"active": "v1", "previous": "v2"}
    assert _model_versions(admin) == {"v1"}
    audit = admin.get("/admin/api/audit").json
    assert [(e["action"], e["target"]) for e in audit[:2]] == [("model_rolled_back", "v1"), ("model_promoted", "v2")]


def test_another_worker_serves_the_promoted_version(make_app, admin_settings, second_version, read_only_models):  # noqa: F811
    quick = replace(admin_settings, model_check_s=0.2)
    worker_a, worker_b = make_app(quick), make_app(quick)
    visitor_b = worker_b.server.test_client()
    assert _model_versions(visitor_b) == {"v1"}
    assert signed_in(worker_a).post("/admin/api/models/v2/promote").status_code == 200

    import time

    deadline = time.monotonic() + 5
    while _model_versions(visitor_b) != {"v2"} and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _model_versions(visitor_b) == {"v2"}
    assert _model_versions(visitor_b, "district") == {"v2"}


def test_another_process_sees_the_recorded_version(admin_settings, db, second_version, read_only_models):  # noqa: F811
    """A separate Python process (a tips worker, a pod) reads the same record."""
    import subprocess
    import sys

    from app.admin import versions
    from app.config import ROOT

    with db.session() as s:
        versions.promote(s, read_only_models, "v2", None)
    code = (
        "import sys; from pathlib import Path; from app.db import Database; from app.db.active import ActiveModel;"
        "print(ActiveModel(Database.from_url(sys.argv[1]), Path(sys.argv[2])).get())"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, db.url, str(read_only_models)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert out.stdout.strip() == "v2"


def test_models_active_is_the_default_until_a_switch_is_recorded(admin_settings, db, models_dir, second_version):  # noqa: F811
    from app.db.active import ActiveModel

    pointer = ActiveModel(db, models_dir, check_every_s=0)
    assert pointer.get() == "v1"
    (models_dir / "ACTIVE").write_text("v2\n")  # e.g. `python -m training.train --activate`
    assert pointer.get() == "v2"
    from app.admin import versions

    with db.session() as s:
        versions.promote(s, models_dir, "v1", None)
    assert pointer.get() == "v1"
    assert (models_dir / "ACTIVE").read_text().strip() == "v1"  # writable here: kept in step


def test_a_recorded_version_whose_folder_is_gone_is_skipped(admin_settings, db, models_dir, second_version):  # noqa: F811
    import shutil

    from app.admin import versions
    from app.db.active import ActiveModel

    with db.session() as s:
        versions.promote(s, models_dir, "v2", None)
    shutil.rmtree(models_dir / "v2")
    assert ActiveModel(db, models_dir, check_every_s=0).get() == "v1"


def test_database_unavailable_keeps_the_last_known_version(admin_settings, db, models_dir, second_version):  # noqa: F811
    from app.admin import versions
    from app.db import Database
    from app.db.active import ActiveModel

    with db.session() as s:
        versions.promote(s, models_dir, "v2", None)
    pointer = ActiveModel(db, models_dir, check_every_s=0)
    assert pointer.get() == "v2"
    pointer.db = Database.from_url(UNREACHABLE)  # unreachable
    assert pointer.get() == "v2"  # not the file's v1: a database blip does not flip the served model
    (models_dir / "ACTIVE").write_text("v1\n")  # (the promotion kept it in step: writable here)
    fresh = ActiveModel(Database.from_url(UNREACHABLE), models_dir, check_every_s=0)
    assert fresh.get() == "v1"  # nothing known yet: the file


def test_tip_model_follows_the_database(admin_settings, db, models_dir):
    """The tips service (read-only models/ too) serves the promoted version's tip model."""
    import shutil

    from app.config import ROOT
    from app.db.models import Activation
    from tips.model import ModelSource

    shutil.copytree(ROOT / "models" / "v1", models_dir / "v3", symlinks=True)
    source = ModelSource(models_dir, check_every_s=0, db=db)
    assert source.current().version == "v1"
    with db.session() as s:
        s.add(Activation(version="v3", previous="v1", kind="promote"))
    assert source.current().version == "v3"


def test_command_line_promotes_with_read_only_models(admin_settings, db, second_version, read_only_models, monkeypatch):  # noqa: F811
    """`python -m app.cli model promote v2` (e.g. `kubectl exec` into a web pod): recorded and audited."""
    from app import cli
    from app.admin import versions
    from app.admin.accounts import recent_audit

    for name, value in admin_settings.to_env().items():
        monkeypatch.setenv(name, value)
    if admin_settings.database_url is None:
        monkeypatch.delenv("DATABASE_URL", raising=False)
    assert cli.main(["model", "promote", "v2"]) == 0
    assert cli.main(["model", "promote", "v9"]) == 2
    with db.session() as s:
        entry = recent_audit(s)[0]
        assert versions.active_version(s, read_only_models) == "v2"
    assert entry["action"] == "model_promoted"
    assert entry["target"] == "v2"
    assert entry["user"].startswith("cli:")
    assert cli.main(["model", "rollback"]) == 0
    with db.session() as s:
        assert versions.active_version(s, read_only_models) == "v1"


class _FlakyDatabase:
    """The admin database behind a switch: ``up = False`` refuses every connection, counting the attempts."""

    def __init__(self, real) -> None:
        self.real, self.up, self.attempts = real, True, 0

    @contextmanager
    def session(self):
        self.attempts += 1
        if not self.up:
            raise ConnectionRefusedError("connection refused (simulated)")
        with self.real.session() as s:
            yield s


def test_an_unreachable_database_is_retried_only_after_the_back_off(admin_settings, db, models_dir, second_version):  # noqa: F811
    """While the database is down every request serves the last known version without trying it again,
    until the back-off has passed (a dead host costs one attempt per 30 s, not one per second)."""
    from app.admin import versions
    from app.db.active import ActiveModel

    with db.session() as s:
        versions.promote(s, models_dir, "v2", None)
    (models_dir / "ACTIVE").write_text("v1\n")
    now = [1000.0]
    flaky = _FlakyDatabase(db)
    pointer = ActiveModel(flaky, models_dir, check_every_s=1, retry_after_s=30, clock=lambda: now[0])
    assert pointer.get() == "v2"
    assert flaky.attempts == 1
    flaky.up = False
    now[0] += 1.5
    assert pointer.get() == "v2"  # the last known, not the file's v1
    assert flaky.attempts == 2
    for step in (1.5, 10, 15):  # 26.5 s after the failure: every check interval passed, the back-off not
        now[0] += step
        assert pointer.get() == "v2"
    assert flaky.attempts == 2
    flaky.up = True
    now[0] += 4  # 30.5 s after the failure
    assert pointer.get() == "v2"
    assert flaky.attempts == 3
    now[0] += 1.5  # back to the normal interval once it answered
    pointer.get()
    assert flaky.attempts == 4


def test_postgresql_connections_time_out_quickly(monkeypatch):
    """The engine passes a short connect_timeout to psycopg (a dead host must not hold requests for minutes)."""
    from sqlalchemy import event

    from app.db import CONNECT_TIMEOUT_S, Database, engine_options

    assert engine_options("sqlite:////tmp/x.db") == {}
    assert engine_options("postgresql+psycopg://u@h/db?connect_timeout=7") == {}  # the URL's own wins
    seen = {}
    database = Database.from_url("postgresql+psycopg://nobody@db.invalid/none")

    @event.listens_for(database.engine, "do_connect")
    def _capture(_dialect, _record, _args, params):
        seen.update(params)
        raise ConnectionRefusedError("not connecting in this test")

    with pytest.raises(Exception, match="not connecting"):
        database.engine.connect()
    assert seen["connect_timeout"] == CONNECT_TIMEOUT_S <= 5


@pytest.mark.parametrize("agree", [False, True])
def test_start_warns_when_models_active_and_the_database_disagree(
    make_app,
    admin_settings,
    db,
    models_dir,
    second_version,  # noqa: F811
    caplog,
    agree,
):
    """E.g. `python -m training.train --activate` wrote v2 to models/ACTIVE after v1 was recorded: the log says
    which is served and how to switch."""
    from app.admin import versions

    with db.session() as s:
        versions.promote(s, models_dir, "v2", None)
    with db.session() as s:
        versions.rollback(s, models_dir, None)  # the database now records v1
    (models_dir / "ACTIVE").write_text("v1\n" if agree else "v2\n")
    with caplog.at_level("WARNING", logger="app.db.active"):
        dash_app = make_app(admin_settings)
    warnings = [r.getMessage() for r in caplog.records if r.name == "app.db.active" and r.levelname == "WARNING"]
    assert _model_versions(dash_app.server.test_client()) == {"v1"}
    if agree:
        assert warnings == []
        return
    (message,) = warnings
    assert "models/ACTIVE names v2" in message
    assert "records v1" in message
    assert "python -m app.cli model promote v2" in message
