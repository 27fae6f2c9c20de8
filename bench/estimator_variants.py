"""Variants of the space-time estimator on the validation folds (``python -m bench.estimator_variants``, JSON out).

The published model (``training.spacetime`` with the composition-only Keras
covariate) against the pooled 10-year average and against changes one might
try: v2's covariate with the department input, no covariate, the covariate's
year held fixed, fewer random effects, and other treatments of the variance
prior. Every
variant runs on the same folds as ``python -m training.validate`` (same seeds,
same Keras refits), so the paired differences compare like with like. It is
the record behind the README's "Variants tried" paragraph, not a test.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import pandas as pd
from scipy import optimize

from training import spacetime
from training import validate as harness
from training.departments import keras_predictor

# Parameter order in ``spacetime.PARAMS``: 0 space SD, 1 BYM2 mixing, 2 national RW1 SD,
# 3 per-department RW1 SD, 4 iid SD. A fixed log SD of -7 switches a term off (SD 0.001).
OFF = -7.0


class VariantModel(spacetime.SpaceTimeModel):
    """The published model with some variance parameters fixed and another treatment of the prior.

    ``prior``: ``"published"`` (exponential prior on each SD, optimised on the log scale with its
    Jacobian, as in ``training.spacetime``), ``"mode_in_sd"`` (the same prior without the Jacobian,
    whose mode is at SD 0) or ``"none"`` (plain REML).
    """

    def __init__(self, data: spacetime.SpaceTimeData, fixed: dict[int, float], prior: str) -> None:
        super().__init__(data)
        self.fixed, self.prior = fixed, prior

    def neg_reml(self, theta: np.ndarray) -> float:
        value = super().neg_reml(theta)
        if value >= 1e10 or self.prior == "published":
            return value
        value += float(theta[[0, 2, 3, 4]].sum())  # take the Jacobian term back out
        if self.prior == "none":
            value -= 4.6 * float(np.exp(theta[[0, 2, 3, 4]]).sum())
        return value

    def fit(self, start: np.ndarray | None = None) -> spacetime.SpaceTimeFit:
        theta0 = np.array([-1.0, 0.0, -2.0, -2.0, -2.0])
        bounds = [spacetime.LOG_SD_BOUNDS, (-4.0, 4.0), *[spacetime.LOG_SD_BOUNDS] * 3]
        free = [i for i in range(5) if i not in self.fixed]

        def full(z: np.ndarray) -> np.ndarray:
            theta = theta0.copy()
            for i, v in self.fixed.items():
                theta[i] = v
            theta[free] = z
            return theta

        res = optimize.minimize(
            lambda z: self.neg_reml(full(z)), theta0[free], method="L-BFGS-B", bounds=[bounds[i] for i in free]
        )
        return self.posterior(full(res.x), reml=-float(res.fun))


def variant(covariate: str, fixed: dict[int, float] | None = None, prior: str = "published") -> Callable:
    """An estimator for the harness: ``covariate`` is composition (published), with_department (v2's),
    composition_year_fixed or none."""

    def estimate(fold: harness.Fold, indicator: str) -> pd.DataFrame:
        if covariate == "none":

            def predict(f: pd.DataFrame) -> np.ndarray:
                return np.full(len(f), 0.5)  # constant: the design drops it
        else:
            base = keras_predictor(fold.context["keras"], indicator, department=covariate == "with_department")

            def predict(f: pd.DataFrame) -> np.ndarray:
                return base(f.assign(year=2019) if covariate == "composition_year_fixed" else f)

        return harness.spacetime_estimate(fold, indicator, predict, lambda data: VariantModel(data, fixed or {}, prior))

    return estimate


VARIANTS = {
    "v2_covariate_with_department": variant("with_department"),
    "no_covariate": variant("none"),
    "covariate_year_fixed": variant("composition_year_fixed"),
    "no_department_rw1": variant("composition", {3: OFF}),
    "no_department_rw1_no_iid": variant("composition", {3: OFF, 4: OFF}),
    "prior_mode_at_zero": variant("composition", prior="mode_in_sd"),
    "plain_reml": variant("composition", prior="none"),
}


def main(argv: list[str] | None = None) -> int:
    from app.config import BUNDLED_SURVEY, ROOT
    from app.data.geo import load_regions
    from app.store import build_survey

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1])
    parser.add_argument("--out", type=Path, help="write the JSON here too")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    harness.ESTIMATOR_FUNCS.update(VARIANTS)
    survey = build_survey([BUNDLED_SURVEY]).table
    regions = load_regions(ROOT / "geodata")
    result = harness.validate(survey, regions, tuple(args.seeds), estimators=("pooled", "spacetime", *VARIANTS))
    report = {
        "seeds": args.seeds,
        "seconds": result["seconds"],
        "units": "paired MSE difference against the pooled 10-year average, points squared (negative = better)",
        "paired_vs_pooled": result["paired_vs_pooled"],
    }
    text = json.dumps(report, indent=2)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    sys.stdout.write(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
