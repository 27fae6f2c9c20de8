"""Methods, sources and limitations, with the active model's version, date and validation."""

from __future__ import annotations

import dash
from dash import dcc, html

from app import services
from app.i18n import t
from app.numbers import num
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
            "Anemia en niños de 6 a 35 meses: hemoglobina ajustada por altitud (fórmula CDC) menor de 11,0 g/dL. "
            "Es el mismo grupo de edad de la cifra principal de anemia que publica el INEI.",
            "Desnutrición crónica en niños de 6 a 35 meses: talla para la edad menor de -2 desviaciones estándar "
            "(patrón OMS 2006). La cifra principal del INEI es para menores de 5 años (0 a 59 meses); la muestra "
            "incluida solo tiene niños de 6 a 35 meses, así que nuestras cifras no son comparables una a una con "
            "esa serie.",
        ],
        "direct": "Estimación directa",
        "direct_body": "Proporción ponderada con intervalos de confianza de 95 % que consideran conglomerados y "
        "estratos de la encuesta. Con menos de 25 niños no se informa; con 25 a 49 es imprecisa.",
        "model": "Estimación del modelo",
        "model_body": [
            "Departamentos: un modelo espacio-temporal de áreas pequeñas (Fay-Herriot, como smoothDirect del "
            "paquete SUMMER) combina la estimación directa de cada departamento y año, ponderada por su precisión, "
            "con una tendencia nacional, una caminata aleatoria por departamento, un efecto espacial BYM2 entre "
            "departamentos vecinos y, como covariable, el riesgo que un conjunto de redes neuronales (Keras) "
            "asigna a los niños del departamento según su edad, sexo, altitud, área, riqueza y educación de la "
            "madre, sin decirle a qué departamento pertenecen: así el nivel propio del departamento no entra por "
            "la covariable, sino por su estimación directa.",
            "Provincias y distritos: el mismo modelo Keras se aplica a un perfil de la población infantil de cada "
            "distrito (altitud de su capital, pobreza, densidad) y luego se ajusta para que el promedio de los "
            "distritos, ponderado por población, sea igual a la cifra del departamento en cada año. Ese ajuste "
            "aparece como su propia línea en las explicaciones (SHAP).",
            "Intervalos: el margen del modelo de cada departamento se calibra con la validación de abajo para que "
            "contenga el valor real 95 de cada 100 veces; en provincias y distritos se suma la incertidumbre del "
            "perfil y nunca es más estrecho que el del departamento.",
        ],
        "validation": "Validación de las cifras por departamento",
        "validation_body": "Muestra dividida: para cada año de {split}, los conglomerados se dividen al azar en dos "
        "mitades; cada método usa los demás años y una mitad, y se compara con la estimación directa de la otra "
        "mitad (error corregido restando su varianza de muestreo). Pronóstico: cada método usa los años "
        "anteriores y predice {forecast}. Cobertura: proporción de intervalos que contienen la cifra de control.",
        "holdout": "Riesgo por niño (años {years} reservados)",
        "no_validation": "Esta versión del modelo no tiene validación por departamento.",
        "versus_pooled": "Frente al promedio simple de 10 años de cada departamento",
        "versus_pooled_body": "Diferencia del error cuadrático medio del modelo publicado menos el del promedio "
        "simple (puntos², negativo = el modelo acierta más), con su error estándar. Una diferencia menor que dos "
        "errores estándar no es una mejora demostrada.",
        "verdict_better": "el modelo acierta más",
        "verdict_worse": "el promedio simple acierta más",
        "verdict_tie": "sin diferencia clara",
        "difference": "Diferencia (puntos²)",
        "verdict": "Lectura",
        "protocol": "Protocolo",
        "estimator": "Método",
        "mae": "Error absoluto medio (puntos)",
        "mae_corr": "Error corregido (puntos)",
        "coverage": "Cobertura del IC 95 %",
        "limits": "Limitaciones",
        "limits_body": [
            "Es una muestra: las cifras por departamento tienen márgenes de error amplios.",
            "La encuesta no identifica distritos: las cifras distritales son estimaciones de modelo, no mediciones.",
            "Cada distrito se representa con la altitud de su capital.",
            "Los pesos de población son la proyección distrital 2025 del INEI para todos los años.",
            "La muestra incluida es el 10 % de la ENDES: los intervalos son más amplios que los del INEI.",
        ],
        "version": "Modelo {version}, creado el {date}. Años estimados: {years}.",
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
            "Anemia in children aged 6-35 months: altitude-adjusted hemoglobin (CDC formula) below 11.0 g/dL. "
            "This is the age group of INEI's headline anemia figure.",
            "Stunting in children aged 6-35 months: height-for-age below -2 standard deviations (WHO 2006 "
            "standard). INEI's headline stunting figure is for children under 5 (0-59 months); the bundled sample "
            "has children aged 6-35 months only, so our figures are not one-to-one comparable with that series.",
        ],
        "direct": "Direct estimate",
        "direct_body": "Weighted share with 95 % confidence intervals that account for the survey's clusters and "
        "strata. Fewer than 25 children: not reported; 25-49: imprecise.",
        "model": "Model estimate",
        "model_body": [
            "Departments: a space-time small-area model (Fay-Herriot, like smoothDirect in the SUMMER package) "
            "combines each department's direct estimate for each year, weighted by its precision, with a national "
            "trend, a random walk per department, a BYM2 spatial effect between neighbouring departments and, as "
            "covariate, the risk an ensemble of neural networks (Keras) gives the department's children from "
            "their age, sex, altitude, area, wealth and mother's education, without telling it which department "
            "they live in: so the department's own level comes from its direct estimate, not through the covariate.",
            "Provinces and districts: the same Keras model is applied to a profile of each district's child "
            "population (its capital's altitude, poverty, density), then adjusted so that the population-weighted "
            "mean of the districts equals the department's figure in every year. That adjustment is its own line "
            "in the explanations (SHAP).",
            "Intervals: each department's model margin is calibrated on the validation below so that it holds "
            "the true value 95 times in 100; provinces and districts add the profile's uncertainty and are never "
            "narrower than their department.",
        ],
        "validation": "Validation of the department figures",
        "validation_body": "Split sample: for each year {split}, the clusters are split at random into two halves; "
        "each method uses the other years and one half, and is compared with the direct estimate of the other "
        "half (error corrected by subtracting its sampling variance). Forecast: each method uses the earlier "
        "years and predicts {forecast}. Coverage: the share of intervals that hold the check figure.",
        "holdout": "Risk per child (years {years} held out)",
        "no_validation": "This model version has no department validation.",
        "versus_pooled": "Against each department's plain 10-year average",
        "versus_pooled_body": "Mean squared error of the published model minus that of the plain average "
        "(points², negative = the model is closer), with its standard error. A difference smaller than two "
        "standard errors is not a shown improvement.",
        "verdict_better": "the model is closer",
        "verdict_worse": "the plain average is closer",
        "verdict_tie": "no clear difference",
        "difference": "Difference (points²)",
        "verdict": "Reading",
        "protocol": "Protocol",
        "estimator": "Method",
        "mae": "Mean absolute error (points)",
        "mae_corr": "Corrected error (points)",
        "coverage": "95 % CI coverage",
        "limits": "Limitations",
        "limits_body": [
            "It is a sample: department figures have wide margins of error.",
            "The survey does not identify districts: district figures are model estimates, not measurements.",
            "Each district is represented by the altitude of its capital.",
            "Population weights are INEI's 2025 district projection for every year.",
            "The bundled data are a 10 % sample of ENDES: intervals are wider than INEI's.",
        ],
        "version": "Model {version}, created {date}. Years estimated: {years}.",
        "auc": "AUC",
        "brier": "Brier",
        "target": "Indicator",
        "model_col": "Model",
    },
}
MODEL_NAMES = {
    "keras": {"es": "Keras", "en": "Keras"},
    "logistic_regression": {"es": "Regresión logística", "en": "Logistic regression"},
    "gradient_boosting": {"es": "Gradient boosting", "en": "Gradient boosting"},
    "direct": {"es": "Directa del año", "en": "This year's direct"},
    "pooled": {"es": "Promedio de 10 años", "en": "Pooled 10 years"},
    "v1_method": {"es": "Método de v1 (perfiles)", "en": "v1's method (profiles)"},
    "spacetime": {"es": "Espacio-temporal (publicado)", "en": "Space-time (published)"},
}
PROTOCOLS = {
    "split_sample": {"es": "Muestra dividida", "en": "Split sample"},
    "forecast": {"es": "Pronóstico", "en": "Forecast"},
}


def _num(value: float | None, lang: str, digits: int = 1) -> str:
    return num(value, digits, lang, missing="—")


def validation_table(meta: dict, lang: str) -> list:
    """The validation JSON as a table: estimator x protocol x indicator (percentage points)."""
    x = TEXT[lang]
    val = meta.get("validation")
    if not val:
        return [html.P(x["no_validation"], className="note")]
    rows = []
    for r in val["table"]:
        cov = r.get("coverage_95_calibrated", r.get("coverage_95"))
        rows.append(
            html.Tr(
                [
                    html.Td(PROTOCOLS[r["protocol"]][lang]),
                    html.Td(t(f"{r['indicator']}_short", lang)),
                    html.Td(MODEL_NAMES.get(r["estimator"], {}).get(lang, r["estimator"])),
                    html.Td(_num(r["mae_raw"], lang)),
                    html.Td(_num(r["mae_corrected"], lang)),
                    html.Td(_num(100 * cov, lang, 0) + " %" if cov is not None else "—"),
                ],
                className="published" if r["estimator"] == "spacetime" else None,
            )
        )
    years = val["protocols"]
    return [
        html.P(
            x["validation_body"].format(
                split=", ".join(map(str, years["split_sample"]["years"])),
                forecast=", ".join(map(str, years["forecast"]["years"])),
            )
        ),
        html.Table(
            className="metrics",
            id="validation-table",
            children=[
                html.Thead(
                    html.Tr(
                        [
                            html.Th(x["protocol"]),
                            html.Th(x["target"]),
                            html.Th(x["estimator"]),
                            html.Th(x["mae"]),
                            html.Th(x["mae_corr"]),
                            html.Th(x["coverage"]),
                        ]
                    )
                ),
                html.Tbody(rows),
            ],
        ),
    ]


def versus_pooled(meta: dict, lang: str) -> list:
    """The published model against the pooled average, paired on the same cells, said plainly."""
    x = TEXT[lang]
    pairs = [p for p in (meta.get("validation") or {}).get("paired_vs_pooled", []) if p["estimator"] == "spacetime"]
    if not pairs:
        return []
    rows = []
    for p in sorted(pairs, key=lambda p: (p["protocol"] != "split_sample", p["indicator"])):
        # The larger of the two standard errors: by department-year, and by year (the shift a year shares).
        diff, se = p["mse_difference"], max(p["se"], p.get("se_by_year") or 0.0)
        verdict = "verdict_tie" if abs(diff) < 2 * se else ("verdict_better" if diff < 0 else "verdict_worse")
        rows.append(
            html.Tr(
                [
                    html.Td(PROTOCOLS[p["protocol"]][lang]),
                    html.Td(t(f"{p['indicator']}_short", lang)),
                    html.Td(f"{_num(diff, lang)} ± {_num(se, lang)}"),
                    html.Td(x[verdict]),
                ]
            )
        )
    head = [x["protocol"], x["target"], x["difference"], x["verdict"]]
    return [
        html.H4(x["versus_pooled"]),
        html.P(x["versus_pooled_body"]),
        html.Table(
            className="metrics",
            id="versus-pooled-table",
            children=[html.Thead(html.Tr([html.Th(h) for h in head])), html.Tbody(rows)],
        ),
    ]


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
                        html.Td(MODEL_NAMES[name][lang]),
                        html.Td(_num(m["auc"], lang, 3)),
                        html.Td(_num(m["brier"], lang, 3)),
                    ]
                )
            )
    years = services.model_years()
    holdout_years = meta["training_data"].get("holdout_years", [])
    return html.Div(
        className="methods-page",
        children=[
            html.H2(t("methods_title", lang)),
            html.P(
                x["version"].format(version=art.version, date=meta["created_at"][:10], years=f"{years[0]}-{years[-1]}"),
                id="model-version",
            ),
            html.H3(x["sources"]),
            html.Ul([html.Li(s) for s in x["sources_body"]]),
            html.H3(x["indicators"]),
            html.Ul([html.Li(s) for s in x["indicators_body"]], id="age-groups"),
            html.H3(x["direct"]),
            html.P(x["direct_body"]),
            html.H3(x["model"]),
            *[html.P(p) for p in x["model_body"]],
            html.H3(x["validation"]),
            *validation_table(meta, lang),
            *versus_pooled(meta, lang),
            html.H3(x["holdout"].format(years=", ".join(map(str, holdout_years)))),
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
