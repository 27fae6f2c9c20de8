"""Model benchmark: prints a JSON report (``python -m bench.model_bench``).

Targets on a 2-core machine: full training with the validation of the department
estimator <= 300 s; scoring 100k records <= 1 s; SHAP for every record of the
bundled survey <= 60 s.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras
import numpy as np
import pandas as pd

from app.config import BUNDLED_SURVEY, ROOT
from app.store import build_survey
from training import registry
from training.explain import Explainer, background_sample
from training.features import as_inputs, model_frame
from training.model import encode, predict
from training.train import Config, train

TARGETS = {"train_s": 300, "score_100k_s": 1.0, "shap_all_survey_s": 60}


def main() -> int:
    report: dict = {"machine": {"cpus": os.cpu_count()}, "targets": TARGETS}
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        path = train(Config(), Path(tmp))
        report["train_s"] = round(time.perf_counter() - t, 1)
        report["train_phases_s"] = json.loads((path / "metadata.json").read_text())["timings_s"]

    art = registry.load(ROOT / "models")
    model = keras.saving.load_model(art.path / "model.keras", compile=False)
    survey = build_survey([BUNDLED_SURVEY]).table
    frame = model_frame(survey)
    big = pd.concat([frame] * int(np.ceil(100_000 / len(frame))), ignore_index=True).iloc[:100_000]
    inputs = as_inputs(big)
    predict(model, as_inputs(big.iloc[:1000]))  # warm-up (graph tracing)
    t = time.perf_counter()
    p = predict(model, inputs)
    report["score_100k_s"] = round(time.perf_counter() - t, 3)
    report["score_100k_shape"] = list(p.shape)

    encoded = encode(model, as_inputs(frame))
    explainer = Explainer(model, background_sample(encoded, 0))
    t = time.perf_counter()
    sv = explainer.encoded_shap(encoded)
    report["shap_all_survey_s"] = round(time.perf_counter() - t, 1)
    report["shap_records"] = len(encoded)
    report["shap_max_additivity_error"] = float(
        np.abs(explainer.base_values + sv.sum(axis=1) - explainer.predict(encoded)).max()
    )
    report["artefact_bytes"] = {f.name: f.stat().st_size for f in sorted(art.path.iterdir())}
    report["model_version"] = art.version
    report["meets_targets"] = {k: report[k] <= v for k, v in TARGETS.items()}
    sys.stdout.write(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
