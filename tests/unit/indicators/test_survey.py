"""Design-based prevalence: closed forms, the DHS reporting rule, and INEI's published figures."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from app.indicators.estimates import direct_estimates, national_estimate
from app.indicators.survey import prevalence, reporting_flag


def _srs(y: list[float], clusters: list[int] | None = None, weights: list[float] | None = None) -> pd.DataFrame:
    """Synthetic test design (labelled: not survey data)."""
    n = len(y)
    return pd.DataFrame(
        {
            "y": pd.array([bool(v) if v == v else pd.NA for v in y], dtype="boolean"),
            "weight": weights or [1.0] * n,
            "stratum": ["s"] * n,
            "cluster": clusters or list(range(n)),
            "dom": ["a"] * (n // 2) + ["b"] * (n - n // 2),
        }
    )


def test_simple_random_sample_matches_the_closed_form():
    y = [1, 0, 0, 1, 1, 0, 0, 0, 1, 0] * 5
    row = prevalence(_srs(y), "y").iloc[0]
    p = np.mean(y)
    assert row.estimate == pytest.approx(p)
    assert row.se == pytest.approx(np.sqrt(p * (1 - p) / (len(y) - 1)))
    assert row.ci_low < p < row.ci_high
    assert row.n == 50


def test_clustering_widens_the_interval():
    y = [1, 1, 1, 1, 0, 0, 0, 0] * 6
    independent = prevalence(_srs(y), "y").iloc[0]
    clustered = prevalence(_srs(y, clusters=[i // 4 for i in range(len(y))]), "y").iloc[0]
    assert clustered.estimate == independent.estimate
    assert clustered.se > 2 * independent.se
    assert clustered.deff > 4


def test_weights_move_the_estimate():
    y = [1, 0] * 20
    row = prevalence(_srs(y, weights=[3.0, 1.0] * 20), "y").iloc[0]
    assert row.estimate == pytest.approx(0.75)


def test_domains_and_missing_outcomes():
    y = [1, 0, 1, np.nan, 0, 0, 1, 1, 0, 0]
    est = prevalence(_srs(y), "y", domain="dom").set_index("domain")
    assert est.loc["a", "n"] == 4
    assert est.loc["a", "estimate"] == pytest.approx(0.5)
    assert est.loc["b", "estimate"] == pytest.approx(0.4)


def test_zero_prevalence_gets_an_honest_interval():
    row = prevalence(_srs([0.0] * 30), "y").iloc[0]
    assert row.estimate == 0
    assert row.ci_low == 0
    assert 0.05 < row.ci_high < 0.15  # Clopper-Pearson upper bound for 0/30


@pytest.mark.parametrize(
    ("n", "flag"), [(0, "no_data"), (24, "suppressed"), (25, "imprecise"), (49, "imprecise"), (50, None)]
)
def test_dhs_reporting_rule(n, flag):
    assert reporting_flag(n) == flag


# INEI, ENDES: anemia in children 6-35 months, national, as published (used to check only, never shown).
INEI_ANEMIA_6_35 = {
    2015: 43.5,
    2016: 43.6,
    2017: 43.6,
    2018: 43.5,
    2019: 40.1,
    2020: 40.0,
    2021: 38.8,
    2022: 42.4,
    2023: 43.1,
    2024: 43.7,
}


def test_weighted_national_anemia_per_year_brackets_inei_figures(survey):
    inside = 0
    for year, official in INEI_ANEMIA_6_35.items():
        nat = national_estimate(survey, "anemia", year)
        assert nat["ci_low"] < nat["estimate"] < nat["ci_high"]
        assert abs(nat["estimate"] - official) < 4.0, year  # a 10 % sample: within sampling error
        inside += nat["ci_low"] <= official <= nat["ci_high"]
    assert inside >= 8  # measured: 9 of 10 (2024 sample: 47.0 %, 44.7-49.4)


def test_department_estimates_every_unit_with_flags(survey, regions):
    est = direct_estimates(survey, regions, "department", "anemia", 2024)
    assert len(est) == 25
    shown = est["estimate"].notna()
    assert (
        (est.loc[shown, "ci_low"] <= est.loc[shown, "estimate"])
        & (est.loc[shown, "estimate"] <= est.loc[shown, "ci_high"])
    ).all()
    assert (est.loc[est["n"] < 25, "estimate"].isna()).all()
    assert (est.loc[est["n"].between(25, 49), "flag"] == "imprecise").all()
    puno = est.set_index("ubigeo").loc["21"]
    assert puno["estimate"] > 60  # highest-altitude department: the survey's highest anemia


def test_district_level_without_district_codes_says_no_data(survey, regions):
    est = direct_estimates(survey, regions, "district", "stunting", 2024)
    assert len(est) == 1891
    assert (est["flag"] == "no_data").all()
    assert est["estimate"].isna().all()


def test_unknown_year_is_an_error(survey, regions):
    with pytest.raises(ValueError, match="year 1999"):
        direct_estimates(survey, regions, "department", "anemia", 1999)
