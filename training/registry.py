"""Versioned model artefacts under ``models/`` and the pointer to the active one (no TensorFlow here).

Layout::

    models/
      ACTIVE                 one line: the default active version (switched with an atomic rename;
                             promotions recorded in the admin database take precedence)
      v1/
        model.keras          Keras model, preprocessing inside
        metadata.json        version, created_at, data hash, feature spec, metrics, library versions
        estimates.parquet    model estimates per region (level, ubigeo, indicator, estimate, ci_low, ci_high)
        shap.parquet         per region and indicator: base value, prediction, feature contributions
        profiles.parquet     district population margins used for the estimates
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

ACTIVE = "ACTIVE"
VERSION_RE = re.compile(r"^v(\d+)$")
FILES = ("model.keras", "metadata.json", "estimates.parquet", "shap.parquet")


@dataclass(frozen=True)
class ModelArtefacts:
    """What the app needs from one model version (read once, cached by version)."""

    version: str
    path: Path
    metadata: dict
    estimates: pd.DataFrame
    shap: pd.DataFrame


def _complete(folder: Path) -> bool:
    return bool(VERSION_RE.match(folder.name)) and all((folder / f).exists() for f in FILES)


def versions(models_dir: Path) -> list[str]:
    """Complete versions, oldest first."""
    found = [p.name for p in models_dir.glob("v*") if _complete(p)]
    return sorted(found, key=lambda v: int(VERSION_RE.match(v).group(1)))


def next_version(models_dir: Path) -> str:
    nums = [int(VERSION_RE.match(p.name).group(1)) for p in models_dir.glob("v*") if VERSION_RE.match(p.name)]
    return f"v{max(nums, default=0) + 1}"


def is_complete(models_dir: Path, version: str) -> bool:
    """Whether ``version`` names a complete version folder (one folder checked, not the whole registry)."""
    return bool(VERSION_RE.match(version or "")) and _complete(models_dir / version)


def active_version(models_dir: Path) -> str | None:
    pointer = models_dir / ACTIVE
    if not pointer.exists():
        return None
    version = pointer.read_text(encoding="utf-8").strip()
    # Only the named folder is checked: this runs on every model request.
    return version if version and _complete(models_dir / version) else None


def activate(models_dir: Path, version: str) -> None:
    """Point ACTIVE at ``version`` atomically (readers see the old or the new, never half).

    The web app and the tips service serve the newest activation recorded in the admin
    database when there is one (``app.db.active``); this file is the default until then.
    """
    if version not in versions(models_dir):
        raise ValueError(f"no complete model version {version!r} in {models_dir}")
    fd, tmp = tempfile.mkstemp(dir=models_dir, prefix=".active-")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(version + "\n")
    os.replace(tmp, models_dir / ACTIVE)


def metrics_summary(metadata: dict) -> dict:
    """Holdout AUC and Brier per target for the Keras ensemble and both baselines."""
    keep = ("keras", "logistic_regression", "gradient_boosting")
    return {
        target: {name: {"auc": m["auc"], "brier": m["brier"]} for name, m in scores.items() if name in keep}
        for target, scores in metadata["metrics"]["holdout"].items()
    }


def load(models_dir: Path, version: str | None = None) -> ModelArtefacts:
    """Read a version's tables and metadata (not the Keras file: the app never loads TensorFlow)."""
    version = version or active_version(models_dir)
    if version is None:
        raise FileNotFoundError(f"no active model in {models_dir}: run `python -m training.train`")
    path = models_dir / version
    metadata = json.loads((path / "metadata.json").read_text(encoding="utf-8"))
    shap = pd.read_parquet(path / "shap.parquet")
    if "year" not in shap.columns:  # versions before v2 explained one year only
        shap["year"] = int(metadata["estimation"]["year"])
    return ModelArtefacts(version, path, metadata, pd.read_parquet(path / "estimates.parquet"), shap)
