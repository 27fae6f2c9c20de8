"""An upload that loses a measurement the served survey has is refused, naming the column and the share."""

from __future__ import annotations

from app.data.coverage import MAX_EXTRA_MISSING, coverage_problems


def test_all_missing_hemoglobin_is_named_with_its_share(endes_data):
    served = endes_data.table
    upload = served[served["year"] == 2024].copy()
    assert coverage_problems(upload, served, "endes_2024.csv") == []
    upload["hemoglobin_gdl"] = float("nan")
    (problem,) = coverage_problems(upload, served, "endes_2024.csv")
    assert problem.column == "HC53"
    assert problem.found.startswith("missing in 100.0% of rows")
    assert f"tolerance {MAX_EXTRA_MISSING:.0%}" in problem.expected


def test_every_survey_year_of_the_bundled_sample_passes(endes_data):
    served = endes_data.table
    for year in served["year"].unique():
        assert coverage_problems(served[served["year"] == year], served, str(year)) == []
