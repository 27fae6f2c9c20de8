"""Downloads: PDF reports, CSV, GeoPackage and GeoJSON, checked against the API's own numbers."""

from __future__ import annotations

import io
import shutil
import subprocess

import geopandas as gpd
import pandas as pd
import pytest
from pypdf import PdfReader


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.mark.parametrize(
    ("ubigeo", "name"), [("210101", "Puno"), ("21", "Puno"), ("0101", "Chachapoyas"), ("210103", "Amantani")]
)
def test_region_report_has_the_api_numbers(client, ubigeo, name):
    resp = client.get(f"/api/v1/reports/{ubigeo}.pdf")
    assert resp.status_code == 200
    assert resp.mimetype == "application/pdf"
    text = _pdf_text(resp.data)
    assert name in text
    level = {2: "department", 4: "province", 6: "district"}[len(ubigeo)]
    for indicator in ("anemia", "stunting"):
        row = next(
            r
            for r in client.get(f"/api/v1/estimates?level={level}&indicator={indicator}").get_json()
            if r["ubigeo"] == ubigeo
        )
        # Spanish decimal commas; the interval on its own line under the estimate.
        es = f"{row['estimate']:.1f} %\n({row['ci_low']:.1f}-{row['ci_high']:.1f})".replace(".", ",")
        assert es in text
    assert "INEI" in text
    assert "SHAP" in text


def test_department_report_carries_direct_survey_figures(client):
    text = _pdf_text(client.get("/api/v1/reports/15.pdf").data)
    direct = next(
        r for r in client.get("/api/v1/indicators?level=department&year=2024").get_json() if r["ubigeo"] == "15"
    )
    assert f"n = {direct['n']}" in text


def test_report_in_english_and_national_report(client):
    text = _pdf_text(client.get("/api/v1/reports/21.pdf?lang=en").data)
    assert "Why: main drivers" in text
    national = _pdf_text(client.get("/api/v1/reports/peru.pdf").data)
    for name in ("Amazonas", "Áncash", "Ucayali", "Perú"):
        assert name in national


def test_report_page_renders_to_png(client, tmp_path, artifacts):
    if not shutil.which("pdftoppm"):
        pytest.skip("poppler-utils (pdftoppm) not installed")
    pdf = tmp_path / "puno.pdf"
    pdf.write_bytes(client.get("/api/v1/reports/210101.pdf").data)
    subprocess.run(
        ["pdftoppm", "-r", "70", "-png", "-f", "1", "-l", "1", str(pdf), str(artifacts / "report-puno")],
        check=True,
        timeout=60,
    )
    png = next(artifacts.glob("report-puno*.png"))
    assert png.stat().st_size > 20_000


@pytest.mark.parametrize("path", ["/api/v1/reports/999999.pdf", "/api/v1/reports/abc.pdf", "/api/v1/reports/99.pdf"])
def test_unknown_region_report_is_404(client, path):
    assert client.get(path).status_code == 404


def test_csv_round_trips_with_accents_and_marks_suppressed_cells(client):
    resp = client.get("/api/v1/estimates.csv?level=department&indicator=anemia&method=direct&year=2020")
    assert resp.data.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    assert "describedby" in resp.headers["Link"]
    df = pd.read_csv(io.BytesIO(resp.data), encoding="utf-8-sig", dtype={"ubigeo": str})
    assert len(df) == 25
    assert "Áncash" in set(df["nombre"])
    assert "Apurímac" in set(df["nombre"])
    api = {r["ubigeo"]: r for r in client.get("/api/v1/indicators?level=department&year=2020").get_json()}
    for row in df.itertuples():
        if api[row.ubigeo]["estimate"] is None:
            assert pd.isna(row.estimacion_pct)  # never a zero
            assert row.nota == "suprimido"
        else:
            assert row.estimacion_pct == pytest.approx(api[row.ubigeo]["estimate"])


def test_csv_metadata_sidecar_documents_columns(client):
    meta = client.get("/api/v1/estimates.meta.json?level=district").get_json()
    from app.config import ROOT

    assert meta["model_version"] == (ROOT / "models" / "ACTIVE").read_text().strip()
    assert "INEI" in meta["source"]
    df = pd.read_csv(io.BytesIO(client.get("/api/v1/estimates.csv?level=district").data), encoding="utf-8-sig")
    assert list(df.columns) == list(meta["columns"])
    assert len(df) == 1891


def test_geopackage_opens_with_every_region(client, tmp_path):
    path = tmp_path / "d.gpkg"
    path.write_bytes(client.get("/api/v1/estimates.gpkg?level=district&indicator=stunting").data)
    gdf = gpd.read_file(path)
    assert len(gdf) == 1891
    assert gdf.crs.to_epsg() == 4326
    assert gdf.geometry.notna().sum() == 1887  # four districts have no polygon in the source
    assert gdf["estimacion_pct"].notna().all()


def test_geojson_download(client):
    gdf = gpd.read_file(io.BytesIO(client.get("/api/v1/estimates.geojson?level=province").data))
    assert len(gdf) == 196
    assert "Chachapoyas" in set(gdf["nombre"])


def test_bad_export_parameters_are_400(client):
    assert client.get("/api/v1/estimates.csv?level=country").status_code == 400
    assert client.get("/api/v1/estimates.gpkg?indicator=x").status_code == 400
    assert client.get("/api/v1/estimates.xlsx").status_code == 404
