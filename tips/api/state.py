"""What one worker process holds: settings, database, tip model source, tip bank, phone vault, rate limits."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from app.config import Settings
from app.db import Database
from tips.bank import TipBank
from tips.model import ModelSource
from tips.privacy import PhoneVault


@dataclass
class RateLimit:
    """Fixed one-minute windows per client address, in this worker's memory (anonymous previews only)."""

    per_minute: int
    _windows: dict[str, tuple[int, int]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def allow(self, client: str) -> bool:
        minute = int(time.time() // 60)
        with self._lock:
            start, count = self._windows.get(client, (minute, 0))
            if start != minute:
                if len(self._windows) > 10_000:  # forget old windows
                    self._windows = {k: v for k, v in self._windows.items() if v[0] == minute}
                start, count = minute, 0
            self._windows[client] = (start, count + 1)
            return count < self.per_minute


@dataclass
class ServiceState:
    settings: Settings
    db: Database
    models: ModelSource
    bank: TipBank
    vault: PhoneVault
    limit: RateLimit
    # Preview answers of this worker, keyed by (model, ubigeo, age, sex, lang): a new model, new keys.
    previews: dict = field(default_factory=dict)

    def remember(self, key: tuple, answer) -> None:
        if len(self.previews) >= 100_000:  # at most every profile of two model versions; then start over
            self.previews.clear()
        self.previews[key] = answer
