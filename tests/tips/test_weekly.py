"""The weekly choice over the database: one tip per subscriber and week, varied, nothing for leavers."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from sqlalchemy import delete, select

from app.config import ROOT
from app.db.models import TipEvent, TipSend, TipSubscriber
from tips import subscribers
from tips.bank import load_bank
from tips.choice import age_months, iso_week, pick
from tips.model import TipModel
from tips.privacy import PhoneVault
from tips.weekly import choose_week

pytestmark = pytest.mark.services


@pytest.fixture(scope="module")
def model() -> TipModel:
    return TipModel.load(ROOT / "models" / "v1")


@pytest.fixture
def people(tips_db, tips_settings, model):
    """Three caregivers in Huancavelica (test data): a newborn, a 10-month-old, a 3-year-old."""
    bank = load_bank(categories=model.categories)
    vault = PhoneVault.from_settings(tips_settings)
    made = []
    with tips_db.session() as s:
        for phone, birth, lang in (("+51 900 000 001", (2026, 11), "es"), ("+51 900 000 002", (2026, 1), "en"),
                                   ("+51 900 000 003", (2023, 10), "es")):  # fmt: skip
            form = subscribers.Enrolment(phone, "090101", *birth, "m", lang, "sms")
            made.append(subscribers.enrol(s, vault, model, bank.offered, form, date(2026, 12, 1)).id)
    yield made
    with tips_db.session() as s:
        s.execute(delete(TipSend))
        s.execute(delete(TipEvent))
        s.execute(delete(TipSubscriber))


def sends(db, week):
    with db.session() as s:
        return {r.subscriber_id: r for r in s.scalars(select(TipSend).where(TipSend.week == week))}


def test_one_tip_per_subscriber_and_week_even_when_run_twice(tips_db, model, people):
    bank = load_bank(categories=model.categories)
    with tips_db.session() as s:
        assert choose_week(s, model, bank, date(2026, 12, 2)) == {"week": "2026-W49", "chosen": 3, "skipped": 0}
    with tips_db.session() as s:
        assert choose_week(s, model, bank, date(2026, 12, 4))["chosen"] == 0
    week = sends(tips_db, "2026-W49")
    assert set(week) == set(people)
    newborn, baby, toddler = (week[i] for i in people)
    assert newborn.category == "exclusive_breastfeeding"
    assert baby.language == "en"
    assert bank.matching(toddler.category, 37, "es")
    assert {s.model_version for s in week.values()} == {"v1"}


def test_recent_categories_are_skipped_and_leavers_get_nothing(tips_db, tips_settings, model, people):
    bank = load_bank(categories=model.categories)
    vault = PhoneVault.from_settings(tips_settings)
    days = [date(2026, 12, 2), date(2026, 12, 9), date(2026, 12, 16)]
    for day in days[:2]:
        with tips_db.session() as s:
            choose_week(s, model, bank, day, skip_weeks=2)
    first, second = sends(tips_db, "2026-W49"), sends(tips_db, "2026-W50")
    toddler = people[2]
    assert first[toddler].category != second[toddler].category  # varied from week to week
    with tips_db.session() as s:
        assert subscribers.inbound(s, vault, "+51900000003", "BAJA")["action"] == "leave"
    with tips_db.session() as s:
        choose_week(s, model, bank, days[2])
    assert toddler not in sends(tips_db, iso_week(days[2]))
    assert len(sends(tips_db, iso_week(days[2]))) == 2


def test_pick_skips_recent_and_inapplicable_categories():
    scores = np.array([[0.9, 0.8, 0.1], [0.9, 0.8, 0.1], [0.1, 0.15, 0.05]])
    available = np.ones_like(scores, dtype=bool)
    recent = np.array([[True, False, False], [True, True, False], [False, False, False]])
    assert pick(scores, available, recent).tolist() == [1, 0, -1]  # all recent: the best again; nothing >= 0.2
    available[0, 1] = False
    assert pick(scores, available, recent)[0] == 0


def test_age_from_the_birth_month():
    assert age_months(2026, 3, date(2026, 12, 20)) == 9
    assert age_months(2026, 3, date(2026, 12, 1)) == 8  # only the month is known: counted from its middle
    assert age_months(2021, 12, date(2026, 12, 20)) == 60
