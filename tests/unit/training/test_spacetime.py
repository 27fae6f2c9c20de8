"""The space-time model on synthetic data with a known truth (SYNTHETIC: generated here, labelled as such)."""

from __future__ import annotations

import numpy as np
import pytest

from training import spacetime


def _ring(n: int) -> np.ndarray:
    a = np.zeros((n, n))
    for i in range(n):
        a[i, (i + 1) % n] = a[(i + 1) % n, i] = 1
    return a


def _synthetic(seed: int, areas: int = 20, years: int = 10, sd_area: float = 0.4, v: float = 0.12):
    """SYNTHETIC: logit truth = trend + area level + small area-year noise; directs = truth + N(0, v)."""
    rng = np.random.default_rng(seed)
    level = rng.normal(0, sd_area, areas)
    trend = np.linspace(-0.2, 0.2, years)
    truth = (level[:, None] + trend[None, :] + rng.normal(0, 0.05, (areas, years))).ravel()
    var = np.full(areas * years, v)
    y = truth + rng.normal(0, np.sqrt(var))
    data = spacetime.SpaceTimeData(
        [f"{i:02d}" for i in range(areas)],
        list(range(2015, 2015 + years)),
        y,
        var,
        np.zeros(areas * years),
        _ring(areas),
    )
    return data, truth


def test_generalised_inverse_is_scaled_and_sums_to_zero():
    cov = spacetime.scaled_generalised_inverse(spacetime.rw1_structure(8))
    assert np.exp(np.mean(np.log(np.diag(cov)))) == pytest.approx(1.0)
    assert np.allclose(cov.sum(axis=1), 0, atol=1e-10)  # orthogonal to the constant (sum-to-zero)


def test_posterior_beats_the_direct_estimates_and_its_intervals_hold():
    errors_model, errors_direct, covered, n = 0.0, 0.0, 0, 0
    for seed in range(6):
        data, truth = _synthetic(seed)
        fit = spacetime.SpaceTimeModel(data).fit()
        errors_model += float(np.sum((fit.mean - truth) ** 2))
        errors_direct += float(np.sum((data.y - truth) ** 2))
        covered += int(np.sum(np.abs(fit.mean - truth) <= 1.96 * np.sqrt(fit.var)))
        n += len(truth)
    assert errors_model < 0.35 * errors_direct  # borrowing strength across years and areas pays
    assert 0.88 <= covered / n <= 0.995


def test_missing_cells_are_predicted_with_wider_intervals():
    data, truth = _synthetic(11)
    data.y[5] = np.nan  # area 0, year 2020: no survey data
    fit = spacetime.SpaceTimeModel(data).fit()
    assert np.isfinite(fit.mean[5])
    assert fit.var[5] > np.median(fit.var)
    assert abs(fit.mean[5] - truth[5]) < 4 * np.sqrt(fit.var[5])


def test_empirical_logit_is_finite_at_zero_and_one():
    import pandas as pd

    cells = pd.DataFrame({"estimate": [0.0, 1.0, 0.3], "n": [30, 30, 30], "deff": 1.2, "pooled": [0.1, 0.9, 0.3]})
    y, v = spacetime.gvf_inputs(cells)
    assert np.isfinite(y).all()
    assert (v > 0).all()
    assert y[0] < spacetime.logit(0.05)
    assert y[1] > spacetime.logit(0.95)
    assert y[2] == pytest.approx(spacetime.logit(0.3), abs=0.05)


def test_interval_contains_the_estimate_and_widens_with_the_scale():
    m, var = np.array([-1.0, 0.0, 2.0]), np.array([0.04, 0.09, 0.25])
    est, lo, hi = spacetime.intervals(m, var)
    _, lo2, hi2 = spacetime.intervals(m, var, scale=1.5)
    assert (lo < est).all()
    assert (est < hi).all()
    assert ((hi2 - lo2) > (hi - lo)).all()


def test_a_weighted_aggregate_gets_an_interval_from_the_joint_posterior():
    """SYNTHETIC: Peru from its areas: the point is the weighted mean, the interval narrower than averaged bounds."""
    data, _truth = _synthetic(3)
    fit = spacetime.SpaceTimeModel(data).fit()
    weights = np.arange(1, 21, dtype=float)
    point, lo, hi = spacetime.aggregate_interval(fit, 2020, weights)
    idx = np.arange(20) * 10 + 5
    w = weights / weights.sum()
    assert point == pytest.approx(float(spacetime.expit(fit.mean[idx]) @ w))
    assert lo < point < hi
    sd = np.sqrt(fit.var[idx])
    averaged = float((spacetime.expit(fit.mean[idx] + 1.96 * sd) - spacetime.expit(fit.mean[idx] - 1.96 * sd)) @ w)
    assert hi - lo < averaged
    _, lo2, hi2 = spacetime.aggregate_interval(fit, 2020, weights, scale=2.0)
    assert hi2 - lo2 > hi - lo
