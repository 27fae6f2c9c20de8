"""Methods, sources and limitations, with the active model's version, date and validation."""

from __future__ import annotations

import dash
from dash import dcc, html

from app import services
from app.i18n import t
from app.web.lang import current_lang

dash.register_page(__name__, path="/metodos", title="Métodos - NutriMapa Perú")

TEXT = {
    "es": {
        "sources": "Fuentes",
        "sources_body": [
            "Datos: INEI, Encuesta Demográfica y de Salud Familiar (ENDES) 2015-2024, muestra del 10 % de niños "
            "de 6 a 35 meses con hemoglobina medida (12 884 niños).",
            "Límites: INEI/IDEP (distritos, provincias y departamentos). Directorio de distritos 2025 y "
            "covariables (pobreza, vulnerabilidad alimentaria, IDH): INEI.",
        ],
        "indicators": "Indicadores",
        "indicators_body": [
            "Anemia: hemoglobina ajustada por altitud (fórmula CDC) menor de 11,0 g/dL.",
            "Desnutrición crónica: talla para la edad menor de -2 desviaciones estándar (patrón OMS 2006).",
        ],
        "direct": "Estimación directa",
        "direct_body": "Proporción ponderada con intervalos de confianza de 95 % que consideran conglomerados y "
        "estratos de la encuesta. Con menos de 25 niños no se informa; con 25 a 49 es imprecisa.",
        "model": "Estimación del modelo",
        "model_body": "Un conjunto de redes neuronales (Keras) estima el riesgo de cada niño según su edad, sexo, "
        "altitud, área, riqueza del hogar, educación de la madre, departamento y año. Para cada distrito se "
        "construye un perfil de su población infantil con su altitud, pobreza y densidad; las provincias y los "
        "departamentos promedian sus distritos según la población. El intervalo refleja la variación entre los "
        "modelos del conjunto. Las contribuciones (SHAP) explican cada estimación.",
        "validation": "Validación (años 2023-2024 reservados)",
        "limits": "Limitaciones",
        "limits_body": [
            "Es una muestra: las cifras por departamento tienen márgenes de error amplios.",
            "La encuesta no identifica distritos: las cifras distritales son estimaciones de modelo, no mediciones.",
            "Cada distrito se representa con la altitud de su capital.",
            "Los intervalos no incluyen el error de los supuestos del perfil distrital.",
        ],
        "version": "Modelo {version}, creado el {date}. Año estimado: {year}.",
        "auc": "AUC",
        "brier": "Brier",
        "target": "Indicador",
        "model_col": "Modelo",
    },
    "en": {
        "sources": "Sources",
        "sources_body": [
            "Data: INEI, Demographic and Family Health Survey (ENDES) 2015-2024, a 10 % sample of children aged "
            "6-35 months with measured hemoglobin (12,884 children).",
            "Boundaries: INEI/IDEP (districts, provinces, departments). 2025 district directory and covariates "
            "(poverty, food vulnerability, HDI): INEI.",
        ],
        "indicators": "Indicators",
        "indicators_body": [
            "Anemia: altitude-adjusted hemoglobin (CDC formula) below 11.0 g/dL.",
            "Stunting: height-for-age below -2 standard deviations (WHO 2006 standard).",
        ],
        "direct": "Direct estimate",
        "direct_body": "Weighted share with 95 % confidence intervals that account for the survey's clusters and "
        "strata. Fewer than 25 children: not reported; 25-49: imprecise.",
        "model": "Model estimate",
        "model_body": "An ensemble of neural networks (Keras) estimates each child's risk from age, sex, altitude, "
        "area, household wealth, mother's education, department and year. Each district gets a profile of its "
        "child population with its altitude, poverty and density; provinces and departments average their "
        "districts by population. The interval reflects the spread across the ensemble. Contributions (SHAP) "
        "explain each estimate.",
        "validation": "Validation (years 2023-2024 held out)",
        "limits": "Limitations",
        "limits_body": [
            "It is a sample: department figures have wide margins of error.",
            "The survey does not identify districts: district figures are model estimates, not measurements.",
            "Each district is represented by the altitude of its capital.",
            "The intervals do not include the error of the district-profile assumptions.",
        ],
        "version": "Model {version}, created {date}. Estimated year: {year}.",
        "auc": "AUC",
        "brier": "Brier",
        "target": "Indicator",
        "model_col": "Model",
    },
}
MODEL_NAMES = {
    "keras": "Keras",
    "logistic_regression": "Logistic regression / Regresión logística",
    "gradient_boosting": "Gradient boosting",
}


def layout(**_kwargs: object) -> html.Div:
    lang = current_lang()
    x = TEXT[lang]
    art = services.model_artefacts()
    meta = art.metadata
    rows = []
    for target, models in meta["metrics"]["holdout"].items():
        for name in ("keras", "logistic_regression", "gradient_boosting"):
            m = models[name]
            rows.append(
                html.Tr(
                    [
                        html.Td(t(f"{target}_short", lang)),
                        html.Td(MODEL_NAMES[name]),
                        html.Td(f"{m['auc']:.3f}"),
                        html.Td(f"{m['brier']:.3f}"),
                    ]
                )
            )
    return html.Div(
        className="methods-page",
        children=[
            html.H2(t("methods_title", lang)),
            html.P(
                x["version"].format(version=art.version, date=meta["created_at"][:10], year=meta["estimation"]["year"]),
                id="model-version",
            ),
            html.H3(x["sources"]),
            html.Ul([html.Li(s) for s in x["sources_body"]]),
            html.H3(x["indicators"]),
            html.Ul([html.Li(s) for s in x["indicators_body"]]),
            html.H3(x["direct"]),
            html.P(x["direct_body"]),
            html.H3(x["model"]),
            html.P(x["model_body"]),
            html.H3(x["validation"]),
            html.Table(
                className="metrics",
                children=[
                    html.Thead(
                        html.Tr([html.Th(x["target"]), html.Th(x["model_col"]), html.Th(x["auc"]), html.Th(x["brier"])])
                    ),
                    html.Tbody(rows),
                ],
            ),
            html.H3(x["limits"]),
            html.Ul([html.Li(s) for s in x["limits_body"]]),
            dcc.Link(t("back_home", lang), href="/"),
        ],
    )
