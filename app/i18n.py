"""User-facing strings, Spanish first."""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    "app_title": {"es": "NutriMapa Perú", "en": "NutriMapa Peru"},
    "tagline": {
        "es": "Anemia y desnutrición crónica infantil por región, con datos de la ENDES (INEI)",
        "en": "Child anemia and stunting by region, from ENDES survey data (INEI)",
    },
    "indicator": {"es": "Indicador", "en": "Indicator"},
    "year": {"es": "Año de la encuesta", "en": "Survey year"},
    "anemia": {"es": "Anemia (6-35 meses)", "en": "Anemia (6-35 months)"},
    "stunting": {"es": "Desnutrición crónica (6-35 meses)", "en": "Stunting (6-35 months)"},
    "anemia_short": {"es": "Anemia", "en": "Anemia"},
    "stunting_short": {"es": "Desnutrición crónica", "en": "Stunting"},
    "ci": {"es": "IC 95 %", "en": "95 % CI"},
    "children": {"es": "niños medidos", "en": "children measured"},
    "imprecise": {"es": "estimación imprecisa (25-49 casos)", "en": "imprecise estimate (25-49 cases)"},
    "suppressed": {"es": "sin estimación: menos de 25 casos", "en": "no estimate: fewer than 25 cases"},
    "no_data": {"es": "sin datos en la encuesta", "en": "no survey data"},
    "peru": {"es": "Perú", "en": "Peru"},
    "map_title": {
        "es": "{indicator}, {year}: porcentaje de niños de 6 a 35 meses (estimación directa de la encuesta, ponderada)",
        "en": "{indicator}, {year}: percent of children aged 6-35 months (direct, weighted survey estimate)",
    },
    "national": {
        "es": "Perú: {estimate:.1f} % (IC 95 %: {ci_low:.1f}-{ci_high:.1f}), {n} niños en la muestra",
        "en": "Peru: {estimate:.1f} % (95 % CI: {ci_low:.1f}-{ci_high:.1f}), {n} children in the sample",
    },
    "greyed": {
        "es": "Gris: regiones sin estimación (menos de 25 niños en la muestra).",
        "en": "Grey: regions without an estimate (fewer than 25 children in the sample).",
    },
    "source": {
        "es": "Fuente: INEI, Encuesta Demográfica y de Salud Familiar (ENDES), muestra del 10 % de niños de 6-35 "
        "meses. Límites: INEI/IDEP. Intervalos de confianza según el diseño muestral (conglomerados y estratos).",
        "en": "Source: INEI, Demographic and Family Health Survey (ENDES), 10 % sample of children aged 6-35 months. "
        "Boundaries: INEI/IDEP. Confidence intervals account for the survey design (clusters and strata).",
    },
    "not_found": {"es": "Página no encontrada", "en": "Page not found"},
    "back_home": {"es": "Volver al mapa", "en": "Back to the map"},
}


def t(key: str, lang: str = "es", **fmt: object) -> str:
    """The string ``key`` in ``lang`` (falls back to Spanish), formatted with ``fmt``."""
    entry = STRINGS[key]
    text = entry.get(lang) or entry["es"]
    return text.format(**fmt) if fmt else text
