"""Tables of the admin side: accounts, uploaded datasets, training runs, model versions, activations, audit log.

The model files themselves live in the versioned registry under ``models/`` (the
source of truth for what can be served); these rows record who did what, with
which data, and how it went.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class User(Base):
    """An admin account; the password is stored only as a salted scrypt hash."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    # flask-login's user protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)


class Dataset(Base):
    """An uploaded survey: pending (validated, waiting for a decision), active, superseded or discarded."""

    __tablename__ = "datasets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True, nullable=False)
    filenames: Mapped[list] = mapped_column(JSON, nullable=False)
    stored_paths: Mapped[list] = mapped_column(JSON, nullable=False)
    rows: Mapped[int] = mapped_column(Integer, nullable=False)
    years: Mapped[list] = mapped_column(JSON, nullable=False)
    departments: Mapped[int] = mapped_column(Integer, nullable=False)
    table_version: Mapped[str] = mapped_column(String(32), nullable=False)
    report: Mapped[dict] = mapped_column(JSON, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="pending")
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class TrainingRun(Base):
    """One retraining job: parameters, live progress, outcome, metrics and log."""

    __tablename__ = "training_runs"
    __table_args__ = (UniqueConstraint("slot", name="uq_training_runs_slot"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dataset_id: Mapped[int | None] = mapped_column(ForeignKey("datasets.id"))
    params: Mapped[dict] = mapped_column(JSON, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="queued")
    phase: Mapped[str] = mapped_column(String(64), nullable=False, default="queued")
    epoch: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    epochs: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    progress: Mapped[float] = mapped_column(Float, nullable=False, default=0.0)
    metrics: Mapped[dict | None] = mapped_column(JSON)
    log: Mapped[str] = mapped_column(Text, nullable=False, default="")
    error: Mapped[str | None] = mapped_column(Text)
    model_version: Mapped[str | None] = mapped_column(String(16))
    runner: Mapped[str] = mapped_column(String(16), nullable=False, default="local")
    host: Mapped[str | None] = mapped_column(String(255))
    pid: Mapped[int | None] = mapped_column(Integer)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # 1 while queued or running, NULL once finished: the unique index lets only one run hold it,
    # so two workers starting runs at the same instant cannot both succeed.
    slot: Mapped[int | None] = mapped_column(Integer)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    def finish(self, status: str, error: str | None = None) -> None:
        """End the run (succeeded, failed or cancelled) and free the slot."""
        self.status, self.error, self.finished_at, self.slot = status, error, utcnow(), None


class ModelVersion(Base):
    """A registered model version (its files are ``models/<version>/``)."""

    __tablename__ = "model_versions"

    version: Mapped[str] = mapped_column(String(16), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    registered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("training_runs.id"))
    data_sha256: Mapped[str | None] = mapped_column(String(64))
    data_rows: Mapped[int | None] = mapped_column(Integer)
    data_years: Mapped[list | None] = mapped_column(JSON)
    metrics: Mapped[dict] = mapped_column(JSON, nullable=False)


class Activation(Base):
    """Every switch of the active model (promotions and rollbacks), newest last."""

    __tablename__ = "activations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[str] = mapped_column(String(16), nullable=False)
    previous: Mapped[str | None] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16), nullable=False)  # promote | rollback
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)


class AuditEntry(Base):
    """What an admin (or a login attempt) did, when and from where."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    username: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64), nullable=False)
    target: Mapped[str | None] = mapped_column(String(255))
    detail: Mapped[dict | None] = mapped_column(JSON)
    ip: Mapped[str | None] = mapped_column(String(64))


class LoginAttempt(Base):
    """A password attempt in progress or a failed one, kept for the login-limit window (all workers count here).

    A row is written before the password is checked and deleted again when the login succeeds,
    so concurrent attempts on different workers always see each other.
    """

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_ip_at", "ip", "at"),
        Index("ix_login_attempts_username_at", "username", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False, index=True)
    ip: Mapped[str] = mapped_column(String(64), nullable=False)
    username: Mapped[str] = mapped_column(String(64), nullable=False)


# Tips service (tips/): caregivers enrolled for weekly tips, the tips chosen, partner API keys.


class TipApiKey(Base):
    """A partner gateway's API key (``python -m tips.cli create-key``): only its SHA-256 is stored."""

    __tablename__ = "tip_api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class TipSubscriber(Base):
    """A caregiver enrolled for weekly tips.

    The phone number is stored only encrypted (Fernet) plus a keyed hash for lookups,
    and the child's birth month, not the date. Erasing clears every personal field;
    the district, channel, language and dates stay for anonymous counts.
    """

    __tablename__ = "tip_subscribers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, nullable=False)
    phone_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    phone_enc: Mapped[str | None] = mapped_column(Text)
    ubigeo: Mapped[str] = mapped_column(String(6), index=True, nullable=False)
    birth_year: Mapped[int | None] = mapped_column(Integer)
    birth_month: Mapped[int | None] = mapped_column(Integer)
    sex: Mapped[str | None] = mapped_column(String(1))
    language: Mapped[str] = mapped_column(String(8), nullable=False)
    channel: Mapped[str] = mapped_column(String(8), nullable=False)
    status: Mapped[str] = mapped_column(String(8), nullable=False, default="active")  # active | left | erased
    consent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    enrolled_by: Mapped[int | None] = mapped_column(ForeignKey("tip_api_keys.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)
    left_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    erased_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class TipSend(Base):
    """The tip chosen for one subscriber in one ISO week (at most one), with the reply it got."""

    __tablename__ = "tip_sends"
    __table_args__ = (UniqueConstraint("subscriber_id", "week", name="uq_tip_sends_subscriber_week"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("tip_subscribers.id"), nullable=False)
    week: Mapped[str] = mapped_column(String(8), index=True, nullable=False)  # ISO week, e.g. 2026-W49
    category: Mapped[str] = mapped_column(String(32), nullable=False)
    tip_id: Mapped[str] = mapped_column(String(64), nullable=False)
    language: Mapped[str] = mapped_column(String(8), nullable=False)
    channel: Mapped[str] = mapped_column(String(8), nullable=False)
    model_version: Mapped[str] = mapped_column(String(16), nullable=False)
    score: Mapped[float] = mapped_column(Float, nullable=False)
    chosen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)
    feedback: Mapped[int | None] = mapped_column(Integer)  # 1 useful, 2 not useful
    feedback_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The outbox: pending until the broker acknowledges the publish (PUBACK), then sent.
    status: Mapped[str] = mapped_column(String(16), index=True, nullable=False, default="pending")
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(String(255))
    receipt: Mapped[str | None] = mapped_column(String(16))  # the gateway's delivery receipt: delivered | failed
    receipt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    arm: Mapped[str | None] = mapped_column(String(1))  # a | b while an A/B test of tip models runs
    experiment_id: Mapped[int | None] = mapped_column(ForeignKey("tip_experiments.id"))


class TipExperiment(Base):
    """An A/B test of two tip-model versions: subscribers split by a keyed hash, stable over time."""

    __tablename__ = "tip_experiments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_a: Mapped[str] = mapped_column(String(16), nullable=False)
    version_b: Mapped[str] = mapped_column(String(16), nullable=False)
    split_a: Mapped[float] = mapped_column(Float, nullable=False)  # share of subscribers in arm a
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)
    stopped_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class TipEvent(Base):
    """Anonymous counts that outlive erasure: enrolments, leaves, rejoins, erasures, replies, by district."""

    __tablename__ = "tip_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)  # enrol | leave | rejoin | erase | ...
    ubigeo: Mapped[str | None] = mapped_column(String(6))
    channel: Mapped[str | None] = mapped_column(String(8))
    category: Mapped[str | None] = mapped_column(String(32))  # a leave or reply: the category of the last tip
    week: Mapped[str | None] = mapped_column(String(8))  # ... and its week
    experiment_id: Mapped[int | None] = mapped_column(Integer)  # ... and its A/B arm, if any
    arm: Mapped[str | None] = mapped_column(String(1))
