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
    # The two kinds of interval, named for what they are (both calibrated to hold ~95 %).
    "ci_model": {"es": "Margen del modelo (95 %)", "en": "Model margin (95 %)"},
    "ci_direct": {"es": "Intervalo de la encuesta (95 %)", "en": "Survey interval (95 %)"},
    "children": {"es": "niños medidos", "en": "children measured"},
    "imprecise": {"es": "estimación imprecisa (25-49 casos)", "en": "imprecise estimate (25-49 cases)"},
    "suppressed": {"es": "sin estimación: menos de 25 casos", "en": "no estimate: fewer than 25 cases"},
    "no_data": {"es": "sin datos", "en": "no data"},
    "peru": {"es": "Perú", "en": "Peru"},
    "map_title": {
        "es": "{indicator}, {year}: porcentaje de niños de 6 a 35 meses (estimación directa de la encuesta, ponderada)",
        "en": "{indicator}, {year}: percent of children aged 6-35 months (direct, weighted survey estimate)",
    },
    "national": {
        "es": "Perú: {estimate} (intervalo de la encuesta, 95 %: {ci}), {n} niños en la muestra.",
        "en": "Peru: {estimate} (survey interval, 95 %: {ci}), {n} children in the sample.",
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
    "lang_switch": {"es": "English", "en": "Español"},
    "lang_switch_title": {"es": "Ver en inglés", "en": "Ver en español"},
    "nav_map": {"es": "Mapa", "en": "Map"},
    "nav_methods": {"es": "Métodos y fuentes", "en": "Methods and sources"},
    "level": {"es": "Nivel", "en": "Level"},
    "department": {"es": "Departamento", "en": "Department"},
    "province": {"es": "Provincia", "en": "Province"},
    "district": {"es": "Distrito", "en": "District"},
    "departments": {"es": "Departamentos", "en": "Departments"},
    "provinces": {"es": "Provincias", "en": "Provinces"},
    "districts": {"es": "Distritos", "en": "Districts"},
    "method": {"es": "Estimación", "en": "Estimate"},
    "method_model": {"es": "Modelo (todas las regiones)", "en": "Model (every region)"},
    "method_direct": {"es": "Directa de la encuesta", "en": "Direct survey"},
    "search": {"es": "Buscar región", "en": "Find a region"},
    "search_placeholder": {
        "es": "Escriba un distrito, provincia o departamento…",
        "en": "Type a district, province or department…",
    },
    "map_title_model": {
        "es": "{indicator}, {year}: riesgo estimado por el modelo, % de niños de 6 a 35 meses",
        "en": "{indicator}, {year}: model-estimated risk, % of children aged 6-35 months",
    },
    "map_title_direct": {
        "es": "{indicator}, {year}: estimación directa de la encuesta (ponderada), % de niños de 6 a 35 meses",
        "en": "{indicator}, {year}: direct survey estimate (weighted), % of children aged 6-35 months",
    },
    "direct_no_district": {
        "es": "La encuesta no identifica provincias ni distritos: no hay estimación directa en este nivel. "
        "Use la estimación del modelo.",
        "en": "The survey does not identify provinces or districts: there is no direct estimate at this level. "
        "Use the model estimate.",
    },
    "model_year_only": {
        "es": "El modelo estima el último año de la encuesta ({year}).",
        "en": "The model estimates the latest survey year ({year}).",
    },
    "drivers": {"es": "Factores principales", "en": "Main drivers"},
    "no_polygon_note": {
        "es": "Los distritos sin polígono en el mapa oficial ({names}) se muestran como puntos en su capital.",
        "en": "Districts without a polygon in the official map ({names}) are shown as points at their capital.",
    },
    "panel_hint": {
        "es": "Haga clic en una región del mapa para ver por qué su riesgo es alto o bajo.",
        "en": "Click a region on the map to see why its risk is high or low.",
    },
    "explain_title": {"es": "¿Por qué? {indicator} en {name}", "en": "Why? {indicator} in {name}"},
    "explain_base": {
        "es": "Punto de partida (niño promedio de la encuesta, con la tendencia nacional a {year}): {base}. "
        "Cada factor suma o resta puntos hasta llegar a {prediction}.",
        "en": "Starting point (average child in the survey, with the national trend to {year}): {base}. "
        "Each factor adds or removes points to reach {prediction}.",
    },
    "open_page": {"es": "Abrir la página de {name}", "en": "Open the page of {name}"},
    "table": {"es": "Tabla de datos", "en": "Data table"},
    "col_name": {"es": "Región", "en": "Region"},
    "col_estimate": {"es": "Estimación (%)", "en": "Estimate (%)"},
    "col_ci_low": {"es": "Límite inferior (95 %)", "en": "Lower limit (95 %)"},
    "col_ci_high": {"es": "Límite superior (95 %)", "en": "Upper limit (95 %)"},
    "col_province": {"es": "Provincia", "en": "Province"},
    "col_department": {"es": "Departamento", "en": "Department"},
    "col_n": {"es": "Niños en la muestra", "en": "Children in the sample"},
    "col_note": {"es": "Nota", "en": "Note"},
    "legend_pct": {"es": "% de niños", "en": "% of children"},
    "points_label": {"es": "puntos porcentuales", "en": "percentage points"},
    "region_not_found": {
        "es": "No existe un {level} con el código UBIGEO «{code}». Búsquelo por nombre en el mapa.",
        "en": "There is no {level} with UBIGEO code “{code}”. Find it by name on the map.",
    },
    "in": {"es": "en", "en": "in"},
    "population": {"es": "Población (proyección 2025)", "en": "Population (2025 projection)"},
    "altitude": {"es": "Altitud de la capital", "en": "Altitude of the capital"},
    "poverty": {"es": "Pobreza monetaria", "en": "Monetary poverty"},
    "unknown": {"es": "sin dato", "en": "unknown"},
    "estimate_model": {"es": "Estimación del modelo, {year}", "en": "Model estimate, {year}"},
    "estimate_direct": {"es": "Estimación directa de la encuesta, {year}", "en": "Direct survey estimate, {year}"},
    "comparison": {"es": "Comparación", "en": "Comparison"},
    "trend": {"es": "Tendencia", "en": "Trend"},
    "trend_band": {"es": "Margen del modelo (95 %)", "en": "Model margin (95 %)"},
    "trend_gap": {"es": "sin dato: < 25 niños", "en": "no data: < 25 children"},
    "trend_gap_2020": {"es": "sin dato: pandemia", "en": "no data: pandemic"},
    "trend_gap_note": {
        "es": "Años sin punto de la encuesta: menos de 25 niños en la muestra del departamento; en 2020 la "
        "pandemia redujo el trabajo de campo.",
        "en": "Years without a survey point: fewer than 25 children in the department's sample; in 2020 the "
        "pandemic cut fieldwork short.",
    },
    "trend_model": {"es": "Estimación del modelo", "en": "Model estimate"},
    "trend_direct": {"es": "Encuesta (estimación directa)", "en": "Survey (direct estimate)"},
    "trend_direct_dep": {"es": "Encuesta: departamento de {name}", "en": "Survey: department of {name}"},
    "trend_note_department": {
        "es": "Línea y banda: estimación del modelo para cada año con su intervalo de 95 %. Puntos: estimaciones "
        "directas de la encuesta para {name} (muestra pequeña: cambian mucho de un año a otro por azar).",
        "en": "Line and band: the model estimate for each year with its 95 % interval. Points: the survey's "
        "direct estimates for {name} (a small sample: they move a lot from year to year by chance).",
    },
    "trend_note_sub": {
        "es": "Línea y banda: estimación del modelo para esta zona en cada año, con su intervalo de 95 %. La "
        "encuesta no identifica provincias ni distritos; los puntos son las estimaciones directas del "
        "departamento de {name}.",
        "en": "Line and band: the model estimate for this area in each year, with its 95 % interval. The survey "
        "does not identify provinces or districts; the points are the direct estimates of the department of "
        "{name}.",
    },
    "actions": {"es": "Qué se puede hacer", "en": "What can be done"},
    "why": {"es": "Por qué", "en": "Why"},
    "peru_model": {"es": "Perú", "en": "Peru"},
    "ci_short": {"es": "Margen del modelo (95 %): {ci}", "en": "Model margin (95 %): {ci}"},
    "no_actions": {
        "es": "Ningún factor medido eleva el riesgo de esta zona por encima del promedio: mantener la "
        "cobertura de los controles de crecimiento (CRED) y de la suplementación.",
        "en": "No measured factor raises this area's risk above the average: keep up the coverage of growth "
        "check-ups (CRED) and supplementation.",
    },
    "altitude_model_note": {
        "es": "El modelo usa la altitud por bandas de 250 m, promediada sobre sus niños; la altitud de la "
        "capital es la oficial.",
        "en": "The model uses altitude in 250 m bands, averaged over its children; the capital's altitude is "
        "the official figure.",
    },
    "subregions_provinces": {"es": "Provincias, de mayor a menor riesgo", "en": "Provinces, highest risk first"},
    "subregions_districts": {"es": "Distritos, de mayor a menor riesgo", "en": "Districts, highest risk first"},
    "locator": {
        "es": "Ubicación entre sus vecinos (color: anemia, estimación del modelo)",
        "en": "Location among its neighbours (colour: anemia, model estimate)",
    },
    "search_inner": {"es": "Buscar", "en": "Search"},
    "clear_search": {"es": "Borrar búsqueda", "en": "Clear search"},
    "clear_selection": {"es": "Borrar selección", "en": "Clear selection"},
    "no_options_found": {"es": "No se encontró ninguna región", "en": "No region found"},
    "select_all": {"es": "Seleccionar todo", "en": "Select all"},
    "deselect_all": {"es": "Quitar todo", "en": "Deselect all"},
    "selected_count": {"es": "{num} seleccionados", "en": "{num} selected"},
    "page_prev": {"es": "Página anterior", "en": "Previous page"},
    "page_next": {"es": "Página siguiente", "en": "Next page"},
    "n_children": {"es": "{n} niños en la muestra", "en": "{n} children in the sample"},
    "not_reported": {"es": "no se informa (menos de 25 niños)", "en": "not reported (fewer than 25 children)"},
    "national_model": {
        "es": "Perú: {estimate} (margen del modelo, 95 %: {ci}), estimación del modelo para {year}.",
        "en": "Peru: {estimate} (model margin, 95 %: {ci}), model estimate for {year}.",
    },
    "downloads": {"es": "Descargas", "en": "Downloads"},
    "download_csv": {"es": "CSV de esta vista", "en": "CSV of this view"},
    "download_meta": {"es": "metadatos", "en": "metadata"},
    "download_gpkg": {"es": "GeoPackage (QGIS)", "en": "GeoPackage (QGIS)"},
    "download_geojson": {"es": "GeoJSON", "en": "GeoJSON"},
    "download_national": {"es": "Informe nacional (PDF)", "en": "National report (PDF)"},
    "download_report": {"es": "Descargar informe (PDF)", "en": "Download report (PDF)"},
    "methods_title": {"es": "Métodos, fuentes y limitaciones", "en": "Methods, sources and limitations"},
}


def dropdown_labels(lang: str = "es") -> dict[str, str]:
    """The texts dcc.Dropdown draws itself (its inner search box, "no options"...), in ``lang``."""
    keys = ("clear_search", "clear_selection", "no_options_found", "select_all", "deselect_all", "selected_count")
    return {"search": t("search_inner", lang), **{k: t(k, lang) for k in keys}}


def cols(key: str, lang: str = "es") -> list[str]:
    """Table column headers stored as one "|"-separated string per language."""
    return t(key, lang).split("|")


def t(key: str, lang: str = "es", **fmt: object) -> str:
    """The string ``key`` in ``lang`` (falls back to Spanish), formatted with ``fmt``."""
    entry = STRINGS[key]
    text = entry.get(lang) or entry["es"]
    return text.format(**fmt) if fmt else text


# Admin pages (data scientists and health-information staff): Spanish first, English alongside.
STRINGS.update(
    {
        "admin_title": {"es": "Administración", "en": "Administration"},
        "admin_login_required": {
            "es": "Esta página es solo para administradores. Ingrese primero.",
            "en": "This page is for administrators only. Please sign in first.",
        },
        "admin_login": {"es": "Ingresar", "en": "Sign in"},
        "admin_logout": {"es": "Salir", "en": "Sign out"},
        "admin_nav_home": {"es": "Resumen", "en": "Overview"},
        "admin_nav_data": {"es": "Datos", "en": "Data"},
        "admin_nav_training": {"es": "Reentrenamiento", "en": "Retraining"},
        "admin_nav_models": {"es": "Modelos", "en": "Models"},
        "admin_active_model": {"es": "Modelo activo", "en": "Active model"},
        "admin_survey": {"es": "Encuesta en uso", "en": "Survey in use"},
        "admin_audit": {"es": "Registro de acciones", "en": "Audit log"},
        "admin_upload_title": {"es": "Subir datos ENDES", "en": "Upload ENDES data"},
        "admin_upload_help": {
            "es": "Arrastre o elija archivos (CSV, SPSS .sav, Stata .dta; los módulos INEI, un año por carga; "
            "máximo {mb} MB). Se validan antes de usarse: nada cambia hasta que acepte.",
            "en": "Drop or choose files (CSV, SPSS .sav, Stata .dta; INEI modules one survey year per upload; "
            "at most {mb} MB). They are validated first: nothing changes until you accept.",
        },
        "admin_upload_drop": {"es": "Arrastre archivos aquí o haga clic", "en": "Drop files here or click"},
        "admin_report": {"es": "Informe de validación", "en": "Validation report"},
        "admin_rejected": {
            "es": "Archivo rechazado: no se guardó nada.",
            "en": "File rejected: nothing was saved.",
        },
        "admin_accept": {"es": "Aceptar y usar estos datos", "en": "Accept and use these data"},
        "admin_discard": {"es": "Descartar", "en": "Discard"},
        "admin_accepted": {
            "es": "Datos aceptados: la encuesta en uso es ahora {version}.",
            "en": "Accepted: the survey in use is now {version}.",
        },
        "admin_discarded": {"es": "Carga descartada.", "en": "Upload discarded."},
        "admin_datasets": {"es": "Cargas", "en": "Uploads"},
        "admin_train_title": {"es": "Reentrenar el modelo", "en": "Retrain the model"},
        "admin_train_help": {
            "es": "El entrenamiento corre en su propio proceso; el mapa sigue usando el modelo activo. "
            "La nueva versión no se activa sola: promuévala en Modelos.",
            "en": "Training runs in its own process; the map keeps serving the active model. "
            "The new version is not activated automatically: promote it under Models.",
        },
        "admin_dataset": {"es": "Datos", "en": "Data"},
        "admin_dataset_active": {"es": "Encuesta en uso", "en": "Survey in use"},
        "admin_members": {"es": "Miembros del ensamble", "en": "Ensemble members"},
        "admin_epochs": {"es": "Épocas", "en": "Epochs"},
        "admin_tip_epochs": {"es": "Épocas (modelo de consejos)", "en": "Epochs (tip model)"},
        "admin_validation_years": {
            "es": "Años de validación (muestra dividida)",
            "en": "Validation years (split sample)",
        },
        "admin_start": {"es": "Iniciar reentrenamiento", "en": "Start retraining"},
        "admin_cancel": {"es": "Cancelar", "en": "Cancel"},
        "admin_cancel_requested": {
            "es": "Cancelación pedida para el entrenamiento #{id}; se detiene en unos segundos.",
            "en": "Cancellation requested for run #{id}; it stops within seconds.",
        },
        "admin_no_run": {"es": "No hay entrenamientos todavía.", "en": "No training runs yet."},
        "admin_run_status": {
            "es": "Entrenamiento {id}: {status} · fase: {phase} · época {epoch}/{epochs}",
            "en": "Run {id}: {status} · phase: {phase} · epoch {epoch}/{epochs}",
        },
        "admin_runs": {"es": "Entrenamientos", "en": "Training runs"},
        "admin_log": {"es": "Registro", "en": "Log"},
        "admin_models_title": {"es": "Versiones del modelo", "en": "Model versions"},
        "admin_promote": {"es": "Promover", "en": "Promote"},
        "admin_rollback": {"es": "Revertir a la versión anterior", "en": "Roll back to the previous version"},
        "admin_compare": {"es": "Comparar versiones", "en": "Compare versions"},
        "admin_compare_summary": {
            "es": "{regions} regiones; diferencia media {mean} puntos; máxima {max}; {moved} cambian más de 1 punto.",
            "en": "{regions} regions; mean difference {mean} points; largest {max}; {moved} move by more than 1 point.",
        },
        "admin_diff_legend": {"es": "B − A (puntos)", "en": "B − A (points)"},
        "admin_tips": {"es": "Modelo de consejos (TFLite)", "en": "Tip model (TFLite)"},
        "admin_no_tips": {"es": "sin modelo de consejos", "en": "no tip model"},
        "admin_active_now": {"es": "Versión activa: {version}", "en": "Active version: {version}"},
        "phase_queued": {"es": "en cola", "en": "queued"},
        "phase_starting": {"es": "inicio", "en": "starting"},
        "phase_loading data": {"es": "cargando datos", "en": "loading data"},
        "phase_training": {"es": "entrenamiento", "en": "training"},
        "phase_validating": {"es": "validación", "en": "validating"},
        "phase_estimating regions": {"es": "estimando regiones", "en": "estimating regions"},
        "phase_explaining (SHAP)": {"es": "explicando (SHAP)", "en": "explaining (SHAP)"},
        "phase_writing artefacts": {"es": "guardando artefactos", "en": "writing artefacts"},
        "phase_tip model": {"es": "modelo de consejos", "en": "tip model"},
        "phase_registering": {"es": "registrando la versión", "en": "registering the version"},
        "phase_done": {"es": "listo", "en": "done"},
        # Column headers, "|"-separated (see cols()).
        "cols_audit": {"es": "Fecha (UTC)|Usuario|Acción|Objeto|IP", "en": "Date (UTC)|User|Action|Target|IP"},
        "cols_datasets": {
            "es": "#|Archivos|Filas|Años|Estado|Fecha (UTC)",
            "en": "#|Files|Rows|Years|Status|Date (UTC)",
        },
        "cols_runs": {
            "es": "#|Estado|Fase|Miembros|Épocas|Versión|AUC anemia|AUC talla baja|Inicio (UTC)|Error",
            "en": "#|Status|Phase|Members|Epochs|Version|AUC anemia|AUC stunting|Started (UTC)|Error",
        },
        "cols_versions": {
            "es": "Versión|Activa|Creada (UTC)|Datos (filas · años · SHA-256)|Miembros × épocas|"
            "Anemia AUC / Brier|Talla baja AUC / Brier",
            "en": "Version|Active|Created (UTC)|Data (rows · years · SHA-256)|Members × epochs|"
            "Anemia AUC / Brier|Stunting AUC / Brier",
        },
        "cols_compare": {"es": "Indicador|Modelo", "en": "Indicator|Model"},
        "report_files": {"es": "Archivos", "en": "Files"},
        "report_rows": {"es": "Filas", "en": "Rows"},
        "report_years": {"es": "Años", "en": "Years"},
        "report_departments": {"es": "Departamentos", "en": "Departments"},
        "report_district_codes": {"es": "Códigos de distrito", "en": "District codes"},
        "report_missing": {"es": "Valores faltantes por columna", "en": "Missing values per column"},
        "report_notes": {"es": "Filas corregidas o descartadas", "en": "Rows corrected or dropped"},
        "yes": {"es": "sí", "en": "yes"},
        "no": {"es": "no", "en": "no"},
        "tips_check": {
            "es": "máx. |Δ| {diff:.4f}; misma categoría {same:.2f} %",
            "en": "max |Δ| {diff:.4f}; same category {same:.2f} %",
        },
        "admin_nav_tips": {"es": "Consejos", "en": "Tips"},
        "admin_tips_title": {"es": "Consejos semanales", "en": "Weekly tips"},
        "admin_tips_totals": {
            "es": "Inscritos activos: {active} · se dieron de baja: {left} · datos borrados: {erased}",
            "en": "Active subscribers: {active} · left: {left} · erased: {erased}",
        },
        "admin_tips_outbox": {
            "es": "Envíos: {pending} pendientes (esperan al servidor MQTT) · {sent} enviados · "
            "{cancelled} anulados por baja",
            "en": "Sends: {pending} pending (waiting for the MQTT broker) · {sent} sent · {cancelled} cancelled (left)",
        },
        "admin_tips_privacy": {
            "es": "Solo conteos: sin números de teléfono ni fechas de nacimiento. Menos de 5 se muestra como <5.",
            "en": "Counts only: no phone numbers or birth dates. Fewer than 5 is shown as <5.",
        },
        "admin_tips_districts": {"es": "Inscritos por distrito y canal", "en": "Subscribers by district and channel"},
        "admin_tips_weeks": {
            "es": "Consejos elegidos por semana y categoría",
            "en": "Tips chosen by week and category",
        },
        "admin_tips_ab": {"es": "Prueba A/B de modelos de consejos", "en": "A/B test of tip models"},
        "admin_tips_ab_none": {
            "es": "No hay una prueba A/B en curso (python -m tips.cli ab-start v1 v2).",
            "en": "No A/B test is running (python -m tips.cli ab-start v1 v2).",
        },
        "cols_tip_ab": {
            "es": "Grupo|Versión|Consejos|Enviados|Entregados|Tasa útil|Tasa de bajas",
            "en": "Arm|Version|Tips|Sent|Delivered|Useful rate|Leave rate",
        },
        "admin_tips_ab_stats": {
            "es": "Tasa útil, B − A: z = {z}, p = {p}; IC 95 % de la diferencia: {low:.1f} a {high:.1f} puntos.",
            "en": "Useful rate, B − A: z = {z}, p = {p}; 95 % CI of the difference: {low:.1f} to {high:.1f} points.",
        },
        "admin_tips_ab_too_few": {
            "es": "Aún hay muy pocas respuestas (menos de 30 por grupo) para decidir. Espere más semanas.",
            "en": "Too few replies yet (fewer than 30 per arm) to decide. Wait for more weeks.",
        },
        "admin_tips_ab_no_difference": {
            "es": "No se ve una diferencia clara entre los dos modelos (p ≥ 0,05).",
            "en": "No clear difference between the two models (p ≥ 0.05).",
        },
        "admin_tips_ab_a_better": {
            "es": "Las familias encuentran más útiles los consejos de {winner} (p < 0,05).",
            "en": "Families find {winner}'s tips more useful (p < 0.05).",
        },
        "admin_tips_ab_b_better": {
            "es": "Las familias encuentran más útiles los consejos de {winner} (p < 0,05).",
            "en": "Families find {winner}'s tips more useful (p < 0.05).",
        },
        "admin_tips_ab_promote": {
            "es": "Promover {version} y terminar la prueba",
            "en": "Promote {version}, end the test",
        },
        "admin_tips_ab_promoted": {
            "es": "{previous} → {version}: modelo promovido, prueba terminada.",
            "en": "{previous} → {version}: model promoted, test ended.",
        },
        "admin_tips_leavers": {"es": "Bajas por semana", "en": "Leavers by week"},
        "cols_tip_districts": {"es": "Distrito|Canal|Activos|Bajas", "en": "District|Channel|Active|Left"},
        "cols_tip_weeks": {
            "es": "Semana|Categoría|Consejos|Enviados|Entregados|Útil / no útil|Tasa útil|Bajas|Tasa de bajas",
            "en": "Week|Category|Tips|Sent|Delivered|Useful / not useful|Useful rate|Leaves|Leave rate",
        },
        "cols_tip_by_district": {
            "es": "Distrito|Consejos|Enviados|Entregados (acuse)|Tasa útil|Tasa de bajas",
            "en": "District|Tips|Sent|Delivered (receipt)|Useful rate|Leave rate",
        },
        "admin_tips_by_district": {"es": "Entrega y respuestas por distrito", "en": "Delivery and replies by district"},
        "admin_tips_rates_help": {
            "es": "Entregados: acuses de las pasarelas SMS (los de la app cuentan al llegar al servidor MQTT). "
            "Tasa útil: respuestas 1 entre todas las respuestas. Bajas: BAJA después de un consejo de esa categoría.",
            "en": "Delivered: SMS gateway receipts (app tips count once the MQTT broker has them). "
            "Useful rate: replies 1 over all replies. Leaves: BAJA after a tip of that category.",
        },
        "cols_tip_leavers": {
            "es": "Semana|Bajas (BAJA)|Datos borrados|Regresos (ALTA)",
            "en": "Week|Left (BAJA)|Erased|Came back (ALTA)",
        },
        "run_queued": {"es": "en cola", "en": "queued"},
        "dataset_pending": {"es": "pendiente", "en": "pending"},
        "dataset_active": {"es": "en uso", "en": "in use"},
        "dataset_superseded": {"es": "reemplazada", "en": "superseded"},
        "dataset_discarded": {"es": "descartada", "en": "discarded"},
        "run_running": {"es": "en curso", "en": "running"},
        "run_succeeded": {"es": "terminado", "en": "succeeded"},
        "run_failed": {"es": "falló", "en": "failed"},
        "run_cancelled": {"es": "cancelado", "en": "cancelled"},
    }
)
