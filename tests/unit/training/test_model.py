"""The committed model: loads, reproduces its holdout metrics, explains additively, survives odd input."""

from __future__ import annotations

import json

import numpy as np
import pytest

from app.config import ROOT
from training import registry

MODELS = ROOT / "models"
keras = pytest.importorskip("keras")


@pytest.fixture(scope="module")
def active():
    return registry.load(MODELS)


@pytest.fixture(scope="module")
def model(active):
    return keras.saving.load_model(active.path / "model.keras", compile=False)


@pytest.fixture(scope="module")
def holdout(survey, active):
    from training.features import model_frame
    from training.train import labels_matrix

    years = active.metadata["training_data"]["holdout_years"]
    rows = survey[survey["year"].isin(years)]
    return model_frame(rows), labels_matrix(rows)


def test_committed_model_reproduces_its_holdout_metrics(model, holdout, active):
    from sklearn.metrics import brier_score_loss, roc_auc_score

    from training.features import TARGETS, as_inputs
    from training.model import predict

    x, y = holdout
    p = predict(model, as_inputs(x)).mean(axis=1)
    stored = active.metadata["metrics"]["holdout"]
    for k, target in enumerate(TARGETS):
        ok = ~np.isnan(y[:, k])
        assert roc_auc_score(y[ok, k], p[ok, k]) == pytest.approx(stored[target]["keras"]["auc"], abs=1e-4)
        assert brier_score_loss(y[ok, k], p[ok, k]) == pytest.approx(stored[target]["keras"]["brier"], abs=1e-4)
        assert stored[target]["keras"]["n"] == int(ok.sum())


def test_keras_at_least_as_good_as_the_baselines(active):
    for target, m in active.metadata["metrics"]["holdout"].items():
        best = max(m["logistic_regression"]["auc"], m["gradient_boosting"]["auc"])
        assert m["keras"]["auc"] >= best, target
        assert len(m["keras"]["calibration"]) == 10


def test_record_shap_is_additive_and_matches_shap_itself(model, survey, active):
    from training.explain import Explainer, background_sample
    from training.features import as_inputs, model_frame
    from training.model import encode

    encoded = encode(model, as_inputs(model_frame(survey.iloc[:400])))
    explainer = Explainer(model, background_sample(encoded, 0, 50))
    fast = explainer.encoded_shap(encoded)
    reference = np.asarray(explainer.explainer.shap_values(encoded[:20], check_additivity=False))
    assert np.abs(fast[:20] - reference).max() < 1e-6
    pred = explainer.predict(encoded)
    assert np.abs(explainer.base_values + fast.sum(axis=1) - pred).max() < 1e-4
    per_feature = explainer.feature_shap(encoded)
    assert np.abs(explainer.base_values + per_feature.sum(axis=1) - pred).max() < 1e-4


def test_unseen_categories_fall_back_to_the_unknown_slot(model, survey):
    from training.features import as_inputs, model_frame, unseen_categories
    from training.model import predict

    x = model_frame(survey.iloc[:5]).copy()
    x.loc[x.index[0], "education"] = "postgrado"  # synthetic: a label the model never saw
    assert unseen_categories(x) == {"education": ["postgrado"]}
    p = predict(model, as_inputs(x))
    assert np.isfinite(p).all()
    assert ((p > 0) & (p < 1)).all()


def test_missing_feature_column_is_a_clear_error(survey):
    from training.features import model_frame

    with pytest.raises(ValueError, match="altitude_m"):
        model_frame(survey.drop(columns=["altitude_m"]).iloc[:5])
    blank = survey.iloc[:5].copy()
    blank.loc[blank.index[2], "altitude_m"] = np.nan
    with pytest.raises(ValueError, match="missing in rows"):
        model_frame(blank)


def test_metadata_describes_the_version(active):
    meta = active.metadata
    assert meta["version"] == active.version
    for key in ("created_at", "training_data", "feature_spec", "metrics", "libraries", "config"):
        assert key in meta
    assert len(meta["training_data"]["sha256"]) == 64
    assert meta["training_data"]["holdout_years"] == [2023, 2024]
    json.dumps(meta)
