"""Child population profiles for every district (model-based small-area estimation).

The survey has no district code, so a district's risk is the model applied to a
profile of the children who live there:

1. **Donors.** For each department, ``DONORS`` representative children drawn
   systematically, with probability proportional to their survey weight, from the
   department's children in the pooled recent survey years, sorted by area,
   wealth, education, sex and age (implicit stratification). Their age, sex and
   mother's education mix is the department's.
2. **District features.** Altitude becomes the district capital's, rounded to
   ``ALTITUDE_BAND_M`` (so districts of one department share records and SHAP
   is computed once per distinct record); the year is the target year.
3. **District weights.** The donors are raked (iterative proportional fitting)
   to two district margins: the share of children in rural households and the
   share in the two poorest wealth quintiles. Both come from a logistic link
   fitted across departments (survey share vs. log density, and vs. the poverty
   rate), shifted within each department so that its districts' population-
   weighted margins equal the department's own survey shares.

Provinces and departments are population-weighted (2025 projection) averages of
their districts, so the levels agree exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize

from training.features import UNKNOWN, model_frame

DONORS = 32
ALTITUDE_BAND_M = 250
PROFILE_YEARS = 6  # pooled survey years for the donors and the margins
RAKING_ITERATIONS = 50


def _logit(p: np.ndarray | float) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=float), 1e-4, 1 - 1e-4)
    return np.log(p / (1 - p))


def _expit(x: np.ndarray | float) -> np.ndarray:
    return 1 / (1 + np.exp(-np.asarray(x, dtype=float)))


@dataclass(frozen=True)
class Profiles:
    """Unique model records, and each district's weights over them."""

    records: pd.DataFrame  # model features, one row per distinct record (index = record id)
    weights: pd.DataFrame  # columns ubigeo, record, weight (sum to 1 per district)
    margins: pd.DataFrame  # per district: rural_share, poor_share (targets after raking)


def systematic_pps(weights: np.ndarray, k: int, start: float = 0.5) -> np.ndarray:
    """Indices of ``k`` units drawn systematically with probability proportional to ``weights``."""
    cum = np.cumsum(weights) / np.sum(weights)
    points = (np.arange(k) + start) / k
    return np.searchsorted(cum, points, side="left").clip(0, len(weights) - 1)


def department_donors(survey: pd.DataFrame, year: int) -> pd.DataFrame:
    """``DONORS`` representative children per department (model features + department margins)."""
    recent = survey[survey["year"] > year - PROFILE_YEARS]
    frame = model_frame(recent).assign(weight=recent["weight"].to_numpy())
    out = []
    for dep, grp in frame.groupby("department", sort=True):
        g = grp.sort_values(["area", "wealth", "education", "sex", "age_months"], kind="stable")
        idx = systematic_pps(g["weight"].to_numpy(), DONORS)
        out.append(g.iloc[idx].assign(department=dep, donor=np.arange(DONORS)))
    return pd.concat(out, ignore_index=True).drop(columns="weight")


def department_shares(survey: pd.DataFrame, year: int) -> pd.DataFrame:
    """Survey-weighted share of children rural and in the two poorest quintiles, per department."""
    recent = survey[survey["year"] > year - PROFILE_YEARS]
    w = recent["weight"].to_numpy(dtype=float)
    rural = (recent["area"] == "rural").to_numpy(dtype=bool)
    known = recent["wealth_quintile"].notna().to_numpy(dtype=bool)
    poor = recent["wealth_quintile"].le(2).fillna(False).to_numpy(dtype=bool)
    parts = pd.DataFrame(
        {
            "dep": recent["department"].to_numpy(dtype=object),
            "w": w,
            "wr": w * rural,
            "wk": w * known,
            "wp": w * (poor & known),
        }
    )
    sums = parts.groupby("dep").sum()
    return pd.DataFrame({"rural_share": sums["wr"] / sums["w"], "poor_share": sums["wp"] / sums["wk"]})


def district_margins(districts: pd.DataFrame, departments: pd.DataFrame, shares: pd.DataFrame) -> pd.DataFrame:
    """Rural and poorest-two-quintile shares for each district, benchmarked to its department."""
    dep = departments.set_index("ubigeo").join(shares)
    d = districts[["ubigeo", "dep_code", "population_2025", "density_2020", "poverty_pct"]].copy()
    # Unknown covariates: the department's value (said in the methods, never a random fill).
    d["density_2020"] = d["density_2020"].fillna(d["dep_code"].map(dep["density_2020"]))
    d["poverty_pct"] = d["poverty_pct"].fillna(d["dep_code"].map(dep["poverty_pct"]))
    pop = d["population_2025"].astype(float).clip(lower=1)
    fits = {
        "rural_share": (np.log(dep["density_2020"].clip(lower=0.1)), np.log(d["density_2020"].clip(lower=0.1))),
        "poor_share": (_logit(dep["poverty_pct"] / 100), _logit(d["poverty_pct"] / 100)),
    }
    out = d[["ubigeo", "dep_code"]].copy()
    for margin, (x_dep, x_dist) in fits.items():
        slope, _ = np.polyfit(np.asarray(x_dep, dtype=float), _logit(dep[margin].to_numpy()), 1)
        values = np.empty(len(d))
        for code, idx in d.groupby("dep_code").indices.items():
            target = float(dep.loc[code, margin])
            xs = np.asarray(x_dist, dtype=float)[idx]
            wpop = pop.to_numpy()[idx] / pop.to_numpy()[idx].sum()

            def gap(shift, xs=xs, wpop=wpop, target=target, slope=slope):
                return float(np.sum(wpop * _expit(shift + slope * xs)) - target)

            lo, hi = -30.0, 30.0
            shift = optimize.brentq(gap, lo, hi) if gap(lo) < 0 < gap(hi) else 0.0
            values[idx] = _expit(shift + slope * xs)
        out[margin] = values
    return out


def rake(base: np.ndarray, groups: list[tuple[np.ndarray, float]]) -> np.ndarray:
    """Iterative proportional fitting of ``base`` weights to binary margins (mask, target share)."""
    w = base / base.sum()
    for _ in range(RAKING_ITERATIONS):
        for mask, target in groups:
            inside = w[mask].sum()
            if 0 < inside < 1:
                w[mask] *= target / inside
                w[~mask] *= (1 - target) / (1 - inside)
    return w / w.sum()


def build_profiles(survey: pd.DataFrame, districts: pd.DataFrame, departments: pd.DataFrame, year: int) -> Profiles:
    """Distinct model records and district weights for ``year`` (see the module docstring)."""
    donors = department_donors(survey, year)
    margins = district_margins(districts, departments, department_shares(survey, year))
    alt = districts.set_index("ubigeo")["altitude_m"]
    band = (alt / ALTITUDE_BAND_M).round() * ALTITUDE_BAND_M
    by_dep = {code: grp.reset_index(drop=True) for code, grp in donors.groupby("department", sort=False)}
    rows_by_dep = {code: grp.to_dict(orient="records") for code, grp in by_dep.items()}
    records, weights = {}, []
    for ubigeo, dep_code, rural_share, poor_share in margins[
        ["ubigeo", "dep_code", "rural_share", "poor_share"]
    ].itertuples(index=False):
        dep = by_dep[dep_code]
        rural = (dep["area"] == "rural").to_numpy()
        poor = dep["wealth"].isin(["1", "2"]).to_numpy()
        known = (dep["wealth"] != UNKNOWN).to_numpy()
        groups = [(rural, rural_share)]
        if known.all():
            groups.append((poor, poor_share))
        else:
            # Children with unknown wealth keep their share; the rest are raked to the poor margin.
            share_known = known.mean()
            groups.append((poor, poor_share * share_known))
        w = rake(np.ones(len(dep)), groups)
        altitude = float(band[ubigeo])
        for row, weight in zip(rows_by_dep[dep_code], w, strict=True):
            key = (dep_code, int(row["donor"]), altitude)
            if key not in records:
                records[key] = {**row, "altitude_m": altitude, "year": float(year)}
            weights.append((ubigeo, key, weight))
    keys = list(records)
    index = {k: i for i, k in enumerate(keys)}
    rec = pd.DataFrame([records[k] for k in keys]).drop(columns="donor")
    wdf = pd.DataFrame([(u, index[k], w) for u, k, w in weights], columns=["ubigeo", "record", "weight"])
    return Profiles(rec, wdf, margins.set_index("ubigeo")[["rural_share", "poor_share"]].reset_index())


def aggregate(district_values: pd.DataFrame, regions_table: pd.DataFrame, key: str) -> pd.DataFrame:
    """Population-weighted mean of district columns by ``key`` (``prov_code`` or ``dep_code``)."""
    d = district_values.merge(regions_table[["ubigeo", key, "population_2025"]], on="ubigeo")
    pop = d["population_2025"].astype(float)
    cols = [c for c in district_values.columns if c != "ubigeo"]
    summed = d[cols].mul(pop, axis=0).groupby(d[key]).sum().div(pop.groupby(d[key]).sum(), axis=0)
    return summed.reset_index().rename(columns={key: "ubigeo"})
