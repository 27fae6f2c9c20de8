"""Validation harness for department estimators: ``python -m training.validate`` (JSON out).

Two protocols, no outside figures needed:

* **split-sample**: for each target year 2019-2024, the year's clusters (PSUs) are
  split at random into halves A and B within strata (and departments). Every
  estimator is fitted on the other years plus half A and compared with half B's
  design-based direct estimate. Half B is independent of the fit, so
  ``E[(est - direct_B)^2] = MSE(est, truth) + Var(direct_B)``: the corrected MSE is
  the observed one minus half B's sampling variance.
* **forecast**: fit on the years before Y, compare with the direct estimate of Y
  (all of it), for Y = 2021-2024.

Estimators (the same folds, the same run): this year's direct estimate, the pooled
direct estimate over every training year, a unit-level logistic regression, v1's
method (Keras ensemble on synthetic district profiles, aggregated by population),
and the space-time model (``training.spacetime``) with the Keras model's composition risk as covariate.

Interval coverage: the share of |est - direct_B| / sqrt(var_est + var_B) <= 1.96.
The space-time model's interval scale is chosen on the split-sample folds by
leave-one-target-year-out (so the reported coverage is out of sample).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import pandas as pd
from scipy import stats

from training import spacetime
from training.departments import (
    covariate_predictor,
    direct_by_department,
    direct_cells,
    fit_departments,
    outcome,
    pooled_design_effect,
    synthetic,
)
from training.features import TARGETS

log = logging.getLogger("training.validate")

SPLIT_YEARS = (2019, 2020, 2021, 2022, 2023, 2024)
FORECAST_YEARS = (2021, 2022, 2023, 2024)
MIN_EVAL_N = 10  # evaluation cells need this many children in half B (or the target year)
Z95 = float(stats.norm.ppf(0.975))
ESTIMATORS = ("direct", "pooled", "logistic_regression", "v1_method", "spacetime")
SCALE_GRID = np.round(np.arange(0.6, 3.01, 0.05), 2)


# --- the pieces every estimator shares -------------------------------------------------------


def split_halves(year_rows: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
    """Boolean mask of half A: clusters shuffled and halved within stratum x department."""
    keys = year_rows["stratum"].astype(str) + "|" + year_rows["department"].astype(str)
    in_a = pd.Series(False, index=year_rows.index)
    for _, grp in year_rows.groupby(keys, sort=True):
        clusters = np.array(sorted(grp["cluster"].astype(str).unique()))
        rng.shuffle(clusters)
        # An odd cluster goes to A or B with equal chance, so the halves are exchangeable.
        cut = len(clusters) // 2 + (rng.random() < 0.5 if len(clusters) % 2 else 0)
        chosen = set(clusters[:cut])
        in_a.loc[grp.index] = grp["cluster"].astype(str).isin(chosen).to_numpy()
    return in_a.to_numpy()


# --- estimators ------------------------------------------------------------------------------


@dataclass
class Fold:
    """What an estimator gets: training rows and the target year (for every department)."""

    train: pd.DataFrame
    year: int
    areas: list[str]
    context: dict = field(default_factory=dict)


Estimate = pd.DataFrame  # columns area, estimate (proportion), var (NaN when the method has none)


def est_direct(fold: Fold, indicator: str) -> Estimate:
    """The target year's own direct estimate (half A); in the forecast protocol, the last year's."""
    years = sorted(fold.train["year"].unique())
    year = fold.year if fold.year in years else years[-1]
    d = direct_by_department(fold.train[fold.train["year"] == year], indicator)
    d = d[d["n"] > 0].rename(columns={"n": "n_fit"})
    return pd.DataFrame({"area": fold.areas}).merge(d[["area", "estimate", "var", "n_fit"]], on="area", how="left")


def est_pooled(fold: Fold, indicator: str) -> Estimate:
    """The design-weighted pooled prevalence over every training year."""
    d = direct_by_department(fold.train, indicator)
    return pd.DataFrame({"area": fold.areas}).merge(d[["area", "estimate", "var"]], on="area", how="left")


def est_logistic(fold: Fold, indicator: str) -> Estimate:
    """Unit-level logistic regression (features one-hot, department included), averaged synthetically."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    from training.features import CATEGORICAL, model_frame

    y = outcome(fold.train, indicator)
    ok = y.notna().to_numpy()
    x = model_frame(fold.train)
    cats = list(CATEGORICAL)
    columns = pd.get_dummies(x, columns=cats, dtype=float).columns

    def design(frame: pd.DataFrame) -> pd.DataFrame:
        return pd.get_dummies(model_frame(frame), columns=cats, dtype=float).reindex(columns=columns, fill_value=0.0)

    d = design(fold.train[ok])
    scaler = StandardScaler().fit(d)
    lr = LogisticRegression(max_iter=3000).fit(
        scaler.transform(d), y[ok].astype(int), sample_weight=fold.train.loc[ok, "weight"]
    )
    synth = synthetic(fold.train, lambda f: lr.predict_proba(scaler.transform(design(f)))[:, 1], indicator, fold.year)
    return pd.DataFrame({"area": fold.areas, "estimate": synth.reindex(fold.areas).to_numpy(), "var": np.nan})


def est_v1(fold: Fold, indicator: str) -> Estimate:
    """v1's method: the Keras ensemble on synthetic district profiles, population-weighted to departments."""
    from training.features import as_inputs
    from training.model import predict
    from training.population import aggregate, build_profiles
    from training.train import interval

    regions = fold.context["regions"]
    key = ("v1_profiles", fold.year)
    if key not in fold.context:
        profiles = build_profiles(fold.train, regions.table("district"), regions.table("department"), fold.year)
        member_probs = predict(fold.context["keras"], as_inputs(profiles.records))
        fold.context[key] = (profiles, member_probs)
    profiles, member_probs = fold.context[key]
    k = TARGETS.index(indicator)
    w = profiles.weights
    probs = member_probs[w["record"].to_numpy(), :, k] * w["weight"].to_numpy()[:, None]
    dist = pd.DataFrame(probs).groupby(w["ubigeo"].to_numpy()).sum()
    dist.columns = [f"m{m}" for m in dist.columns]
    dep = aggregate(dist.reset_index(names="ubigeo"), regions.table("district"), "dep_code").set_index("ubigeo")
    mean, lo, hi = interval(dep.to_numpy())
    var = ((hi - lo) / (2 * Z95)) ** 2
    return pd.DataFrame({"area": fold.areas}).merge(
        pd.DataFrame({"area": dep.index, "estimate": mean, "var": var}), on="area", how="left"
    )


def spacetime_estimate(
    fold: Fold, indicator: str, predict: Callable[[pd.DataFrame], np.ndarray], model=spacetime.SpaceTimeModel
) -> Estimate:
    """A space-time fit on the fold's training rows, read off at the target year (shared with the variants bench)."""
    years = list(range(min(fold.train["year"].min(), fold.year), max(fold.train["year"].max(), fold.year) + 1))
    fit = fit_departments(fold.train, predict, indicator, fold.areas, years, fold.context["adjacency"], model)
    f = fit.frame()
    f = f[f["year"] == fold.year]
    p = spacetime.expit(f["logit_mean"].to_numpy())
    return pd.DataFrame(
        {
            "area": f["area"].to_numpy(),
            "estimate": p,
            "var": (p * (1 - p)) ** 2 * f["logit_var"].to_numpy(),
        }
    )


def est_spacetime(fold: Fold, indicator: str) -> Estimate:
    """Space-time Fay-Herriot (BYM2 + RW1 + department RW1) with the Keras composition covariate."""
    return spacetime_estimate(fold, indicator, covariate_predictor(fold.context["keras"], indicator))


ESTIMATOR_FUNCS = {
    "direct": est_direct,
    "pooled": est_pooled,
    "logistic_regression": est_logistic,
    "v1_method": est_v1,
    "spacetime": est_spacetime,
}


# --- scoring ---------------------------------------------------------------------------------


def corrected_mse(estimate: np.ndarray, direct: np.ndarray, direct_var: np.ndarray) -> float:
    """MSE against the truth from an independent unbiased direct estimate: observed MSE minus its variance."""
    return float(np.mean((np.asarray(estimate) - np.asarray(direct)) ** 2) - np.mean(direct_var))


def coverage(estimate, var_est, direct, var_direct, scale: float = 1.0) -> float:
    """Share of cells with |est - direct| <= 1.96 sqrt(scale^2 var_est + var_direct)."""
    z = np.abs(np.asarray(estimate) - np.asarray(direct)) / np.sqrt(
        scale**2 * np.asarray(var_est) + np.asarray(var_direct)
    )
    return float(np.mean(z <= Z95))


def summarise(rows: pd.DataFrame) -> dict:
    """Scores of one estimator x protocol x indicator over its evaluation cells (percentage points)."""
    e, d, vb = rows["estimate"].to_numpy(), rows["direct"].to_numpy(), rows["direct_var"].to_numpy()
    mse = float(np.mean((e - d) ** 2))
    mse_c = corrected_mse(e, d, vb)
    rmse_c = float(np.sqrt(max(mse_c, 0.0)))
    out = {
        "cells": len(rows),
        "mae_raw": round(100 * float(np.mean(np.abs(e - d))), 3),
        "rmse_raw": round(100 * float(np.sqrt(mse)), 3),
        "mse_corrected": round(1e4 * mse_c, 3),
        "rmse_corrected": round(100 * rmse_c, 3),
        # Normal-theory MAE implied by the corrected MSE (E|e| = sqrt(2/pi) sd for centred normal errors).
        "mae_corrected": round(100 * float(np.sqrt(2 / np.pi)) * rmse_c, 3),
        "mean_direct_var": round(1e4 * float(np.mean(vb)), 3),
    }
    if rows["var"].notna().all():
        out["coverage_95"] = round(coverage(e, rows["var"], d, vb), 3)
    return out


# --- the run ---------------------------------------------------------------------------------


@dataclass
class Setup:
    survey: pd.DataFrame
    regions: object
    areas: list[str]
    adjacency: np.ndarray
    pooled_all: dict[str, pd.Series]  # indicator -> department pooled proportion (for GVF variances of B)
    deff_all: dict[str, float]


def make_setup(survey: pd.DataFrame, regions) -> Setup:
    deps = regions.level("department").sort_values("ubigeo")
    areas = deps["ubigeo"].tolist()
    adjacency = spacetime.adjacency_matrix(deps.geometry, areas)
    pooled, deffs = {}, {}
    for ind in TARGETS:
        cells = direct_cells(survey, ind)
        deffs[ind] = pooled_design_effect(cells)
        pooled[ind] = direct_by_department(survey, ind).set_index("area")["estimate"]
    return Setup(survey, regions, areas, adjacency, pooled, deffs)


def truth_rows(setup: Setup, rows: pd.DataFrame, indicator: str) -> pd.DataFrame:
    """Evaluation cells: the design-based direct estimate of the held-out rows and its sampling variance.

    The variance is p(1-p)/n x a design effect, with p the department's all-year
    prevalence (so it does not depend on the cell's own noisy estimate). The design
    effect here is the survey-wide one; ``random_group_design_effect`` replaces it by
    one measured on the split halves themselves.
    """
    d = direct_by_department(rows, indicator)
    d = d[d["n"] >= MIN_EVAL_N]
    p = d["area"].map(setup.pooled_all[indicator]).to_numpy()
    unit = p * (1 - p) / d["n"].to_numpy()
    return pd.DataFrame(
        {
            "area": d["area"],
            "direct": d["estimate"],
            "direct_var": setup.deff_all[indicator] * unit,
            "unit_var": unit,
            "n_eval": d["n"],
        }
    )


def random_group_design_effect(rows: pd.DataFrame) -> dict[str, float]:
    """Design effect per indicator from the two independent halves (Wolter's random-group method).

    Halves A and B of a year are independent samples of the same cells, so
    E[(direct_A - direct_B)^2] = V_A + V_B; with V = deff x p(1-p)/n this gives
    deff = sum (direct_A - direct_B)^2 / sum p(1-p) (1/n_A + 1/n_B).
    """
    out = {}
    split = rows[(rows["protocol"] == "split_sample") & (rows["estimator"] == "direct")]
    for ind, grp in split.groupby("indicator"):
        g = grp.dropna(subset=["estimate", "n_fit"])
        if len(g) < 20:
            continue
        p_unit = g["unit_var"] * g["n_eval"]  # p(1-p)
        denom = float((p_unit * (1 / g["n_fit"] + 1 / g["n_eval"])).sum())
        out[ind] = float(((g["estimate"] - g["direct"]) ** 2).sum() / denom)
    return out


def run_fold(
    setup: Setup,
    train: pd.DataFrame,
    evaluation: pd.DataFrame,
    year: int,
    protocol: str,
    seed: int,
    keras_fit: Callable[[pd.DataFrame, int], object],
    estimators: tuple[str, ...],
) -> pd.DataFrame:
    context = {"regions": setup.regions, "adjacency": setup.adjacency}
    if {"v1_method", "spacetime"} & set(estimators):
        context["keras"] = keras_fit(train, seed)
    fold = Fold(train, year, setup.areas, context)
    out = []
    for ind in TARGETS:
        truth = truth_rows(setup, evaluation, ind)
        for name in estimators:
            est = ESTIMATOR_FUNCS[name](fold, ind)
            merged = truth.merge(est, on="area", how="inner").dropna(subset=["estimate"])
            out.append(merged.assign(estimator=name, indicator=ind, protocol=protocol, year=year, seed=seed))
    return pd.concat(out, ignore_index=True)


def default_keras_fit(members: int = 3, epochs: int = 12) -> Callable[[pd.DataFrame, int], object]:
    """A smaller copy of the production ensemble, refitted in every fold (no leakage from held-out rows)."""

    def fit(train: pd.DataFrame, seed: int):
        import keras

        from training.train import Config, fit_ensemble

        config = Config(members=members, epochs=epochs, seed=seed, batch_size=512)
        keras.utils.set_random_seed(seed)
        return fit_ensemble(train, config, np.random.default_rng(seed))

    return fit


def choose_scale(rows: pd.DataFrame, target: float = 0.95, upper: float = 0.97) -> float:
    """The interval scale (0.6-3) that brings split-sample coverage into [target, upper], moving least from 1.

    Too little coverage at 1: the smallest larger scale reaching ``target`` (the
    model was too confident). Too much: the smallest shrink that gets under
    ``upper`` while keeping ``target``; if no shrink does (coverage then depends on
    the check's noise, not the model's interval), the scale stays 1.
    """
    if rows.empty:
        return 1.0

    def cov(scale: float) -> float:
        return coverage(rows["estimate"], rows["var"], rows["direct"], rows["direct_var"], scale)

    at_one = cov(1.0)
    if at_one < target:
        return next((float(s) for s in SCALE_GRID if s > 1 and cov(s) >= target), float(SCALE_GRID[-1]))
    if at_one <= upper:
        return 1.0
    for s in SCALE_GRID[::-1]:
        if s < 1 and target <= cov(s) <= upper:
            return float(s)
    return 1.0


def calibrate_scale(split_rows: pd.DataFrame) -> dict:
    """Interval scale per indicator, with leave-one-target-year-out coverage (an honest figure).

    With a single target year there is nothing to leave out: that figure is then None.
    """
    out = {}
    st = split_rows[split_rows["estimator"] == "spacetime"]
    for ind, grp in st.groupby("indicator"):
        scale = choose_scale(grp)
        years = sorted(grp["year"].unique())
        held = None
        if len(years) > 1:
            inside = 0.0
            for y in years:
                s = choose_scale(grp[grp["year"] != y])
                part = grp[grp["year"] == y]
                inside += coverage(part["estimate"], part["var"], part["direct"], part["direct_var"], s) * len(part)
            held = round(inside / len(grp), 3)
        out[ind] = {
            "scale": scale,
            "coverage_unscaled": round(coverage(grp["estimate"], grp["var"], grp["direct"], grp["direct_var"]), 3),
            "coverage_scaled_in_sample": round(
                coverage(grp["estimate"], grp["var"], grp["direct"], grp["direct_var"], scale), 3
            ),
            "coverage_scaled_leave_one_year_out": held,
            # How much the scale can move coverage at all: the check figure's own sampling variance sits in
            # every denominator, so with small halves coverage changes little between scales.
            "coverage_by_scale": {
                str(s): round(coverage(grp["estimate"], grp["var"], grp["direct"], grp["direct_var"], s), 3)
                for s in (0.6, 0.8, 1.0, 1.25, 1.5, 2.0)
            },
        }
    return out


def validate(
    survey: pd.DataFrame,
    regions,
    seeds: tuple[int, ...] = (1,),
    split_years: tuple[int, ...] = SPLIT_YEARS,
    forecast_years: tuple[int, ...] = FORECAST_YEARS,
    estimators: tuple[str, ...] = ESTIMATORS,
    keras_fit: Callable[[pd.DataFrame, int], object] | None = None,
    rows_out: Path | None = None,
) -> dict:
    """Run both protocols for every seed and return the report (see the module docstring).

    Args:
        rows_out: also write every evaluation cell (estimator x fold x department) to this parquet file.
    """
    t0 = time.time()
    keras_fit = keras_fit or default_keras_fit()
    setup = make_setup(survey, regions)
    years = set(survey["year"].unique())
    all_rows = []
    for seed in seeds:
        rng = np.random.default_rng(seed)
        for y in split_years:
            if y not in years:
                continue
            year_rows = survey[survey["year"] == y]
            in_a = split_halves(year_rows, rng)
            train = pd.concat([survey[survey["year"] != y], year_rows[in_a]])
            all_rows.append(run_fold(setup, train, year_rows[~in_a], y, "split_sample", seed, keras_fit, estimators))
            log.info("seed %d split-sample %d done (%.0f s)", seed, y, time.time() - t0)
        for y in forecast_years:
            if y not in years:
                continue
            train = survey[survey["year"] < y]
            evaluation = survey[survey["year"] == y]
            all_rows.append(run_fold(setup, train, evaluation, y, "forecast", seed, keras_fit, estimators))
            log.info("seed %d forecast %d done (%.0f s)", seed, y, time.time() - t0)
    rows = pd.concat(all_rows, ignore_index=True)
    if rows_out is not None:
        rows.to_parquet(rows_out, index=False)
    return finish(rows, seeds, setup.deff_all, time.time() - t0)


def finish(rows: pd.DataFrame, seeds: tuple[int, ...], survey_deff: dict[str, float], seconds: float) -> dict:
    """Check variances from the halves, then the report."""
    rows = rows.copy()
    deffs = random_group_design_effect(rows)
    for ind, deff in deffs.items():
        mine = rows["indicator"] == ind
        rows.loc[mine, "direct_var"] = deff * rows.loc[mine, "unit_var"]
    result = report(rows, seeds, seconds)
    result["check_design_effect"] = {
        "random_group": {k: round(v, 4) for k, v in deffs.items()},
        "survey_cells": {k: round(v, 4) for k, v in survey_deff.items()},
    }
    return result


def report(rows: pd.DataFrame, seeds: tuple[int, ...], seconds: float) -> dict:
    split = rows[rows["protocol"] == "split_sample"]
    scales = calibrate_scale(split) if (split["estimator"] == "spacetime").any() else {}
    table, by_seed = [], []
    for (protocol, ind, name), grp in rows.groupby(["protocol", "indicator", "estimator"], sort=False):
        s = summarise(grp)
        if name == "spacetime" and ind in scales:
            s["coverage_95_calibrated"] = round(
                coverage(grp["estimate"], grp["var"], grp["direct"], grp["direct_var"], scales[ind]["scale"]), 3
            )
        table.append({"protocol": protocol, "indicator": ind, "estimator": name, **s})
        for seed, g2 in grp.groupby("seed"):
            by_seed.append(
                {"protocol": protocol, "indicator": ind, "estimator": name, "seed": int(seed), **summarise(g2)}
            )
    seed_frame = pd.DataFrame(by_seed)
    spread = (
        seed_frame.groupby(["protocol", "indicator", "estimator"])["mae_corrected"]
        .agg(["min", "max", "std"])
        .round(3)
        .reset_index()
        .to_dict(orient="records")
        if len(seeds) > 1
        else []
    )
    return {
        "protocols": {
            "split_sample": {"years": sorted(int(y) for y in split["year"].unique())},
            "forecast": {"years": sorted(int(y) for y in rows.loc[rows["protocol"] == "forecast", "year"].unique())},
        },
        "seeds": list(seeds),
        "units": "percentage points (mse in squared points)",
        "min_eval_n": MIN_EVAL_N,
        "table": table,
        "by_seed": by_seed,
        "seed_spread_mae_corrected": spread,
        "paired_vs_pooled": paired(rows, "pooled"),
        "paired_vs_v1": paired(rows, "v1_method"),
        "interval_scale": scales,
        "seconds": round(seconds, 1),
        "notes": [
            "direct_B variance = deff x p(1-p)/n_B with p the department's all-year prevalence and deff measured "
            "on the halves themselves (random groups: E[(direct_A - direct_B)^2] = V_A + V_B); corrected MSE = "
            "observed MSE - mean variance of direct_B",
            "mae_corrected = sqrt(2/pi) x rmse_corrected (normal-theory MAE implied by the corrected MSE)",
            "the Keras ensemble (for v1's method and the space-time covariate) is refitted in every fold "
            "with a smaller configuration, so no held-out child informs any estimator",
            "forecast protocol: 'direct' is the last observed year's direct estimate carried forward",
            "v1's method is reproduced without its national intercept shift (no target-year data in the forecast)",
        ],
    }


def paired_standard_errors(diff: pd.Series, cells: pd.DataFrame) -> tuple[float, float]:
    """Standard errors of the mean paired difference (points squared): over department-years, and by year.

    Seeds re-split the same sample (and forecast folds do not change with the seed
    at all), so the seeds' rows are not independent replicates: each
    department-year's differences are first averaged over seeds. ``se`` then
    treats department-years as independent; ``se_by_year`` is the cluster-robust
    (CR1) standard error with target years as clusters, which also counts the
    shift that every department of a year shares (one national half-sample
    difference per year in the split-sample protocol). With 4-6 years it is
    itself rough; read the two together.
    """
    per_cell = diff.groupby([cells["year"], cells["area"]]).mean()
    n = len(per_cell)
    if n < 2:
        return float("nan"), float("nan")
    se = float(per_cell.std(ddof=1) / np.sqrt(n))
    resid = per_cell - per_cell.mean()
    sums = resid.groupby(level="year").sum()
    k = len(sums)
    se_year = float(np.sqrt(k / (k - 1) * float((sums**2).sum())) / n) if k > 1 else float("nan")
    return se * 1e4, se_year * 1e4


def paired(rows: pd.DataFrame, baseline: str) -> list[dict]:
    """Mean squared-error difference (estimator - baseline) per seed: direct_B's variance cancels exactly."""
    out = []
    keys = ["protocol", "indicator", "year", "seed", "area"]
    base = rows[rows["estimator"] == baseline][[*keys, "estimate"]].rename(columns={"estimate": "base"})
    for (protocol, ind, name), grp in rows[rows["estimator"] != baseline].groupby(
        ["protocol", "indicator", "estimator"]
    ):
        m = grp.merge(base, on=keys)
        diff = (m["estimate"] - m["direct"]) ** 2 - (m["base"] - m["direct"]) ** 2
        # The part carried by each fold's mean error over departments (a shared year-level shift: in the
        # split-sample protocol it rests on one national half-sample difference per year), and the rest.
        folds = [m["seed"], m["year"]]
        err, err_base = m["estimate"] - m["direct"], m["base"] - m["direct"]
        shift = err.groupby(folds).transform("mean") ** 2 - err_base.groupby(folds).transform("mean") ** 2
        per_seed = diff.groupby(m["seed"]).mean() * 1e4
        se, se_by_year = paired_standard_errors(diff, m)
        out.append(
            {
                "protocol": protocol,
                "indicator": ind,
                "estimator": name,
                "mse_difference": round(float(diff.mean()) * 1e4, 3),
                "se": round(se, 3),
                "se_by_year": round(se_by_year, 3),
                "year_shift_part": round(float(shift.mean()) * 1e4, 3),
                "department_part": round(float((diff - shift).mean()) * 1e4, 3),
                "per_seed": [round(float(v), 3) for v in per_seed],
            }
        )
    return out


def main(argv: list[str] | None = None) -> int:
    from app.config import BUNDLED_SURVEY, ROOT
    from app.data.geo import load_regions
    from app.store import build_survey

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--survey", nargs="+", default=[str(BUNDLED_SURVEY)])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--members", type=int, default=3, help="Keras members per fold")
    parser.add_argument("--epochs", type=int, default=12, help="Keras epochs per fold")
    parser.add_argument("--out", type=Path, help="write the JSON here too")
    parser.add_argument("--rows", type=Path, help="write every evaluation cell to this parquet file")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    survey = build_survey([Path(p) for p in args.survey]).table
    regions = load_regions(ROOT / "geodata")
    result = validate(
        survey,
        regions,
        tuple(args.seeds),
        keras_fit=default_keras_fit(args.members, args.epochs),
        rows_out=args.rows,
    )
    text = json.dumps(result, indent=2, ensure_ascii=False)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    sys.stdout.write(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
