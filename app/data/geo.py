"""Peru's administrative units (departments, provinces, districts) from ``geodata/``."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

log = logging.getLogger(__name__)

LEVELS = ("department", "province", "district")
FILE_STEMS = {"department": "departamentos", "province": "provincias", "district": "distritos"}
# Shapefile names (10 characters at most) -> the names the app uses.
COLUMNS = {
    "ubigeo": "ubigeo",
    "nombre": "name",
    "dep_code": "dep_code",
    "dep_nombre": "dep_name",
    "prov_code": "prov_code",
    "prov_nombr": "prov_name",
    "capital": "capital",
    "categoria": "category",
    "alt_m": "altitude_m",
    "pob_2025": "population_2025",
    "area_km2": "area_km2",
    "dens_2020": "density_2020",
    "pobreza": "poverty_pct",
    "pobreza_ex": "extreme_poverty_pct",
    "vuln_alim": "food_vulnerability",
    "idh_2019": "idh_2019",
    "lat": "lat",
    "lon": "lon",
    "has_geom": "has_geom",
}
COVARIATES = (
    "population_2025",
    "altitude_m",
    "area_km2",
    "density_2020",
    "poverty_pct",
    "extreme_poverty_pct",
    "food_vulnerability",
    "idh_2019",
    "lat",
    "lon",
)


@dataclass(frozen=True)
class Regions:
    """The three administrative levels, each a GeoDataFrame indexed by nothing, keyed by ``ubigeo``."""

    department: gpd.GeoDataFrame
    province: gpd.GeoDataFrame
    district: gpd.GeoDataFrame

    def level(self, level: str) -> gpd.GeoDataFrame:
        """The GeoDataFrame of one level; ``ValueError`` for an unknown level."""
        if level not in LEVELS:
            raise ValueError(f"level must be one of {', '.join(LEVELS)}; got {level!r}")
        return getattr(self, level)

    def table(self, level: str) -> pd.DataFrame:
        """Attributes without geometry (what the API and tables show)."""
        return pd.DataFrame(self.level(level).drop(columns="geometry"))

    def names(self, level: str) -> dict[str, str]:
        """UBIGEO -> display name with accents."""
        g = self.level(level)
        return dict(zip(g["ubigeo"], g["name"], strict=True))


def load_regions(geodata_dir: Path) -> Regions:
    """Read the three shapefiles once (the app calls this at start-up)."""
    frames = {}
    for level, stem in FILE_STEMS.items():
        path = geodata_dir / f"{stem}.shp"
        if not path.exists():
            raise FileNotFoundError(f"{path} is missing: run `python -m geodata.build`")
        g = gpd.read_file(path, engine="pyogrio", encoding="UTF-8").rename(columns=COLUMNS)
        g["has_geom"] = g["has_geom"].astype(int).astype(bool)
        for col in ("population_2025",):
            g[col] = g[col].astype("Int64")
        frames[level] = g.sort_values("ubigeo").reset_index(drop=True)
        log.info("loaded %s: %d units (%d without polygon)", path.name, len(g), (~g["has_geom"]).sum())
    return Regions(**frames)
