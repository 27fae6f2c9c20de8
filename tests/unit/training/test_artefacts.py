"""The committed region estimates and explanations: complete, coherent, additive."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from app.config import ROOT
from training import registry
from training.population import aggregate

MODELS = ROOT / "models"


@pytest.fixture(scope="module")
def art():
    return registry.load(MODELS)


YEARS = list(range(2015, 2025))


@pytest.mark.parametrize("indicator", ["anemia", "stunting"])
@pytest.mark.parametrize("level", ["department", "province", "district"])
def test_every_region_has_an_estimate_and_interval_for_every_year(art, regions, indicator, level):
    est = art.estimates[(art.estimates["level"] == level) & (art.estimates["indicator"] == indicator)]
    assert art.metadata["estimation"]["years"] == YEARS
    for year, grp in est.groupby("year"):
        assert set(grp["ubigeo"]) == set(regions.level(level)["ubigeo"]), year
    assert sorted(est["year"].unique()) == YEARS
    assert est[["estimate", "ci_low", "ci_high"]].notna().all().all()
    assert (est["ci_low"] <= est["estimate"]).all()
    assert (est["estimate"] <= est["ci_high"]).all()
    assert est["estimate"].between(0, 100).all()


def test_levels_are_benchmarked_exactly_every_year(art, regions):
    """Districts -> province -> department: population-weighted sums equal the level above, each year."""
    for (indicator, year), e in art.estimates.groupby(["indicator", "year"]):
        dist = e[e["level"] == "district"][["ubigeo", "estimate"]]
        for level, key in (("department", "dep_code"), ("province", "prov_code")):
            agg = aggregate(dist, regions.table("district"), key).set_index("ubigeo")["estimate"]
            stored = e[e["level"] == level].set_index("ubigeo")["estimate"]
            assert np.allclose(agg.loc[stored.index], stored, atol=1e-6), (indicator, year, level)


def test_district_intervals_are_never_narrower_than_their_department(art, regions):
    e = art.estimates
    dep = e[e["level"] == "department"].set_index(["indicator", "year", "ubigeo"])
    dep_of = regions.table("district").set_index("ubigeo")["dep_code"]
    for level in ("district", "province"):
        sub = e[e["level"] == level].copy()
        sub["dep"] = sub["ubigeo"].str[:2] if level == "province" else sub["ubigeo"].map(dep_of)
        d = dep.loc[list(zip(sub["indicator"], sub["year"], sub["dep"], strict=True))]
        below = (d["estimate"].to_numpy() - d["ci_low"].to_numpy()) - (sub["estimate"] - sub["ci_low"]).to_numpy()
        above = (d["ci_high"].to_numpy() - d["estimate"].to_numpy()) - (sub["ci_high"] - sub["estimate"]).to_numpy()
        clipped = (sub["ci_low"] <= 1e-9).to_numpy() | (sub["ci_high"] >= 100 - 1e-9).to_numpy()
        assert (below[~clipped] <= 1e-6).all(), level
        assert (above[~clipped] <= 1e-6).all(), level


def test_region_shap_is_additive_with_the_calibration_line(art):
    s = art.shap
    assert set(s["feature"]) >= {"calibration", "altitude_m", "year"}
    g = s.groupby(["level", "ubigeo", "indicator", "year"]).agg(
        base=("base_value", "first"), prediction=("prediction", "first"), total=("contribution", "sum")
    )
    assert (g["base"] + g["total"] - g["prediction"]).abs().max() < 1e-4 * 100  # percent units: 1e-4 as a share
    est = art.estimates.set_index(["level", "ubigeo", "indicator", "year"])["estimate"]
    assert np.allclose(g["prediction"], est.loc[g.index], atol=1e-3)
    assert len(g) == len(est)


def test_validation_is_stored_with_every_estimator(art):
    val = art.metadata["validation"]
    names = {(r["protocol"], r["estimator"]) for r in val["table"]}
    for protocol in ("split_sample", "forecast"):
        for estimator in ("direct", "pooled", "logistic_regression", "v1_method", "spacetime"):
            assert (protocol, estimator) in names
    for indicator in ("anemia", "stunting"):
        # One seed, 148 department-years: the coverage's standard error is about 1.8 points.
        assert 0.90 <= val["interval_scale"][indicator]["coverage_scaled_leave_one_year_out"] <= 0.985


def test_the_committed_three_seed_validation_holds_its_coverage():
    import json

    val = json.loads((ROOT / "bench" / "validation.json").read_text())
    assert val["seeds"] == [1, 2, 3]
    for indicator in ("anemia", "stunting"):
        cal = val["interval_scale"][indicator]
        assert cal["coverage_scaled_leave_one_year_out"] >= 0.90
        # Above the 97 % ceiling only when even the narrowest scale cannot bring coverage under it (the check
        # figure's own sampling variance then decides coverage, not the model's interval; README says so).
        if cal["coverage_scaled_leave_one_year_out"] > 0.97:
            assert min(cal["coverage_by_scale"].values()) > 0.97
            assert cal["scale"] == 1.0
    spacetime = {(r["protocol"], r["indicator"]): r for r in val["table"] if r["estimator"] == "spacetime"}
    direct = {(r["protocol"], r["indicator"]): r for r in val["table"] if r["estimator"] == "direct"}
    for key, row in spacetime.items():
        assert row["mae_raw"] < direct[key]["mae_raw"]  # smoothing beats the year's own noisy estimate


def test_altitude_drives_anemia_in_the_altiplano(art):
    s = art.shap
    s = s[(s["year"] == 2024) & (s["level"] == "district") & (s["indicator"] == "anemia")]
    puno = s[s["ubigeo"] == "210101"]
    lima = s[s["ubigeo"] == "150101"]
    alt = puno.set_index("feature").loc["altitude_m"]
    assert alt["feature_value"] > 3700
    assert alt["contribution"] > lima.set_index("feature").loc["altitude_m", "contribution"]


def test_registry_switches_atomically(tmp_path, art):
    import shutil

    for v in ("v1", "v2"):
        shutil.copytree(art.path, tmp_path / v, ignore=shutil.ignore_patterns("tips"))
    registry.activate(tmp_path, "v2")
    assert registry.active_version(tmp_path) == "v2"
    assert registry.versions(tmp_path) == ["v1", "v2"]
    assert registry.next_version(tmp_path) == "v3"
    with pytest.raises(ValueError, match="v9"):
        registry.activate(tmp_path, "v9")
    assert registry.active_version(tmp_path) == "v2"
    (tmp_path / "v2" / "shap.parquet").unlink()  # an incomplete folder is never active
    assert registry.active_version(tmp_path) is None
    assert isinstance(registry.load(tmp_path, "v1").estimates, pd.DataFrame)
