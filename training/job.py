"""Run one retraining job recorded in the admin database: ``python -m training.job RUN_ID``.

Started by the admin page as its own process (spawned, never forked from a web
worker) or by a Celery worker. Writes phase, epoch, progress, heartbeat and log
to the run's row; builds the model version and its tip model in a staging folder
that appears under ``models/`` only when complete; never activates it (an admin
promotes). A cancel request (the row's flag) or SIGTERM stops the run at once;
a killed run leaves no version behind and the active model untouched.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import socket
import sys
import threading
import time
import traceback
from pathlib import Path

from app.admin import versions
from app.config import Settings
from app.db import Database
from app.db.models import TrainingRun, utcnow
from training import registry
from training.train import Config, Progress, train

log = logging.getLogger("training.job")
HEARTBEAT_S = 2.0
LOG_LINES = 400
# Share of the progress bar reached when each phase starts; training fills 5 -> 55 by epoch.
PHASE_PROGRESS = {
    "starting": 0.01,
    "loading data": 0.02,
    "training": 0.05,
    "validating": 0.55,
    "validating estimates": 0.57,
    "estimating regions": 0.78,
    "explaining (SHAP)": 0.82,
    "writing artefacts": 0.90,
    "tip model": 0.92,
    "registering": 0.98,
    "done": 1.0,
}


class Cancelled(BaseException):
    """Raised in the job's main thread when an admin cancels the run (or on SIGTERM)."""


class _LogBuffer(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%H:%M:%S"))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))
        del self.lines[:-LOG_LINES]

    def text(self) -> str:
        return "\n".join(self.lines)


class DbProgress(Progress):
    """Progress that lands in the run's row, and the place a cancel request is noticed."""

    def __init__(self, db: Database, run_id: int, epochs: int, logs: _LogBuffer) -> None:
        super().__init__(None, epochs)
        self.db, self.run_id, self.logs = db, run_id, logs
        self.cancel = threading.Event()

    def update(self, **kw: object) -> None:
        super().update(**kw)
        if self.cancel.is_set():
            raise Cancelled
        phase = str(self.state["phase"])
        share = PHASE_PROGRESS.get(phase, 0.0)
        epoch = int(self.state.get("epoch", 0))
        if phase == "training" and self.epochs:
            share = 0.05 + 0.50 * epoch / self.epochs
        with self.db.session() as s:
            run = s.get(TrainingRun, self.run_id)
            run.phase, run.epoch, run.progress = phase, epoch, round(share, 4)
            run.heartbeat_at, run.log = utcnow(), self.logs.text()
            cancel = run.cancel_requested
        if cancel:
            self.cancel.set()
            raise Cancelled


def _heartbeat(db: Database, run_id: int, progress: DbProgress, stop: threading.Event) -> None:
    """Keep the row alive while long phases run, and turn a cancel request into SIGTERM."""
    while not stop.wait(HEARTBEAT_S):
        try:
            with db.session() as s:
                run = s.get(TrainingRun, run_id)
                run.heartbeat_at = utcnow()
                cancel = run.cancel_requested
        except Exception:  # the database may be briefly busy; the next beat retries
            log.warning("heartbeat failed", exc_info=True)
            continue
        if cancel and not progress.cancel.is_set():
            progress.cancel.set()
            os.kill(os.getpid(), signal.SIGTERM)


def run_job(run_id: int, settings: Settings) -> str:
    """Run the job; returns its final status (succeeded, failed or cancelled)."""
    import json

    from training import tips

    db = Database.from_settings(settings)
    with db.session() as s:
        run = s.get(TrainingRun, run_id)
        if run is None or run.status != "queued":
            log.error("run %s is not queued (%s)", run_id, None if run is None else run.status)
            return "failed" if run is None else run.status
        params = dict(run.params)
        run.status, run.pid, run.host = "running", os.getpid(), socket.gethostname()
        run.started_at = run.heartbeat_at = utcnow()
        run.epochs = int(params["epochs"])

    logs = _LogBuffer()
    logging.getLogger().addHandler(logs)
    progress = DbProgress(db, run_id, int(params["epochs"]), logs)

    def on_term(_signum, _frame):
        raise Cancelled

    previous = signal.signal(signal.SIGTERM, on_term)
    stop = threading.Event()
    beat = threading.Thread(target=_heartbeat, args=(db, run_id, progress, stop), daemon=True)
    beat.start()
    status, error, version, summary = "failed", None, None, None
    try:
        config = Config(
            members=int(params["members"]),
            epochs=int(params["epochs"]),
            seed=int(params.get("seed", Config.seed)),
            survey_files=list(params["survey_files"]),
            validation_years=int(params.get("validation_years", Config.validation_years)),
        )

        def add_tips(staging: Path, survey) -> None:
            progress.update(phase="tip model")
            tips.export(staging, survey, epochs=int(params.get("tip_epochs", 40)))

        path = train(config, settings.models_dir, progress=progress, before_publish=add_tips)
        progress.update(phase="registering")
        metadata = json.loads((path / "metadata.json").read_text(encoding="utf-8"))
        version, summary = path.name, registry.metrics_summary(metadata)
        with db.session() as s:
            versions.register(s, metadata, run_id)
        status = "succeeded"
    except Cancelled:
        status, error = "cancelled", "cancelled by an admin"
        log.warning("run %s cancelled", run_id)
    except Exception as exc:  # recorded on the run for the admin to read
        status, error = "failed", f"{type(exc).__name__}: {exc}"
        log.error("run %s failed:\n%s", run_id, traceback.format_exc())
    finally:
        stop.set()
        signal.signal(signal.SIGTERM, previous)
        logging.getLogger().removeHandler(logs)
    with db.session() as s:
        run = s.get(TrainingRun, run_id)
        run.finish(status, error)
        run.model_version, run.metrics, run.heartbeat_at = version, summary, utcnow()
        run.log = logs.text()
        if status == "succeeded":
            run.phase, run.progress = "done", 1.0
    db.dispose()
    return status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run one retraining job from the admin database.")
    parser.add_argument("run_id", type=int)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    started = time.time()
    status = run_job(args.run_id, Settings.from_env())
    log.info("run %s %s in %.1f s", args.run_id, status, time.time() - started)
    return 0 if status == "succeeded" else 1


if __name__ == "__main__":
    sys.exit(main())
