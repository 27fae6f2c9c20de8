"""Region SHAP contributions in words a health official understands (Spanish first)."""

from __future__ import annotations

from app.data.labels import DEPARTMENTS
from app.numbers import num, signed

FEATURE_LABELS = {
    "age_months": ("Edad de los niños", "Children's age"),
    "altitude_m": ("Altitud", "Altitude"),
    "year": ("Año de la estimación", "Estimation year"),
    "sex": ("Proporción de niñas", "Share of girls"),
    "area": ("Zona rural", "Rural area"),
    "wealth": ("Pobreza del hogar", "Household poverty"),
    "education": ("Educación de la madre", "Mother's education"),
    "department": ("Departamento (efecto regional)", "Department (regional effect)"),
    "calibration": ("Ajuste a la evidencia del departamento", "Adjustment to the department's survey evidence"),
}


def _num(x: float, decimals: int = 0, lang: str = "es") -> str:
    return num(x, decimals, lang)


def _points(value: float, lang: str) -> str:
    return f"{signed(value, lang)} {'puntos' if lang == 'es' else 'points'}"


def describe(feature: str, feature_value: float, contribution: float, ubigeo: str, lang: str = "es") -> str:
    """One line: a region's value of a driver and what it adds to the risk ('Altitud de 3 750 m: +6,5 puntos')."""
    es = lang == "es"
    pct = _num(100 * feature_value, 0, lang)
    if feature == "altitude_m":
        # The model's altitude is a 250 m band, not the capital's altitude: said so, never passed off as it.
        alt = _num(feature_value, 0, lang)
        what = (
            f"Altitud en el modelo (por bandas de 250 m): {alt} m"
            if es
            else f"Altitude in the model (250 m bands): {alt} m"
        )
    elif feature == "area":
        what = f"{pct} % de los niños vive en zona rural" if es else f"{pct} % of children live in rural areas"
    elif feature == "wealth":
        what = (
            f"{pct} % de los hogares en los dos quintiles más pobres"
            if es
            else f"{pct} % of households in the two poorest quintiles"
        )
    elif feature == "education":
        what = (
            f"{pct} % de las madres con secundaria o superior"
            if es
            else f"{pct} % of mothers with secondary or higher education"
        )
    elif feature == "age_months":
        what = (
            f"Edad media de {_num(feature_value, 0, lang)} meses"
            if es
            else f"Mean age {_num(feature_value, 0, lang)} months"
        )
    elif feature == "sex":
        what = f"{pct} % niñas" if es else f"{pct} % girls"
    elif feature == "year":
        what = f"Tendencia al año {round(feature_value)}" if es else f"Trend to {round(feature_value)}"
    elif feature == "department":
        name = DEPARTMENTS.get(ubigeo[:2], ubigeo[:2])
        what = f"Ser parte de {name}" if es else f"Being in {name}"
    elif feature == "calibration":
        name = DEPARTMENTS.get(ubigeo[:2], ubigeo[:2])
        what = (
            f"Ajuste a la evidencia de la encuesta en {name} (todos los años y vecinos)"
            if es
            else f"Adjustment to the survey evidence of {name} (all years and neighbours)"
        )
    else:  # pragma: no cover - every model feature is listed above
        what = feature
    return f"{what}: {_points(contribution, lang)}"


def label(feature: str, lang: str = "es") -> str:
    es, en = FEATURE_LABELS.get(feature, (feature, feature))
    return es if lang == "es" else en
