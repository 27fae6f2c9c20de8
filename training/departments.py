"""Department estimates for every survey year: direct cells, the Keras covariate and the space-time fit.

Shared by the training pipeline (``training.train``) and the validation harness
(``training.validate``), so what is validated is exactly what is published.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from app.indicators.estimates import INDICATORS
from app.indicators.survey import prevalence
from training import spacetime

AGE_RANGE = (6, 35)  # the indicators' age group in months (the bundled sample's children)


def outcome(survey: pd.DataFrame, indicator: str) -> pd.Series:
    """0/1 outcome of the indicator's age group (6-35 months), missing outside it."""
    return survey[INDICATORS[indicator]].astype("Float64").where(survey["age_months"].between(*AGE_RANGE))


def direct_by_department(survey: pd.DataFrame, indicator: str) -> pd.DataFrame:
    """Design-based prevalence per department of ``survey`` (proportions, variance, n, deff)."""
    data = survey.assign(__y=outcome(survey, indicator))
    est = prevalence(data, "__y", domain="department")
    return est.rename(columns={"domain": "area"}).assign(var=lambda d: d["se"] ** 2)


def direct_cells(survey: pd.DataFrame, indicator: str) -> pd.DataFrame:
    """Direct estimate of every department-year present in ``survey``."""
    parts = [direct_by_department(g, indicator).assign(year=int(y)) for y, g in survey.groupby("year")]
    return pd.concat(parts, ignore_index=True)


def pooled_design_effect(cells: pd.DataFrame) -> float:
    """Case-weighted mean design effect of the cells (for the GVF); 1 when nothing is known."""
    ok = cells["deff"].notna() & np.isfinite(cells["deff"]) & (cells["n"] >= 10)
    if not ok.any():
        return 1.0
    return float(np.average(cells.loc[ok, "deff"], weights=cells.loc[ok, "n"]))


def synthetic(
    survey: pd.DataFrame, predict: Callable[[pd.DataFrame], np.ndarray], indicator: str, year: int
) -> pd.Series:
    """Weighted mean prediction over each department's children with the year set to ``year``.

    Each survey year's weights are normalised to sum to one, so the pooled
    composition (age, sex, area, wealth, education, altitude) of every department
    stands for its population, not one year's sample.
    """
    rows = survey[outcome(survey, indicator).notna().to_numpy()]
    w = rows["weight"] / rows.groupby("year")["weight"].transform("sum")
    p = predict(rows.assign(year=year))
    num = pd.Series(p, index=rows.index).mul(w).groupby(rows["department"]).sum()
    return num / w.groupby(rows["department"]).sum()


def synthetic_cells(
    survey: pd.DataFrame, predict: Callable[[pd.DataFrame], np.ndarray], indicator: str, years: list[int]
) -> pd.DataFrame:
    """The covariate for every department-year (columns area, year, p), with one prediction call."""
    rows = survey[outcome(survey, indicator).notna().to_numpy()]
    w = (rows["weight"] / rows.groupby("year")["weight"].transform("sum")).to_numpy()
    stacked = pd.concat([rows.assign(year=y) for y in years], ignore_index=True)
    p = predict(stacked).reshape(len(years), len(rows))
    dep = rows["department"].to_numpy()
    out = []
    for i, y in enumerate(years):
        frame = pd.DataFrame({"area": dep, "pw": p[i] * w, "w": w}).groupby("area")[["pw", "w"]].sum()
        out.append(pd.DataFrame({"area": frame.index, "year": y, "p": (frame["pw"] / frame["w"]).to_numpy()}))
    return pd.concat(out, ignore_index=True)


def spacetime_data(
    cells: pd.DataFrame, covariate: pd.DataFrame, areas: list[str], years: list[int], adjacency: np.ndarray
) -> spacetime.SpaceTimeData:
    """Model inputs from direct cells (area, year, estimate, n, deff) and a covariate (area, year, p)."""
    grid = pd.MultiIndex.from_product([areas, years], names=["area", "year"]).to_frame(index=False)
    g = grid.merge(cells[["area", "year", "estimate", "n"]], on=["area", "year"], how="left")
    g["n"] = g["n"].fillna(0)
    deff = pooled_design_effect(cells)
    sums = cells.assign(x=cells["estimate"] * cells["n"]).groupby("area")[["x", "n"]].sum()
    pooled = sums["x"] / sums["n"]
    g["pooled"] = g["area"].map(pooled).fillna(float(np.nanmean(pooled)))
    g["deff"] = deff
    y, v = spacetime.gvf_inputs(g)
    y[g["n"].to_numpy() == 0] = np.nan
    cov = grid.merge(covariate, on=["area", "year"], how="left")["p"]
    cov = cov.fillna(float(np.nanmean(cov))).to_numpy()
    return spacetime.SpaceTimeData(areas, years, y, v, spacetime.logit(cov), adjacency)


def fit_departments(
    survey: pd.DataFrame,
    predict: Callable[[pd.DataFrame], np.ndarray],
    indicator: str,
    areas: list[str],
    years: list[int],
    adjacency: np.ndarray,
    model: Callable[[spacetime.SpaceTimeData], spacetime.SpaceTimeModel] = spacetime.SpaceTimeModel,
) -> spacetime.SpaceTimeFit:
    """Fit the space-time model for one indicator on ``survey`` (every cell of ``areas`` x ``years``).

    ``model`` builds the model from its data (the published one by default; the variants bench passes others).
    """
    cells = direct_cells(survey, indicator)
    cells = cells[cells["n"] > 0]
    cov = synthetic_cells(survey, predict, indicator, years)
    fit = model(spacetime_data(cells, cov, areas, years, adjacency)).fit()
    fit.extras["design_effect"] = pooled_design_effect(cells)
    return fit


def covariate_predictor(model, indicator: str) -> Callable[[pd.DataFrame], np.ndarray]:
    """The space-time model's covariate: the Keras risk from the children's composition only.

    A Fay-Herriot covariate must be auxiliary information, not a function of the
    direct estimates it is set against. With its department input, the ensemble
    learns each department's level from the very children whose direct estimates
    are the model's data, so that level would enter twice (once as y, once in x)
    and its noise would pass through as if it were signal. ("Unknown" is the
    one-hot slot training never saw: a fixed offset, mostly absorbed by the
    intercept.) Without it, the
    covariate carries age, sex, altitude, area, wealth, education and the year
    trend; the department's own level is left to the BYM2 and random-walk effects,
    which weigh it by its precision. Validated against the covariate with the
    department input on the same folds (``bench/estimator_variants.json``).
    """
    return keras_predictor(model, indicator, department=False)


def keras_predictor(model, indicator: str, department: bool = True) -> Callable[[pd.DataFrame], np.ndarray]:
    """Canonical rows -> the ensemble-mean probability of ``indicator``.

    With ``department=False`` every child is given the model's unknown-department
    slot, so the prediction carries only the composition effects (age, sex, area,
    wealth, education, altitude, year) and the department's level is left to the
    space-time model's own random effects.
    """
    from training.features import TARGETS, as_inputs, model_frame
    from training.model import predict

    k = TARGETS.index(indicator)

    def run(frame: pd.DataFrame) -> np.ndarray:
        x = model_frame(frame)
        if not department:
            x["department"] = "00"
        return predict(model, as_inputs(x)).mean(axis=1)[:, k]

    return run
