"""A/B tests of tip models: stable assignment near the split, each arm ranked by its model, the statistics."""

from __future__ import annotations

import uuid
from datetime import date

import numpy as np
import pytest
from scipy.stats import chi2_contingency
from sqlalchemy import select, update

from app.config import ROOT
from app.db.models import TipSend, TipSubscriber
from tips import ab, subscribers
from tips.bank import load_bank
from tips.model import TipModel
from tips.privacy import PhoneVault
from tips.weekly import choose_week

pytestmark = pytest.mark.services


def test_assignment_is_stable_and_near_the_split():
    """10,000 synthetic subscriber ids."""
    ids = [uuid.UUID(int=i).hex for i in range(10_000)]
    first = ab.arms(b"k" * 32, ids, 0.5)
    assert (first == ab.arms(b"k" * 32, ids, 0.5)).all()
    assert abs((first == "a").mean() - 0.5) < 0.02
    skewed = ab.arms(b"k" * 32, ids, 0.2)
    assert abs((skewed == "a").mean() - 0.2) < 0.02
    assert set(np.flatnonzero(skewed == "a")) <= set(np.flatnonzero(first == "a"))  # growing a only adds
    assert (first != ab.arms(b"other key".ljust(32), ids, 0.5)).mean() > 0.3  # the key matters


def test_the_test_statistic_matches_scipy_on_a_known_table():
    from statsmodels.stats.proportion import proportions_ztest

    useful, replies = np.array([45, 30]), np.array([100, 100])
    z, p = proportions_ztest(useful, replies)
    table = np.stack([useful, replies - useful], axis=1)
    chi2, p_chi2, _, _ = chi2_contingency(table, correction=False)
    assert z**2 == pytest.approx(chi2)
    assert p == pytest.approx(p_chi2)


def test_verdicts():
    arm = lambda useful, replies: {"useful": useful, "replies": replies}  # noqa: E731
    out = ab.compare({"a": arm(45, 100), "b": arm(30, 100)})
    assert out["verdict"] == "a_better"
    assert out["p"] == pytest.approx(0.0285, abs=1e-3)
    low, high = out["diff_b_minus_a"]
    assert low < -0.15 < high < 0
    assert ab.compare({"a": arm(45, 100), "b": arm(44, 100)})["verdict"] == "no_difference"
    assert ab.compare({"a": arm(20, 29), "b": arm(2, 100)})["verdict"] == "too_few"


@pytest.fixture
def two_versions(tips_settings):
    models = tips_settings.models_dir
    (models / "v2").symlink_to((ROOT / "models" / "v1"), target_is_directory=True)
    yield models
    (models / "v2").unlink()


def test_each_arm_gets_its_model_and_the_results_need_enough_replies(tips_db, tips_settings, two_versions):
    model = TipModel.load(ROOT / "models" / "v1")
    bank = load_bank(categories=model.categories)
    vault = PhoneVault.from_settings(tips_settings)
    with tips_db.session() as s:
        for k in range(40):  # synthetic caregivers
            form = subscribers.Enrolment(f"+51 95{k:02d} 00 111", "050101", 2025, 1 + k % 12, "mf"[k % 2], "es", "sms")
            subscribers.enrol(s, vault, model, bank.offered, form, date(2026, 12, 1))
        with pytest.raises(ValueError, match="v9"):
            ab.start(s, two_versions, "v1", "v9")
        experiment = ab.start(s, two_versions, "v1", "v2", 0.5)
    with tips_db.session() as s:
        choose_week(s, model, bank, date(2026, 12, 2), ab_key=vault.hash_key, models_dir=two_versions)
    with tips_db.session() as s:
        rows = s.execute(select(TipSend.arm, TipSend.model_version, TipSubscriber.public_id).join(TipSubscriber)).all()
        assert {(arm, version) for arm, version, _ in rows} == {("a", "v1"), ("b", "v2")}
        expected = ab.arms(vault.hash_key, [pid for _, _, pid in rows], 0.5)
        assert [arm for arm, _, _ in rows] == list(expected)
        assert ab.results(s, ab.active(s))["verdict"] == "too_few"
        # every caregiver answers: arm a finds 30 of 35 tips useful... (synthetic replies)
        s.execute(update(TipSend).values(status="sent"))
        for i, (arm, _, pid) in enumerate(rows):
            useful = 1 if (arm == "a" or i % 3 == 0) else 2
            s.execute(
                update(TipSend)
                .where(
                    TipSend.subscriber_id
                    == select(TipSubscriber.id).where(TipSubscriber.public_id == pid).scalar_subquery()
                )
                .values(feedback=useful)
            )
    with tips_db.session() as s:
        out = ab.results(s, s.get(type(experiment), experiment.id))
    assert out["arms"]["a"]["replies"] + out["arms"]["b"]["replies"] == 40
    assert out["verdict"] == "too_few"  # 40 replies split in two: under 30 per arm
    with tips_db.session() as s:
        ab.stop(s)
        assert ab.active(s) is None
