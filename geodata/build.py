"""Build Peru's boundary shapefiles and browser GeoJSON from the bundled raw data.

Run ``python -m geodata.build`` from the repository root. Inputs (copied from
INEI-derived public sources, see ``data/README.md``):

* ``data/raw/boundaries/peru-100k.topojson``: district polygons (``level4``),
  provinces (``level3``) and departments (``level2``) merged from the districts.
* ``data/raw/ubigeo/ubigeo_inei_2025.csv``: the master list of 1,891 districts
  (names with accents, capital, altitude, 2025 population, coordinates).
* ``data/raw/ubigeo/ubigeo_distrito.csv``: district covariates (area, density,
  poverty, food vulnerability, IDH).

Outputs, all EPSG:4326 and keyed by UBIGEO:

* ``geodata/{departamentos,provincias,distritos}.shp``: valid geometries and
  covariates (provinces and departments get population-weighted aggregates).
  Districts without a polygon in the source keep a row with a null geometry and
  ``has_geom = 0``; the app shows them as a point at the capital.
* ``geodata/web/{level}.geojson`` (+ ``.gz``): simplified with a coverage-aware
  algorithm (shared borders stay shared) and rounded to 0.001° (about 110 m).

The script prints a JSON report with counts and the web files' raw and gzipped
bytes.
"""

from __future__ import annotations

import gzip
import json
import logging
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"
OUT = ROOT / "geodata"

log = logging.getLogger(__name__)

# Shapefile field names are limited to 10 characters; app.data.geo maps them back.
FIELDS = {
    "ubigeo": "ubigeo",
    "name": "nombre",
    "dep_code": "dep_code",
    "dep_name": "dep_nombre",
    "prov_code": "prov_code",
    "prov_name": "prov_nombr",
    "capital": "capital",
    "category": "categoria",
    "altitude_m": "alt_m",
    "population_2025": "pob_2025",
    "area_km2": "area_km2",
    "density_2020": "dens_2020",
    "poverty_pct": "pobreza",
    "extreme_poverty_pct": "pobreza_ex",
    "food_vulnerability": "vuln_alim",
    "idh_2019": "idh_2019",
    "lat": "lat",
    "lon": "lon",
    "has_geom": "has_geom",
}

LEVELS = {"department": "departamentos", "province": "provincias", "district": "distritos"}
WEB_GRID_DEG = 0.001
SIMPLIFY_TOLERANCE_DEG = 0.002


def read_master_districts(raw: Path = RAW) -> pd.DataFrame:
    """The 2025 INEI directory joined with the district covariates."""
    master = pd.read_csv(raw / "ubigeo" / "ubigeo_inei_2025.csv", sep=";", encoding="utf-8-sig", dtype={"ubigeo": str})
    master = master.rename(
        columns={
            "departamento": "dep_name",
            "provincia": "prov_name",
            "distrito": "name",
            "capital_legal": "capital",
            "categoría": "category",
            "altitud": "altitude_m",
            "población": "population_2025",
            "latitud": "lat",
            "longitud": "lon",
        }
    )
    master["ubigeo"] = master["ubigeo"].str.zfill(6)
    cov = pd.read_csv(raw / "ubigeo" / "ubigeo_distrito.csv", dtype={"inei": str}, na_values=["S.I.", "NA", ""])
    cov = cov.rename(
        columns={
            "inei": "ubigeo",
            "superficie": "area_km2",
            "pob_densidad_2020": "density_2020",
            "indice_vulnerabilidad_alimentaria": "food_vulnerability",
            "idh_2019": "idh_2019",
            "pct_pobreza_total": "poverty_pct",
            "pct_pobreza_extrema": "extreme_poverty_pct",
            "altitude": "altitude_cov",
            "latitude": "lat_cov",
            "longitude": "lon_cov",
        }
    )
    cov_cols = [
        "ubigeo",
        "area_km2",
        "density_2020",
        "food_vulnerability",
        "idh_2019",
        "poverty_pct",
        "extreme_poverty_pct",
        "altitude_cov",
        "lat_cov",
        "lon_cov",
    ]
    df = master.merge(cov[cov_cols], on="ubigeo", how="left", validate="one_to_one")
    # The 2025 table is the master; fall back to the covariate table where it is blank.
    for col, fallback in (("altitude_m", "altitude_cov"), ("lat", "lat_cov"), ("lon", "lon_cov")):
        df[col] = df[col].fillna(df[fallback])
    df = df.drop(columns=["altitude_cov", "lat_cov", "lon_cov"])
    df["dep_code"] = df["ubigeo"].str[:2]
    df["prov_code"] = df["ubigeo"].str[:4]
    return df


def _weighted_mean(values: pd.Series, weights: pd.Series) -> float:
    ok = values.notna() & weights.notna() & (weights > 0)
    if not ok.any():
        return float("nan")
    return float(np.average(values[ok], weights=weights[ok]))


def aggregate(districts: pd.DataFrame, key: str) -> pd.DataFrame:
    """Population-weighted covariates of provinces (``prov_code``) or departments (``dep_code``)."""
    rows = []
    for code, grp in districts.groupby(key, sort=True):
        pop = grp["population_2025"]
        area_known = grp["area_km2"].notna()
        pop2020 = (grp["density_2020"] * grp["area_km2"]).where(area_known)
        rows.append(
            {
                "ubigeo": code,
                "population_2025": int(pop.sum()),
                "altitude_m": _weighted_mean(grp["altitude_m"], pop),
                "poverty_pct": _weighted_mean(grp["poverty_pct"], pop),
                "extreme_poverty_pct": _weighted_mean(grp["extreme_poverty_pct"], pop),
                "food_vulnerability": _weighted_mean(grp["food_vulnerability"], pop),
                "idh_2019": _weighted_mean(grp["idh_2019"], pop),
                # Only where every district's area is known; otherwise unknown, not a guess.
                "area_km2": float(grp["area_km2"].sum()) if area_known.all() else float("nan"),
                # A ratio: over the districts whose area is known.
                "density_2020": float(pop2020.sum() / grp.loc[area_known, "area_km2"].sum())
                if area_known.any()
                else float("nan"),
            }
        )
    return pd.DataFrame(rows)


def _polygonal(geom: shapely.Geometry | None) -> shapely.Geometry | None:
    """Keep the polygonal part of what make_valid returns (it may add lines or points)."""
    if geom is None:
        return None
    parts = shapely.get_parts(geom)
    polys = parts[np.isin(shapely.get_type_id(parts), (3, 6))]
    return shapely.union_all(polys) if len(polys) else None


def read_polygons(raw: Path, layer: str) -> gpd.GeoDataFrame:
    """One TopoJSON level, made valid, with degenerate shapes reported as missing."""
    g = gpd.read_file(raw / "boundaries" / "peru-100k.topojson", layer=layer)
    g = g.set_crs(4326, allow_override=True)
    g["geometry"] = g.geometry.make_valid()
    g["geometry"] = [_polygonal(geom) for geom in g.geometry]
    g.loc[g.is_empty | ~g.geom_type.isin(["Polygon", "MultiPolygon"]), "geometry"] = None
    return g.rename(columns={"id": "ubigeo"})[["ubigeo", "geometry"]]


def build_levels(raw: Path = RAW) -> dict[str, gpd.GeoDataFrame]:
    """Return the three levels as GeoDataFrames with long column names."""
    districts = read_master_districts(raw)
    dist_poly = read_polygons(raw, "level4")
    unknown = sorted(set(dist_poly["ubigeo"]) - set(districts["ubigeo"]))
    if unknown:
        raise ValueError(f"peru-100k.topojson has districts missing from the 2025 UBIGEO table: {unknown}")
    d = gpd.GeoDataFrame(districts.merge(dist_poly, on="ubigeo", how="left"), geometry="geometry", crs=4326)
    d["has_geom"] = d.geometry.notna().astype(int)

    names = districts.drop_duplicates("prov_code").set_index("prov_code")
    prov = aggregate(districts, "prov_code").merge(read_polygons(raw, "level3"), on="ubigeo", how="left")
    prov["name"] = prov["ubigeo"].map(names["prov_name"])
    prov["dep_code"] = prov["ubigeo"].str[:2]
    prov["dep_name"] = prov["ubigeo"].map(names["dep_name"])
    prov["prov_code"] = prov["ubigeo"]
    prov["prov_name"] = prov["name"]

    dep_names = districts.drop_duplicates("dep_code").set_index("dep_code")["dep_name"]
    dep = aggregate(districts, "dep_code").merge(read_polygons(raw, "level2"), on="ubigeo", how="left")
    dep["name"] = dep["ubigeo"].map(dep_names)
    dep["dep_code"] = dep["ubigeo"]
    dep["dep_name"] = dep["name"]

    out = {}
    for level, frame in (("department", dep), ("province", prov), ("district", d)):
        g = gpd.GeoDataFrame(frame, geometry="geometry", crs=4326)
        if level != "district":
            g["has_geom"] = g.geometry.notna().astype(int)
            # Aggregates are located at a point inside their polygon.
            pts = g.geometry.representative_point()
            g["lat"], g["lon"] = pts.y.round(6), pts.x.round(6)
        for col in FIELDS:
            if col not in g.columns:
                g[col] = None
        out[level] = g[[*list(FIELDS), "geometry"]].sort_values("ubigeo").reset_index(drop=True)
    return out


def _rounded(coords: list | tuple) -> list:
    """Round nested coordinates to the web grid (set_precision leaves float noise)."""
    if isinstance(coords[0], (list, tuple)):
        return [_rounded(c) for c in coords]
    return [round(coords[0], 3), round(coords[1], 3)]


def web_geojson(g: gpd.GeoDataFrame) -> str:
    """Compact GeoJSON for the browser: feature ``id`` = UBIGEO, coverage-simplified, rounded."""
    s = g[g.geometry.notna()][["ubigeo", "geometry"]].copy()
    s["geometry"] = s.geometry.simplify_coverage(SIMPLIFY_TOLERANCE_DEG)
    s["geometry"] = shapely.set_precision(s.geometry.values, WEB_GRID_DEG)
    features = []
    for ubigeo, geom in zip(s["ubigeo"], s.geometry, strict=True):
        if geom is None or geom.is_empty:
            continue
        gj = shapely.geometry.mapping(geom)
        features.append(
            {
                "type": "Feature",
                "id": ubigeo,
                "properties": {},
                "geometry": {"type": gj["type"], "coordinates": _rounded(gj["coordinates"])},
            }
        )
    return json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":"))


def write_all(levels: dict[str, gpd.GeoDataFrame], out: Path = OUT) -> dict:
    """Write shapefiles and web files; return a report of counts and sizes."""
    (out / "web").mkdir(parents=True, exist_ok=True)
    report: dict = {"levels": {}}
    for level, g in levels.items():
        stem = LEVELS[level]
        shp = g.rename(columns=FIELDS)
        shp.to_file(out / f"{stem}.shp", engine="pyogrio", encoding="UTF-8")
        web = web_geojson(g)
        raw_bytes = web.encode()
        (out / "web" / f"{stem}.geojson").write_bytes(raw_bytes)
        gz = gzip.compress(raw_bytes, compresslevel=9, mtime=0)
        (out / "web" / f"{stem}.geojson.gz").write_bytes(gz)
        report["levels"][level] = {
            "units": len(g),
            "with_polygon": int(g["has_geom"].sum()),
            "without_polygon": sorted(g.loc[g["has_geom"] == 0, "ubigeo"].tolist()),
            "web_geojson_bytes": len(raw_bytes),
            "web_geojson_gzip_bytes": len(gz),
        }
    return report


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    levels = build_levels()
    report = write_all(levels)
    sys.stdout.write(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
