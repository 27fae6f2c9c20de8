"""District child-population profiles: representative donors, raked margins, consistent aggregation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from training.population import DONORS, aggregate, build_profiles, rake, systematic_pps


def test_systematic_pps_follows_weights():
    idx = systematic_pps(np.array([1.0, 1.0, 2.0]), 4)
    assert list(idx) == [0, 1, 2, 2]


def test_raking_meets_both_margins():
    rural = np.array([True, True, False, False, True, False])
    poor = np.array([True, False, True, False, True, True])
    w = rake(np.ones(6), [(rural, 0.7), (poor, 0.4)])
    assert w.sum() == pytest.approx(1)
    assert w[rural].sum() == pytest.approx(0.7, abs=1e-3)
    assert w[poor].sum() == pytest.approx(0.4, abs=1e-3)


@pytest.fixture(scope="module")
def profiles(survey, regions):
    return build_profiles(survey, regions.table("district"), regions.table("department"), 2024)


def test_every_district_has_a_profile(profiles, regions):
    sums = profiles.weights.groupby("ubigeo")["weight"].sum()
    assert set(sums.index) == set(regions.district["ubigeo"])
    assert np.allclose(sums, 1)
    assert (profiles.weights.groupby("ubigeo").size() == DONORS).all()


def test_profiles_follow_district_covariates(profiles, regions):
    m = profiles.margins.set_index("ubigeo")
    # Lima's dense urban core vs. a rural highland district of Puno.
    assert m.loc["150101", "rural_share"] < 0.05
    assert m.loc["210101", "rural_share"] < m.loc["210202", "rural_share"]
    d = regions.district.set_index("ubigeo")
    poor = d["poverty_pct"].dropna().index
    assert np.corrcoef(d.loc[poor, "poverty_pct"], m.loc[poor, "poor_share"])[0, 1] > 0.6


def test_aggregation_is_population_weighted(regions):
    values = pd.DataFrame({"ubigeo": regions.district["ubigeo"], "x": 1.0})
    values.loc[values["ubigeo"].str.startswith("21"), "x"] = 3.0
    dep = aggregate(values, regions.table("district"), "dep_code").set_index("ubigeo")
    assert dep.loc["21", "x"] == pytest.approx(3.0)
    assert dep.loc["15", "x"] == pytest.approx(1.0)
