"""A/B tests of tip models: two registry versions, a stable split by keyed hash, results with a z-test.

Assignment: HMAC-SHA256 of the subscriber's id under the service's hash key, read as a number in
[0, 1): below ``split_a`` is arm a. The same subscriber stays in the same arm for the whole test.
The statistics come from statsmodels (two-proportion z-test and Newcombe interval), never hand-made.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from app.db.models import TipEvent, TipExperiment, TipSend, utcnow
from training import registry

MIN_REPLIES = 30  # per arm, before any verdict


def arms(hash_key: bytes, public_ids: Sequence[str], split_a: float) -> np.ndarray:
    """'a' or 'b' per subscriber, stable for a given key."""
    u = np.array(
        [
            int.from_bytes(hmac.new(hash_key, b"ab:" + pid.encode(), hashlib.sha256).digest()[:8], "big") / 2**64
            for pid in public_ids
        ]
    )
    return np.where(u < split_a, "a", "b")


def active(session: Session) -> TipExperiment | None:
    return session.scalar(
        select(TipExperiment).where(TipExperiment.stopped_at.is_(None)).order_by(TipExperiment.id.desc()).limit(1)
    )


def start(session: Session, models_dir: Path, version_a: str, version_b: str, split_a: float = 0.5) -> TipExperiment:
    """Begin a test (stopping any running one); both versions must exist and carry a tip model."""
    known = registry.versions(models_dir)
    for v in (version_a, version_b):
        if v not in known or not (models_dir / v / "tips" / "tip_model.tflite").exists():
            raise ValueError(f"model version {v!r} does not exist or has no tip model")
    if version_a == version_b or not 0 < split_a < 1:
        raise ValueError("pick two different versions and a split between 0 and 1 (e.g. 0.5)")
    stop(session)
    experiment = TipExperiment(version_a=version_a, version_b=version_b, split_a=split_a)
    session.add(experiment)
    session.flush()
    return experiment


def stop(session: Session) -> None:
    running = active(session)
    if running is not None:
        running.stopped_at = utcnow()


def results(session: Session, experiment: TipExperiment) -> dict:
    """Per arm: sends, delivered, useful rate (1 over replies), leave rate; the useful-rate test and a verdict."""
    useful = func.sum(case((TipSend.feedback == 1, 1), else_=0))
    replies = func.sum(case((TipSend.feedback.is_not(None), 1), else_=0))
    sent = func.sum(case((TipSend.status == "sent", 1), else_=0))
    delivered = func.sum(case((TipSend.receipt == "delivered", 1), else_=0))
    rows = session.execute(
        select(TipSend.arm, func.count(), sent, delivered, useful, replies)
        .where(TipSend.experiment_id == experiment.id)
        .group_by(TipSend.arm)
    ).all()
    per = {arm: {"tips": 0, "sent": 0, "delivered": 0, "useful": 0, "replies": 0, "leaves": 0} for arm in "ab"}
    for arm, n, s, d, u, r in rows:
        per[arm].update(tips=int(n), sent=int(s or 0), delivered=int(d or 0), useful=int(u or 0), replies=int(r or 0))
    for arm, n in session.execute(
        select(TipEvent.arm, func.count())
        .where(TipEvent.experiment_id == experiment.id, TipEvent.kind == "leave")
        .group_by(TipEvent.arm)
    ).all():
        if arm in per:
            per[arm]["leaves"] = int(n)
    return {
        "experiment": experiment.id,
        "versions": {"a": experiment.version_a, "b": experiment.version_b},
        "split_a": experiment.split_a,
        "arms": per,
        **compare(per),
    }


def compare(per: dict[str, dict[str, int]]) -> dict:
    """Useful rate of b against a: z-test, 95 % interval of the difference, and a plain verdict."""
    from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest

    a, b = per["a"], per["b"]
    if min(a["replies"], b["replies"]) < MIN_REPLIES:
        return {"verdict": "too_few"}
    z, p = proportions_ztest([a["useful"], b["useful"]], [a["replies"], b["replies"]])
    low, high = confint_proportions_2indep(
        b["useful"], b["replies"], a["useful"], a["replies"], method="newcomb", compare="diff"
    )
    if p >= 0.05:
        verdict = "no_difference"
    else:
        verdict = "b_better" if b["useful"] / b["replies"] > a["useful"] / a["replies"] else "a_better"
    return {"z": round(float(z), 4), "p": round(float(p), 4), "diff_b_minus_a": [round(float(low), 4),
            round(float(high), 4)], "verdict": verdict}  # fmt: skip
