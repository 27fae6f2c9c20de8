"""Read-side services shared by the API and the pages: cached, keyed by data version."""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path

import pandas as pd
from flask import current_app, g, has_request_context

from app.__about__ import __version__
from app.data.geo import COVARIATES, LEVELS
from app.extensions import cache
from app.indicators.estimates import INDICATORS, direct_estimates
from app.indicators.nutrition import AGE_GROUPS
from app.store import DataStore
from training import registry
from training.features import FEATURES

EXPLAINED = (*FEATURES, "calibration")  # model features plus the benchmarking line


class BadRequestError(ValueError):
    """A parameter a user can fix; the API answers 400 with this message."""

    def __init__(self, parameter: str, message: str, allowed: list | None = None) -> None:
        super().__init__(message)
        self.parameter, self.message, self.allowed = parameter, message, allowed


def get_store() -> DataStore:
    """The process's data store (set up in the app factory; refreshed once per request, see create_app)."""
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
    text = str(year)
    # int() accepts '٢٠٢٤', '２０２４' and ' 2024 ': a year is four ASCII digits and nothing else.
    if not (text.isascii() and text.isdigit()):
        raise BadRequestError("year", f"year must be a whole number such as {years[-1]}; got {year!r}", years)
    value = int(text)
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


_REQUEST_VERSION = "_nutrimapa_model_version"  # flask.g attribute: the version this request serves
LEVEL_BY_LENGTH = {2: "department", 4: "province", 6: "district"}
METHODS = ("model", "direct")


@lru_cache(maxsize=4)
def _artefacts(models_dir: str, version: str) -> registry.ModelArtefacts:
    return registry.load(Path(models_dir), version)


def active_model_version() -> str | None:
    """The served model version: the admin database's record, else ``models/ACTIVE`` (see ``app.db.active``).

    Read once per request: the cache key made before a callback and the tables the callback reads
    then name the same version, even when a promotion lands in between.
    """
    pointer = current_app.extensions["nutrimapa_active"]
    if not has_request_context():
        return pointer.get()
    if _REQUEST_VERSION not in g:
        setattr(g, _REQUEST_VERSION, pointer.get())
    return g.get(_REQUEST_VERSION)


def forget_active_model() -> None:
    """Reread the active version now (this worker just recorded a switch)."""
    current_app.extensions["nutrimapa_active"].forget()
    if has_request_context():
        g.pop(_REQUEST_VERSION, None)


def model_artefacts() -> registry.ModelArtefacts:
    """The active model version's tables, read once per version (a promotion switches the pointer)."""
    models_dir = get_store().settings.models_dir
    version = active_model_version()
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
    """The latest year the active model estimates (the default year)."""
    return int(model_artefacts().metadata["estimation"]["year"])


def model_years() -> list[int]:
    """Every year the active model has estimates for (older versions: one year)."""
    est = model_artefacts().metadata["estimation"]
    return [int(y) for y in est.get("years", [est["year"]])]


def check_model_year(year: str | int | None) -> int:
    """A model year from a query parameter; 400 naming the available years otherwise."""
    years = model_years()
    if year in (None, ""):
        return years[-1]
    text = str(year)
    if not (text.isascii() and text.isdigit()):
        raise BadRequestError("year", f"year must be a whole number such as {years[-1]}; got {year!r}", years)
    if int(text) not in years:
        raise BadRequestError(
            "year",
            f"model {model_artefacts().version} has no estimates for {int(text)}; available: {years}",
            years,
        )
    return int(text)


def estimate_records(level: str, indicator: str, year: int | str | None, method: str) -> list[dict]:
    """Model (every unit, with interval) or direct survey estimates, with the method named."""
    if method == "direct":
        year = check_year(year)
        rows = indicator_records(level, indicator, year)
        return [{**r, "method": "direct", "year": year} for r in rows]
    art = model_artefacts()
    return _model_rows(art.version, level, indicator, check_model_year(year))


@cache.memoize()
def _model_rows(version: str, level: str, indicator: str, year: int) -> list[dict]:
    art = model_artefacts()
    e = art.estimates
    est = e[(e["level"] == level) & (e["indicator"] == indicator) & (e["year"] == year)]
    units = get_store().regions.table(level)[["ubigeo", "name", "dep_code", "prov_code"]]
    out = units.merge(est[["ubigeo", "estimate", "ci_low", "ci_high"]], on="ubigeo", how="left")
    out["year"] = year
    for col in ("estimate", "ci_low", "ci_high"):
        out[col] = out[col].round(1)
    out["method"] = "model"
    out["n"] = None
    out["model_version"] = version
    out["flag"] = out["estimate"].isna().map({True: "no_data", False: None})
    return records(out.rename(columns={"dep_code": "department_ubigeo", "prov_code": "province_ubigeo"}))


def model_trend(ubigeo: str, indicator: str) -> list[dict]:
    """One region's model estimates with intervals for every model year (percent)."""
    level = level_of(ubigeo)
    art = model_artefacts()
    e = art.estimates
    rows = e[(e["level"] == level) & (e["ubigeo"] == ubigeo) & (e["indicator"] == indicator)].sort_values("year")
    return [
        {"year": int(r.year), "estimate": float(r.estimate), "ci_low": float(r.ci_low), "ci_high": float(r.ci_high)}
        for r in rows.itertuples()
    ]


def explanation(ubigeo: str, indicator: str, lang: str, year: int | str | None = None) -> dict | None:
    """SHAP contributions of one region for a model year, sorted by magnitude; None for an unknown UBIGEO.

    The calibration line (adjustment to the department's survey evidence) is one of the
    contributions, so base value + contributions = the published estimate.
    """
    level = level_of(ubigeo)
    if level is None:
        return None
    names = get_store().regions.names(level)
    if ubigeo not in names:
        return None
    from app.explanations import describe, label

    art = model_artefacts()
    year = check_model_year(year)
    rows = art.shap[
        (art.shap["level"] == level)
        & (art.shap["ubigeo"] == ubigeo)
        & (art.shap["indicator"] == indicator)
        & (art.shap["year"] == year)
    ]
    head = {
        "ubigeo": ubigeo,
        "name": names[ubigeo],
        "level": level,
        "indicator": indicator,
        "model_version": art.version,
    }
    if rows.empty:
        return {
            **head,
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
        if r.feature in EXPLAINED
    ]
    first = rows.iloc[0]
    return {
        **head,
        "year": year,
        "base_value": round(float(first["base_value"]), 4),
        "prediction": round(float(first["prediction"]), 4),
        "contributions": contributions,
        "unit": "percentage points",
    }


@cache.memoize()
def _top_drivers(version: str, level: str, lang: str, year: int) -> dict[str, dict[str, list[dict]]]:
    """indicator -> ubigeo -> the region's SHAP contributions in ``year``, largest first."""
    from app.explanations import label

    art = model_artefacts()
    s = art.shap[(art.shap["level"] == level) & (art.shap["year"] == year)]
    s = s.assign(magnitude=s["contribution"].abs()).sort_values("magnitude", ascending=False)
    out: dict[str, dict[str, list[dict]]] = {}
    for (indicator, ubigeo), grp in s.groupby(["indicator", "ubigeo"], sort=False):
        out.setdefault(indicator, {})[ubigeo] = [
            {"feature": f, "label": label(f, lang), "value": round(float(v), 1)}
            for f, v in zip(grp["feature"], grp["contribution"], strict=True)
        ]
    return out


def drivers_text(drivers: list[dict], k: int = 2, lang: str = "es") -> str:
    """'Altitud +6,5 · Pobreza del hogar +2,1' for hover labels (numbers as ``lang`` writes them)."""
    from app.numbers import signed

    return " · ".join(f"{d['label']} {signed(d['value'], lang)}" for d in drivers[:k])


def map_rows(level: str, indicator: str, method: str, year: int | None, lang: str) -> list[dict]:
    """What the map and the table show for one view, every unit of the level, with drivers for the model."""
    rows = estimate_records(level, indicator, year, method)
    if method == "model":
        year = check_model_year(year)
        drivers = _top_drivers(model_artefacts().version, level, lang, year).get(indicator, {})
        for r in rows:
            # The year trend and the calibration are not regional drivers of the profile.
            regional = [d for d in drivers.get(r["ubigeo"], []) if d["feature"] in FEATURES and d["feature"] != "year"]
            r["drivers"] = drivers_text(regional, lang=lang)
    return rows


def national_model(indicator: str, year: int | str | None = None) -> dict:
    """Peru's model estimate for a year: departments weighted by 2025 population.

    Versions since v2 store its interval from the joint posterior of the departments
    (their errors are correlated, so averaging their bounds would be too wide).
    """
    art = model_artefacts()
    year = check_model_year(year)
    stored = art.metadata["estimation"].get("national", {}).get(indicator, {}).get(str(year))
    if stored:
        return {k: float(stored[k]) for k in ("estimate", "ci_low", "ci_high")}
    e = art.estimates
    e = e[(e["level"] == "department") & (e["indicator"] == indicator) & (e["year"] == year)]
    pop = get_store().regions.table("department").set_index("ubigeo")["population_2025"].astype(float)
    w = pop.loc[e["ubigeo"]].to_numpy()
    return {col: float((e[col].to_numpy() * w).sum() / w.sum()) for col in ("estimate", "ci_low", "ci_high")}


@lru_cache(maxsize=2)
def _search_index(version: str) -> list[tuple[str, str, str, str]]:
    from app.data.labels import fold

    regions = get_store().regions
    out = []
    for level in ("department", "province", "district"):
        t = regions.table(level)
        for r in t.itertuples():
            parents = (
                ""
                if level == "department"
                else (f"{r.dep_name}" if level == "province" else f"{r.prov_name}, {r.dep_name}")
            )
            out.append((fold(r.name), r.ubigeo, level, f"{r.name}" + (f" ({parents})" if parents else "")))
    return out


def search(query: str, limit: int = 15) -> list[dict]:
    """Regions whose name contains the query, accent- and case-insensitive ('Amantani' finds 'Amantaní')."""
    from app.data.labels import fold

    q = fold(query or "")
    if len(q) < 2:
        return []
    hits = [
        (not name.startswith(q), len(name), label, ubigeo, level)
        for name, ubigeo, level, label in _search_index(get_store().survey.version)
        if q in name
    ]
    hits.sort()
    return [{"ubigeo": u, "level": lvl, "label": lab} for _, _, lab, u, lvl in hits[:limit]]


def region_summary(ubigeo: str, year: int | str | None = None) -> dict | None:
    """A region's identity, parents, covariates and model estimates for a year (None if the code is unknown)."""
    level = level_of(ubigeo)
    if level is None:
        return None
    table = get_store().regions.table(level).set_index("ubigeo")
    if ubigeo not in table.index:
        return None
    row = table.loc[ubigeo]
    art = model_artefacts()
    year = check_model_year(year)
    e = art.estimates
    est = e[(e["ubigeo"] == ubigeo) & (e["level"] == level) & (e["year"] == year)]
    estimates = {
        r.indicator: {"estimate": float(r.estimate), "ci_low": float(r.ci_low), "ci_high": float(r.ci_high)}
        for r in est.itertuples()
    }
    return {
        "ubigeo": ubigeo,
        "level": level,
        "name": row["name"],
        "dep_code": row["dep_code"],
        "dep_name": row["dep_name"],
        "prov_code": row["prov_code"] if level == "district" else None,
        "prov_name": row["prov_name"] if level == "district" else None,
        "population_2025": _clean(row["population_2025"]),
        "altitude_m": _clean(row["altitude_m"]),
        "poverty_pct": _clean(row["poverty_pct"]),
        "has_geom": bool(row["has_geom"]),
        "estimates": estimates,
        "year": year,
        "model_version": art.version,
        "model_created_at": art.metadata["created_at"],
    }


def parent_names(level: str) -> dict[str, dict[str, str]]:
    """ubigeo -> its province and department names (districts), or department name (provinces)."""
    table = get_store().regions.table(level)
    if level == "department":
        return {}
    out = {}
    for r in table.itertuples():
        out[r.ubigeo] = {"department": r.dep_name, **({"province": r.prov_name} if level == "district" else {})}
    return out


def subregion_rows(ubigeo: str, level: str, indicator: str) -> list[dict]:
    """The provinces or districts inside a region with their model estimate (latest year), highest first."""
    rows = estimate_records(level, indicator, None, "model")
    key = "department_ubigeo" if len(ubigeo) == 2 else "province_ubigeo"
    inside = [r for r in rows if r.get(key) == ubigeo]
    return sorted(inside, key=lambda r: (r["estimate"] is None, -(r["estimate"] or 0)))


def direct_trend(dep_code: str, indicator: str) -> list[dict]:
    """Direct survey estimates of one department for every survey year."""
    out = []
    for year in get_store().survey.years:
        row = next(r for r in indicator_records("department", indicator, year) if r["ubigeo"] == dep_code)
        out.append({**row, "year": year})
    return out


def national_direct(indicator: str, year: int) -> dict:
    """Peru's direct survey estimate (percent, 95 % CI, n) for one year."""
    from app.indicators.estimates import national_estimate

    return national_estimate(get_store().survey.table, indicator, year)


def export_frame(level: str, indicator: str, method: str, year: str | int | None):
    """The documented export table of one map view, and its metadata sidecar."""
    from app.exports.tables import estimates_frame, metadata

    rows = estimate_records(level, indicator, year, method)
    year_used = int(rows[0]["year"]) if rows else (check_model_year(year) if method == "model" else check_year(year))
    art = model_artefacts()
    frame = estimates_frame(rows, level, indicator, method, year_used)
    return frame, metadata(level, indicator, method, year_used, art.version, art.metadata["created_at"])
