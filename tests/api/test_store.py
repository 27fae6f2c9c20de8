"""Replacing the survey: all or nothing, and the app keeps serving what it had."""

from __future__ import annotations

import pandas as pd
import pytest

from app.config import BUNDLED_SURVEY
from app.data.errors import SurveyValidationError


def _subset(tmp_path, years, name="subset.csv", edit=None):
    raw = pd.read_csv(BUNDLED_SURVEY, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    rows = raw[raw["ANIO"].isin([str(y) for y in years])].copy()
    if edit:
        edit(rows)
    path = tmp_path / name
    rows.to_csv(path, index=False)
    return path


def test_bad_upload_changes_nothing(app, client, tmp_path, settings):
    store = app.server.extensions["nutrimapa"]
    before = client.get("/api/v1/indicators?year=2024").get_json()
    version = store.survey.version

    def break_hb(rows):  # synthetic: an impossible hemoglobin
        rows.iloc[5, rows.columns.get_loc("HC53")] = "990"

    bad = _subset(tmp_path, [2023, 2024], "bad.csv", break_hb)
    with pytest.raises(SurveyValidationError, match=r"bad\.csv.*HC53"):
        store.replace_survey([bad])
    assert store.survey.version == version
    assert not (settings.instance_dir / "survey" / "active.parquet").exists()
    assert client.get("/api/v1/indicators?year=2024").get_json() == before


def test_good_upload_replaces_persists_and_reloads(app, client, tmp_path, settings):
    from app.store import DataStore

    store = app.server.extensions["nutrimapa"]
    good = _subset(tmp_path, [2023, 2024])
    survey = store.replace_survey([good])
    assert survey.years == [2023, 2024]
    assert client.get("/api/v1/health").get_json()["survey"]["years"] == [2023, 2024]
    # A new process (worker restart) serves the saved survey, not the bundled one.
    reloaded = DataStore.from_settings(settings)
    assert reloaded.survey.version == survey.version
    assert reloaded.survey.years == [2023, 2024]
    report = reloaded.survey.report()
    assert report["rows"] == len(survey.table)
    assert report["has_district_codes"] is False
    # Cached answers are keyed by survey version, so the year that left is now a 400.
    assert client.get("/api/v1/indicators?year=2015").status_code == 400
