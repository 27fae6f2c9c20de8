"""The bundled shapefiles: every unit of Peru, correct parents, valid geometry, covariates."""

from __future__ import annotations

import json

import geopandas as gpd
import pandas as pd
import pytest

from app.config import ROOT
from geodata import build

NO_POLYGON = {"070105", "070107", "200602", "210103"}  # documented source defects


def test_unit_counts(regions):
    assert len(regions.department) == 25
    assert len(regions.province) == 196
    assert len(regions.district) == 1891
    for level in ("department", "province", "district"):
        assert regions.level(level)["ubigeo"].is_unique


def test_parents_are_consistent(regions):
    d, p = regions.district, regions.province
    assert (d["prov_code"] == d["ubigeo"].str[:4]).all()
    assert (d["dep_code"] == d["ubigeo"].str[:2]).all()
    assert set(d["prov_code"]) == set(p["ubigeo"])
    assert set(p["dep_code"]) == set(regions.department["ubigeo"])


def test_every_district_has_a_polygon_or_is_listed(regions):
    d = regions.district
    without = set(d.loc[~d["has_geom"], "ubigeo"])
    assert without == NO_POLYGON
    assert d.loc[~d["has_geom"], "geometry"].isna().all()
    assert d.loc[d["has_geom"], "geometry"].notna().all()
    # Districts without a polygon still have capital coordinates to place a point.
    assert d.loc[~d["has_geom"], ["lat", "lon"]].notna().all().all()


def test_geometry_valid_and_in_wgs84(regions):
    for level in ("department", "province", "district"):
        g = regions.level(level)
        assert g.crs.to_epsg() == 4326
        geoms = g.geometry.dropna()
        assert geoms.is_valid.all()
        assert set(geoms.geom_type) <= {"Polygon", "MultiPolygon"}
        minx, miny, maxx, maxy = geoms.total_bounds
        assert -82 < minx < maxx < -68
        assert -19 < miny < maxy < 0


def test_display_names_keep_accents(regions):
    assert regions.names("department")["02"] == "Áncash"
    assert regions.names("district")["010102"] == "Asunción"
    assert regions.names("district")["210103"] == "Amantani"  # as INEI's 2025 directory spells it
    assert regions.names("province")["1501"] == "Lima"


def test_aggregates_are_population_weighted(regions):
    d = regions.district
    dep = regions.department.set_index("ubigeo")
    puno = d[d["dep_code"] == "21"]
    assert dep.loc["21", "population_2025"] == puno["population_2025"].sum()
    ok = puno["poverty_pct"].notna()
    expected = (puno.loc[ok, "poverty_pct"] * puno.loc[ok, "population_2025"]).sum() / puno.loc[
        ok, "population_2025"
    ].sum()
    assert dep.loc["21", "poverty_pct"] == pytest.approx(expected, rel=1e-6)
    assert dep.loc["21", "altitude_m"] > 3000  # the altiplano


def test_committed_shapefiles_match_the_build(tmp_path):
    """geodata/ is reproducible from data/raw with `python -m geodata.build`."""
    levels = build.build_levels()
    build.write_all(levels, tmp_path)
    for stem in ("departamentos", "provincias", "distritos"):
        fresh = gpd.read_file(tmp_path / f"{stem}.shp")
        committed = gpd.read_file(ROOT / "geodata" / f"{stem}.shp")
        pd.testing.assert_frame_equal(
            pd.DataFrame(fresh.drop(columns="geometry")), pd.DataFrame(committed.drop(columns="geometry"))
        )
        has = committed.geometry.notna()
        assert (fresh.geometry.notna() == has).all()
        assert fresh.geometry[has].geom_equals_exact(committed.geometry[has], tolerance=1e-9).all()
        assert (tmp_path / "web" / f"{stem}.geojson").read_bytes() == (
            ROOT / "geodata" / "web" / f"{stem}.geojson"
        ).read_bytes()


def test_web_geojson_is_compact_and_keyed(regions):
    fc = json.loads((ROOT / "geodata" / "web" / "distritos.geojson").read_text())
    ids = {f["id"] for f in fc["features"]}
    assert ids == set(regions.district.loc[regions.district["has_geom"], "ubigeo"])
    coords = fc["features"][0]["geometry"]["coordinates"][0][0]
    assert all(len(str(c).split(".")[-1]) <= 3 for c in coords)
