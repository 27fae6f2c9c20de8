"""Tip models: a tiny Keras model, exported to TensorFlow Lite, that scores which health tips apply to a family.

Inputs (one child): age in months, sex, altitude of the home (m), and the
district's anemia and stunting risk from the risk model. Outputs: a score in
[0, 1] per tip category (``CATEGORIES``); the phone / SMS service sends the
top-scoring tips. Targets come from the national guidance rules below applied to
the child's risk: district model risk x the survey's relative risk for the
child's age band and sex (1 outside the 6-35 month ages the survey covers).

``python -m training.tips models/v1`` writes ``models/v1/tips/``:
tip_model.tflite (float16), tip_model.json (labels, rules, sources, input order,
district inputs, verification) and tip_model.keras. Verification runs the
.tflite in ``ai_edge_litert`` (what phones run) against the Keras model on every
district x age x sex profile.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras
import numpy as np
import pandas as pd

from app.config import ROOT

log = logging.getLogger(__name__)

INPUTS = ("age_months", "sex_female", "altitude_m", "anemia_risk", "stunting_risk")
MAX_BYTES = 20 * 1024
AGES = np.arange(0, 60)
ANEMIA_REF, STUNTING_REF = 0.6, 0.3  # risk at which a tip reaches full priority
AGE_BANDS = ((6, 12), (12, 18), (18, 24), (24, 36))  # months [from, to) with survey data


@dataclass(frozen=True)
class Category:
    key: str
    es: str
    en: str
    rule: str
    source: str


CATEGORIES = (
    Category(
        "exclusive_breastfeeding",
        "Lactancia materna exclusiva",
        "Exclusive breastfeeding",
        "0-5 months: 1.0, the first tip (breast milk only until 6 months); 0 after.",
        "MINSA, Guías alimentarias para niñas y niños menores de 2 años (2021); WHO/UNICEF infant feeding guidance.",
    ),
    Category(
        "complementary_feeding",
        "Alimentación complementaria",
        "Complementary feeding",
        "6-23 months: 0.6 + 0.4 x stunting need; 0 otherwise.",
        "MINSA, Guías alimentarias para niñas y niños menores de 2 años (2021); WHO guideline on complementary "
        "feeding of infants and young children 6-23 months (2023).",
    ),
    Category(
        "iron_rich_foods",
        "Alimentos ricos en hierro",
        "Iron-rich foods",
        "6 months and over: 0.3 + 0.6 x anemia need; 0 before 6 months.",
        "MINSA, NTS 134-MINSA/2017 (RM 250-2017/MINSA), manejo terapéutico y preventivo de la anemia, and its "
        "later updates.",
    ),
    Category(
        "iron_supplements",
        "Suplemento de hierro",
        "Iron supplements",
        "4-35 months: 0.5 + 0.4 x anemia need; 0 otherwise.",
        "MINSA, NTS 134-MINSA/2017 (RM 250-2017/MINSA): preventive iron from 4 months; and its later updates.",
    ),
    Category(
        "safe_water_deworming",
        "Agua segura y desparasitación",
        "Safe water and deworming",
        "12 months and over: 0.35 + 0.5 x stunting need; under 12 months: 0.25 x stunting need (safe water only).",
        "WHO guideline: preventive chemotherapy for soil-transmitted helminths, children 12-59 months (2017); "
        "WHO/UNICEF WASH.",
    ),
    Category(
        "growth_checkups",
        "Control de crecimiento (CRED)",
        "Growth check-ups (CRED)",
        "All ages: 0.4 + 0.4 x stunting need, + 0.1 under 12 months (monthly check-ups in the first year).",
        "MINSA, NTS 137-MINSA/2017/DGIESP (RM 537-2017/MINSA), control de crecimiento y desarrollo.",
    ),
)
KEYS = tuple(c.key for c in CATEGORIES)


def _need(risk: np.ndarray, ref: float) -> np.ndarray:
    return np.clip(risk / ref, 0.0, 1.0)


def rule_scores(age: np.ndarray, child_anemia: np.ndarray, child_stunting: np.ndarray) -> np.ndarray:
    """(n, categories) guidance scores for children of ``age`` months with the given risks (fractions)."""
    na, ns = _need(child_anemia, ANEMIA_REF), _need(child_stunting, STUNTING_REF)
    out = np.zeros((len(age), len(CATEGORIES)), dtype="float32")
    out[:, 0] = np.where(age < 6, 1.0, 0.0)
    out[:, 1] = np.where((age >= 6) & (age < 24), 0.6 + 0.4 * ns, 0.0)
    out[:, 2] = np.where(age >= 6, 0.3 + 0.6 * na, 0.0)
    out[:, 3] = np.where((age >= 4) & (age < 36), 0.5 + 0.4 * na, 0.0)
    out[:, 4] = np.where(age >= 12, 0.35 + 0.5 * ns, 0.25 * ns)
    out[:, 5] = 0.4 + 0.4 * ns + np.where(age < 12, 0.1, 0.0)
    return out


def relative_risks(survey: pd.DataFrame, year_from: int) -> dict[str, dict[str, list[float]]]:
    """Survey-weighted prevalence by age band and sex over the national prevalence, per target (recent years)."""
    recent = survey[survey["year"] >= year_from]
    out: dict[str, dict[str, list[float]]] = {}
    for target, column in (("anemia", "anemia"), ("stunting", "stunted")):
        ok = recent[column].notna()
        y = recent.loc[ok, column].astype(float)
        w = recent.loc[ok, "weight"].astype(float)
        overall = float(np.average(y, weights=w))
        per_sex: dict[str, list[float]] = {}
        for sex in ("hombre", "mujer"):
            rr = []
            for lo, hi in AGE_BANDS:
                m = (recent.loc[ok, "sex"] == sex) & recent.loc[ok, "age_months"].between(lo, hi - 1)
                rr.append(round(float(np.average(y[m], weights=w[m]) / overall), 4) if m.sum() >= 25 else 1.0)
            per_sex[sex] = rr
        out[target] = per_sex
    return out


def _rr_for(age: np.ndarray, female: np.ndarray, rr: dict[str, list[float]]) -> np.ndarray:
    out = np.ones(len(age))
    for sex, flag in (("hombre", 0), ("mujer", 1)):
        for (lo, hi), value in zip(AGE_BANDS, rr[sex], strict=True):
            out[(female == flag) & (age >= lo) & (age < hi)] = value
    return out


def district_inputs(estimates: pd.DataFrame, districts: pd.DataFrame) -> pd.DataFrame:
    """Per district with a model estimate: altitude (capital, m) and anemia/stunting risk (fractions).

    The risk is the model's latest year (versions since v2 estimate every survey year).
    """
    dist = estimates[estimates["level"] == "district"]
    if "year" in dist.columns:
        dist = dist[dist["year"] == dist["year"].max()]
    est = dist.pivot(index="ubigeo", columns="indicator", values="estimate")
    table = districts[["ubigeo", "altitude_m"]].merge(est.reset_index(), on="ubigeo", how="inner")
    table = table.dropna(subset=["altitude_m", "anemia", "stunting"])
    return table.assign(anemia_risk=table["anemia"] / 100, stunting_risk=table["stunting"] / 100)[
        ["ubigeo", "altitude_m", "anemia_risk", "stunting_risk"]
    ]


def grid(inputs: pd.DataFrame) -> np.ndarray:
    """Model inputs (``INPUTS`` order) for every district x age (0-59 months) x sex profile."""
    n, reps = len(inputs), len(AGES) * 2
    columns = [
        np.tile(np.repeat(AGES, 2), n),
        np.tile(np.tile([0.0, 1.0], len(AGES)), n),
        *(np.repeat(inputs[c].to_numpy("float32"), reps) for c in ("altitude_m", "anemia_risk", "stunting_risk")),
    ]
    return np.stack(columns, axis=1).astype("float32")


def grid_from_metadata(meta: dict) -> np.ndarray:
    """The same profiles rebuilt from a tip model's JSON (as the phone or SMS service would)."""
    rows = meta["districts"]["rows"]
    inputs = pd.DataFrame(list(rows.values()), columns=meta["districts"]["columns"])
    return grid(inputs)


def profiles(inputs: pd.DataFrame, rr: dict) -> tuple[np.ndarray, np.ndarray]:
    """Every district x age (0-59 months) x sex profile: model inputs and rule targets."""
    x = grid(inputs)
    age, female, ra, rs = x[:, 0], x[:, 1], x[:, 3], x[:, 4]
    child_a = np.clip(ra * _rr_for(age, female, rr["anemia"]), 0, 0.99)
    child_s = np.clip(rs * _rr_for(age, female, rr["stunting"]), 0, 0.99)
    return x, rule_scores(age, child_a, child_s)


def build_model(x: np.ndarray, hidden: int = 32, seed: int = 7) -> keras.Model:
    norm = keras.layers.Normalization(name="normalise")
    norm.adapt(x)
    inputs = keras.Input((len(INPUTS),), name="profile")
    h = norm(inputs)
    h = keras.layers.Dense(hidden, activation="relu", kernel_initializer=keras.initializers.HeNormal(seed))(h)
    h = keras.layers.Dense(hidden, activation="relu", kernel_initializer=keras.initializers.HeNormal(seed + 1))(h)
    out = keras.layers.Dense(len(CATEGORIES), activation="sigmoid", name="tips")(h)
    return keras.Model(inputs, out, name="tip_model")


def to_tflite(model: keras.Model) -> bytes:
    """float16-quantised TFLite flatbuffer."""
    import tensorflow as tf

    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.target_spec.supported_types = [tf.float16]
    return converter.convert()


def run_tflite(flatbuffer: bytes, x: np.ndarray, batch: int = 4096) -> np.ndarray:
    """Score profiles with ai_edge_litert (the runtime phones use), in batches."""
    from ai_edge_litert.interpreter import Interpreter

    interp = Interpreter(model_content=flatbuffer)
    inp, out = interp.get_input_details()[0], interp.get_output_details()[0]
    results = []
    for start in range(0, len(x), batch):
        chunk = x[start : start + batch]
        interp.resize_tensor_input(inp["index"], chunk.shape)
        interp.allocate_tensors()
        interp.set_tensor(inp["index"], chunk)
        interp.invoke()
        results.append(interp.get_tensor(out["index"]).copy())
    return np.concatenate(results)


def verify(keras_scores: np.ndarray, lite_scores: np.ndarray, targets: np.ndarray) -> dict:
    """Keras vs TFLite (the export) and Keras vs the rules (the fit)."""
    return {
        "profiles": len(keras_scores),
        "max_abs_diff_tflite_vs_keras": round(float(np.abs(keras_scores - lite_scores).max()), 5),
        "same_top_tflite_vs_keras": round(float((keras_scores.argmax(1) == lite_scores.argmax(1)).mean()), 5),
        "mean_abs_diff_keras_vs_rules": round(float(np.abs(keras_scores - targets).mean()), 5),
        "same_top_keras_vs_rules": round(float((keras_scores.argmax(1) == targets.argmax(1)).mean()), 5),
    }


def export(version_dir: Path, survey: pd.DataFrame, *, epochs: int = 40, seed: int = 7) -> dict:
    """Train, convert and verify the tip model for the risk model in ``version_dir``; writes ``tips/``."""
    from app.data.geo import load_regions

    keras.utils.set_random_seed(seed)
    estimates = pd.read_parquet(version_dir / "estimates.parquet")
    districts = load_regions(ROOT / "geodata").table("district")
    inputs = district_inputs(estimates, districts)
    year_from = int(survey["year"].max()) - 2
    rr = relative_risks(survey, year_from)
    x, y = profiles(inputs, rr)
    model = build_model(x, seed=seed)
    model.compile(optimizer=keras.optimizers.Adam(3e-3), loss="binary_crossentropy")
    order = np.random.default_rng(seed).permutation(len(x))
    model.fit(x[order], y[order], batch_size=512, epochs=epochs, verbose=0)
    flat = to_tflite(model)
    keras_scores = model.predict(x, batch_size=8192, verbose=0)
    lite = run_tflite(flat, x)
    check = verify(keras_scores, lite, y)
    check["bytes"] = len(flat)
    if len(flat) > MAX_BYTES:
        raise ValueError(f"tip model is {len(flat)} bytes; the budget is {MAX_BYTES}")
    if check["max_abs_diff_tflite_vs_keras"] > 0.05 or check["same_top_tflite_vs_keras"] < 0.99:
        raise ValueError(f"TFLite export does not match the Keras model: {check}")
    meta = {
        "risk_model_version": json.loads((version_dir / "metadata.json").read_text(encoding="utf-8"))["version"],
        "format": "TensorFlow Lite, float16 weights; input float32 [n, 5], output float32 [n, 6] in [0, 1]",
        "inputs": [
            {"name": "age_months", "unit": "months", "range": [0, 59]},
            {"name": "sex_female", "unit": "0 = boy, 1 = girl"},
            {"name": "altitude_m", "unit": "metres above sea level (default: the district capital's)"},
            {"name": "anemia_risk", "unit": "fraction 0-1, district model estimate (districts table)"},
            {"name": "stunting_risk", "unit": "fraction 0-1, district model estimate (districts table)"},
        ],
        "categories": [c.__dict__ for c in CATEGORIES],
        "targets": {
            "child_risk": "district model risk x survey relative risk for the child's age band and sex",
            "relative_risk_years_from": year_from,
            "relative_risks": rr,
            "age_bands_months": [list(b) for b in AGE_BANDS],
            "outside_bands": "relative risk 1 (the survey sample covers 6-35 months)",
            "need": {"anemia_reference_risk": ANEMIA_REF, "stunting_reference_risk": STUNTING_REF},
        },
        "verification": check,
        "sha256": hashlib.sha256(flat).hexdigest(),
        "districts": {
            "columns": ["altitude_m", "anemia_risk", "stunting_risk"],
            "rows": {
                r.ubigeo: [round(float(r.altitude_m)), round(float(r.anemia_risk), 4), round(float(r.stunting_risk), 4)]
                for r in inputs.itertuples()
            },
        },
    }
    staging = Path(tempfile.mkdtemp(dir=version_dir, prefix=".tips-"))
    try:
        (staging / "tip_model.tflite").write_bytes(flat)
        model.save(staging / "tip_model.keras")
        (staging / "tip_model.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
        staging.chmod(0o755)
        target = version_dir / "tips"
        if target.exists():
            shutil.rmtree(target)
        os.replace(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    log.info("tip model for %s: %s", version_dir.name, check)
    return check


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Export the TFLite tip model of a risk model version.")
    parser.add_argument("version_dir", type=Path, help="for example models/v1")
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--survey", nargs="+", type=Path, help="its training files (default: by name in data/endes)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    from app.store import build_survey

    meta = json.loads((args.version_dir / "metadata.json").read_text(encoding="utf-8"))
    files = args.survey or [ROOT / "data" / "endes" / name for name in meta["training_data"]["files"]]
    missing = [str(f) for f in files if not f.exists()]
    if missing:
        parser.error(f"survey files not found: {', '.join(missing)}; pass --survey")
    survey = build_survey(files).table
    check = export(args.version_dir, survey, epochs=args.epochs)
    sys.stdout.write(json.dumps(check) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
