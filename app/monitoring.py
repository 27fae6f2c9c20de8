"""Model monitoring: feature drift (population stability index) and the active model's holdout quality.

Pure functions on tables and metadata (no Flask, no TensorFlow). The reference is
the feature distribution of the rows a model version was trained on (its
``train_years`` of its own training files, found by the hash recorded in its
metadata; else of the served survey), profiled once per version and kept as
JSON in ``instance/monitoring/`` so every worker and host compares against the
same bins. The population stability index is computed here with numpy: no library on
our pinned stack provides it (the usual drift suites pull in their own heavy
dashboards).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from training.features import CATEGORICAL, model_frame

log = logging.getLogger(__name__)

# "year" is left out: a newer survey year is always a shift, by design.
DRIFT_FEATURES = ("age_months", "altitude_m", "sex", "area", "wealth", "education", "department")
NUMERIC_BINS = 10
EPS = 1e-4  # floor for empty bins, so log(0) never happens


def psi(expected: np.ndarray, actual: np.ndarray) -> float:
    """Population stability index of two distributions over the same bins (proportions or counts)."""
    e = np.asarray(expected, dtype=float)
    a = np.asarray(actual, dtype=float)
    e = np.clip(e / e.sum(), EPS, None) if e.sum() else np.full_like(e, 1 / len(e))
    a = np.clip(a / a.sum(), EPS, None) if a.sum() else np.full_like(a, 1 / len(a))
    return float(np.sum((a - e) * np.log(a / e)))


def profile(features: pd.DataFrame) -> dict:
    """Reference bins per feature: decile edges for numbers, category shares for categories."""
    out: dict[str, dict] = {}
    for f in DRIFT_FEATURES:
        col = features[f]
        if f in CATEGORICAL:
            cats = sorted(set(CATEGORICAL[f]) | set(col.unique()))
            counts = col.value_counts()
            out[f] = {"kind": "categorical", "categories": cats, "counts": [int(counts.get(c, 0)) for c in cats]}
        else:
            edges = np.unique(np.quantile(col.to_numpy(dtype=float), np.linspace(0, 1, NUMERIC_BINS + 1))[1:-1])
            out[f] = {"kind": "numeric", "edges": edges.tolist(), "counts": _numeric_counts(col, edges)}
    return out


def _numeric_counts(col: pd.Series, edges: np.ndarray) -> list[int]:
    idx = np.searchsorted(np.asarray(edges, dtype=float), col.to_numpy(dtype=float), side="right")
    return np.bincount(idx, minlength=len(edges) + 1).tolist()


def drift(reference: dict, features: pd.DataFrame) -> dict[str, float]:
    """PSI of each monitored feature of ``features`` against a :func:`profile`."""
    out = {}
    for f, ref in reference.items():
        col = features[f]
        if ref["kind"] == "categorical":
            counts = col.value_counts()
            known = [int(counts.get(c, 0)) for c in ref["categories"]]
            unseen = int(len(col) - sum(known))  # new categories: one extra bin the reference never had
            out[f] = psi([*ref["counts"], 0], [*known, unseen])
        else:
            out[f] = psi(ref["counts"], _numeric_counts(col, np.asarray(ref["edges"])))
    return out


def newest_year_features(table: pd.DataFrame) -> pd.DataFrame:
    """The model features of the newest survey year (what the model is asked about now)."""
    newest = table["year"].max()
    return model_frame(table[table["year"] == newest])


def quality(metadata: dict) -> dict[str, dict[str, float]]:
    """Holdout AUC, Brier score and calibration error (ECE) per target of the Keras ensemble.

    The holdout is the newest survey years at training time (``training_data.holdout_years``);
    scoring a newer upload needs the model, so it happens when a version is trained on it.
    """
    out = {}
    for target, scores in metadata.get("metrics", {}).get("holdout", {}).items():
        m = scores.get("keras")
        if not m:
            continue
        bins = m.get("calibration") or []
        n = sum(b["n"] for b in bins)
        ece = sum(b["n"] * abs(b["predicted"] - b["observed"]) for b in bins) / n if n else float("nan")
        out[target] = {"auc": float(m["auc"]), "brier": float(m["brier"]), "calibration_error": float(ece)}
    return out


def reference_path(instance_dir: Path, version: str) -> Path:
    return instance_dir / "monitoring" / f"reference-{version}.json"


def training_files(metadata: dict, search: list[Path]) -> list[Path] | None:
    """The files a version was trained on, found by path or by name in ``search`` folders, and only if their
    bytes still hash to the version's recorded ``training_data.sha256``; None otherwise."""
    names = metadata.get("config", {}).get("survey_files") or []
    expected = metadata.get("training_data", {}).get("sha256")
    if not names or not expected:
        return None
    found = []
    for name in map(Path, names):
        candidates = [name, *(folder / name.name for folder in search)]
        hit = next((c for c in candidates if c.is_file()), None)
        if hit is None:
            return None
        found.append(hit)
    digest = hashlib.sha256()
    for path in found:
        digest.update(path.read_bytes())
    return found if digest.hexdigest() == expected else None


def load_or_build_reference(
    instance_dir: Path, version: str, metadata: dict, table: pd.DataFrame, search: list[Path] | None = None
) -> dict:
    """The version's reference profile: read from disk, or profiled once and saved for every worker.

    The reference is the version's own training files when they can be found unchanged (``search``: folders
    to look in by name); otherwise ``table``'s rows in the version's training years. Call it before a new
    survey replaces the served one, so the fallback is the data the model learnt from.
    """
    path = reference_path(instance_dir, version)
    if path.exists():
        return json.loads(path.read_text())["features"]
    years = metadata.get("training_data", {}).get("train_years") or sorted(table["year"].unique())[:-1]
    files = training_files(metadata, search or [])
    source = "table"
    if files is not None:
        from app.store import build_survey

        table, source = build_survey(files).table, "training files"
    rows = table[table["year"].isin(years)]
    if rows.empty:
        rows = table
    ref = profile(model_frame(rows))
    path.parent.mkdir(parents=True, exist_ok=True)
    body = {"version": version, "source": source, "train_years": [int(y) for y in years], "rows": len(rows)}
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".json")
    with os.fdopen(fd, "w") as fh:
        json.dump({**body, "features": ref}, fh)
    os.replace(tmp, path)
    log.info("drift reference for model %s from the %s: %d rows (years %s)", version, source, len(rows), years)
    return ref


def _active(models_dir: Path, version: str | None = None) -> tuple[str, dict] | None:
    from training import registry

    version = version or registry.active_version(models_dir)
    if version is None:
        return None
    return version, json.loads((models_dir / version / "metadata.json").read_text())


def search_folders(survey_files: tuple[Path, ...], instance_dir: Path) -> list[Path]:
    """Where a version's training files may be found by name: the configured survey files' folders, uploads."""
    folders = {Path(p).parent for p in survey_files}
    folders.update(p for p in (instance_dir / "datasets").glob("*") if p.is_dir())
    return sorted(folders)


def ensure_reference(
    models_dir: Path, instance_dir: Path, served: pd.DataFrame, search: list[Path], version: str | None = None
) -> None:
    """Profile the active model's training data, if not done yet (call before the served survey is replaced).

    ``version``: the active version as the app knows it (``app.db.active``); default ``models/ACTIVE``.
    """
    active = _active(models_dir, version)
    if active is not None:
        load_or_build_reference(instance_dir, active[0], active[1], served, search)


def survey_drift(
    models_dir: Path,
    instance_dir: Path,
    table: pd.DataFrame,
    threshold: float,
    search: list[Path],
    version: str | None = None,
) -> dict[str, float]:
    """Drift of a survey's newest year against the active model's training data; logged, with a warning past
    ``threshold`` (the /metrics gauges show the served survey's values to every worker)."""
    active = _active(models_dir, version)
    if active is None:
        return {}
    ref = load_or_build_reference(instance_dir, active[0], active[1], table, search)
    values = drift(ref, newest_year_features(table))
    high = {f: round(v, 3) for f, v in values.items() if v > threshold}
    if high:
        log.warning("survey drift against model %s over %.2f: %s", active[0], threshold, high)
    else:
        log.info("survey drift against model %s: max PSI %.3f", active[0], max(values.values(), default=0.0))
    return values
