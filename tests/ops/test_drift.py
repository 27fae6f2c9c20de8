"""Model monitoring at survey accept time: a survey whose altitude and wealth mix differ a lot moves the
drift gauge over the alert threshold (a labelled synthetic file built from the bundled sample)."""

from __future__ import annotations

import json
import re

import pytest

from tests.fixtures_admin import multipart, survey_subset

ALERT_THRESHOLD = 0.25  # deploy/prometheus/alerts.yml NutrimapaFeatureDrift


def _drift(client) -> dict[str, float]:
    text = client.get("/metrics").text
    return {f: float(v) for f, v in re.findall(r'nutrimapa_model_feature_drift_psi\{feature="([^"]+)"\} (\S+)', text)}


def _shift_to_poor_highlands(line, fields, header):
    """SYNTHETIC TEST DATA: every child moved 2,500 m up and into the poorest wealth quintile."""
    alt = header.index("HV040")
    if fields[alt]:
        fields[alt] = str(min(float(fields[alt]) + 2500, 6500))
    fields[header.index("V190")] = "más pobre"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_shifted_survey_moves_drift_over_threshold(admin_client, admin_settings, tmp_path, caplog):
    from app.config import Settings

    assert Settings().drift_threshold == ALERT_THRESHOLD
    before = _drift(admin_client)
    assert before
    assert max(before.values()) < 0.1, before

    content = survey_subset(tmp_path / "synthetic_drift.csv", {2023, 2024}, _shift_to_poor_highlands)
    up = admin_client.post("/admin/api/datasets", **multipart("synthetic_drift_2023_2024.csv", content))
    assert up.status_code == 201, up.json
    with caplog.at_level("WARNING", logger="app.monitoring"):
        assert admin_client.post(f"/admin/api/datasets/{up.json['id']}/accept").status_code == 200
    assert any("survey drift" in r.getMessage() for r in caplog.records)

    after = _drift(admin_client)
    assert after["altitude_m"] > ALERT_THRESHOLD, after
    assert after["wealth"] > ALERT_THRESHOLD, after
    assert after["sex"] < 0.1, after  # untouched features stay put
    # The reference is the model's training data, kept for every worker: another worker agrees.
    assert (admin_settings.instance_dir / "monitoring" / "reference-v1.json").exists()


def test_reference_is_the_versions_own_training_files(client, settings):
    import json

    from app.config import ROOT

    active = (ROOT / "models" / "ACTIVE").read_text().strip()
    client.get("/metrics")
    ref = json.loads((settings.instance_dir / "monitoring" / f"reference-{active}.json").read_text())
    assert ref["source"] == "training files"  # found by name, bytes matching metadata's sha256
    assert ref["train_years"] == list(range(2015, 2023))


def test_changed_training_files_are_not_used(tmp_path):
    from app import monitoring
    from app.config import BUNDLED_SURVEY, ROOT

    meta = json.loads((ROOT / "models" / "v1" / "metadata.json").read_text())
    assert monitoring.training_files(meta, [BUNDLED_SURVEY.parent]) is not None
    altered = tmp_path / BUNDLED_SURVEY.name
    altered.write_bytes(BUNDLED_SURVEY.read_bytes() + b"\n")
    moved = {**meta, "config": {**meta["config"], "survey_files": [str(tmp_path / "gone" / altered.name)]}}
    assert monitoring.training_files(moved, [tmp_path]) is None  # same name, other bytes
