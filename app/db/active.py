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
switched sees it at once (:meth:`ActiveModel.forget`).
"""

from __future__ import annotations

import logging
import threading
import time
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

    def __init__(self, db, models_dir: Path, check_every_s: float = 1.0) -> None:
        self.db = db
        self.models_dir = models_dir
        self.check_every_s = check_every_s
        self._version: str | None = None
        self._checked = float("-inf")
        self._db_ok = True
        self._lock = threading.Lock()

    def get(self) -> str | None:
        """The active version (None: no complete version is named anywhere)."""
        if time.monotonic() - self._checked < self.check_every_s:
            return self._version
        with self._lock:
            if time.monotonic() - self._checked >= self.check_every_s:
                self._version = self._read()
                self._checked = time.monotonic()
            return self._version

    def forget(self) -> None:
        """Read the record again on the next call (after this process switched versions)."""
        self._checked = float("-inf")

    def _read(self) -> str | None:
        try:
            with self.db.session() as s:
                recorded = recorded_version(s, self.models_dir)
        except Exception as exc:  # unmigrated or unreachable: keep serving what we served, else the file
            if self._db_ok:
                log.warning("active model version: database unavailable (%s); using the last known", exc)
            self._db_ok = False
            return self._version or registry.active_version(self.models_dir)
        self._db_ok = True
        return recorded or registry.active_version(self.models_dir)
