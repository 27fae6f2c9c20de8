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


@pytest.mark.parametrize("indicator", ["anemia", "stunting"])
def test_every_district_has_an_estimate_and_interval(art, regions, indicator):
    est = art.estimates[(art.estimates["level"] == "district") & (art.estimates["indicator"] == indicator)]
    assert set(est["ubigeo"]) == set(regions.district["ubigeo"])
    assert est[["estimate", "ci_low", "ci_high"]].notna().all().all()
    assert (est["ci_low"] <= est["estimate"]).all()
    assert (est["estimate"] <= est["ci_high"]).all()
    assert est["estimate"].between(0, 100).all()


def test_levels_aggregate_with_population_weights(art, regions):
    for indicator in ("anemia", "stunting"):
        e = art.estimates[art.estimates["indicator"] == indicator]
        dist = e[e["level"] == "district"][["ubigeo", "estimate"]]
        for level, key in (("department", "dep_code"), ("province", "prov_code")):
            agg = aggregate(dist, regions.table("district"), key).set_index("ubigeo")["estimate"]
            stored = e[e["level"] == level].set_index("ubigeo")["estimate"]
            assert np.allclose(agg.loc[stored.index], stored, atol=1e-6)


def test_region_shap_is_additive_and_explains_the_estimate(art):
    s = art.shap
    g = s.groupby(["level", "ubigeo", "indicator"]).agg(
        base=("base_value", "first"), prediction=("prediction", "first"), total=("contribution", "sum")
    )
    assert (g["base"] + g["total"] - g["prediction"]).abs().max() < 1e-4 * 100  # percent units: 1e-4 as a share
    est = art.estimates.set_index(["level", "ubigeo", "indicator"])["estimate"]
    assert np.allclose(g["prediction"], est.loc[g.index], atol=1e-3)


def test_altitude_drives_anemia_in_the_altiplano(art):
    s = art.shap
    puno = s[(s["level"] == "district") & (s["ubigeo"] == "210101") & (s["indicator"] == "anemia")]
    lima = s[(s["level"] == "district") & (s["ubigeo"] == "150101") & (s["indicator"] == "anemia")]
    alt = puno.set_index("feature").loc["altitude_m"]
    assert alt["feature_value"] > 3700
    assert alt["contribution"] > lima.set_index("feature").loc["altitude_m", "contribution"]


def test_registry_switches_atomically(tmp_path, art):
    import shutil

    for v in ("v1", "v2"):
        shutil.copytree(art.path, tmp_path / v)
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
