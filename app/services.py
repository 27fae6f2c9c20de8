"""Read-side services shared by the API and the pages: cached, keyed by data version."""

from __future__ import annotations

import math

import pandas as pd
from flask import current_app

from app.__about__ import __version__
from app.data.geo import COVARIATES, LEVELS
from app.extensions import cache
from app.indicators.estimates import INDICATORS, direct_estimates
from app.indicators.nutrition import AGE_GROUPS
from app.store import DataStore


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


def check_level(level: str | None) -> str:
    level = level or "department"
    if level not in LEVELS:
        raise BadRequestError("level", f"level must be one of {', '.join(LEVELS)}; got {level!r}", list(LEVELS))
    return level


def check_indicator(indicator: str | None) -> str:
    indicator = indicator or "anemia"
    if indicator not in INDICATORS:
        raise BadRequestError(
            "indicator", f"indicator must be one of {', '.join(INDICATORS)}; got {indicator!r}", list(INDICATORS)
        )
    return indicator


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
    age_group = age_group or "6-35"
    if age_group not in AGE_GROUPS:
        raise BadRequestError(
            "age_group", f"age_group must be one of {', '.join(AGE_GROUPS)}; got {age_group!r}", list(AGE_GROUPS)
        )
    return age_group


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
