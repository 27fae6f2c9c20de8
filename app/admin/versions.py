"""The model registry as admins see it: versions side by side, compare, promote, roll back, tip models.

The version folders are the training job's (``training.registry``); which one is
served is recorded in the database (``activations``, see ``app.db.active``), so a
switch works where ``models/`` is mounted read-only (Kubernetes) and every worker,
pod and host follows it within a second. ``models/ACTIVE`` is the default until a
first switch is recorded, and is kept in step where it can be written. Every
cache of model outputs is keyed by version: nothing needs clearing.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from app.admin import accounts
from app.db.active import recorded_version
from app.db.models import Activation, ModelVersion, User
from training import registry

log = logging.getLogger(__name__)

_PENDING_POINTER = "nutrimapa_pending_active"  # Session.info key: the version to write to models/ACTIVE on commit
_LISTENING = "nutrimapa_pointer_listening"
TIP_FILES = {"tflite": "tip_model.tflite", "json": "tip_model.json"}


class VersionError(ValueError):
    """A registry action that cannot be done (the message says why)."""


def _metadata(models_dir: Path, version: str) -> dict:
    return json.loads((models_dir / version / "metadata.json").read_text(encoding="utf-8"))


def register(session: Session, metadata: dict, run_id: int | None = None) -> ModelVersion:
    """Record a version from its metadata.json (what it was trained on and how it scored)."""
    data = metadata["training_data"]
    row = ModelVersion(
        version=metadata["version"],
        created_at=datetime.fromisoformat(metadata["created_at"]),
        run_id=run_id,
        data_sha256=data["sha256"],
        data_rows=data["rows"],
        data_years=data["years"],
        metrics=registry.metrics_summary(metadata),
    )
    session.add(row)
    return row


def sync(session: Session, models_dir: Path) -> None:
    """Register versions found on disk (the bundled one, or ones trained from the command line)."""
    known = set(session.scalars(select(ModelVersion.version)))
    for version in registry.versions(models_dir):
        if version not in known:
            register(session, _metadata(models_dir, version))
    session.flush()


def tip_info(models_dir: Path, version: str) -> dict | None:
    path = models_dir / version / "tips" / TIP_FILES["json"]
    if not path.exists():
        return None
    meta = json.loads(path.read_text(encoding="utf-8"))
    return {"bytes": meta["verification"]["bytes"], "verification": meta["verification"], "sha256": meta["sha256"]}


def active_version(session: Session, models_dir: Path) -> str | None:
    """The served version: the newest recorded switch, else ``models/ACTIVE``."""
    return recorded_version(session, models_dir) or registry.active_version(models_dir)


def list_versions(session: Session, models_dir: Path) -> list[dict]:
    """Newest first, with metrics, training data, config, run and tip model."""
    sync(session, models_dir)
    active = active_version(session, models_dir)
    rows = {m.version: m for m in session.scalars(select(ModelVersion))}
    out = []
    for version in reversed(registry.versions(models_dir)):
        meta = _metadata(models_dir, version)
        data, cfg = meta["training_data"], meta["config"]
        out.append(
            {
                "version": version,
                "active": version == active,
                "created_at": meta["created_at"],
                "run_id": rows[version].run_id if version in rows else None,
                "metrics": registry.metrics_summary(meta),
                "data": {
                    "files": data["files"],
                    "sha256": data["sha256"],
                    "rows": data["rows"],
                    "years": data["years"],
                    "holdout_years": data["holdout_years"],
                },
                "config": {k: cfg[k] for k in ("members", "epochs", "seed") if k in cfg},
                "estimation_year": meta["estimation"]["year"],
                "tips": tip_info(models_dir, version),
            }
        )
    return out


def _activate(
    session: Session,
    models_dir: Path,
    version: str,
    kind: str,
    user: User | None,
    ip: str | None,
    username: str | None = None,
) -> Activation:
    if version not in registry.versions(models_dir):
        raise VersionError(f"version {version!r} does not exist or is incomplete")
    previous = active_version(session, models_dir)
    entry = Activation(version=version, previous=previous, kind=kind, user_id=user.id if user else None)
    session.add(entry)  # this row is the switch (app.db.active): every worker serves it once committed
    action = "model_promoted" if kind == "promote" else "model_rolled_back"
    accounts.audit(session, user, action, target=version, detail={"previous": previous}, ip=ip, username=username)
    session.flush()
    _write_pointer_after_commit(session, models_dir, version)
    return entry


def _write_pointer_after_commit(session: Session, models_dir: Path, version: str) -> None:
    """Keep ``models/ACTIVE`` in step once the switch is committed (never for a switch rolled back)."""
    session.info[_PENDING_POINTER] = (models_dir, version)  # a later switch in the same session wins
    if not session.info.get(_LISTENING):
        session.info[_LISTENING] = True
        event.listen(session, "after_commit", _write_pending_pointer)
        event.listen(session, "after_rollback", lambda s: s.info.pop(_PENDING_POINTER, None))


def _write_pending_pointer(session: Session) -> None:
    pending = session.info.pop(_PENDING_POINTER, None)
    if pending is None:
        return
    models_dir, version = pending
    try:  # where models/ is writable (one host); read-only mounts refuse
        registry.activate(models_dir, version)
    except (OSError, ValueError) as exc:  # committed all the same: the database decides what is served
        log.info("models/ACTIVE not updated (%s); the database records %s as active", exc, version)


def promote(
    session: Session,
    models_dir: Path,
    version: str,
    user: User | None,
    ip: str | None = None,
    username: str | None = None,
) -> Activation:
    """Make ``version`` the served model (recorded in the database; committed with the caller's session)."""
    if version == active_version(session, models_dir):
        raise VersionError(f"{version} is already the active version")
    return _activate(session, models_dir, version, "promote", user, ip, username)


def rollback(
    session: Session, models_dir: Path, user: User | None, ip: str | None = None, username: str | None = None
) -> Activation:
    """Undo the promotion that made the current version active."""
    current = active_version(session, models_dir)
    last = session.scalar(
        select(Activation)
        .where(Activation.version == current, Activation.kind == "promote")
        .order_by(Activation.id.desc())
    )
    if last is None or last.previous is None:
        raise VersionError(f"nothing to roll back to: no recorded promotion made {current} active")
    return _activate(session, models_dir, last.previous, "rollback", user, ip, username)


def compare(models_dir: Path, a: str, b: str, level: str, indicator: str, year: int | str | None = None) -> dict:
    """Metrics of two versions side by side and how each region's estimate moved (b - a, points).

    Versions since v2 estimate every survey year: the comparison is for one year both
    versions estimate (the latest such year unless ``year`` names another).
    """
    have = registry.versions(models_dir)
    for v in (a, b):
        if v not in have:
            raise VersionError(f"version {v!r} does not exist; available: {', '.join(have)}")
    ea, eb = (registry.load(models_dir, v).estimates for v in (a, b))
    common = sorted(set(ea["year"].astype(int)) & set(eb["year"].astype(int)))
    if not common:
        raise VersionError(f"{a} and {b} estimate no year in common")
    if year in (None, ""):
        year = common[-1]
    elif not (str(year).isascii() and str(year).isdigit()) or int(year) not in common:
        raise VersionError(f"year: {a} and {b} both estimate {common}; got {year!r}")
    year = int(year)

    def pick(frame: pd.DataFrame) -> pd.Series:
        rows = frame[(frame["level"] == level) & (frame["indicator"] == indicator) & (frame["year"] == year)]
        return rows.set_index("ubigeo")["estimate"]

    both = pd.concat({"a": pick(ea), "b": pick(eb)}, axis=1).dropna()
    diff = both["b"] - both["a"]
    ma, mb = (registry.metrics_summary(_metadata(models_dir, v)) for v in (a, b))
    return {
        "a": a,
        "b": b,
        "level": level,
        "indicator": indicator,
        "year": year,
        "years_in_common": common,
        "metrics": {"a": ma, "b": mb},
        "regions": [
            {"ubigeo": u, "a": round(float(r.a), 2), "b": round(float(r.b), 2), "diff": round(float(r.b - r.a), 2)}
            for u, r in both.iterrows()
        ],
        "summary": {
            "regions": len(both),
            "mean_abs_diff": round(float(diff.abs().mean()), 3) if len(diff) else None,
            "max_abs_diff": round(float(diff.abs().max()), 3) if len(diff) else None,
            "moved_over_1_point": int((diff.abs() > 1).sum()),
            "correlation": round(float(np.corrcoef(both["a"], both["b"])[0, 1]), 4) if len(both) > 2 else None,
        },
    }


def tip_file(models_dir: Path, version: str, kind: str) -> Path:
    if version not in registry.versions(models_dir):
        raise VersionError(f"version {version!r} does not exist")
    path = models_dir / version / "tips" / TIP_FILES[kind]
    if not path.exists():
        raise VersionError(f"version {version} has no tip model (it was trained before tip models existed)")
    return path
