"""The week's tip for every active subscriber: one batched TFLite call, one row per subscriber and week.

Idempotent: a subscriber who already has this week's row is left alone (and the table's unique
(subscriber, week) constraint backs that up), so running it twice changes nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from app.db.models import TipSend, TipSubscriber
from tips.bank import MAX_AGE_MONTHS, TipBank
from tips.choice import age_months, iso_week, pick, previous_weeks, tip_for, week_start
from tips.model import TipModel

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Profiles:
    """Subscribers as arrays (what the model and :func:`choose` need)."""

    ids: np.ndarray
    ubigeo: list[str]
    age: np.ndarray
    female: np.ndarray
    language: list[str]


@dataclass(frozen=True)
class Choice:
    category: np.ndarray  # index into model.categories, -1: nothing applies / not servable
    score: np.ndarray
    tips: list  # Tip | None per row


def choose(model: TipModel, bank: TipBank, p: Profiles, week: str, recent: np.ndarray | None = None) -> Choice:
    """Rank and pick for all profiles at once. Unknown districts and ages over 59 months get -1."""
    n = len(p.ids)
    rows = np.array([model.districts.get(u, (np.nan, np.nan, np.nan)) for u in p.ubigeo], dtype="float32").reshape(n, 3)
    ok = ~np.isnan(rows[:, 0]) & (p.age >= 0) & (p.age <= MAX_AGE_MONTHS)
    age = np.clip(p.age, 0, MAX_AGE_MONTHS)
    x = np.column_stack([age, p.female, rows]).astype("float32")
    scores = np.zeros((n, len(model.categories)), dtype="float32")
    if ok.any():
        scores[ok] = model.scores(x[ok])
    available = np.zeros_like(scores, dtype=bool)
    langs = np.array(p.language)
    for lang in set(p.language):
        table = bank.coverage(model.categories, lang)
        sel = langs == lang
        available[sel] = table[age[sel]]
    category = np.where(ok, pick(scores, available, recent), -1)
    turn = week_start(week).toordinal() // 7
    tips = [
        tip_for(bank, model.categories[c], int(a), lang, turn + int(i)) if c >= 0 else None
        for c, a, lang, i in zip(category, age, p.language, p.ids, strict=True)
    ]
    score = np.where(category >= 0, scores[np.arange(n), np.maximum(category, 0)], 0.0)
    return Choice(category, score, tips)


def choose_week(
    session: Session,
    model: TipModel,
    bank: TipBank,
    day: date,
    skip_weeks: int = 2,
    *,
    ab_key: bytes | None = None,
    models_dir: Path | None = None,
) -> dict:
    """Choose and store this ISO week's tip for every active subscriber who has none yet.

    With ``ab_key`` and ``models_dir`` and a running A/B test (``tips.ab``), each arm's subscribers are
    ranked by that arm's tip model, and every row records its arm and model version.
    """
    from tips import ab

    week = iso_week(day)
    monday = week_start(week)
    done = select(TipSend.subscriber_id).where(TipSend.week == week)
    subs = session.execute(
        select(
            TipSubscriber.id,
            TipSubscriber.public_id,
            TipSubscriber.ubigeo,
            TipSubscriber.birth_year,
            TipSubscriber.birth_month,
            TipSubscriber.sex,
            TipSubscriber.language,
            TipSubscriber.channel,
        ).where(TipSubscriber.status == "active", TipSubscriber.id.not_in(done))
    ).all()
    if not subs:
        return {"week": week, "chosen": 0, "skipped": 0}
    ids = np.array([s.id for s in subs])
    profiles = Profiles(
        ids=ids,
        ubigeo=[s.ubigeo for s in subs],
        age=np.array([age_months(s.birth_year, s.birth_month, monday) for s in subs]),
        female=np.array([s.sex == "f" for s in subs], dtype="float32"),
        language=[s.language for s in subs],
    )
    position = {int(i): k for k, i in enumerate(ids)}
    recent = np.zeros((len(subs), len(model.categories)), dtype=bool)
    for sid, cat in session.execute(
        select(TipSend.subscriber_id, TipSend.category).where(TipSend.week.in_(previous_weeks(week, skip_weeks)))
    ):
        if int(sid) in position and cat in model.categories:
            recent[position[int(sid)], model.categories.index(cat)] = True

    experiment = ab.active(session) if ab_key is not None and models_dir is not None else None
    groups: list[tuple[str | None, TipModel, np.ndarray]] = [(None, model, np.arange(len(subs)))]
    if experiment is not None:
        split = ab.arms(ab_key, [s.public_id for s in subs], experiment.split_a)
        groups = [
            (arm, TipModel.load(models_dir / version), np.flatnonzero(split == arm))
            for arm, version in (("a", experiment.version_a), ("b", experiment.version_b))
        ]
    rows = []
    for arm, arm_model, idx in groups:
        if len(idx) == 0:
            continue
        if arm_model.categories != model.categories:
            raise ValueError(f"tip model {arm_model.version} has other categories than {model.version}")
        part = Profiles(
            ids[idx], [profiles.ubigeo[i] for i in idx], profiles.age[idx], profiles.female[idx],
            [profiles.language[i] for i in idx],
        )  # fmt: skip
        choice = choose(arm_model, bank, part, week, recent[idx])
        for k, i in enumerate(idx):
            tip, s = choice.tips[k], subs[i]
            if tip is None:
                continue
            rows.append({
                "subscriber_id": int(s.id), "week": week, "category": tip.category, "tip_id": tip.id,
                "language": s.language, "channel": s.channel, "model_version": arm_model.version,
                "score": round(float(choice.score[k]), 4), "arm": arm,
                "experiment_id": experiment.id if experiment is not None else None,
            })  # fmt: skip
    if rows:
        session.execute(insert(TipSend), rows)
    skipped = len(subs) - len(rows)
    log.info("week %s: %d tips chosen, %d subscribers without a servable tip", week, len(rows), skipped)
    return {"week": week, "chosen": len(rows), "skipped": skipped}
