"""Retraining runs: start (one at a time), follow, cancel, and notice runs whose process died."""

from __future__ import annotations

import socket
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.admin import accounts, datasets, jobs
from app.db import Database
from app.db.models import TrainingRun, User, utcnow
from app.store import DataStore

DEFAULTS = {"members": 20, "epochs": 40, "seed": 7, "tip_epochs": 40, "validation_years": 6}
LIMITS = {
    "members": (2, 50),
    "epochs": (1, 200),
    "seed": (0, 2**31 - 1),
    "tip_epochs": (1, 200),
    "validation_years": (1, 6),  # split-sample target years of the department validation (latest first)
}
ACTIVE_STATES = ("queued", "running")
STALE_AFTER = timedelta(seconds=30)  # no heartbeat for this long: the process is gone


class RunError(ValueError):
    """A run that cannot be started or changed; ``field`` names the parameter at fault."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def check_params(raw: dict) -> dict:
    params = {}
    for name, default in DEFAULTS.items():
        value = raw.get(name, default)
        lo, hi = LIMITS[name]
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise RunError(f"{name}: expected a whole number from {lo} to {hi}, got {value!r}", name) from None
        if not lo <= number <= hi:
            raise RunError(f"{name}: expected a whole number from {lo} to {hi}, got {number}", name)
        params[name] = number
    unknown = sorted(set(raw) - set(DEFAULTS) - {"dataset_id"})
    if unknown:
        raise RunError(f"unknown parameter(s): {', '.join(unknown)}; allowed: {', '.join(DEFAULTS)}", unknown[0])
    return params


def start(db: Database, store: DataStore, user: User | None, raw: dict, ip: str | None = None) -> TrainingRun:
    """Record a run and hand it to the runner; the served model is not touched."""
    params = check_params(raw)
    dataset_id = raw.get("dataset_id")
    with db.session() as s:
        refresh(s)
        busy = s.scalar(select(TrainingRun).where(TrainingRun.status.in_(ACTIVE_STATES)))
        if busy is not None:
            raise RunError(f"run {busy.id} is still {busy.status}; wait for it or cancel it", "run")
        try:
            files, ds_id = datasets.training_files(s, store, int(dataset_id) if dataset_id not in (None, "") else None)
        except (datasets.DatasetError, ValueError) as exc:
            raise RunError(str(exc), "dataset_id") from None
        run = TrainingRun(
            dataset_id=ds_id,
            params={**params, "survey_files": files},
            status="queued",
            phase="queued",
            epochs=params["epochs"],
            runner="celery" if store.settings.redis_url else "local",
            created_by=user.id if user else None,
            slot=1,
        )
        s.add(run)
        try:
            s.flush()
        except IntegrityError:
            raise RunError("another run has just started; wait for it or cancel it", "run") from None
        run_id = run.id
        accounts.audit(s, user, "run_started", target=f"run {run_id}", detail=params, ip=ip)
    try:
        jobs.submit(store.settings, run_id)
    except Exception as exc:
        with db.session() as s:
            run = s.get(TrainingRun, run_id)
            run.finish("failed", f"could not start the job: {exc}")
        raise RunError(f"could not start the job: {exc}") from exc
    with db.session() as s:
        return s.get(TrainingRun, run_id)


def cancel(session: Session, run_id: int, user: User | None = None, ip: str | None = None) -> TrainingRun:
    run = session.get(TrainingRun, run_id)
    if run is None:
        raise RunError(f"run {run_id} does not exist", "run")
    if run.status not in ACTIVE_STATES:
        raise RunError(f"run {run_id} is {run.status}; only queued or running runs can be cancelled", "run")
    run.cancel_requested = True
    if run.status == "queued":
        run.finish("cancelled", "cancelled before it started")
    accounts.audit(session, user, "run_cancelled", target=f"run {run_id}", ip=ip)
    return run


def refresh(session: Session) -> list[int]:
    """Mark running runs whose process is gone as failed (the active model was never touched)."""
    now, host, gone = utcnow(), socket.gethostname(), []
    for run in session.scalars(select(TrainingRun).where(TrainingRun.status == "running")):
        beat = run.heartbeat_at
        if beat is not None and beat.tzinfo is None:  # SQLite hands back naive UTC
            beat = beat.replace(tzinfo=now.tzinfo)
        dead = run.host == host and run.pid is not None and not jobs.pid_alive(run.pid)
        if dead or beat is None or now - beat > STALE_AFTER:
            run.finish(
                "cancelled" if run.cancel_requested else "failed",
                f"the training process stopped during '{run.phase}' (killed or crashed); "
                "no model version was written and the active model is unchanged",
            )
            gone.append(run.id)
    return gone


def as_dict(run: TrainingRun) -> dict:
    def iso(value):
        return value.isoformat(timespec="seconds") if value else None

    return {
        "id": run.id,
        "status": run.status,
        "phase": run.phase,
        "epoch": run.epoch,
        "epochs": run.epochs,
        "progress": run.progress,
        "params": {k: v for k, v in run.params.items() if k != "survey_files"},
        "files": [p.rsplit("/", 1)[-1] for p in run.params.get("survey_files", [])],
        "dataset_id": run.dataset_id,
        "runner": run.runner,
        "model_version": run.model_version,
        "metrics": run.metrics,
        "error": run.error,
        "cancel_requested": run.cancel_requested,
        "created_at": iso(run.created_at),
        "started_at": iso(run.started_at),
        "finished_at": iso(run.finished_at),
        "log": run.log,
    }


def get(session: Session, run_id: int) -> dict:
    refresh(session)
    run = session.get(TrainingRun, run_id)
    if run is None:
        raise RunError(f"run {run_id} does not exist", "run")
    return as_dict(run)


def list_runs(session: Session, limit: int = 20) -> list[dict]:
    refresh(session)
    return [as_dict(r) for r in session.scalars(select(TrainingRun).order_by(TrainingRun.id.desc()).limit(limit))]
