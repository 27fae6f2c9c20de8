"""The training pipeline end to end on the real data, tiny settings (smoke, not quality)."""

from __future__ import annotations

import json

import pytest

from training import registry
from training.train import Config, train

pytestmark = pytest.mark.slow


def test_pipeline_writes_a_complete_version_without_activating(tmp_path):
    progress = tmp_path / "progress.json"
    path = train(Config(members=2, epochs=1, seed=3, validation_years=1), tmp_path, progress_path=progress)
    assert path.name == "v1"
    assert registry.versions(tmp_path) == ["v1"]
    assert registry.active_version(tmp_path) is None  # a new version is never live until promoted
    state = json.loads(progress.read_text())
    assert state["phase"] == "done"
    assert state["epoch"] == 1
    art = registry.load(tmp_path, "v1")
    assert len(art.estimates[art.estimates["level"] == "district"]) == 2 * 1891 * 10  # every survey year
    assert art.metadata["validation"]["protocols"]["split_sample"]["years"] == [2024]
    assert {r["estimator"] for r in art.metadata["validation"]["table"]} == {
        "direct",
        "pooled",
        "logistic_regression",
        "v1_method",
        "spacetime",
    }
    meta = art.metadata
    assert meta["config"]["members"] == 2
    assert set(meta["metrics"]["holdout"]) == {"anemia", "stunting"}
    # Versions are never overwritten.
    with pytest.raises(FileExistsError):
        train(Config(members=2, epochs=1, seed=3, validation_years=1), tmp_path, version="v1")
    assert registry.versions(tmp_path) == ["v1"]
