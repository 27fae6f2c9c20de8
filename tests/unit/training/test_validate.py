"""The validation harness: its variance correction, its split and its scoring."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from training import validate


def test_variance_correction_recovers_the_true_mse_on_synthetic_data():
    """SYNTHETIC truth, estimates and independent direct estimates with known sampling variances."""
    rng = np.random.default_rng(0)
    n = 1_000_000
    truth = rng.uniform(0.1, 0.6, n)
    estimate = truth + rng.normal(0.01, 0.03, n)  # biased and noisy: true MSE = 0.01^2 + 0.03^2
    var_b = rng.uniform(0.001, 0.005, n)
    direct = truth + rng.normal(0, np.sqrt(var_b))
    true_mse = float(np.mean((estimate - truth) ** 2))
    observed = float(np.mean((estimate - direct) ** 2))
    corrected = validate.corrected_mse(estimate, direct, var_b)
    assert observed > 3 * true_mse  # the raw figure is dominated by half B's noise
    assert corrected == pytest.approx(true_mse, rel=0.03)
    assert true_mse == pytest.approx(0.01**2 + 0.03**2, rel=0.02)


def test_variance_correction_is_exact_when_the_noise_is_known():
    """SYNTHETIC: with the realised noise known, observed - variance = true MSE + the cross term, exactly."""
    rng = np.random.default_rng(1)
    truth = rng.uniform(0.2, 0.5, 50)
    estimate = truth + 0.02
    noise = rng.normal(0, 0.05, 50)
    corrected = validate.corrected_mse(estimate, truth + noise, noise**2)
    cross = -2 * np.mean((estimate - truth) * noise)
    assert corrected == pytest.approx(np.mean((estimate - truth) ** 2) + cross, abs=1e-15)


def test_coverage_counts_the_share_inside_the_combined_interval():
    est = np.array([0.30, 0.30, 0.30, 0.30])
    direct = np.array([0.30, 0.35, 0.45, 0.15])  # threshold 1.96 * sqrt(0.001 + 0.001) = 0.088
    assert validate.coverage(est, np.full(4, 0.001), direct, np.full(4, 0.001)) == 0.5
    assert validate.coverage(est, np.full(4, 0.001), direct, np.full(4, 0.001), scale=3.0) == 1.0


def test_split_halves_are_disjoint_by_cluster_within_strata(survey):
    year = survey[survey["year"] == 2024]
    in_a = validate.split_halves(year, np.random.default_rng(3))
    a_clusters = set(year.loc[in_a, "cluster"])
    b_clusters = set(year.loc[~in_a, "cluster"])
    assert not a_clusters & b_clusters
    assert 0.4 < in_a.mean() < 0.6
    for _, grp in year.groupby(["stratum", "department"]):
        mask = in_a[year.index.get_indexer(grp.index)]
        if grp["cluster"].nunique() >= 2:
            assert mask.any()
            assert not mask.all()


def test_split_halves_are_stable_for_a_seed(survey):
    year = survey[survey["year"] == 2022]
    a = validate.split_halves(year, np.random.default_rng(5))
    b = validate.split_halves(year, np.random.default_rng(5))
    assert (a == b).all()


def test_scale_is_chosen_to_reach_the_target_coverage():
    """SYNTHETIC: intervals half as wide as they should be need a scale near 2."""
    rng = np.random.default_rng(2)
    n = 4000
    rows = pd.DataFrame(
        {
            "estimate": rng.normal(0, 0.02, n),
            "var": np.full(n, 0.01**2),
            "direct": np.zeros(n),
            "direct_var": np.zeros(n),
        }
    )
    scale = validate.choose_scale(rows)
    assert 1.8 <= scale <= 2.2
    assert validate.coverage(rows["estimate"], rows["var"], rows["direct"], rows["direct_var"], scale) >= 0.95


def test_paired_difference_cancels_the_check_noise():
    """SYNTHETIC: two estimators against one noisy check figure; the paired difference keeps its sign."""
    rng = np.random.default_rng(4)
    n = 3000
    truth = rng.uniform(0.2, 0.5, n)
    direct = truth + rng.normal(0, 0.1, n)
    base = {"protocol": "split_sample", "indicator": "anemia", "year": 2024, "seed": 1}
    base |= {"direct": direct, "direct_var": 0.01}
    good = pd.DataFrame({**base, "area": np.arange(n), "estimator": "good", "estimate": truth + rng.normal(0, 0.01, n)})
    bad = pd.DataFrame(
        {**base, "area": np.arange(n), "estimator": "pooled", "estimate": truth + rng.normal(0, 0.05, n)}
    )
    out = validate.paired(pd.concat([good, bad]), "pooled")
    assert len(out) == 1
    assert out[0]["mse_difference"] < 0
    assert out[0]["mse_difference"] == pytest.approx(-1e4 * (0.05**2 - 0.01**2), rel=0.25)


def test_paired_difference_splits_into_a_year_shift_and_a_department_part():
    """SYNTHETIC: an estimator off by a shared shift per year shows it in the year part, not the department part."""
    rng = np.random.default_rng(5)
    frames = []
    for year, shift in ((2023, 0.03), (2024, -0.03)):
        truth = rng.uniform(0.2, 0.5, 25)
        common = {"protocol": "split_sample", "indicator": "anemia", "year": year, "seed": 1, "area": np.arange(25)}
        common |= {"direct": truth, "direct_var": 0.0}
        frames.append(pd.DataFrame({**common, "estimator": "pooled", "estimate": truth}))
        frames.append(pd.DataFrame({**common, "estimator": "shifted", "estimate": truth + shift}))
    (out,) = validate.paired(pd.concat(frames), "pooled")
    assert out["mse_difference"] == pytest.approx(1e4 * 0.03**2)
    assert out["year_shift_part"] == pytest.approx(1e4 * 0.03**2)
    assert out["department_part"] == pytest.approx(0.0, abs=1e-9)


def test_scale_shrinks_intervals_that_cover_too_much_and_keeps_one_when_coverage_is_fine():
    """SYNTHETIC: intervals 1.5 times too wide are shrunk into 95-97 %; right-sized ones stay at 1."""
    rng = np.random.default_rng(6)
    n = 6000
    base = {"estimate": rng.normal(0, 0.01, n), "direct": np.zeros(n), "direct_var": np.zeros(n)}
    wide = pd.DataFrame({**base, "var": np.full(n, 0.015**2)})
    scale = validate.choose_scale(wide)
    assert 0.65 <= scale <= 0.75
    assert 0.95 <= validate.coverage(wide["estimate"], wide["var"], wide["direct"], wide["direct_var"], scale) <= 0.97
    right = pd.DataFrame({**base, "var": np.full(n, 0.0105**2)})  # about 96 %
    assert validate.choose_scale(right) == 1.0


def test_paired_standard_errors_do_not_count_seeds_as_replicates_and_see_year_shifts():
    """SYNTHETIC: the same cells repeated over three seeds give the one-seed SE; a shared year shift widens
    the by-year SE."""
    rng = np.random.default_rng(6)
    years, areas = [2021, 2022, 2023, 2024], np.arange(25)
    cells = pd.DataFrame([(y, a) for y in years for a in areas], columns=["year", "area"])
    shift = cells["year"].map({2021: 0.004, 2022: -0.004, 2023: 0.004, 2024: -0.004})
    diff = pd.Series(rng.normal(0, 0.001, len(cells)) + shift.to_numpy())
    one = validate.paired_standard_errors(diff, cells)
    three = validate.paired_standard_errors(
        pd.concat([diff] * 3, ignore_index=True), pd.concat([cells] * 3, ignore_index=True)
    )
    assert three == pytest.approx(one)
    se, se_by_year = one
    assert se_by_year > 2 * se  # the four shared shifts count as four draws, not a hundred
