"""Normalise ENDES labels, which arrive in Spanish, English, as codes or with mojibake."""

from __future__ import annotations

import unicodedata

import numpy as np
import pandas as pd

DEPARTMENTS = {
    "01": "Amazonas",
    "02": "Áncash",
    "03": "Apurímac",
    "04": "Arequipa",
    "05": "Ayacucho",
    "06": "Cajamarca",
    "07": "Callao",
    "08": "Cusco",
    "09": "Huancavelica",
    "10": "Huánuco",
    "11": "Ica",
    "12": "Junín",
    "13": "La Libertad",
    "14": "Lambayeque",
    "15": "Lima",
    "16": "Loreto",
    "17": "Madre de Dios",
    "18": "Moquegua",
    "19": "Pasco",
    "20": "Piura",
    "21": "Puno",
    "22": "San Martín",
    "23": "Tacna",
    "24": "Tumbes",
    "25": "Ucayali",
}


def fold(text: object) -> str:
    """Lower-case, accent-free, single-spaced text ('Más Rico ' -> 'mas rico')."""
    s = unicodedata.normalize("NFKD", str(text))
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    return " ".join(s.lower().replace("_", " ").split())


_DEPT_ALIASES = {fold(name): code for code, name in DEPARTMENTS.items()}
_DEPT_ALIASES.update(
    {
        "ancash": "02",
        "apurimac": "03",
        "huanuco": "10",
        "junin": "12",
        "san martin": "22",
        "cuzco": "08",
        "lima metropolitana": "15",
        "lima provincias": "15",
        "region lima": "15",
        "provincia de lima": "15",
        "prov. const. del callao": "07",
        "provincia constitucional del callao": "07",
    }
)
# ENDES codes HV024 with the department's UBIGEO number (1 = Amazonas ... 25 = Ucayali).
_DEPT_ALIASES.update({str(int(code)): code for code in DEPARTMENTS})
_DEPT_ALIASES.update({code: code for code in DEPARTMENTS})

SEX = {
    "hombre": "hombre",
    "male": "hombre",
    "masculino": "hombre",
    "1": "hombre",
    "mujer": "mujer",
    "female": "mujer",
    "femenino": "mujer",
    "2": "mujer",
}
AREA = {"urbano": "urbano", "urban": "urbano", "1": "urbano", "rural": "rural", "2": "rural"}
EDUCATION = {
    "sin educacion": "sin educación",
    "no education": "sin educación",
    "sin nivel": "sin educación",
    "inicial": "sin educación",
    "0": "sin educación",
    "primaria": "primaria",
    "primary": "primaria",
    "1": "primaria",
    "secundaria": "secundaria",
    "secondary": "secundaria",
    "2": "secundaria",
    "superior": "superior",
    "higher": "superior",
    "3": "superior",
}
EDUCATION_ORDER = ["sin educación", "primaria", "secundaria", "superior"]
WEALTH = {
    "mas pobre": 1,
    "poorest": 1,
    "quintil inferior": 1,
    "1": 1,
    "pobre": 2,
    "poorer": 2,
    "segundo quintil": 2,
    "2": 2,
    "medio": 3,
    "middle": 3,
    "quintil intermedio": 3,
    "3": 3,
    "rico": 4,
    "richer": 4,
    "cuarto quintil": 4,
    "4": 4,
    "mas rico": 5,
    "richest": 5,
    "quintil superior": 5,
    "5": 5,
}
YES_NO = {"si": True, "yes": True, "1": True, "true": True, "no": False, "0": False, "false": False}
ANEMIA_LEVEL = {
    "grave": "severa",
    "severa": "severa",
    "severe": "severa",
    "1": "severa",
    "moderada": "moderada",
    "moderar": "moderada",
    "moderate": "moderada",
    "2": "moderada",
    "leve": "leve",
    "mild": "leve",
    "3": "leve",
    "sin anemia": "sin anemia",
    "not anemic": "sin anemia",
    "no anemico": "sin anemia",
    "4": "sin anemia",
}
# HC55, hemoglobin measurement result: 0 measured, 1 not present, 2 refused, 3 other.
MEASURED = {
    "medido": True,
    "measured": True,
    "0": True,
    "no presente": False,
    "not present": False,
    "1": False,
    "rechazo": False,
    "rechazado": False,
    "refused": False,
    "2": False,
    "otro": False,
    "other": False,
    "3": False,
}


def _key(value: object) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    if isinstance(value, (int, float, np.integer, np.floating)) and float(value).is_integer():
        return str(int(value))
    k = fold(value)
    # "2.0" from a CSV of floats is the code 2.
    if k.endswith(".0") and k[:-2].isdigit():
        k = k[:-2]
    return k or None


def normalise(series: pd.Series, mapping: dict) -> tuple[pd.Series, pd.Series]:
    """Map labels to canonical values; returns (values, mask of unrecognised non-missing labels)."""
    keys = series.map(_key)
    missing = keys.isna() | keys.isin(["nan", "na", "none", "no sabe", "missing", "8", "9", "99"])
    values = keys.map(mapping)
    bad = values.isna() & ~missing
    return values, bad


def department_code(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """HV024 as a name (any accents, case) or an ENDES code -> 2-digit UBIGEO."""
    return normalise(series, _DEPT_ALIASES)
