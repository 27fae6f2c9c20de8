"""Published estimates for every year and level: benchmarking down from departments, intervals, SHAP.

1. **Departments** come from the space-time model (``training.departments``): the
   posterior median with an equal-tailed 95 % interval whose logit-scale width is
   multiplied by the scale calibrated on the split-sample validation.
2. **Districts** start from the Keras model applied to their synthetic child
   profiles (``training.population``) with the year set to each survey year. Per
   department and year, one logit shift makes the population-weighted mean of its
   districts equal the department estimate (benchmarking, as INEI does for its
   district poverty maps). Provinces are population-weighted means of their
   districts, so every level adds up exactly.
3. **Intervals** of districts and provinces combine the department's uncertainty
   with the profile uncertainty (the ensemble members' spread of the unit's
   position within its department), and are never narrower than the department's.
4. **SHAP** (DeepExplainer, exact for the dense core) is computed once on the
   reference year's profiles. For every year the explanation stays additive:
   base value + feature contributions + the change of the year term + the
   calibration line ("adjustment to the department's survey evidence") = the
   published estimate.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import optimize, sparse, stats

from training.features import FEATURES, TARGETS
from training.population import aggregate
from training.spacetime import expit, logit

CALIBRATION = "calibration"
Z95 = float(stats.norm.ppf(0.975))


def department_table(fit_frame: pd.DataFrame, indicator: str, scale: float) -> pd.DataFrame:
    """Department estimates (percent) with calibrated 95 % intervals, from a fit's logit mean and variance."""
    sd = np.sqrt(fit_frame["logit_var"].to_numpy()) * scale
    m = fit_frame["logit_mean"].to_numpy()
    return pd.DataFrame(
        {
            "ubigeo": fit_frame["area"].to_numpy(),
            "year": fit_frame["year"].to_numpy().astype(int),
            "indicator": indicator,
            "estimate": expit(m) * 100,
            "ci_low": expit(m - Z95 * sd) * 100,
            "ci_high": expit(m + Z95 * sd) * 100,
            "logit_sd": sd,
        }
    )


def benchmark_shift(values: np.ndarray, weights: np.ndarray, target: float) -> float:
    """The logit shift ``a`` with sum(w * expit(logit(values) + a)) / sum(w) == target."""
    base = logit(values)
    w = weights / weights.sum()

    def gap(a: float) -> float:
        return float(np.sum(w * expit(base + a)) - target)

    return float(optimize.brentq(gap, -20, 20, xtol=1e-14))


def _weights_matrix(profiles, districts: list[str]) -> sparse.csr_matrix:
    w = profiles.weights
    index = {u: i for i, u in enumerate(districts)}
    return sparse.csr_matrix(
        (w["weight"], (w["ubigeo"].map(index), w["record"])), shape=(len(districts), len(profiles.records))
    )


def _widen(est: np.ndarray, lo: np.ndarray, hi: np.ndarray, dep_est, dep_lo, dep_hi):
    """Never narrower than the department on either side (probability scale, clipped to 0-1)."""
    lo = np.minimum(lo, np.clip(est - (dep_est - dep_lo), 0, 1))
    hi = np.maximum(hi, np.clip(est + (dep_hi - dep_est), 0, 1))
    return lo, hi


def build_tables(
    profiles,
    regions,
    years: list[int],
    member_probs: dict[int, np.ndarray],
    record_shap: np.ndarray,
    base_values: np.ndarray,
    reference_year: int,
    departments: dict[str, pd.DataFrame],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Estimates and SHAP tables for every level, indicator and year.

    Args:
        member_probs: year -> (records, members, targets) probabilities of the profile records.
        record_shap: (records, features, targets) SHAP of the reference year's records (probability units).
        departments: indicator -> ``department_table`` output (every department and year).
    """
    dtable = regions.table("district")
    districts = sorted(dtable["ubigeo"])
    dt = dtable.set_index("ubigeo").loc[districts]
    pop = dt["population_2025"].astype(float).clip(lower=1).to_numpy()
    dep_of = dt["dep_code"].to_numpy()
    prov_of = dt["prov_code"].to_numpy()
    weights = _weights_matrix(profiles, districts)
    descriptors = _descriptors(profiles.records)
    values = weights @ descriptors  # (districts, features): the profile's mean feature values
    ref_contrib = np.stack([weights @ record_shap[:, :, k] for k in range(len(TARGETS))], axis=-1)
    dep_groups = pd.Series(np.arange(len(districts))).groupby(dep_of).indices
    prov_groups = pd.Series(np.arange(len(districts))).groupby(prov_of).indices
    syn_ref = {k: weights @ member_probs[reference_year][:, :, k].mean(axis=1) for k in range(len(TARGETS))}
    est_rows, shap_rows = [], []
    for k, indicator in enumerate(TARGETS):
        dep = departments[indicator].set_index(["ubigeo", "year"])
        for year in years:
            members = weights @ member_probs[year][:, :, k]  # (districts, members)
            syn = members.mean(axis=1)
            pub = np.empty(len(districts))
            sd_prof = np.empty(len(districts))
            dep_rows = {}
            for code, idx in dep_groups.items():
                row = dep.loc[(code, year)]
                target = float(row["estimate"]) / 100
                shift = benchmark_shift(syn[idx], pop[idx], target)
                pub[idx] = expit(logit(syn[idx]) + shift)
                sd_prof[idx] = _relative_sd(members[idx], pop[idx])
                dep_rows[code] = row
            dep_sd = np.array([dep_rows[c]["logit_sd"] for c in dep_of])
            dep_est = np.array([dep_rows[c]["estimate"] for c in dep_of]) / 100
            dep_lo = np.array([dep_rows[c]["ci_low"] for c in dep_of]) / 100
            dep_hi = np.array([dep_rows[c]["ci_high"] for c in dep_of]) / 100
            sd = np.sqrt(dep_sd**2 + sd_prof**2)
            lo, hi = expit(logit(pub) - Z95 * sd), expit(logit(pub) + Z95 * sd)
            lo, hi = _widen(pub, lo, hi, dep_est, dep_lo, dep_hi)
            est_rows.append(_est_frame("district", districts, indicator, year, pub, lo, hi, syn))

            # Provinces: population-weighted districts; profile spread at the province's own level.
            p_codes = sorted(prov_groups)
            p_pub, p_syn, p_lo, p_hi = [], [], [], []
            for code in p_codes:
                idx = prov_groups[code]
                w = pop[idx] / pop[idx].sum()
                e = float(w @ pub[idx])
                s = float(w @ syn[idx])
                d_idx = dep_groups[dep_of[idx[0]]]
                rel = _relative_sd((w @ members[idx])[None, :], None, members[d_idx], pop[d_idx])
                sd_p = float(np.sqrt(dep_sd[idx[0]] ** 2 + rel[0] ** 2))
                lo_p, hi_p = expit(logit(e) - Z95 * sd_p), expit(logit(e) + Z95 * sd_p)
                lo_p, hi_p = _widen(
                    np.array([e]), np.array([lo_p]), np.array([hi_p]), dep_est[idx[0]], dep_lo[idx[0]], dep_hi[idx[0]]
                )
                p_pub.append(e)
                p_syn.append(s)
                p_lo.append(float(lo_p[0]))
                p_hi.append(float(hi_p[0]))
            est_rows.append(
                _est_frame("province", p_codes, indicator, year, np.array(p_pub), np.array(p_lo), np.array(p_hi), p_syn)
            )
            d_codes = sorted(dep_groups)
            d_syn = [float(pop[dep_groups[c]] @ syn[dep_groups[c]] / pop[dep_groups[c]].sum()) for c in d_codes]
            d = departments[indicator]
            d = d[d["year"] == year].set_index("ubigeo").loc[d_codes]
            est_rows.append(
                _est_frame(
                    "department",
                    d_codes,
                    indicator,
                    year,
                    d["estimate"].to_numpy() / 100,
                    d["ci_low"].to_numpy() / 100,
                    d["ci_high"].to_numpy() / 100,
                    d_syn,
                )
            )

            # SHAP: reference-year contributions, the year term's change, and the calibration line.
            contrib = ref_contrib[:, :, k].copy()
            contrib[:, FEATURES.index("year")] += syn - syn_ref[k]
            feat_values = values.copy()
            feat_values[:, FEATURES.index("year")] = year
            dist_frame = pd.DataFrame(contrib, columns=[f"c_{f}" for f in FEATURES]).assign(
                **{f"v_{f}": feat_values[:, i] for i, f in enumerate(FEATURES)},
                c_calibration=pub - syn,
                prediction=pub,
                ubigeo=districts,
            )
            for level, key in (("district", None), ("province", "prov_code"), ("department", "dep_code")):
                frame = dist_frame if key is None else aggregate(dist_frame, dtable, key)
                shap_rows.append(_shap_frame(level, frame, indicator, year, float(base_values[k])))
    estimates = pd.concat(est_rows, ignore_index=True)
    return estimates, pd.concat(shap_rows, ignore_index=True)


def _relative_sd(members: np.ndarray, pop: np.ndarray | None, dep_members=None, dep_pop=None) -> np.ndarray:
    """SD over ensemble members of each unit's logit minus its department's (population-weighted) logit."""
    ref_members, ref_pop = (members, pop) if dep_members is None else (dep_members, dep_pop)
    dep_mean = (ref_pop / ref_pop.sum()) @ ref_members  # (members,)
    rel = logit(members) - logit(dep_mean)[None, :]
    return rel.std(axis=1, ddof=1) if members.shape[1] > 1 else np.zeros(len(members))


def _est_frame(level, codes, indicator, year, est, lo, hi, synthetic) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "level": level,
            "ubigeo": list(codes),
            "indicator": indicator,
            "year": int(year),
            "estimate": np.asarray(est) * 100,
            "ci_low": np.asarray(lo) * 100,
            "ci_high": np.asarray(hi) * 100,
            "synthetic": np.asarray(synthetic, dtype=float) * 100,
        }
    )


def _shap_frame(level: str, frame: pd.DataFrame, indicator: str, year: int, base: float) -> pd.DataFrame:
    parts = []
    for f in (*FEATURES, CALIBRATION):
        parts.append(
            pd.DataFrame(
                {
                    "level": level,
                    "ubigeo": frame["ubigeo"].to_numpy(),
                    "indicator": indicator,
                    "year": int(year),
                    "feature": f,
                    "contribution": frame[f"c_{f}"].to_numpy() * 100,
                    "feature_value": frame[f"v_{f}"].to_numpy() if f != CALIBRATION else np.nan,
                    "base_value": base * 100,
                    "prediction": frame["prediction"].to_numpy() * 100,
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def _descriptors(records: pd.DataFrame) -> np.ndarray:
    """Per record, the numbers a feature's value is summarised by (shares for categories)."""
    return pd.DataFrame(
        {
            "age_months": records["age_months"],
            "altitude_m": records["altitude_m"],
            "year": records["year"],
            "sex": (records["sex"] == "mujer").astype(float),
            "area": (records["area"] == "rural").astype(float),
            "wealth": records["wealth"].isin(["1", "2"]).astype(float),
            "education": records["education"].isin(["secundaria", "superior"]).astype(float),
            "department": 0.0,
        }
    )[list(FEATURES)].to_numpy(dtype=float)
