"""The service's tip model: the published model's ranking on every verification profile, no TensorFlow."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from app.config import ROOT
from tips.model import InputError, ModelSource, TipModel

V1 = ROOT / "models" / "v1"


@pytest.fixture(scope="module")
def meta() -> dict:
    return json.loads((V1 / "tips" / "tip_model.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def model() -> TipModel:
    return TipModel.load(V1)


def service_grid(model: TipModel) -> np.ndarray:
    """Every district x age 0-59 x sex, built through the service's own ``inputs`` (what a request does)."""
    rows = [model.inputs(u, a, f) for u in model.districts for a in range(60) for f in (False, True)]
    return np.concatenate(rows)


def test_same_ranking_as_the_published_verification_profiles(model, meta):
    from training import tips as training_tips

    grid = training_tips.grid_from_metadata(meta)
    mine = service_grid(model)
    np.testing.assert_array_equal(mine, grid)  # same inputs, same order as the exporter's verification
    served = model.scores(mine)
    published = training_tips.run_tflite((V1 / "tips" / "tip_model.tflite").read_bytes(), grid)
    np.testing.assert_allclose(served, published, atol=1e-6)
    assert (np.argsort(-served, axis=1, kind="stable") == np.argsort(-published, axis=1, kind="stable")).mean() > 0.999
    # and the fit to the guidance rules is the one the JSON reports
    rr = meta["targets"]["relative_risks"]
    age, female = grid[:, 0], grid[:, 1]
    child_a = np.clip(grid[:, 3] * training_tips._rr_for(age, female, rr["anemia"]), 0, 0.99)
    child_s = np.clip(grid[:, 4] * training_tips._rr_for(age, female, rr["stunting"]), 0, 0.99)
    rules = training_tips.rule_scores(age, child_a, child_s)
    agreement = float((served.argmax(1) == rules.argmax(1)).mean())
    assert agreement == pytest.approx(meta["verification"]["same_top_keras_vs_rules"], abs=0.01)


def test_batches_of_any_size_give_the_same_scores(model):
    x = service_grid(model)[:1000]
    whole = model.scores(x)
    assert np.allclose(np.concatenate([model.scores(x[:1]), model.scores(x[1:333]), model.scores(x[333:])]), whole)


def test_unknown_district_and_age_are_refused_by_name(model):
    with pytest.raises(InputError) as exc:
        model.inputs("999999", 10, True)
    assert exc.value.field == "ubigeo"
    with pytest.raises(InputError) as exc:
        model.inputs("080101", 60, True)
    assert exc.value.field == "age_months"


def test_source_follows_the_active_pointer(tmp_path):
    (tmp_path / "v1").symlink_to(V1, target_is_directory=True)
    (tmp_path / "v3").symlink_to(V1, target_is_directory=True)
    (tmp_path / "ACTIVE").write_text("v1\n")
    source = ModelSource(tmp_path, check_every_s=0)
    first = source.current()
    assert first.version == "v1"
    assert source.current() is first  # loaded once
    (tmp_path / "ACTIVE").write_text("v3\n")
    assert source.current().version == "v3"


def test_the_service_imports_no_tensorflow_dash_or_flask():
    code = (
        "import sys\n"
        "from tips import create_app\n"
        "from tips.api.routes.preview import preview_body\n"
        "app = create_app()\n"
        "s = app.state.tips\n"
        "body = preview_body(s.models.current(), s.bank, '080101', 9, 'f', 'es')\n"
        "assert body['tip']\n"
        "print(sorted(m for m in ('tensorflow', 'keras', 'dash', 'flask') if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True
    )
    assert out.stdout.strip().splitlines()[-1] == "[]"
