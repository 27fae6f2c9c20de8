"""Space-time smoothing of department direct estimates (an area-level Fay-Herriot model).

The model is the one of SUMMER's ``smoothDirect`` (Li et al. 2019; Mercer et al.
2015, *Ann. Appl. Stat.* 9:1889), fitted by empirical Bayes instead of INLA:

    y_it = logit(direct estimate of department i in year t) ~ N(theta_it, v_it)   (v_it known)
    theta_it = x_it' beta                       covariates: intercept, linear trend, Keras composition-only logit
             + s_i                              BYM2 spatial effect (scaled ICAR + iid, mixing phi)
             + r_t                              national RW1 around the trend
             + d_it                             per-department RW1 (Knorr-Held type II interaction)
             + e_it                             iid space-time noise (type I)

Every random effect is Gaussian, so given the variance parameters the posterior
of theta is Gaussian in closed form (universal kriging / EBLUP). The variance
parameters are estimated by restricted maximum likelihood (REML) with
``scipy.optimize``; beta's uncertainty is carried into the prediction variance.
No sampler is involved: with 25 x 10 cells every matrix is small and dense.

Sampling variances come from a generalised variance function (GVF), as is
customary for Fay-Herriot models with small domains: v_it = deff / (n_it p_i (1-p_i))
on the logit scale, with ``p_i`` the department's pooled prevalence and ``deff``
the pooled design effect (so a cell's variance does not depend on its own noisy
estimate). The direct estimates enter as empirical logits of their effective
cases, log((x + 1/2) / (n_eff - x + 1/2)), finite at 0 % and 100 %.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from numpy.polynomial.hermite_e import hermegauss
from scipy import linalg, optimize, stats

LOG_SD_BOUNDS = (-7.0, 1.5)  # standard deviations on the logit scale: 0.001 .. 4.5


def logit(p: np.ndarray | float) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=float), 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def expit(x: np.ndarray | float) -> np.ndarray:
    return 1 / (1 + np.exp(-np.asarray(x, dtype=float)))


def rw1_structure(n: int) -> np.ndarray:
    """Structure (precision) matrix of a first-order random walk of length ``n``."""
    d = np.diff(np.eye(n), axis=0)
    return d.T @ d


def icar_structure(adjacency: np.ndarray) -> np.ndarray:
    """Structure matrix of an intrinsic CAR model on a 0/1 adjacency matrix."""
    a = np.asarray(adjacency, dtype=float)
    return np.diag(a.sum(axis=1)) - a


def scaled_generalised_inverse(structure: np.ndarray) -> np.ndarray:
    """Sum-to-zero covariance of an intrinsic model, scaled so its marginal variances average 1.

    The geometric mean of the diagonal is 1 (Sørbye & Rue 2014), which makes the
    BYM2 mixing parameter and the variances comparable between components.
    """
    cov = np.linalg.pinv(structure, hermitian=True)
    return cov / np.exp(np.mean(np.log(np.diag(cov))))


@dataclass
class SpaceTimeData:
    """Inputs for the model, cells ordered area-major (cell = area * years + year)."""

    areas: list[str]
    years: list[int]
    y: np.ndarray  # logit direct estimates, NaN where a cell has no data
    v: np.ndarray  # sampling variances of y (logit scale)
    covariate: np.ndarray  # Keras composition-only risk per cell, logit scale
    adjacency: np.ndarray  # (areas, areas) 0/1

    @property
    def design(self) -> np.ndarray:
        t = np.tile(np.asarray(self.years, dtype=float), len(self.areas))
        centred = (t - np.mean(self.years)) / 10.0
        cols = [np.ones_like(t), centred]
        if np.nanstd(self.covariate) > 1e-9:  # a constant covariate would only repeat the intercept
            cols.append(self.covariate)
        return np.column_stack(cols)


@dataclass
class SpaceTimeFit:
    """Posterior (EBLUP) of every cell on the logit scale, and the fitted parameters."""

    areas: list[str]
    years: list[int]
    mean: np.ndarray
    var: np.ndarray
    beta: np.ndarray
    params: dict[str, float]
    reml: float
    extras: dict = field(default_factory=dict)

    def frame(self) -> pd.DataFrame:
        a, t = len(self.areas), len(self.years)
        return pd.DataFrame(
            {
                "area": np.repeat(self.areas, t),
                "year": np.tile(self.years, a),
                "logit_mean": self.mean,
                "logit_var": self.var,
            }
        )


PARAMS = ("log_sd_space", "logit_phi", "log_sd_time", "log_sd_area_time", "log_sd_iid")


class SpaceTimeModel:
    """Builds the prior covariance for a parameter vector and fits by REML."""

    def __init__(self, data: SpaceTimeData) -> None:
        self.data = data
        a, t = len(data.areas), len(data.years)
        self.spatial = scaled_generalised_inverse(icar_structure(data.adjacency))
        self.time = scaled_generalised_inverse(rw1_structure(t))
        ones_t, ones_a = np.ones((t, t)), np.ones((a, a))
        self.k_icar = np.kron(self.spatial, ones_t)
        self.k_iid_area = np.kron(np.eye(a), ones_t)
        self.k_time = np.kron(ones_a, self.time)
        self.k_area_time = np.kron(np.eye(a), self.time)
        self.k_iid = np.eye(a * t)

    def prior_cov(self, theta: np.ndarray) -> np.ndarray:
        sd_s, phi, sd_t, sd_at, sd_e = (
            np.exp(theta[0]),
            expit(theta[1]),
            np.exp(theta[2]),
            np.exp(theta[3]),
            np.exp(theta[4]),
        )
        return (
            sd_s**2 * (phi * self.k_icar + (1 - phi) * self.k_iid_area)
            + sd_t**2 * self.k_time
            + sd_at**2 * self.k_area_time
            + sd_e**2 * self.k_iid
        )

    def _pieces(self, theta: np.ndarray):
        obs = ~np.isnan(self.data.y)
        x = self.data.design
        c = self.prior_cov(theta)
        m = c[np.ix_(obs, obs)] + np.diag(self.data.v[obs])
        chol = linalg.cho_factor(m, lower=True)
        xo, yo = x[obs], self.data.y[obs]
        minv_x = linalg.cho_solve(chol, xo)
        minv_y = linalg.cho_solve(chol, yo)
        xtmx = xo.T @ minv_x
        beta = np.linalg.solve(xtmx, xo.T @ minv_y)
        return obs, x, c, chol, minv_x, xtmx, beta

    def neg_reml(self, theta: np.ndarray) -> float:
        try:
            obs, x, _c, chol, _minv_x, xtmx, beta = self._pieces(theta)
        except (linalg.LinAlgError, np.linalg.LinAlgError):
            return 1e10
        r = self.data.y[obs] - x[obs] @ beta
        logdet_m = 2 * np.sum(np.log(np.diag(chol[0])))
        _sign, logdet_x = np.linalg.slogdet(xtmx)
        quad = float(r @ linalg.cho_solve(chol, r))
        # Weak penalised-complexity-style shrinkage keeps boundary estimates finite (exponential
        # prior on each standard deviation with a 1 % chance of exceeding 1 on the logit scale).
        sds = np.exp(theta[[0, 2, 3, 4]])
        penalty = 4.6 * sds.sum() - theta[[0, 2, 3, 4]].sum()
        return 0.5 * (logdet_m + logdet_x + quad) + penalty

    def fit(self, start: np.ndarray | None = None) -> SpaceTimeFit:
        theta0 = np.array([-1.0, 0.0, -2.0, -2.0, -2.0]) if start is None else start
        bounds = [LOG_SD_BOUNDS, (-4.0, 4.0), LOG_SD_BOUNDS, LOG_SD_BOUNDS, LOG_SD_BOUNDS]
        res = optimize.minimize(self.neg_reml, theta0, method="L-BFGS-B", bounds=bounds)
        return self.posterior(res.x, reml=-float(res.fun))

    def posterior(self, theta: np.ndarray, reml: float = float("nan")) -> SpaceTimeFit:
        obs, x, c, chol, minv_x, xtmx, beta = self._pieces(theta)
        r = self.data.y[obs] - x[obs] @ beta
        c_all_obs = c[:, obs]
        mean = x @ beta + c_all_obs @ linalg.cho_solve(chol, r)
        k = linalg.cho_solve(chol, c_all_obs.T)  # M^-1 C_o.
        var_random = np.diag(c) - np.einsum("ij,ji->i", c_all_obs, k)
        d = x - c_all_obs @ minv_x
        var_beta = np.einsum("ij,jk,ik->i", d, np.linalg.inv(xtmx), d)
        params = dict(zip(PARAMS, (float(v) for v in theta), strict=True))
        readable = {
            "sd_space": float(np.exp(theta[0])),
            "phi_spatial_share": float(expit(theta[1])),
            "sd_time_rw1": float(np.exp(theta[2])),
            "sd_department_rw1": float(np.exp(theta[3])),
            "sd_iid": float(np.exp(theta[4])),
        }
        return SpaceTimeFit(
            self.data.areas,
            self.data.years,
            mean,
            np.maximum(var_random + var_beta, 1e-10),
            beta,
            {**params, **readable},
            reml,
            {"cov": c - c_all_obs @ k + d @ np.linalg.inv(xtmx) @ d.T},
        )


def aggregate_interval(
    fit: SpaceTimeFit, year: int, weights: np.ndarray, scale: float = 1.0, draws: int = 20000, seed: int = 0
) -> tuple[float, float, float]:
    """A weighted mean of the areas' prevalences in ``year`` (e.g. Peru from its departments), with a 95 % interval.

    Draws from the joint posterior of the year's cells (their correlation matters:
    averaging the areas' interval bounds would overstate the width), the
    covariance scaled like the published intervals.
    """
    t = fit.years.index(year)
    idx = np.arange(len(fit.areas)) * len(fit.years) + t
    cov = fit.extras["cov"][np.ix_(idx, idx)] * scale**2
    chol = np.linalg.cholesky(cov + 1e-12 * np.eye(len(idx)))
    z = np.random.default_rng(seed).standard_normal((draws, len(idx)))
    w = np.asarray(weights, dtype=float) / np.sum(weights)
    values = expit(fit.mean[idx] + z @ chol.T) @ w
    point = float(expit(fit.mean[idx]) @ w)
    lo, hi = np.quantile(values, [0.025, 0.975])
    return point, float(lo), float(hi)


def logit_normal_mean(mean: np.ndarray, var: np.ndarray, points: int = 40) -> np.ndarray:
    """E[expit(X)] for X ~ N(mean, var), by Gauss-Hermite quadrature."""
    x, w = hermegauss(points)
    w = w / w.sum()
    sd = np.sqrt(np.asarray(var))[..., None]
    return (expit(np.asarray(mean)[..., None] + sd * x) * w).sum(axis=-1)


def intervals(mean: np.ndarray, var: np.ndarray, scale: float = 1.0, level: float = 0.95):
    """Point estimate (posterior mean of the prevalence) and an equal-tailed interval (proportions).

    ``scale`` multiplies the logit-scale standard deviation; it is calibrated on the
    split-sample validation so the published intervals hold their nominal coverage.
    """
    z = stats.norm.ppf(0.5 + level / 2)
    sd = np.sqrt(var) * scale
    return logit_normal_mean(mean, (sd**2)), expit(mean - z * sd), expit(mean + z * sd)


def gvf_inputs(cells: pd.DataFrame, min_n: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Logit direct estimates and GVF sampling variances for cells with ``estimate``, ``n``, ``deff`` and ``pooled``.

    Args:
        cells: one row per area-year: ``estimate`` (proportion, NaN without data), ``n``
            (unweighted cases), ``pooled`` (the area's pooled proportion) and ``deff``.
    """
    n = cells["n"].to_numpy(dtype=float)
    p = cells["estimate"].to_numpy(dtype=float)
    pooled = np.clip(cells["pooled"].to_numpy(dtype=float), 0.02, 0.98)
    deff = cells["deff"].to_numpy(dtype=float)
    n_eff = np.maximum(n / deff, 1.0)
    # Empirical logit (Cox 1970): nearly unbiased for small samples and finite at 0 % and 100 %.
    cases = np.nan_to_num(p) * n_eff
    y = np.where(n >= min_n, np.log((cases + 0.5) / (n_eff - cases + 0.5)), np.nan)
    v = deff / (np.maximum(n, 1) * pooled * (1 - pooled))
    return y, v


def adjacency_matrix(geometries, codes: list[str]) -> np.ndarray:
    """0/1 matrix of units whose boundaries touch (shared borders or corners)."""
    from shapely import STRtree

    geoms = list(geometries)
    tree = STRtree(geoms)
    a = np.zeros((len(codes), len(codes)))
    for i, g in enumerate(geoms):
        for j in tree.query(g, predicate="intersects"):
            if j != i:
                a[i, j] = a[j, i] = 1.0
    return a
