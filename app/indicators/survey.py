"""Design-based prevalence for a stratified cluster sample (ENDES), by domain.

Variance by Taylor linearisation of the weighted ratio (Wolter 2007, ch. 6),
with-replacement PSUs within strata, domains handled as subpopulations (rows
outside the domain stay in the design with zero contribution), and strata with
a single PSU centred on the grand mean (R survey's ``lonely.psu = "adjust"``).
Confidence intervals are computed on the logit scale with the design's degrees
of freedom (PSUs minus strata), as Stata's ``svy: proportion`` does; when the
estimate is 0 or 100 % the Clopper-Pearson interval on the unweighted n is used.

Why not a library: ``samplics`` is archived, and its successor ``svy`` is
pre-1.0 and polars-first; the estimator is short and tested against closed forms.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

SUPPRESS_BELOW_N = 25  # DHS: estimates based on fewer than 25 unweighted cases are not shown
IMPRECISE_BELOW_N = 50  # DHS: 25-49 unweighted cases are shown in parentheses


@dataclass(frozen=True)
class Design:
    """Column names of the survey design."""

    weight: str = "weight"
    stratum: str = "stratum"
    psu: str = "cluster"


def reporting_flag(n: int) -> str | None:
    """DHS rule: ``no_data`` (0), ``suppressed`` (< 25), ``imprecise`` (25-49) or None."""
    if n == 0:
        return "no_data"
    if n < SUPPRESS_BELOW_N:
        return "suppressed"
    if n < IMPRECISE_BELOW_N:
        return "imprecise"
    return None


def _ci(p: float, se: float, n: int, dof: int, level: float) -> tuple[float, float]:
    if 0 < p < 1 and se > 0:
        t = stats.t.ppf(0.5 + level / 2, max(dof, 1))
        centre = np.log(p / (1 - p))
        half = t * se / (p * (1 - p))
        return float(1 / (1 + np.exp(-(centre - half)))), float(1 / (1 + np.exp(-(centre + half))))
    x = round(p * n)
    alpha = 1 - level
    lo = 0.0 if x == 0 else float(stats.beta.ppf(alpha / 2, x, n - x + 1))
    hi = 1.0 if x == n else float(stats.beta.ppf(1 - alpha / 2, x + 1, n - x))
    return lo, hi


def prevalence(
    data: pd.DataFrame,
    outcome: str,
    domain: str | None = None,
    design: Design = Design(),
    level: float = 0.95,
) -> pd.DataFrame:
    """Weighted share of ``outcome`` (boolean, missing allowed) per domain with a design-based CI.

    Args:
        data: every record of the design (one survey year), including those outside any domain.
        outcome: boolean column; missing values are outside the subpopulation.
        domain: column whose values define domains; None for the whole population.

    Returns:
        One row per domain value: ``domain``, ``estimate``, ``se``, ``ci_low``, ``ci_high`` (proportions),
        ``n`` (unweighted cases), ``weighted_n``, ``deff``.
    """
    y = data[outcome].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    w = data[design.weight].to_numpy(dtype=float)
    valid = ~np.isnan(y)
    if domain:
        dom_series = data[domain].astype(object)
        # Records without a domain code stay in the design but belong to no domain.
        valid &= dom_series.notna().to_numpy()
        dom = dom_series.where(dom_series.notna(), "").to_numpy()
    else:
        dom = np.full(len(data), "all", dtype=object)
    strata = data[design.stratum].astype(str).to_numpy()
    psu = (data[design.stratum].astype(str) + "|" + data[design.psu].astype(str)).to_numpy()
    psu_codes, psu_idx = np.unique(psu, return_inverse=True)
    psu_stratum = pd.Series(strata).groupby(psu_idx).first().to_numpy()
    n_strata = len(np.unique(psu_stratum))
    dof = len(psu_codes) - n_strata
    rows = []
    for d in pd.unique(dom[valid]) if valid.any() else []:
        m = valid & (dom == d)
        n = int(m.sum())
        wd = w[m].sum()
        p = float((w[m] * y[m]).sum() / wd)
        z = np.zeros(len(data))
        z[m] = w[m] * (y[m] - p) / wd
        totals = np.bincount(psu_idx, weights=z, minlength=len(psu_codes))
        var = _stratified_variance(totals, psu_stratum)
        se = float(np.sqrt(var))
        srs_var = p * (1 - p) / n if n > 1 else np.nan
        lo, hi = _ci(p, se, n, dof, level)
        rows.append(
            {
                "domain": d,
                "estimate": p,
                "se": se,
                "ci_low": lo,
                "ci_high": hi,
                "n": n,
                "weighted_n": float(wd),
                "deff": float(var / srs_var) if srs_var else np.nan,
            }
        )
    return pd.DataFrame(rows, columns=["domain", "estimate", "se", "ci_low", "ci_high", "n", "weighted_n", "deff"])


def _stratified_variance(psu_totals: np.ndarray, psu_stratum: np.ndarray) -> float:
    """With-replacement variance of PSU totals within strata; a lone PSU is centred on the grand mean."""
    codes, h = np.unique(psu_stratum, return_inverse=True)
    n_h = np.bincount(h, minlength=len(codes)).astype(float)
    mean_h = np.bincount(h, weights=psu_totals, minlength=len(codes)) / n_h
    dev = (psu_totals - mean_h[h]) ** 2
    ss_h = np.bincount(h, weights=dev, minlength=len(codes))
    several = n_h > 1
    var = float(np.sum(n_h[several] / (n_h[several] - 1) * ss_h[several]))
    lone = ~several[h]
    return var + float(np.sum((psu_totals[lone] - psu_totals.mean()) ** 2))
