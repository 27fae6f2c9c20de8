"""Which model version is served: recorded in the admin database, shared by every worker, pod and host.

On Kubernetes ``models/`` is mounted read-only in the web and tips pods (it is
written only by the training job), so promoting or rolling back a version cannot
move the ``models/ACTIVE`` file there. The switch is therefore recorded as a row
of ``activations`` (which also keeps who switched what, and when), and the
served version is the newest activation whose folder is complete (a deleted
folder falls back to the version that activation replaced). ``models/ACTIVE``
stays the bootstrap default: it decides while the database records no
activation (a fresh install, or a version trained and activated from the
command line before anyone promoted). Where ``models/`` is writable the file is
kept in step as well, for tools that read only files.

Every process reads the record at most once per ``check_every_s`` seconds, so
another worker or pod follows a promotion within that time; the process that
switched sees it at once (:meth:`ActiveModel.forget`). When the database cannot
be reached the process serves the last known version and tries again only after
``retry_after_s`` seconds, so visitors' requests do not wait on a dead database
every second.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import Activation
from training import registry

log = logging.getLogger(__name__)


def recorded_version(session: Session, models_dir: Path) -> str | None:
    """The newest recorded switch's version (or the one it replaced) that is complete on disk; None when the
    database records no switch."""
    rows = session.execute(select(Activation.version, Activation.previous).order_by(Activation.id.desc()).limit(20))
    for version, previous in rows:
        for candidate in (version, previous):
            if candidate and registry.is_complete(models_dir, candidate):
                return candidate
    return None


class ActiveModel:
    """This process's view of the active version: the database's record, else ``models/ACTIVE``."""

    def __init__(
        self,
        db,
        models_dir: Path,
        check_every_s: float = 1.0,
        retry_after_s: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.db = db
        self.models_dir = models_dir
        self.check_every_s = check_every_s
        self.retry_after_s = retry_after_s
        self._clock = clock
        self._version: str | None = None
        self._checked = float("-inf")
        self._db_ok = True
        self._lock = threading.Lock()

    def _due(self) -> bool:
        wait = self.check_every_s if self._db_ok else max(self.check_every_s, self.retry_after_s)
        return self._clock() - self._checked >= wait

    def get(self) -> str | None:
        """The active version (None: no complete version is named anywhere)."""
        if not self._due():
            return self._version
        with self._lock:
            if self._due():
                self._version = self._read()
                self._checked = self._clock()
            return self._version

    def forget(self) -> None:
        """Read the record again on the next call (after this process switched versions)."""
        self._checked = float("-inf")
        self._db_ok = True

    def _read(self) -> str | None:
        try:
            with self.db.session() as s:
                recorded = recorded_version(s, self.models_dir)
        except Exception as exc:  # unmigrated or unreachable: keep serving what we served, else the file
            if self._db_ok:
                log.warning(
                    "active model version: database unavailable (%s); serving the last known, retrying in %g s",
                    exc,
                    self.retry_after_s,
                )
            self._db_ok = False
            return self._version or registry.active_version(self.models_dir)
        self._db_ok = True
        return recorded or registry.active_version(self.models_dir)


def warn_if_file_disagrees(db, models_dir: Path) -> None:
    """Log a warning when ``models/ACTIVE`` names another version than the database's record (which is served),
    e.g. after ``python -m training.train --activate``: the operator learns why and how to switch."""
    try:
        with db.session() as s:
            recorded = recorded_version(s, models_dir)
    except Exception as exc:  # unmigrated or unreachable: ActiveModel logs that when it reads
        log.debug("active model check skipped: %s", exc)
        return
    pointer = registry.active_version(models_dir)
    if recorded and pointer and recorded != pointer:
        log.warning(
            "models/ACTIVE names %s but the admin database records %s as active: serving %s. "
            "To serve %s, run `python -m app.cli model promote %s`",
            pointer,
            recorded,
            recorded,
            pointer,
            pointer,
        )
