"""What the app serves: regions and the active survey table, swapped atomically.

The store is built once per process in the app factory. Replacing the survey
reads and validates everything first; only a fully valid table replaces the
old one, so a bad upload changes nothing that is being served or was saved.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from app.config import Settings
from app.data.endes import read_endes
from app.data.geo import Regions, load_regions
from app.indicators.nutrition import add_indicators

log = logging.getLogger(__name__)
META_KEY = b"nutrimapa"


@dataclass(frozen=True)
class Survey:
    """The canonical child table with indicators, and where it came from."""

    table: pd.DataFrame
    version: str
    sources: tuple[str, ...]
    notes: tuple[str, ...] = ()

    @property
    def years(self) -> list[int]:
        return sorted(int(y) for y in self.table["year"].unique())

    @property
    def latest_year(self) -> int:
        return self.years[-1]

    def report(self) -> dict:
        """Validation report: rows, years, departments, missing values per column, notes."""
        t = self.table
        return {
            "version": self.version,
            "sources": list(self.sources),
            "rows": len(t),
            "years": self.years,
            "rows_per_year": {int(k): int(v) for k, v in t["year"].value_counts().sort_index().items()},
            "departments": sorted(t["department"].unique().tolist()),
            "has_district_codes": bool(t["district"].notna().any()),
            "missing": {c: int(v) for c, v in t.isna().sum().items() if v},
            "notes": list(self.notes),
        }


def _table_hash(table: pd.DataFrame) -> str:
    h = hashlib.sha256(pd.util.hash_pandas_object(table.drop(columns=["source_file"]), index=False).values.tobytes())
    return h.hexdigest()[:12]


def build_survey(paths: Sequence[Path], names: Sequence[str] | None = None) -> Survey:
    """Read and validate survey files (raises SurveyValidationError) and add indicators."""
    data = read_endes(paths, names)
    table = add_indicators(data.table)
    return Survey(table, _table_hash(data.table), tuple(names or [Path(p).name for p in paths]), data.notes)


def _read_saved(path: Path) -> Survey:
    arrow = pq.read_table(path)
    meta = json.loads(arrow.schema.metadata[META_KEY])
    return Survey(arrow.to_pandas(), meta["version"], tuple(meta["sources"]), tuple(meta.get("notes", ())))


@dataclass
class DataStore:
    """Regions and the active survey of this process."""

    settings: Settings
    regions: Regions
    survey: Survey
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _saved_mtime: int | None = field(default=None, repr=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> DataStore:
        """Load geodata and the active survey: the saved one if present, else the configured files."""
        regions = load_regions(settings.geodata_dir)
        saved = cls.saved_path(settings)
        if saved.exists():
            mtime = saved.stat().st_mtime_ns
            survey = _read_saved(saved)
            log.info("loaded saved survey %s (%d rows)", survey.version, len(survey.table))
            return cls(settings, regions, survey, _saved_mtime=mtime)
        survey = build_survey(settings.survey_files)
        log.info("loaded survey %s from %s (%d rows)", survey.version, survey.sources, len(survey.table))
        return cls(settings, regions, survey)

    @staticmethod
    def saved_path(settings: Settings) -> Path:
        return settings.instance_dir / "survey" / "active.parquet"

    def refresh(self) -> None:
        """Pick up a survey another worker accepted (one stat per call)."""
        saved = self.saved_path(self.settings)
        try:
            mtime = saved.stat().st_mtime_ns
        except FileNotFoundError:
            return
        if mtime == self._saved_mtime:
            return
        survey = _read_saved(saved)
        with self._lock:
            self.survey, self._saved_mtime = survey, mtime
        log.info("survey %s picked up from %s", survey.version, saved)

    def replace_survey(self, paths: Sequence[Path], names: Sequence[str] | None = None, persist: bool = True) -> Survey:
        """Validate new files and make them the active survey; on any error nothing changes."""
        survey = build_survey(paths, names)
        if persist:
            self._save(survey)
        with self._lock:
            self.survey = survey
        return survey

    def _save(self, survey: Survey) -> None:
        """One parquet file with the metadata inside, replaced atomically."""
        folder = self.settings.instance_dir / "survey"
        folder.mkdir(parents=True, exist_ok=True)
        table = pa.Table.from_pandas(survey.table, preserve_index=False)
        meta = {"version": survey.version, "sources": list(survey.sources), "notes": list(survey.notes)}
        table = table.replace_schema_metadata({**(table.schema.metadata or {}), META_KEY: json.dumps(meta).encode()})
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".parquet")
        os.close(fd)
        try:
            pq.write_table(table, tmp)
            os.replace(tmp, folder / "active.parquet")
            self._saved_mtime = (folder / "active.parquet").stat().st_mtime_ns
        finally:
            Path(tmp).unlink(missing_ok=True)
