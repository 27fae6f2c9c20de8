"""Contract fuzzing with schemathesis against the running app (gunicorn, as deployed).

Every operation of the OpenAPI document, a bounded number of generated requests
each (``MAX_EXAMPLES`` for the fuzzing phase, plus schemathesis' explicit-example
and coverage phases). Checks: no 5xx, answers conform to the documented schema,
and the content type is the documented one on every status (JSON for every error).
Public operations run anonymously; admin reads run signed in; admin writes run
anonymously (each must answer the JSON 401), so fuzzing never starts a training run.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from dataclasses import replace
from types import SimpleNamespace

import pytest
import requests

from app.config import Settings
from tests.fixtures_admin import PASSWORD
from tests.gunicorn_server import gunicorn

pytestmark = pytest.mark.slow
MAX_EXAMPLES = 20  # generated requests per operation in the fuzzing phase
CHECKS = ["not_a_server_error", "status_code_conformance", "content_type_conformance", "response_schema_conformance"]
RUNS: list[str] = []


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """gunicorn (2 workers) over a fresh instance folder with a migrated database and one admin."""
    from app.admin.accounts import create_user
    from app.config import ROOT
    from app.db import Database

    tmp = tmp_path_factory.mktemp("contract")
    models = tmp / "models"
    models.mkdir()
    (models / "v1").symlink_to(ROOT / "models" / "v1", target_is_directory=True)
    (models / "ACTIVE").write_text("v1\n")
    settings = replace(Settings(), instance_dir=tmp / "instance", models_dir=models)
    db = Database.from_settings(settings)
    db.upgrade()
    with db.session() as s:
        create_user(s, "ana", PASSWORD)
    db.dispose()
    env = {
        "NUTRIMAPA_INSTANCE_DIR": str(settings.instance_dir),
        "NUTRIMAPA_MODELS_DIR": str(models),
        "NUTRIMAPA_SECRET_KEY": "contract-test",
        "NUTRIMAPA_SECURE_COOKIES": "0",
    }
    started = time.monotonic()
    with gunicorn(env, 2, tmp / "gunicorn.log") as base:
        admin = requests.Session()
        page = admin.get(base + "/login", timeout=30).text
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        login = admin.post(
            base + "/login",
            data={"username": "ana", "password": PASSWORD, "csrf_token": token},
            allow_redirects=False,
            timeout=30,
        )
        assert login.status_code == 302
        yield SimpleNamespace(base=base, admin=admin, anonymous=requests.Session())
        admin.close()
    RUNS.append(f"server up {time.monotonic() - started:.0f} s in all")


def schemathesis_run(live, tmp_path, *args: str) -> str:
    """Run the schemathesis CLI against the live server; fail with its report when a check fails."""
    cmd = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "run",
        live.base + "/api/v1/openapi.json",
        "--checks",
        ",".join(CHECKS),
        "--max-examples",
        str(MAX_EXAMPLES),
        "--phases",
        "examples,coverage,fuzzing",
        "--seed",
        "20261201",
        "--workers",
        "2",
        "--request-timeout",
        "60",
        "--no-color",
        "--suppress-health-check",
        "all",
        *args,
    ]
    started = time.monotonic()
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900, cwd=tmp_path, check=False)
    output = proc.stdout + proc.stderr
    label = "admin reads, signed in" if "Cookie" in " ".join(args) else "every operation, anonymous"
    RUNS.append(f"{label}: {_summary(output)} in {time.monotonic() - started:.0f} s")
    assert proc.returncode == 0, output[-8000:]
    return output


def _summary(output: str) -> str:
    """schemathesis' own counts: operations tested and test cases generated."""
    lines = [ln.strip() for ln in output.splitlines()]
    found = []
    for i, line in enumerate(lines[:-1]):
        if line == "Test cases:" or line.startswith("Tested:"):
            found.append(line if line.startswith("Tested:") else lines[i + 1])
    return ("operations " + ", ".join(found)) if found else lines[-1]


def test_every_operation_anonymously(live, tmp_path):
    """Public operations for real; admin operations must each answer the JSON 401."""
    output = schemathesis_run(live, tmp_path)
    assert "No issues found" in output or " passed" in output


def test_admin_reads_signed_in(live, tmp_path):
    cookie = "; ".join(f"{c.name}={c.value}" for c in live.admin.cookies)
    output = schemathesis_run(
        live, tmp_path, "--include-path-regex", "^/admin/api/", "--exclude-method", "POST", "-H", f"Cookie: {cookie}"
    )
    assert "No issues found" in output or " passed" in output
