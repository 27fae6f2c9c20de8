"""Read-side services shared by the API and the pages: cached, keyed by data version."""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path

import pandas as pd
from flask import current_app

from app.__about__ import __version__
from app.data.geo import COVARIATES, LEVELS
from app.extensions import cache
from app.indicators.estimates import INDICATORS, direct_estimates
from app.indicators.nutrition import AGE_GROUPS
from app.store import DataStore
from training import registry
from training.features import FEATURES


class BadRequestError(ValueError):
    """A parameter a user can fix; the API answers 400 with this message."""

    def __init__(self, parameter: str, message: str, allowed: list | None = None) -> None:
        super().__init__(message)
        self.parameter, self.message, self.allowed = parameter, message, allowed


def get_store() -> DataStore:
    """The process's data store (set up in the app factory)."""
    return current_app.extensions["nutrimapa"]


def _clean(value: object) -> object:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def records(frame: pd.DataFrame) -> list[dict]:
    """JSON-safe records: NaN/NA -> None, numpy scalars -> Python."""
    return [{k: _clean(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]


def _choice(parameter: str, value: str | None, default: str, allowed: tuple[str, ...] | list[str]) -> str:
    value = value or default
    if value not in allowed:
        raise BadRequestError(
            parameter, f"{parameter} must be one of {', '.join(allowed)}; got {value!r}", list(allowed)
        )
    return value


def check_level(level: str | None) -> str:
    return _choice("level", level, "department", LEVELS)


def check_indicator(indicator: str | None) -> str:
    return _choice("indicator", indicator, "anemia", list(INDICATORS))


def check_year(year: str | int | None) -> int:
    years = get_store().survey.years
    if year in (None, ""):
        return years[-1]
    try:
        value = int(str(year))
    except ValueError:
        raise BadRequestError("year", f"year must be a whole number such as {years[-1]}; got {year!r}", years) from None
    if value not in years:
        raise BadRequestError("year", f"year {value} is not in the survey data; available: {years}", years)
    return value


def check_age_group(age_group: str | None) -> str:
    return _choice("age_group", age_group, "6-35", list(AGE_GROUPS))


def regions(level: str) -> list[dict]:
    """Units of a level with parent codes and covariates."""
    table = get_store().regions.table(level)
    cols = [
        "ubigeo",
        "name",
        "dep_code",
        "dep_name",
        "prov_code",
        "prov_name",
        "capital",
        "category",
        "has_geom",
        *COVARIATES,
    ]
    return records(
        table[cols].rename(
            columns={
                "dep_code": "department_ubigeo",
                "prov_code": "province_ubigeo",
                "dep_name": "department_name",
                "prov_name": "province_name",
                "has_geom": "has_geometry",
            }
        )
    )


@cache.memoize()
def _indicator_records(survey_version: str, level: str, indicator: str, year: int, age_group: str) -> list[dict]:
    store = get_store()
    table = direct_estimates(store.survey.table, store.regions, level, indicator, year, age_group)
    cols = ["ubigeo", "name", "dep_code", "prov_code", "estimate", "ci_low", "ci_high", "se", "n", "deff", "flag"]
    return records(table[cols].rename(columns={"dep_code": "department_ubigeo", "prov_code": "province_ubigeo"}))


def indicator_records(level: str, indicator: str, year: int, age_group: str = "6-35") -> list[dict]:
    """Direct survey estimates (percent) for every unit, cached per survey version."""
    return _indicator_records(get_store().survey.version, level, indicator, year, age_group)


def health() -> dict:
    store = get_store()
    return {
        "status": "ok",
        "version": __version__,
        "survey": {"version": store.survey.version, "rows": len(store.survey.table), "years": store.survey.years},
        "regions": {lvl: len(store.regions.level(lvl)) for lvl in LEVELS},
    }


LEVEL_BY_LENGTH = {2: "department", 4: "province", 6: "district"}
METHODS = ("model", "direct")


@lru_cache(maxsize=4)
def _artefacts(models_dir: str, version: str) -> registry.ModelArtefacts:
    return registry.load(Path(models_dir), version)


def model_artefacts() -> registry.ModelArtefacts:
    """The active model version's tables, read once per version (a promotion switches the pointer)."""
    models_dir = get_store().settings.models_dir
    version = registry.active_version(models_dir)
    if version is None:
        raise FileNotFoundError(f"no active model in {models_dir}")
    return _artefacts(str(models_dir), version)


def check_method(method: str | None) -> str:
    return _choice("method", method, "model", METHODS)


def check_lang(lang: str | None) -> str:
    return _choice("lang", lang, "es", ("es", "en"))


def level_of(ubigeo: str) -> str | None:
    """department (2 digits), province (4) or district (6); None for anything else."""
    return LEVEL_BY_LENGTH.get(len(ubigeo)) if ubigeo.isdigit() else None


def model_year() -> int:
    return int(model_artefacts().metadata["estimation"]["year"])


def estimate_records(level: str, indicator: str, year: int | None, method: str) -> list[dict]:
    """Model (every unit, with interval) or direct survey estimates, with the method named."""
    if method == "direct":
        year = check_year(year)
        rows = indicator_records(level, indicator, year)
        return [{**r, "method": "direct", "year": year} for r in rows]
    art = model_artefacts()
    myear = int(art.metadata["estimation"]["year"])
    if year not in (None, "") and str(year) != str(myear):
        raise BadRequestError(
            "year",
            f"model estimates are for {myear} (model {art.version}); use method=direct for other survey years",
            [myear],
        )
    return _model_rows(art.version, level, indicator)


@cache.memoize()
def _model_rows(version: str, level: str, indicator: str) -> list[dict]:
    art = model_artefacts()
    est = art.estimates[(art.estimates["level"] == level) & (art.estimates["indicator"] == indicator)]
    units = get_store().regions.table(level)[["ubigeo", "name", "dep_code", "prov_code"]]
    out = units.merge(est[["ubigeo", "estimate", "ci_low", "ci_high", "year"]], on="ubigeo", how="left")
    for col in ("estimate", "ci_low", "ci_high"):
        out[col] = out[col].round(1)
    out["method"] = "model"
    out["n"] = None
    out["model_version"] = version
    out["flag"] = out["estimate"].isna().map({True: "no_data", False: None})
    return records(out.rename(columns={"dep_code": "department_ubigeo", "prov_code": "province_ubigeo"}))


def explanation(ubigeo: str, indicator: str, lang: str) -> dict | None:
    """SHAP contributions of one region, sorted by magnitude; None for an unknown UBIGEO."""
    level = level_of(ubigeo)
    if level is None:
        return None
    names = get_store().regions.names(level)
    if ubigeo not in names:
        return None
    from app.explanations import describe, label

    art = model_artefacts()
    rows = art.shap[
        (art.shap["level"] == level) & (art.shap["ubigeo"] == ubigeo) & (art.shap["indicator"] == indicator)
    ]
    if rows.empty:
        return {
            "ubigeo": ubigeo,
            "name": names[ubigeo],
            "level": level,
            "indicator": indicator,
            "model_version": art.version,
            "base_value": None,
            "prediction": None,
            "contributions": [],
            "reason": "no model estimate for this region",
        }
    rows = rows.assign(magnitude=rows["contribution"].abs()).sort_values("magnitude", ascending=False)
    contributions = [
        {
            "feature": r.feature,
            "label": label(r.feature, lang),
            "value": round(float(r.contribution), 4),
            "feature_value": round(float(r.feature_value), 4),
            "text": describe(r.feature, float(r.feature_value), float(r.contribution), ubigeo, lang),
        }
        for r in rows.itertuples()
        if r.feature in FEATURES
    ]
    first = rows.iloc[0]
    return {
        "ubigeo": ubigeo,
        "name": names[ubigeo],
        "level": level,
        "indicator": indicator,
        "model_version": art.version,
        "year": int(art.metadata["estimation"]["year"]),
        "base_value": round(float(first["base_value"]), 4),
        "prediction": round(float(first["prediction"]), 4),
        "contributions": contributions,
        "unit": "percentage points",
    }
