"""Tabular and GIS exports of a map view (level x indicator x method x year)."""

from __future__ import annotations

import io
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import pandas as pd

from app.__about__ import __version__

# Documented column names (also in the metadata sidecar and the README).
COLUMNS = {
    "ubigeo": "INEI UBIGEO code of the region (2, 4 or 6 digits)",
    "nombre": "Region name as INEI writes it",
    "nivel": "departamento, provincia or distrito",
    "ubigeo_departamento": "UBIGEO of the department",
    "ubigeo_provincia": "UBIGEO of the province (districts and provinces)",
    "indicador": "anemia (hemoglobin adjusted for altitude < 11 g/dL) or desnutricion_cronica (height-for-age z < -2)",
    "grupo_edad": "age group of the children the indicator covers, in months (6-35)",
    "metodo": "modelo (model-based small-area estimate) or directa (survey-weighted direct estimate)",
    "anio": "survey year the estimate refers to",
    "estimacion_pct": "estimated percent of children aged 6-35 months; empty when not reported",
    "ic95_inferior_pct": "lower bound of the 95 % interval (percent)",
    "ic95_superior_pct": "upper bound of the 95 % interval (percent)",
    "n_muestra": "unweighted children in the survey sample (direct estimates only)",
    "nota": "suprimido (< 25 children), impreciso (25-49), sin_datos (no survey data); empty otherwise",
    "version_modelo": "model version that produced model estimates",
}
# The same descriptions in Spanish (the metadata carries both: "columnas" and "columns").
COLUMNS_ES = {
    "ubigeo": "Código UBIGEO del INEI de la región (2, 4 o 6 dígitos)",
    "nombre": "Nombre de la región como lo escribe el INEI",
    "nivel": "departamento, provincia o distrito",
    "ubigeo_departamento": "UBIGEO del departamento",
    "ubigeo_provincia": "UBIGEO de la provincia (distritos y provincias)",
    "indicador": "anemia (hemoglobina ajustada por altitud < 11 g/dL) o desnutricion_cronica (talla para la edad, "
    "z < -2)",
    "grupo_edad": "grupo de edad de los niños que cubre el indicador, en meses (6-35)",
    "metodo": "modelo (estimación para áreas pequeñas basada en un modelo) o directa (estimación directa "
    "ponderada de la encuesta)",
    "anio": "año de la encuesta al que se refiere la estimación",
    "estimacion_pct": "porcentaje estimado de niños de 6 a 35 meses; vacío cuando no se informa",
    "ic95_inferior_pct": "límite inferior del intervalo de 95 % (margen del modelo o intervalo de la encuesta, en %)",
    "ic95_superior_pct": "límite superior del intervalo de 95 % (margen del modelo o intervalo de la encuesta, en %)",
    "n_muestra": "niños en la muestra de la encuesta, sin ponderar (solo estimaciones directas)",
    "nota": "suprimido (< 25 niños), impreciso (25-49), sin_datos (sin datos en la encuesta); vacío si no",
    "version_modelo": "versión del modelo que produjo las estimaciones del modelo",
}
LEVEL_ES = {"department": "departamento", "province": "provincia", "district": "distrito"}
INDICATOR_ES = {"anemia": "anemia", "stunting": "desnutricion_cronica"}
FLAG_ES = {"suppressed": "suprimido", "imprecise": "impreciso", "no_data": "sin_datos"}


def estimates_frame(rows: list[dict], level: str, indicator: str, method: str, year: int) -> pd.DataFrame:
    """API rows -> the documented export columns (missing stays empty, never zero)."""
    df = pd.DataFrame(rows)
    out = pd.DataFrame(
        {
            "ubigeo": df["ubigeo"],
            "nombre": df["name"],
            "nivel": LEVEL_ES[level],
            "ubigeo_departamento": df["department_ubigeo"],
            "ubigeo_provincia": df["province_ubigeo"],
            "indicador": INDICATOR_ES[indicator],
            "grupo_edad": "6-35",
            "metodo": "modelo" if method == "model" else "directa",
            "anio": year,
            "estimacion_pct": df["estimate"],
            "ic95_inferior_pct": df["ci_low"],
            "ic95_superior_pct": df["ci_high"],
            "n_muestra": df["n"].astype("Int64") if "n" in df else pd.NA,
            "nota": df["flag"].map(FLAG_ES).fillna("") if "flag" in df else "",
            "version_modelo": df.get("model_version", pd.Series([None] * len(df))).fillna(""),
        }
    )
    return out[list(COLUMNS)]


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 with BOM so Excel shows the accents; empty cells where there is no estimate."""
    return frame.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def metadata(level: str, indicator: str, method: str, year: int, model_version: str, model_created: str) -> dict:
    """The sidecar describing a download: source, model, date and every column."""
    return {
        "title": f"NutriMapa Perú: {INDICATOR_ES[indicator]} (niños de 6 a 35 meses) por {LEVEL_ES[level]}, {year}",
        "source": "INEI, Encuesta Demográfica y de Salud Familiar (ENDES); límites INEI/IDEP",
        "method": method,
        "model_version": model_version,
        "model_created_at": model_created,
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "app_version": __version__,
        "population": "children aged 6-35 months",
        "poblacion": "niños de 6 a 35 meses",
        "columns": COLUMNS,
        "columnas": COLUMNS_ES,
    }


def with_geometry(frame: pd.DataFrame, regions_gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Attach full-resolution boundaries (EPSG:4326); regions without a polygon keep an empty geometry."""
    geo = regions_gdf[["ubigeo", "geometry"]]
    return gpd.GeoDataFrame(frame.merge(geo, on="ubigeo", how="left"), geometry="geometry", crs=4326)


def to_geopackage_bytes(gdf: gpd.GeoDataFrame, layer: str) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "export.gpkg"
        gdf.to_file(path, layer=layer, driver="GPKG", engine="pyogrio")
        return path.read_bytes()


def to_geojson_bytes(gdf: gpd.GeoDataFrame) -> bytes:
    buf = io.StringIO()
    buf.write(gdf.to_json(na="null", drop_id=True, ensure_ascii=False))
    return buf.getvalue().encode("utf-8")
