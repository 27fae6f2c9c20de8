"""Survey uploads: stage and validate, show the report, then accept (make active) or discard.

A rejected upload leaves nothing behind but an audit entry: files are validated
in a temporary folder that is deleted on any error. An accepted dataset becomes
the served survey through ``DataStore.replace_survey`` (validate, then swap
atomically) and can be trained on.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.utils import secure_filename

from app import monitoring
from app.admin import accounts
from app.data import coverage
from app.data.errors import Problem, SurveyValidationError
from app.db import Database
from app.db.active import recorded_version
from app.db.models import Dataset, User, utcnow
from app.store import DataStore, build_survey

ALLOWED_SUFFIXES = (".csv", ".txt", ".tsv", ".sav", ".dta")
CHUNK_BYTES = 1 << 20  # uploads are copied and hashed 1 MiB at a time, never held whole in memory


@dataclass(frozen=True)
class Upload:
    """One uploaded file, already on disk: the name the admin gave it, where it is, its size and SHA-256.

    ``size`` counts every byte sent; past the size limit the bytes are counted but not kept.
    """

    name: str
    path: Path
    size: int
    sha256: str


@contextmanager
def incoming(settings) -> Iterator[Path]:
    """A private folder (in the instance's datasets folder) for files being received; removed afterwards."""
    root = settings.instance_dir / "datasets"
    root.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(dir=root, prefix=".incoming-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def receive(name: str, stream: BinaryIO, folder: Path, max_bytes: int) -> Upload:
    """Copy an uploaded stream into ``folder`` in chunks, hashing as it goes."""
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".part-")
    digest, size = hashlib.sha256(), 0
    with os.fdopen(fd, "wb") as out:
        while chunk := stream.read(CHUNK_BYTES):
            size += len(chunk)
            if size <= max_bytes:
                out.write(chunk)
                digest.update(chunk)
    return Upload(name, Path(tmp), size, digest.hexdigest())


def receive_bytes(name: str, content: bytes, folder: Path) -> Upload:
    """An upload that arrived whole (the Dash page's base64 payload), written to ``folder`` like a stream."""
    import io

    return receive(name, io.BytesIO(content), folder, len(content))


class DatasetError(ValueError):
    """An admin action on a dataset that cannot be done (the message says why)."""


def _check_files(uploads: list[Upload], max_bytes: int) -> None:
    problems = []
    if not uploads:
        problems.append(Problem("(no file)", None, (), "at least one survey file", "none"))
    for up in uploads:
        if not up.name.lower().endswith(ALLOWED_SUFFIXES):
            problems.append(Problem(up.name, None, (), f"a file ending in {', '.join(ALLOWED_SUFFIXES)}", up.name))
        if up.size > max_bytes:
            problems.append(
                Problem(
                    up.name, None, (), f"at most {max_bytes:,} bytes ({max_bytes // 2**20} MiB)", f"{up.size:,} bytes"
                )
            )
        if not up.size:
            problems.append(Problem(up.name, None, (), "a non-empty file", "0 bytes"))
    if problems:
        raise SurveyValidationError(problems)


def stage(session: Session, store: DataStore, uploads: list[Upload], user: User | None) -> Dataset:
    """Validate uploaded files and keep them as a pending dataset with its report.

    Raises:
        SurveyValidationError: naming file, column, rows and expectation; nothing is kept.
    """
    settings = store.settings
    _check_files(uploads, settings.max_upload_mb * 2**20)
    digest = hashlib.sha256()
    for up in sorted(uploads, key=lambda u: u.name):
        digest.update(bytes.fromhex(up.sha256))
    sha = digest.hexdigest()
    existing = session.scalar(
        select(Dataset).where(Dataset.sha256 == sha, Dataset.status.in_(("pending", "active", "superseded")))
    )
    if existing is not None:
        return existing
    root = settings.instance_dir / "datasets"
    root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=root, prefix=".upload-"))
    try:
        paths = []
        for i, up in enumerate(uploads):
            safe = secure_filename(up.name) or f"file{i}.csv"
            path = tmp / safe
            os.replace(up.path, path)  # same file system: a rename, no copy
            paths.append(path)
        survey = build_survey(paths, [up.name for up in uploads])
        label = ", ".join(up.name for up in uploads)
        lost = coverage.coverage_problems(survey.table, store.survey.table, label)
        if lost:
            raise SurveyValidationError(lost)  # a measurement the served maps need is (almost) all missing
        final = root / sha[:16]
        if final.exists():
            shutil.rmtree(final)
        tmp.rename(final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    report = survey.report()
    report["missing_share"] = {
        "upload": coverage.missing_shares(survey.table),
        "served": coverage.missing_shares(store.survey.table),
        "max_extra": coverage.MAX_EXTRA_MISSING,
    }
    dataset = Dataset(
        sha256=sha,
        filenames=[up.name for up in uploads],
        stored_paths=[str(final / p.name) for p in paths],
        rows=report["rows"],
        years=report["years"],
        departments=len(report["departments"]),
        table_version=survey.version,
        report=report,
        status="pending",
        uploaded_by=user.id if user else None,
    )
    session.add(dataset)
    session.flush()
    return dataset


def upload(db: Database, store: DataStore, uploads: list[Upload], user: User | None, ip: str | None = None) -> Dataset:
    """Stage uploaded files (see :func:`stage`) and audit the outcome; a rejection is audited, then re-raised."""
    try:
        with db.session() as s:
            dataset = stage(s, store, uploads, user)
            detail = {"files": dataset.filenames, "rows": dataset.rows}
            accounts.audit(s, user, "dataset_uploaded", target=f"dataset {dataset.id}", detail=detail, ip=ip)
            return dataset
    except SurveyValidationError as exc:
        with db.session() as s:
            target = ", ".join(u.name for u in uploads)
            accounts.audit(s, user, "dataset_rejected", target=target, detail={"problems": len(exc.problems)}, ip=ip)
        raise


def accept(
    session: Session, store: DataStore, dataset_id: int, user: User | None = None, ip: str | None = None
) -> Dataset:
    """Make a pending (or earlier) dataset the served survey; the previous one becomes superseded."""
    dataset = session.get(Dataset, dataset_id)
    if dataset is None:
        raise DatasetError(f"dataset {dataset_id} does not exist")
    if dataset.status == "discarded":
        raise DatasetError(f"dataset {dataset_id} was discarded; upload it again")
    if dataset.status == "active":
        return dataset
    settings = store.settings
    search = monitoring.search_folders(settings.survey_files, settings.instance_dir)
    version = recorded_version(session, settings.models_dir)  # None: models/ACTIVE decides
    monitoring.ensure_reference(
        settings.models_dir, settings.instance_dir, store.survey.table, search, version
    )  # before swap
    store.replace_survey([Path(p) for p in dataset.stored_paths], dataset.filenames)
    monitoring.survey_drift(
        settings.models_dir, settings.instance_dir, store.survey.table, settings.drift_threshold, search, version
    )
    for other in session.scalars(select(Dataset).where(Dataset.status == "active")):
        other.status = "superseded"
    dataset.status, dataset.decided_at = "active", utcnow()
    accounts.audit(session, user, "dataset_accepted", target=f"dataset {dataset_id}", ip=ip)
    return dataset


def discard(session: Session, dataset_id: int, user: User | None = None, ip: str | None = None) -> Dataset:
    """Drop a pending dataset and its files."""
    dataset = session.get(Dataset, dataset_id)
    if dataset is None:
        raise DatasetError(f"dataset {dataset_id} does not exist")
    if dataset.status != "pending":
        raise DatasetError(f"dataset {dataset_id} is {dataset.status}; only pending uploads can be discarded")
    for p in dataset.stored_paths:
        Path(p).unlink(missing_ok=True)
    if dataset.stored_paths:
        shutil.rmtree(Path(dataset.stored_paths[0]).parent, ignore_errors=True)
    dataset.status, dataset.decided_at = "discarded", utcnow()
    accounts.audit(session, user, "dataset_discarded", target=f"dataset {dataset_id}", ip=ip)
    return dataset


def training_files(session: Session, store: DataStore, dataset_id: int | None) -> tuple[list[str], int | None]:
    """The files a run trains on: a dataset's, or else the served survey's configured files."""
    if dataset_id is None:
        active = session.scalar(select(Dataset).where(Dataset.status == "active"))
        if active is not None:
            return list(active.stored_paths), active.id
        return [str(p) for p in store.settings.survey_files], None
    dataset = session.get(Dataset, dataset_id)
    if dataset is None or dataset.status == "discarded":
        raise DatasetError(f"dataset {dataset_id} does not exist or was discarded")
    return list(dataset.stored_paths), dataset.id


def as_dict(d: Dataset) -> dict:
    return {
        "id": d.id,
        "sha256": d.sha256,
        "files": d.filenames,
        "rows": d.rows,
        "years": d.years,
        "departments": d.departments,
        "table_version": d.table_version,
        "status": d.status,
        "created_at": d.created_at.isoformat(timespec="seconds"),
        "report": d.report,
    }


def list_datasets(session: Session) -> list[dict]:
    return [as_dict(d) for d in session.scalars(select(Dataset).order_by(Dataset.id.desc()))]
