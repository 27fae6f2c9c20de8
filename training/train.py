"""Train, validate and publish a risk model version: ``python -m training.train``.

Phases (each logged, and written to ``--progress-file`` as JSON when given):
load survey -> split (the two latest years held out) -> train the Keras ensemble ->
baselines and holdout metrics -> validation of the department estimator
(``training.validate``: split-sample and forecast, which also calibrates the
intervals) -> space-time department estimates for every year -> district profiles,
benchmarked to their department -> SHAP -> write ``models/<version>/`` ->
(optionally) activate it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras
import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score
from sklearn.preprocessing import StandardScaler

from app.config import BUNDLED_SURVEY, ROOT
from app.data.geo import load_regions
from app.store import build_survey
from training import registry, spacetime
from training.departments import covariate_predictor, fit_departments
from training.estimates import build_tables, department_table
from training.explain import Explainer, background_sample
from training.features import (
    CATEGORICAL,
    LABELS,
    NUMERIC,
    TARGET_COLUMNS,
    TARGETS,
    as_inputs,
    model_frame,
)
from training.model import build_model, dataset, encode, masked_bce, predict
from training.population import ALTITUDE_BAND_M, DONORS, build_profiles
from training.validate import FORECAST_YEARS, SPLIT_YEARS, default_keras_fit
from training.validate import validate as validate_estimates

log = logging.getLogger("training.train")


@dataclass
class Config:
    """Training parameters (stored in metadata.json)."""

    members: int = 20
    epochs: int = 40
    batch_size: int = 256
    learning_rate: float = 2e-3
    hidden: int = 64
    l2: float = 1e-4
    holdout_years: int = 2
    seed: int = 7
    survey_files: list[str] = field(default_factory=lambda: [str(BUNDLED_SURVEY)])
    # Validation of the department estimator (training.validate), run inside every training:
    validation_seeds: list[int] = field(default_factory=lambda: [1])
    validation_members: int = 3  # the Keras ensemble refitted in each fold (smaller than the published one)
    validation_epochs: int = 12
    validation_years: int = 6  # split-sample target years (the latest ones); forecast uses up to 4


class Progress:
    """Phase/epoch progress to the log and, atomically, to a JSON file the admin page polls."""

    def __init__(self, path: Path | None, epochs: int) -> None:
        self.path, self.epochs, self.started = path, epochs, time.time()
        self.state: dict = {"phase": "starting", "epoch": 0, "epochs": epochs, "status": "running"}

    def update(self, **kw: object) -> None:
        self.state.update(kw, elapsed_s=round(time.time() - self.started, 1))
        if "phase" in kw:
            log.info("phase: %s", kw["phase"])
        if self.path:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".progress-")
            with os.fdopen(fd, "w") as fh:
                json.dump(self.state, fh)
            os.replace(tmp, self.path)


class _EpochCallback(keras.callbacks.Callback):
    def __init__(self, progress: Progress) -> None:
        super().__init__()
        self.progress = progress

    def on_epoch_end(self, epoch, logs=None):
        self.progress.update(epoch=epoch + 1, loss=round(float((logs or {}).get("loss", np.nan)), 5))


def labels_matrix(survey: pd.DataFrame) -> np.ndarray:
    """(n, targets) with NaN where a child has no valid outcome (or is outside 6-59 months)."""
    return np.stack(
        [survey[TARGET_COLUMNS[t]].astype("Float64").to_numpy(dtype=float, na_value=np.nan) for t in TARGETS], axis=1
    )


def cluster_bootstrap(survey: pd.DataFrame, members: int, rng: np.random.Generator) -> np.ndarray:
    """(n, members) multiplicities: clusters drawn with replacement within strata, one draw per member."""
    strata = survey["stratum"].to_numpy()
    clusters = survey["cluster"].to_numpy()
    out = np.zeros((len(survey), members))
    groups = pd.Series(np.arange(len(survey))).groupby(strata).indices
    for m in range(members):
        for idx in groups.values():
            cs = np.unique(clusters[idx])
            counts = pd.Series(rng.choice(cs, len(cs), replace=True)).value_counts()
            out[idx, m] = pd.Series(clusters[idx]).map(counts).fillna(0).to_numpy()
    return out


def calibration_table(y: np.ndarray, p: np.ndarray, bins: int = 10) -> list[dict]:
    """Deciles of predicted risk: mean predicted vs observed share."""
    order = np.argsort(p, kind="stable")
    rows = []
    for chunk in np.array_split(order, bins):
        rows.append(
            {
                "n": len(chunk),
                "predicted": round(float(p[chunk].mean()), 4),
                "observed": round(float(y[chunk].mean()), 4),
            }
        )
    return rows


def metrics(y: np.ndarray, p: np.ndarray) -> dict:
    return {
        "auc": round(float(roc_auc_score(y, p)), 4),
        "brier": round(float(brier_score_loss(y, p)), 4),
        "n": len(y),
        "calibration": calibration_table(y, p),
    }


def baselines(x_train: pd.DataFrame, y_train: np.ndarray, x_test: pd.DataFrame, seed: int) -> dict[str, np.ndarray]:
    """Logistic regression and gradient boosting on the same features (one-hot), per target."""
    cats = list(CATEGORICAL)
    both = pd.get_dummies(pd.concat([x_train, x_test]), columns=cats, dtype=float)
    d_train, d_test = both.iloc[: len(x_train)], both.iloc[len(x_train) :]
    out: dict[str, np.ndarray] = {
        "logistic_regression": np.full((len(x_test), len(TARGETS)), np.nan),
        "gradient_boosting": np.full((len(x_test), len(TARGETS)), np.nan),
    }
    for k in range(len(TARGETS)):
        ok = ~np.isnan(y_train[:, k])
        scaler = StandardScaler().fit(d_train[ok])
        lr = LogisticRegression(max_iter=2000).fit(scaler.transform(d_train[ok]), y_train[ok, k])
        out["logistic_regression"][:, k] = lr.predict_proba(scaler.transform(d_test))[:, 1]
        hgb = HistGradientBoostingClassifier(max_iter=200, learning_rate=0.05, random_state=seed)
        out["gradient_boosting"][:, k] = hgb.fit(d_train[ok], y_train[ok, k]).predict_proba(d_test)[:, 1]
    return out


def interval(member_values: np.ndarray, level: float = 0.95) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ensemble mean and a normal interval on the logit scale across members (members on axis 1)."""
    from scipy import stats

    mean = member_values.mean(axis=1)
    logits = np.log(np.clip(member_values, 1e-6, 1 - 1e-6) / np.clip(1 - member_values, 1e-6, 1))
    sd = logits.std(axis=1, ddof=1)
    z = stats.norm.ppf(0.5 + level / 2)
    centre = np.log(np.clip(mean, 1e-6, 1 - 1e-6) / np.clip(1 - mean, 1e-6, 1))
    return mean, 1 / (1 + np.exp(-(centre - z * sd))), 1 / (1 + np.exp(-(centre + z * sd)))


def benchmark_intercepts(model, survey: pd.DataFrame, x_all: pd.DataFrame, year: int) -> dict[str, float]:
    """Shift each target's logit so Peru's model estimate for ``year`` equals the direct survey estimate.

    One intercept per target (the members' output biases move together), fitted on
    the children of the estimation year; rankings, hence AUC, do not change.
    """
    from scipy import optimize

    from app.indicators.estimates import national_estimate

    rows = (survey["year"] == year).to_numpy()
    probs = predict(model, as_inputs(x_all[rows]))  # (n, members, targets)
    logits = np.log(np.clip(probs, 1e-6, 1 - 1e-6) / np.clip(1 - probs, 1e-6, 1))
    w = survey.loc[rows, "weight"].to_numpy()
    shifts = {}
    for k, target in enumerate(TARGETS):
        y = labels_matrix(survey[rows])[:, k]
        in_group = ~np.isnan(y) & survey.loc[rows, "age_months"].between(6, 35).to_numpy()
        goal = national_estimate(survey, target, year)["estimate"] / 100

        def gap(delta, k=k, in_group=in_group, goal=goal):
            p = (1 / (1 + np.exp(-(logits[in_group, :, k] + delta)))).mean(axis=1)
            return float(np.average(p, weights=w[in_group]) - goal)

        shifts[target] = float(optimize.brentq(gap, -5, 5))
    core = model.get_layer("core")
    for layer in core.layers:
        if layer.name.endswith("_out"):
            kernel, bias = layer.get_weights()
            layer.set_weights([kernel, bias + np.array([shifts[t] for t in TARGETS], dtype=bias.dtype)])
    return shifts


def fit_ensemble(
    survey: pd.DataFrame,
    config: Config,
    rng: np.random.Generator,
    members: int | None = None,
    epochs: int | None = None,
    callbacks: list | None = None,
) -> keras.Model:
    """Fit the Keras bootstrap ensemble on ``survey`` rows (canonical table); returns the model.

    Each member sees a cluster bootstrap of the rows (within strata) times the survey
    weights; labels missing for a target are masked out of that head's loss.
    """
    members = members or config.members
    x = model_frame(survey)
    y = labels_matrix(survey)
    stats = {f: (float(x[f].mean()), float(x[f].var())) for f in NUMERIC}
    mult = cluster_bootstrap(survey, members, rng)
    w = survey["weight"].to_numpy()
    sample_w = mult * (w / w.mean())[:, None]
    labels = np.nan_to_num(y)[:, None, :].repeat(members, axis=1)
    weights = (~np.isnan(y))[:, None, :] * sample_w[:, :, None]
    packed = np.concatenate([labels, weights], axis=-1).astype("float32")
    model = build_model(stats, members, seed=config.seed, hidden=config.hidden, l2=config.l2)
    model.compile(optimizer=keras.optimizers.Adam(config.learning_rate), loss=masked_bce)
    model.fit(
        dataset(as_inputs(x), packed, config.batch_size, shuffle_seed=config.seed),
        epochs=epochs or config.epochs,
        verbose=0,
        shuffle=False,
        callbacks=callbacks or [],
    )
    return model


def file_sha256(paths: list[str]) -> str:
    h = hashlib.sha256()
    for p in paths:
        h.update(Path(p).read_bytes())
    return h.hexdigest()


def train(
    config: Config,
    models_dir: Path,
    version: str | None = None,
    activate: bool = False,
    progress_path: Path | None = None,
    progress: Progress | None = None,
    before_publish: Callable[[Path, pd.DataFrame], None] | None = None,
) -> Path:
    """Run the whole pipeline and write a complete version folder; returns its path.

    Args:
        progress: where phase/epoch updates go (default: the log and ``progress_path``).
        before_publish: called with the staging folder and the survey table before the
            folder is renamed into place (the admin job adds the tip model there), so a
            version appears complete or not at all.
    """
    t0 = time.time()
    if version and (models_dir / version).exists():
        raise FileExistsError(f"{models_dir / version} exists; versions are never overwritten")
    progress = progress or Progress(progress_path, config.epochs)
    keras.utils.set_random_seed(config.seed)
    import tensorflow as tf

    tf.config.experimental.enable_op_determinism()
    rng = np.random.default_rng(config.seed)
    timings: dict[str, float] = {}

    progress.update(phase="loading data")
    survey_obj = build_survey([Path(p) for p in config.survey_files])
    survey = survey_obj.table
    regions = load_regions(ROOT / "geodata")
    x_all = model_frame(survey)
    y_all = labels_matrix(survey)
    years = sorted(survey["year"].unique())
    holdout_years = years[-config.holdout_years :]
    is_test = survey["year"].isin(holdout_years).to_numpy()
    train_idx = ~is_test

    progress.update(phase="training")
    t = time.time()
    model = fit_ensemble(survey[train_idx], config, rng, callbacks=[_EpochCallback(progress)])
    y_train = y_all[train_idx]
    timings["train_s"] = time.time() - t

    progress.update(phase="validating")
    t = time.time()
    year = int(years[-1])
    y_test = y_all[is_test]
    p_raw = predict(model, as_inputs(x_all[is_test])).mean(axis=1)
    shifts = benchmark_intercepts(model, survey, x_all, year)
    p_test = predict(model, as_inputs(x_all[is_test])).mean(axis=1)
    base_preds = baselines(x_all[train_idx], y_train, x_all[is_test], config.seed)
    holdout: dict = {}
    for k, target in enumerate(TARGETS):
        ok = ~np.isnan(y_test[:, k])
        holdout[target] = {
            "keras": metrics(y_test[ok, k], p_test[ok, k]),
            "keras_before_benchmarking": metrics(y_test[ok, k], p_raw[ok, k]),
        }
        for name, pred in base_preds.items():
            holdout[target][name] = metrics(y_test[ok, k], pred[ok, k])
    timings["validate_s"] = time.time() - t

    progress.update(phase="validating estimates")
    t = time.time()
    n_val = max(1, min(config.validation_years, len(SPLIT_YEARS)))
    validation = validate_estimates(
        survey,
        regions,
        seeds=tuple(config.validation_seeds),
        split_years=SPLIT_YEARS[-n_val:],
        forecast_years=FORECAST_YEARS[-min(n_val, len(FORECAST_YEARS)) :],
        keras_fit=default_keras_fit(
            min(config.validation_members, config.members), min(config.validation_epochs, config.epochs)
        ),
    )
    scales = {ind: validation["interval_scale"][ind]["scale"] for ind in TARGETS}
    timings["validation_s"] = time.time() - t

    progress.update(phase="estimating regions")
    t = time.time()
    dep_geo = regions.level("department").sort_values("ubigeo")
    areas = dep_geo["ubigeo"].tolist()
    adjacency = spacetime.adjacency_matrix(dep_geo.geometry, areas)
    grid_years = list(range(int(years[0]), int(years[-1]) + 1))
    dep_tables, dep_params = {}, {}
    national: dict[str, dict[str, dict]] = {}
    dep_pop = dep_geo.set_index("ubigeo").loc[areas, "population_2025"].astype(float).to_numpy()
    for ind in TARGETS:
        fit = fit_departments(survey, covariate_predictor(model, ind), ind, areas, grid_years, adjacency)
        dep_tables[ind] = department_table(fit.frame(), ind, scales[ind])
        national[ind] = {}
        for y in years:
            point, lo, hi = spacetime.aggregate_interval(fit, int(y), dep_pop, scales[ind], seed=config.seed)
            national[ind][str(int(y))] = {
                "estimate": round(100 * point, 3),
                "ci_low": round(100 * lo, 3),
                "ci_high": round(100 * hi, 3),
            }
        dep_params[ind] = {
            "beta": [round(float(b), 4) for b in fit.beta],
            "hyperparameters": {k: round(v, 4) for k, v in fit.params.items()},
            "design_effect": round(float(fit.extras["design_effect"]), 4),
            "interval_scale": scales[ind],
        }
    profiles = build_profiles(survey, regions.table("district"), regions.table("department"), year)
    survey_years = [int(y) for y in years]
    member_probs = {y: predict(model, as_inputs(profiles.records.assign(year=float(y)))) for y in survey_years}
    timings["departments_profiles_and_scoring_s"] = time.time() - t

    progress.update(phase="explaining (SHAP)")
    t = time.time()
    encoded_train = encode(model, as_inputs(x_all[train_idx]))
    explainer = Explainer(model, background_sample(encoded_train, config.seed))
    record_shap = explainer.feature_shap(encode(model, as_inputs(profiles.records)))
    timings["shap_s"] = time.time() - t
    t = time.time()
    estimates, shap_table = build_tables(
        profiles, regions, survey_years, member_probs, record_shap, explainer.base_values, year, dep_tables
    )
    timings["benchmarking_s"] = time.time() - t

    progress.update(phase="writing artefacts")
    models_dir.mkdir(parents=True, exist_ok=True)
    version = version or registry.next_version(models_dir)
    staging = Path(tempfile.mkdtemp(dir=models_dir, prefix=f".{version}-"))
    staging.chmod(0o755)
    try:
        model.save(staging / "model.keras")
        estimates.to_parquet(staging / "estimates.parquet", index=False)
        shap_table.to_parquet(staging / "shap.parquet", index=False)
        profiles.margins.to_parquet(staging / "profiles.parquet", index=False)
        import shap
        import sklearn
        import tensorflow as tf

        metadata = {
            "version": version,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "training_data": {
                "files": [Path(p).name for p in config.survey_files],
                "sha256": file_sha256(config.survey_files),
                "table_version": survey_obj.version,
                "rows": len(survey),
                "years": [int(y) for y in years],
                "train_years": [int(y) for y in years if y not in holdout_years],
                "holdout_years": [int(y) for y in holdout_years],
                "notes": list(survey_obj.notes),
            },
            "feature_spec": {
                "numeric": list(NUMERIC),
                "categorical": {k: list(v) for k, v in CATEGORICAL.items()},
                "labels": {k: {"es": v[0], "en": v[1]} for k, v in LABELS.items()},
                "targets": list(TARGETS),
                "unseen_category": "mapped to the model's unknown slot (contributes nothing)",
            },
            "config": config.__dict__,
            "metrics": {"holdout": holdout},
            "benchmarking": {
                "year": year,
                "logit_shift": shifts,
                "note": "intercepts shifted so Peru's model estimate equals the direct survey estimate",
            },
            "estimation": {
                "year": year,
                "years": survey_years,
                "age_group": "6-35",
                "method": "space-time Fay-Herriot (BYM2 space, RW1 time, RW1 per department) on department "
                "direct estimates with the Keras model's composition risk (department input unknown) as covariate; "
                "districts and provinces benchmarked",
                "departments": dep_params,
                "donors_per_department": DONORS,
                "altitude_band_m": ALTITUDE_BAND_M,
                "profile_records": len(profiles.records),
                "population_weights": "INEI 2025 district population projection (every year)",
                "interval": "95 %: department posterior (logit scale) x the validated scale; districts and "
                "provinces add the profile spread and are never narrower than their department",
                "shap_reference_year": year,
                "national": national,
                "national_note": "Peru = departments weighted by 2025 population; interval from the joint posterior",
            },
            "validation": validation,
            "shap": {
                "base_values": {t: float(explainer.base_values[k]) for k, t in enumerate(TARGETS)},
                "background": int(min(100, len(encoded_train))),
            },
            "timings_s": {k: round(v, 2) for k, v in timings.items()},
            "libraries": {
                "python": platform.python_version(),
                "tensorflow": tf.__version__,
                "keras": keras.__version__,
                "shap": shap.__version__,
                "scikit-learn": sklearn.__version__,
                "numpy": np.__version__,
                "pandas": pd.__version__,
            },
        }
        (staging / "metadata.json").write_text(json.dumps(metadata, indent=2, ensure_ascii=False), encoding="utf-8")
        if before_publish is not None:
            before_publish(staging, survey)
        target = models_dir / version
        if target.exists():
            raise FileExistsError(f"{target} exists; versions are never overwritten")
        os.replace(staging, target)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    if activate:
        registry.activate(models_dir, version)
    progress.update(phase="done", status="done", version=version)
    log.info(
        "model %s written in %.1f s: %s", version, time.time() - t0, {t: holdout[t]["keras"]["auc"] for t in TARGETS}
    )
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--survey", nargs="+", default=[str(BUNDLED_SURVEY)], help="ENDES files to train on")
    parser.add_argument("--models-dir", type=Path, default=ROOT / "models")
    parser.add_argument("--version", help="version name (default: next vN)")
    parser.add_argument("--members", type=int, default=Config.members)
    parser.add_argument("--epochs", type=int, default=Config.epochs)
    parser.add_argument("--seed", type=int, default=Config.seed)
    parser.add_argument("--activate", action="store_true", help="make this version the active one")
    parser.add_argument("--progress-file", type=Path)
    parser.add_argument("--tip-epochs", type=int, default=40, help="epochs of the version's TFLite tip model")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    config = Config(members=args.members, epochs=args.epochs, seed=args.seed, survey_files=args.survey)
    from training import tips

    # A version is published with its tip model, as from the admin pages: the tips service serves the active
    # version's and refuses a version without one.
    path = train(
        config,
        args.models_dir,
        args.version,
        args.activate,
        args.progress_file,
        before_publish=lambda staging, survey: tips.export(staging, survey, epochs=args.tip_epochs),
    )
    sys.stdout.write(json.dumps({"version": path.name, "path": str(path)}) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
