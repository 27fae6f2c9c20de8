"""The exported tip model: ≤ 20 KB, runs in ai_edge_litert, matches its Keras model, follows the guidance rules."""

from __future__ import annotations

import json

import keras
import numpy as np
import pytest

from app.config import ROOT
from training import tips

TIPS = ROOT / "models" / "v1" / "tips"


@pytest.fixture(scope="module")
def meta() -> dict:
    return json.loads((TIPS / "tip_model.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def grid(meta) -> np.ndarray:
    """Every district x age 0-59 months x sex profile, inputs as the phone app builds them from the metadata."""
    return tips.grid_from_metadata(meta)


def test_tflite_is_small_and_matches_keras_on_every_profile(meta, grid):
    flat = (TIPS / "tip_model.tflite").read_bytes()
    assert len(flat) <= 20 * 1024
    assert len(grid) >= 1887 * 120
    lite = tips.run_tflite(flat, grid)
    reference = keras.saving.load_model(TIPS / "tip_model.keras").predict(grid, batch_size=8192, verbose=0)
    assert lite.shape == (len(grid), len(tips.CATEGORIES))
    assert float(np.abs(lite - reference).max()) <= 0.05
    assert float((lite.argmax(1) == reference.argmax(1)).mean()) >= 0.99
    assert meta["verification"]["max_abs_diff_tflite_vs_keras"] <= 0.05


def test_metadata_carries_labels_rules_and_sources(meta):
    assert [c["key"] for c in meta["categories"]] == list(tips.KEYS)
    for c in meta["categories"]:
        assert c["es"]
        assert c["en"]
        assert c["rule"]
        assert "MINSA" in c["source"] or "WHO" in c["source"]
    assert [i["name"] for i in meta["inputs"]] == list(tips.INPUTS)
    assert meta["risk_model_version"] == "v1"
    assert len(meta["districts"]["rows"]) >= 1887


def test_tips_follow_the_age_rules(grid):
    lite = tips.run_tflite((TIPS / "tip_model.tflite").read_bytes(), grid)
    age = grid[:, 0]
    k = {key: i for i, key in enumerate(tips.KEYS)}
    newborn, toddler = age < 6, (age >= 12) & (age < 24)
    assert (lite[newborn].argmax(1) == k["exclusive_breastfeeding"]).mean() >= 0.99
    assert lite[age >= 7, k["exclusive_breastfeeding"]].max() < 0.1
    assert lite[age < 5, k["iron_rich_foods"]].max() < 0.1
    assert lite[toddler, k["complementary_feeding"]].min() > 0.5


def test_rule_scores_use_the_childs_risk():
    age = np.array([3, 8, 8, 30, 48])
    anemia = np.array([0.2, 0.2, 0.6, 0.5, 0.5])
    stunting = np.array([0.1, 0.1, 0.1, 0.3, 0.0])
    s = tips.rule_scores(age, anemia, stunting)
    k = {key: i for i, key in enumerate(tips.KEYS)}
    assert s[0, k["exclusive_breastfeeding"]] == pytest.approx(1.0)
    assert s[1:, k["exclusive_breastfeeding"]].max() == 0
    assert s[2, k["iron_supplements"]] > s[1, k["iron_supplements"]]  # more anemia risk, more priority
    assert s[4, k["iron_supplements"]] == 0  # 4 years old: outside 4-35 months
    assert s[3, k["safe_water_deworming"]] == pytest.approx(0.85)
