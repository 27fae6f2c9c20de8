"""The model's feature spec: what goes in, how it is encoded, and how it reads in words."""

from __future__ import annotations

import numpy as np
import pandas as pd

from app.data.labels import DEPARTMENTS, EDUCATION_ORDER

UNKNOWN = "desconocido"
NUMERIC = ("age_months", "altitude_m", "year")
CATEGORICAL: dict[str, tuple[str, ...]] = {
    "sex": ("hombre", "mujer"),
    "area": ("urbano", "rural"),
    "wealth": ("1", "2", "3", "4", "5", UNKNOWN),
    "education": (*EDUCATION_ORDER, UNKNOWN),
    "department": tuple(DEPARTMENTS),
}
FEATURES = (*NUMERIC, *CATEGORICAL)
TARGETS = ("anemia", "stunting")
TARGET_COLUMNS = {"anemia": "anemia", "stunting": "stunted"}

LABELS = {
    "age_months": ("Edad del niño (meses)", "Child's age (months)"),
    "altitude_m": ("Altitud (m s. n. m.)", "Altitude (m above sea level)"),
    "year": ("Año (tendencia)", "Year (trend)"),
    "sex": ("Sexo", "Sex"),
    "area": ("Área urbana o rural", "Urban or rural area"),
    "wealth": ("Quintil de riqueza del hogar", "Household wealth quintile"),
    "education": ("Educación de la madre", "Mother's education"),
    "department": ("Departamento", "Department"),
}


def encoded_width(feature: str) -> int:
    """Columns a feature takes in the encoded vector (one-hot keeps one slot for unseen values)."""
    return 1 if feature in NUMERIC else len(CATEGORICAL[feature]) + 1


def feature_slices() -> dict[str, slice]:
    """Where each feature sits in the encoded vector the dense core sees."""
    out, start = {}, 0
    for f in FEATURES:
        out[f] = slice(start, start + encoded_width(f))
        start += encoded_width(f)
    return out


def model_frame(children: pd.DataFrame) -> pd.DataFrame:
    """Canonical survey rows -> the model's raw features (strings for categories, floats for numbers).

    Missing wealth or mother's education (mother not interviewed) is the category
    ``desconocido``; a missing altitude, age or year is an error, not a guess.
    """
    missing = [c for c in ("age_months", "altitude_m", "year", "sex", "area", "department") if c not in children]
    if missing:
        raise ValueError(f"survey table lacks feature columns: {', '.join(missing)}")
    blank = children[["age_months", "altitude_m", "year"]].isna().any(axis=1)
    if blank.any():
        rows = children.index[blank][:10].tolist()
        raise ValueError(f"age, altitude and year are required for every child; missing in rows {rows}")
    wealth = children["wealth_quintile"].astype("Int64").astype("string").fillna(UNKNOWN)
    education = children["mother_education"].astype("string").fillna(UNKNOWN)
    return pd.DataFrame(
        {
            "age_months": children["age_months"].astype("float32"),
            "altitude_m": children["altitude_m"].astype("float32"),
            "year": children["year"].astype("float32"),
            "sex": children["sex"].astype(str),
            "area": children["area"].astype(str),
            "wealth": wealth.astype(str),
            "education": education.astype(str),
            "department": children["department"].astype(str),
        },
        index=children.index,
    )


def as_inputs(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """Model inputs: one (n, 1) array per feature."""
    return {f: frame[f].to_numpy(dtype="float32" if f in NUMERIC else str).reshape(-1, 1) for f in FEATURES}


def unseen_categories(frame: pd.DataFrame) -> dict[str, list[str]]:
    """Category values the model has never seen (they fall in its 'unknown' slot, contributing nothing)."""
    out = {}
    for f, vocab in CATEGORICAL.items():
        extra = sorted(set(frame[f].unique()) - set(vocab))
        if extra:
            out[f] = extra
    return out
