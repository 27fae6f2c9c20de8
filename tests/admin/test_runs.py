"""Retraining runs as admins start them: a real training job in its own process, with progress,
cancel, and a killed run that leaves the active version serving."""

from __future__ import annotations

import os
import signal

import pytest

from tests.fixtures_admin import wait_for

TINY = {"members": 2, "epochs": 2, "tip_epochs": 2, "validation_years": 1}
LONG = {"members": 2, "epochs": 200, "tip_epochs": 2, "validation_years": 1}  # long enough to stop it mid-training


def _served_version(client) -> set[str]:
    rows = client.get("/api/v1/estimates?level=department&indicator=anemia").json
    return {r["model_version"] for r in rows}


def _run(client, run_id: int) -> dict:
    return client.get(f"/admin/api/runs/{run_id}").json


def _finished(client, run_id: int):
    run = _run(client, run_id)
    return run if run["status"] not in ("queued", "running") else None


def test_run_builds_a_version_without_touching_the_active_one(admin_client, models_dir):
    response = admin_client.post("/admin/api/runs", json=TINY)
    assert response.status_code == 202, response.json
    run_id = response.json["id"]
    assert response.json["runner"] == "local"
    assert admin_client.post("/admin/api/runs", json=TINY).status_code == 409  # one at a time

    seen: list[tuple[float, str]] = []

    def done():
        run = _run(admin_client, run_id)
        seen.append((run["progress"], run["phase"]))
        assert _served_version(admin_client) == {"v1"}  # served all along
        return run if run["status"] not in ("queued", "running") else None

    run = wait_for(done, timeout=300)
    assert run["status"] == "succeeded", run["error"] or run["log"][-2000:]
    assert run["model_version"] == "v2"
    assert run["progress"] == 1.0
    assert run["epoch"] == 2
    progress = [p for p, _ in seen]
    assert progress == sorted(progress)  # the bar only moves forward
    assert len({phase for _, phase in seen}) >= 3  # e.g. loading data, explaining (SHAP), tip model, done
    assert run["metrics"]["anemia"]["keras"]["auc"] > 0.6
    assert "phase: explaining (SHAP)" in run["log"]
    assert (models_dir / "ACTIVE").read_text().strip() == "v1"
    tips = (models_dir / "v2" / "tips" / "tip_model.tflite").stat().st_size
    assert tips <= 20 * 1024
    listing = {v["version"]: v for v in admin_client.get("/admin/api/models").json}
    assert listing["v2"]["run_id"] == run_id
    assert listing["v2"]["active"] is False
    assert not [p for p in models_dir.iterdir() if p.name.startswith(".")]  # no staging left


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_killed_run_leaves_the_active_version_serving(admin_client, models_dir, db):
    run_id = admin_client.post("/admin/api/runs", json=LONG).json["id"]
    run = wait_for(lambda: (r := _run(admin_client, run_id))["epoch"] >= 2 and r, timeout=120)
    assert run["status"] == "running"
    assert run["phase"] == "training"
    from app.db.models import TrainingRun

    with db.session() as s:
        pid = s.get(TrainingRun, run_id).pid
    os.kill(pid, signal.SIGKILL)
    run = wait_for(lambda: _finished(admin_client, run_id), timeout=60)
    assert run["status"] == "failed"
    assert "the active model is unchanged" in run["error"]
    assert (models_dir / "ACTIVE").read_text().strip() == "v1"
    assert sorted(p.name for p in models_dir.iterdir() if p.name.startswith("v")) == ["v1"]
    assert _served_version(admin_client) == {"v1"}
    # The next run may start.
    assert admin_client.post("/admin/api/runs", json={"members": "many"}).status_code == 400


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_cancel_stops_the_run(admin_client, models_dir):
    run_id = admin_client.post("/admin/api/runs", json=LONG).json["id"]
    wait_for(lambda: _run(admin_client, run_id)["epoch"] >= 1, timeout=120)
    response = admin_client.post(f"/admin/api/runs/{run_id}/cancel")
    assert response.status_code == 200
    assert response.json["cancel_requested"] is True
    run = wait_for(lambda: _finished(admin_client, run_id), timeout=60)
    assert run["status"] == "cancelled"
    assert run["epoch"] < LONG["epochs"]
    assert sorted(p.name for p in models_dir.iterdir() if p.name.startswith(("v", "."))) == ["v1"]
    assert admin_client.post(f"/admin/api/runs/{run_id}/cancel").status_code == 409
    actions = [e["action"] for e in admin_client.get("/admin/api/audit").json]
    assert actions[:2] == ["run_cancelled", "run_started"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"members": 1}, "members"),
        ({"epochs": 0}, "epochs"),
        ({"epochs": "x"}, "epochs"),
        ({"learning_rate": 3}, "learning_rate"),
        ({"dataset_id": 42}, "dataset_id"),
    ],
)
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_bad_run_parameters_are_refused(admin_client, body, field):
    response = admin_client.post("/admin/api/runs", json=body)
    assert response.status_code == 400
    assert response.json["parameter"] == field
    assert admin_client.get("/admin/api/runs").json == []
