"""Direct survey estimates for every unit of a level, as the API and the map show them."""

from __future__ import annotations

import numpy as np
import pandas as pd

from app.data.geo import Regions
from app.indicators.nutrition import AGE_GROUPS
from app.indicators.survey import prevalence, reporting_flag

INDICATORS = {"anemia": "anemia", "stunting": "stunted"}
LEVEL_DOMAIN = {"department": "department", "province": "province", "district": "district"}


def _subpopulation(survey: pd.DataFrame, indicator: str, age_group: str) -> pd.Series:
    lo, hi = AGE_GROUPS[age_group]
    outcome = survey[INDICATORS[indicator]]
    return outcome.where(survey["age_months"].between(lo, hi))


def direct_estimates(
    survey: pd.DataFrame, regions: Regions, level: str, indicator: str, year: int, age_group: str = "6-35"
) -> pd.DataFrame:
    """Survey-weighted prevalence (percent) with 95 % CI for every unit of ``level`` in ``year``.

    Units with fewer than 25 unweighted cases are kept with a missing estimate and
    ``flag = "suppressed"``; units the survey cannot place (no district codes) get
    ``flag = "no_data"``. Never a zero where there is no data.
    """
    if indicator not in INDICATORS:
        raise ValueError(f"indicator must be one of {', '.join(INDICATORS)}; got {indicator!r}")
    if age_group not in AGE_GROUPS:
        raise ValueError(f"age_group must be one of {', '.join(AGE_GROUPS)}; got {age_group!r}")
    units = regions.table(level)[["ubigeo", "name", "dep_code", "prov_code"]].copy()
    data = survey[survey["year"] == year].copy()
    if data.empty:
        raise ValueError(f"year {year} is not in the survey data (years: {sorted(survey['year'].unique())})")
    data["province"] = data["district"].str[:4]
    data["__y"] = _subpopulation(data, indicator, age_group)
    est = prevalence(data, "__y", domain=LEVEL_DOMAIN[level])
    est = est.dropna(subset=["domain"]).rename(columns={"domain": "ubigeo"})
    out = units.merge(est, on="ubigeo", how="left")
    out["n"] = out["n"].fillna(0).astype(int)
    out["flag"] = out["n"].map(reporting_flag)
    hide = out["flag"].isin(["suppressed", "no_data"])
    for col in ("estimate", "ci_low", "ci_high", "se"):
        out[col] = (out[col] * 100).where(~hide).round(1 if col != "se" else 2)
    out.loc[hide, ["deff", "weighted_n"]] = np.nan
    return out


def national_estimate(survey: pd.DataFrame, indicator: str, year: int, age_group: str = "6-35") -> dict:
    """Peru's survey-weighted prevalence (percent) with 95 % CI for one year."""
    data = survey[survey["year"] == year].copy()
    data["__y"] = _subpopulation(data, indicator, age_group)
    row = prevalence(data, "__y").iloc[0]
    return {
        "estimate": round(row.estimate * 100, 1),
        "ci_low": round(row.ci_low * 100, 1),
        "ci_high": round(row.ci_high * 100, 1),
        "n": int(row.n),
        "flag": reporting_flag(int(row.n)),
    }
