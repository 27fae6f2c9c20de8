"""/api/v1/estimates and /api/v1/explanations on the committed model."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(("level", "count"), [("department", 25), ("province", 196), ("district", 1891)])
def test_model_estimates_for_every_unit(client, level, count):
    rows = client.get(f"/api/v1/estimates?level={level}&indicator=anemia").get_json()
    assert len(rows) == count
    assert all(r["method"] == "model" and r["estimate"] is not None for r in rows)
    assert all(r["ci_low"] <= r["estimate"] <= r["ci_high"] for r in rows)
    assert {r["year"] for r in rows} == {2024}


@pytest.mark.parametrize("year", [2015, 2019, 2020, 2024])
def test_model_estimates_for_every_survey_year(client, year):
    rows = client.get(f"/api/v1/estimates?level=district&indicator=stunting&method=model&year={year}").get_json()
    assert len(rows) == 1891
    assert {r["year"] for r in rows} == {year}
    assert all(r["ci_low"] <= r["estimate"] <= r["ci_high"] for r in rows)


def test_model_years_move_the_estimates(client):
    def peru(year):
        rows = client.get(f"/api/v1/estimates?level=department&indicator=stunting&year={year}").get_json()
        return {r["ubigeo"]: r["estimate"] for r in rows}

    assert peru(2015) != peru(2024)


def test_direct_estimates_stand_beside(client):
    model = {r["ubigeo"]: r for r in client.get("/api/v1/estimates?level=department&indicator=stunting").get_json()}
    direct = client.get("/api/v1/estimates?level=department&indicator=stunting&method=direct&year=2024").get_json()
    assert len(direct) == 25
    lima = next(r for r in direct if r["ubigeo"] == "15")
    assert lima["method"] == "direct"
    assert lima["n"] > 100
    assert model["15"]["n"] is None
    assert model["15"]["model_version"]


@pytest.mark.parametrize("year", ["2014", "2030", "1999"])
def test_a_year_outside_the_data_is_a_400_naming_the_years(client, year):
    resp = client.get(f"/api/v1/estimates?level=department&indicator=anemia&method=model&year={year}")
    assert resp.status_code == 400
    body = resp.get_json()
    assert body["parameter"] == "year"
    assert body["allowed"] == list(range(2015, 2025))
    assert "2015" in body["message"]
    assert "2024" in body["message"]
    assert client.get("/api/v1/estimates?method=guess").status_code == 400


def test_explanation_of_a_past_year_adds_up_with_its_calibration(client):
    body = client.get("/api/v1/explanations/0101?indicator=anemia&year=2017").get_json()
    assert body["year"] == 2017
    total = body["base_value"] + sum(c["value"] for c in body["contributions"])
    assert total == pytest.approx(body["prediction"], abs=0.01)
    calibration = next(c for c in body["contributions"] if c["feature"] == "calibration")
    assert calibration["label"] == "Ajuste a la evidencia del departamento"
    rows = client.get("/api/v1/estimates?level=province&indicator=anemia&year=2017").get_json()
    assert body["prediction"] == pytest.approx(next(r for r in rows if r["ubigeo"] == "0101")["estimate"], abs=0.06)


def test_explanation_of_puno(client):
    body = client.get("/api/v1/explanations/210101?indicator=anemia").get_json()
    assert body["name"] == "Puno"
    assert body["level"] == "district"
    total = body["base_value"] + sum(c["value"] for c in body["contributions"])
    assert total == pytest.approx(body["prediction"], abs=0.01)
    mags = [abs(c["value"]) for c in body["contributions"]]
    assert mags == sorted(mags, reverse=True)
    alt = next(c for c in body["contributions"] if c["feature"] == "altitude_m")
    assert alt["text"].startswith("Altitud en el modelo (por bandas de 250 m): 3")  # never passed off as the capital's
    assert "puntos" in alt["text"]


def test_explanation_in_english_and_for_each_level(client):
    body = client.get("/api/v1/explanations/21?indicator=stunting&lang=en").get_json()
    assert body["level"] == "department"
    assert any("points" in c["text"] for c in body["contributions"])
    assert client.get("/api/v1/explanations/2101").get_json()["level"] == "province"


@pytest.mark.parametrize("ubigeo", ["999999", "9", "abcdef", "2199"])
def test_unknown_region_is_404(client, ubigeo):
    resp = client.get(f"/api/v1/explanations/{ubigeo}")
    assert resp.status_code == 404
    assert resp.get_json()["error"] == "not_found"


def test_bad_language_is_400(client):
    assert client.get("/api/v1/explanations/21?lang=fr").status_code == 400
