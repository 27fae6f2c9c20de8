"""The JSON API: shapes, counts, and 400s (never 500s) for bad parameters."""

from __future__ import annotations

import pytest


def test_health(client):
    body = client.get("/api/v1/health").get_json()
    assert body["status"] == "ok"
    assert body["regions"] == {"department": 25, "province": 196, "district": 1891}
    assert body["survey"]["years"][-1] == 2024


@pytest.mark.parametrize(("level", "count"), [("department", 25), ("province", 196), ("district", 1891)])
def test_regions_per_level(client, level, count):
    rows = client.get(f"/api/v1/regions?level={level}").get_json()
    assert len(rows) == count
    first = rows[0]
    for key in (
        "ubigeo",
        "name",
        "department_ubigeo",
        "province_ubigeo",
        "population_2025",
        "altitude_m",
        "poverty_pct",
        "has_geometry",
    ):
        assert key in first


def test_district_regions_carry_parents_and_covariates(client):
    rows = {r["ubigeo"]: r for r in client.get("/api/v1/regions?level=district").get_json()}
    puno = rows["210101"]
    assert puno["name"] == "Puno"
    assert puno["department_ubigeo"] == "21"
    assert puno["province_ubigeo"] == "2101"
    assert puno["altitude_m"] > 3800
    assert rows["210103"]["has_geometry"] is False


def test_indicators_department(client):
    rows = client.get("/api/v1/indicators?level=department&indicator=anemia&year=2024").get_json()
    assert len(rows) == 25
    lima = next(r for r in rows if r["ubigeo"] == "15")
    assert lima["name"] == "Lima"
    assert lima["ci_low"] < lima["estimate"] < lima["ci_high"]
    assert lima["n"] > 100
    assert set(lima) >= {"ubigeo", "name", "estimate", "ci_low", "ci_high", "n", "flag"}


def test_indicators_default_to_latest_year_and_anemia(client):
    assert (
        client.get("/api/v1/indicators").get_json()
        == client.get("/api/v1/indicators?level=department&indicator=anemia&year=2024").get_json()
    )


def test_district_indicators_say_no_data_not_zero(client):
    rows = client.get("/api/v1/indicators?level=district&indicator=stunting").get_json()
    assert len(rows) == 1891
    assert all(r["estimate"] is None and r["flag"] == "no_data" for r in rows)


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("level=country", "level"),
        ("indicator=obesity", "indicator"),
        ("year=abc", "year"),
        ("year=1999", "year"),
        ("year=2024.5", "year"),
        ("age_group=0-5", "age_group"),
    ],
)
def test_bad_parameters_get_400_with_a_message(client, query, parameter):
    resp = client.get(f"/api/v1/indicators?{query}")
    assert resp.status_code == 400
    body = resp.get_json()
    assert body["parameter"] == parameter
    assert body["message"]


def test_unknown_route_is_json_404(client):
    resp = client.get("/api/v1/nothing-here")
    assert resp.status_code == 404
    assert resp.get_json()["error"] == "not_found"


def test_geometry_is_served_gzipped_with_etag(client):
    resp = client.get("/geo/departamentos.geojson", headers={"Accept-Encoding": "gzip"})
    assert resp.status_code == 200
    assert resp.headers["Content-Encoding"] == "gzip"
    assert "max-age" in resp.headers["Cache-Control"]
    again = client.get(
        "/geo/departamentos.geojson", headers={"Accept-Encoding": "gzip", "If-None-Match": resp.headers["ETag"]}
    )
    assert again.status_code == 304
    plain = client.get("/geo/departamentos.geojson")
    assert plain.get_json()["features"][0]["id"]
    assert client.get("/geo/paises.geojson").status_code == 404


def test_home_page_and_base_map_are_local(client):
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="es">' in html
    assert "cdn" not in html.lower()
    resp = client.get("/assets/topojson/south-america_50m.json")
    assert resp.status_code == 200
    assert resp.get_json()["type"] == "Topology"
    resp.close()


@pytest.mark.parametrize(
    ("url", "headers", "location"),
    [
        ("/idioma/en?next=/distrito/210101", {}, "/distrito/210101"),
        ("/idioma/en", {"Referer": "http://localhost/provincia/0101"}, "/provincia/0101"),
        ("/idioma/en?next=https://evil.example/x", {}, "/"),
        ("/idioma/en?next=//evil.example/x", {}, "/"),
        ("/idioma/en", {"Referer": "https://evil.example/x"}, "/"),
    ],
)
def test_language_switch_sets_cookie_and_never_redirects_offsite(client, url, headers, location):
    resp = client.get(url, headers=headers)
    assert resp.status_code == 302
    assert resp.headers["Location"] == location
    assert "nutrimapa_lang=en" in resp.headers["Set-Cookie"]


def test_scripts_are_gzipped_and_revalidate(client):
    html = client.get("/").get_data(as_text=True)
    import re

    css = re.search(r'href="(/assets/style\.css[^"]*)"', html).group(1)
    with client.get(css, headers={"Accept-Encoding": "gzip"}) as first:
        assert first.headers["Content-Encoding"] == "gzip"
        etag = first.headers["ETag"]
    assert etag.endswith('-gz"')
    with client.get(css, headers={"Accept-Encoding": "gzip", "If-None-Match": etag}) as again:
        assert again.status_code == 304  # a repeat visit revalidates: nothing re-downloaded
    script = re.search(r'src="(/_dash-component-suites/dash/dash-renderer/[^"]+)"', html).group(1)
    resp = client.get(script, headers={"Accept-Encoding": "gzip"})
    assert resp.headers["Content-Encoding"] == "gzip"
    assert resp.cache_control.max_age == 31536000  # fingerprinted: cached for a year, never re-downloaded
    plotly = client.get(
        "/_dash-component-suites/plotly/package_data/plotly.min.js", headers={"Accept-Encoding": "gzip"}
    )
    assert plotly.headers["Content-Encoding"] == "gzip"
    assert len(plotly.data) < 1_600_000  # about 4.8 MB raw
