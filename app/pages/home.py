"""The national map: every department, province or district coloured by risk, with explanations."""

from __future__ import annotations

from urllib.parse import urlencode

import dash
from dash import ALL, Input, Output, Patch, State, callback, ctx, dcc, html, no_update

from app import services
from app.components import ids
from app.components.region import explanation_panel
from app.components.table import PAGE_SIZE, SORT_BUTTON, sort_rows, table
from app.data.labels import fold
from app.figures.maps import recolour, region_map
from app.i18n import dropdown_labels, t
from app.numbers import interval, num, pct
from app.web.geo import geojson_url
from app.web.lang import current_lang

dash.register_page(__name__, path="/", title="NutriMapa Perú", name="Mapa")

GRAPH_CONFIG = {
    "topojsonURL": "/assets/topojson/",  # the base map of South America, served locally (no CDN)
    "displaylogo": False,
    "scrollZoom": True,
    "modeBarButtonsToRemove": ["select2d", "lasso2d"],
}
PAGE_FOR_LEVEL = {"department": "departamento", "province": "provincia", "district": "distrito"}
# The map view's controls; every view callback takes them in this order.
VIEW_INPUTS = [
    Input(ids.LEVEL_SELECT, "value"),
    Input(ids.INDICATOR_SELECT, "value"),
    Input(ids.METHOD_SELECT, "value"),
    Input(ids.YEAR_SELECT, "value"),
]


def _units(level: str) -> list[dict]:
    table = services.get_store().regions.table(level)
    return table[["ubigeo", "name", "has_geom", "lat", "lon"]].to_dict(orient="records")


def _rows(level: str, indicator: str, method: str, year: int | None, lang: str) -> dict[str, list[dict]]:
    if method == "model":
        return {ind: services.map_rows(level, ind, "model", year, lang) for ind in ("anemia", "stunting")}
    return {indicator: services.map_rows(level, indicator, "direct", year, lang)}


def _title(indicator: str, method: str, year: int, lang: str) -> str:
    key = "map_title_model" if method == "model" else "map_title_direct"
    return t(key, lang, indicator=t(f"{indicator}_short", lang), year=year)


def _summary(level: str, indicator: str, method: str, year: int, lang: str) -> str:
    if method == "model":
        nat = services.national_model(indicator, year)
        ci = interval(nat["ci_low"], nat["ci_high"], lang)
        return t("national_model", lang, year=year, estimate=pct(nat["estimate"], lang), ci=ci)
    nat = services.national_direct(indicator, year)
    ci = interval(nat["ci_low"], nat["ci_high"], lang)
    text = t("national", lang, estimate=pct(nat["estimate"], lang), ci=ci, n=num(nat["n"], 0, lang))
    if level != "department":
        text += " " + t("direct_no_district", lang)
    return text


def _same_points(level: str, year: int) -> bool:
    """Both indicators estimate the same polygon-less units (so a colour patch keeps trace 3 aligned)."""
    points = {u["ubigeo"] for u in _units(level) if not u["has_geom"]}
    have = [
        {r["ubigeo"] for r in services.estimate_records(level, ind, year, "model") if r["estimate"] is not None}
        for ind in ("anemia", "stunting")
    ]
    return points & have[0] == points & have[1]


def _no_polygon_note(lang: str) -> str:
    """Names the point districts as the data spells them (one spelling everywhere)."""
    names = [u["name"] for u in _units("district") if not u["has_geom"]]
    return t("no_polygon_note", lang, names=", ".join(names))


def figure(level: str, indicator: str, method: str, year: int, lang: str):
    return region_map(
        _units(level), _rows(level, indicator, method, year, lang), indicator, method, geojson_url(level), lang
    )


def layout(**_kwargs: object) -> html.Div:
    lang = current_lang()
    model_year = services.model_year()
    level, indicator, method = "department", "anemia", "model"
    return html.Div(
        className="map-page",
        children=[
            dcc.Location(id=ids.NAV, refresh="callback-nav"),
            dcc.Store(id=ids.VIEW_STORE, data={"level": level, "method": method, "year": model_year}),
            html.Div(
                className="controls",
                children=[
                    html.Fieldset(
                        [
                            html.Legend(t("level", lang)),
                            dcc.RadioItems(
                                id=ids.LEVEL_SELECT,
                                value=level,
                                inline=True,
                                options=[
                                    {"label": t(k, lang), "value": v}
                                    for k, v in (
                                        ("departments", "department"),
                                        ("provinces", "province"),
                                        ("districts", "district"),
                                    )
                                ],
                            ),
                        ]
                    ),
                    html.Fieldset(
                        [
                            html.Legend(t("indicator", lang)),
                            dcc.RadioItems(
                                id=ids.INDICATOR_SELECT,
                                value=indicator,
                                inline=True,
                                options=[{"label": t(k, lang), "value": k} for k in ("anemia", "stunting")],
                            ),
                        ]
                    ),
                    html.Fieldset(
                        [
                            html.Legend(t("method", lang)),
                            dcc.RadioItems(
                                id=ids.METHOD_SELECT,
                                value=method,
                                inline=True,
                                options=[{"label": t(f"method_{m}", lang), "value": m} for m in ("model", "direct")],
                            ),
                        ]
                    ),
                    html.Label(
                        [
                            t("year", lang),
                            dcc.Dropdown(
                                id=ids.YEAR_SELECT,
                                options=[{"label": str(y), "value": y} for y in reversed(services.model_years())],
                                value=model_year,
                                clearable=False,
                                searchable=False,
                                labels=dropdown_labels(lang),
                            ),
                        ],
                        className="year",
                    ),
                    html.Label(
                        [
                            t("search", lang),
                            dcc.Dropdown(
                                id=ids.SEARCH,
                                options=[],
                                placeholder=t("search_placeholder", lang),
                                labels=dropdown_labels(lang),
                                searchable=True,
                                clearable=True,
                            ),
                        ],
                        className="search",
                    ),
                ],
            ),
            html.H2(_title(indicator, method, model_year, lang), id=ids.MAP_TITLE),
            html.P(_summary(level, indicator, method, model_year, lang), id=ids.NATIONAL_SUMMARY, className="national"),
            html.Div(
                className="map-row",
                children=[
                    dcc.Tabs(
                        id=ids.VIEW_TABS,
                        value="map",
                        className="view-tabs",
                        mobile_breakpoint=0,  # side by side on a phone too: the map stays near the top
                        children=[
                            dcc.Tab(
                                label=t("nav_map", lang),
                                value="map",
                                children=[
                                    # The box sets the size (CSS: taller on desktop, 62vh on a phone); the
                                    # responsive graph fills it.
                                    html.Div(
                                        dcc.Graph(
                                            id=ids.MAP_GRAPH,
                                            figure=figure(level, indicator, method, model_year, lang),
                                            config={**GRAPH_CONFIG, "locale": "es" if lang == "es" else "en"},
                                            mathjax=False,
                                            responsive=True,
                                            className="map-graph",
                                        ),
                                        className="map-box",
                                    ),
                                ],
                            ),
                            dcc.Tab(
                                label=t("table", lang),
                                value="table",
                                children=[
                                    dcc.Store(
                                        id=ids.TABLE_STATE, data={"column": "estimate", "ascending": False, "page": 0}
                                    ),
                                    html.Div(
                                        className="table-controls",
                                        children=[
                                            html.Label(
                                                [
                                                    t("search", lang),
                                                    dcc.Input(
                                                        id=ids.TABLE_FILTER,
                                                        type="search",
                                                        debounce=True,
                                                        placeholder="…",
                                                    ),
                                                ]
                                            ),
                                            html.Button(
                                                "‹",
                                                id=ids.TABLE_PREV,
                                                n_clicks=0,
                                                className="page-button",
                                                title=t("page_prev", lang),
                                                **{"aria-label": t("page_prev", lang)},
                                            ),
                                            html.Button(
                                                "›",
                                                id=ids.TABLE_NEXT,
                                                n_clicks=0,
                                                className="page-button",
                                                title=t("page_next", lang),
                                                **{"aria-label": t("page_next", lang)},
                                            ),
                                        ],
                                    ),
                                    html.Div(id=ids.DATA_TABLE),
                                ],
                            ),
                        ],
                    ),
                    html.Aside(
                        id=ids.SIDE_PANEL,
                        className="side-panel",
                        **{"aria-live": "polite"},
                        children=html.P(t("panel_hint", lang), className="note"),
                    ),
                ],
            ),
            html.P([t("greyed", lang), " ", _no_polygon_note(lang)], id=ids.MAP_NOTE, className="note"),
            html.Nav(
                downloads(level, indicator, method, model_year, lang),
                id=ids.DOWNLOADS,
                className="downloads",
                **{"aria-label": t("downloads", lang)},
            ),
        ],
    )


def downloads(level: str, indicator: str, method: str, year: int, lang: str) -> list:
    """Links to the files of the current view (plain links: they work without JavaScript)."""
    query = urlencode({"level": level, "indicator": indicator, "method": method, "year": year})
    links = [
        (t("download_csv", lang), f"/api/v1/estimates.csv?{query}"),
        (t("download_meta", lang), f"/api/v1/estimates.meta.json?{query}"),
        (t("download_gpkg", lang), f"/api/v1/estimates.gpkg?{query}"),
        (t("download_geojson", lang), f"/api/v1/estimates.geojson?{query}"),
        (t("download_national", lang), f"/api/v1/reports/peru.pdf?lang={lang}"),
    ]
    return [html.Strong(t("downloads", lang) + ": ")] + [
        html.A(label, href=href, className="download", id=f"download-{i}") for i, (label, href) in enumerate(links)
    ]


@callback(
    Output(ids.DOWNLOADS, "children"),
    *VIEW_INPUTS,
    prevent_initial_call=True,
)
def update_downloads(level: str, indicator: str, method: str, year: int):
    return downloads(
        services.check_level(level),
        services.check_indicator(indicator),
        services.check_method(method),
        year,
        current_lang(),
    )


@callback(
    Output(ids.YEAR_SELECT, "options"),
    Output(ids.YEAR_SELECT, "value"),
    Input(ids.METHOD_SELECT, "value"),
    State(ids.YEAR_SELECT, "value"),
    prevent_initial_call=True,
)
def year_choices(method: str, current: int | None):
    """The years of the chosen method (model years or survey years), keeping the current one if it exists."""
    years = services.model_years() if services.check_method(method) == "model" else services.get_store().survey.years
    value = current if current in years else years[-1]
    return [{"label": str(y), "value": y} for y in reversed(years)], value


@callback(
    Output(ids.MAP_GRAPH, "figure"),
    Output(ids.MAP_TITLE, "children"),
    Output(ids.NATIONAL_SUMMARY, "children"),
    Output(ids.VIEW_STORE, "data"),
    *VIEW_INPUTS,
    State(ids.VIEW_STORE, "data"),
    prevent_initial_call=True,
)
def update_map(level: str, indicator: str, method: str, year: int, view: dict):
    lang = current_lang()
    level = services.check_level(level)
    indicator = services.check_indicator(indicator)
    method = services.check_method(method)
    year = services.check_model_year(year) if method == "model" else services.check_year(year)
    new_view = {"level": level, "method": method, "year": year}
    title, summary = _title(indicator, method, year, lang), _summary(level, indicator, method, year, lang)
    patchable = ctx.triggered_id == ids.INDICATOR_SELECT and method == "model" and view == new_view
    if patchable and _same_points(level, year):
        # Same geometry and hover data: send only the new colours (a few KB even for 1,891 districts).
        values = recolour(_units(level), services.map_rows(level, indicator, "model", year, lang), indicator, lang)
        patch = Patch()
        patch["data"][1]["z"] = values["z"]
        patch["data"][1]["hovertemplate"] = values["hovertemplate"]
        patch["data"][3]["marker"]["color"] = values["point_colors"]
        patch["data"][3]["hovertemplate"] = values["point_hovertemplate"]
        patch["layout"]["coloraxis"]["cmin"] = values["cmin"]
        patch["layout"]["coloraxis"]["cmax"] = values["cmax"]
        patch["layout"]["meta"]["indicator"] = indicator
        return patch, title, summary, no_update
    return figure(level, indicator, method, year, lang), title, summary, new_view


@callback(
    Output(ids.TABLE_STATE, "data"),
    Input({"type": SORT_BUTTON, "column": ALL}, "n_clicks"),
    Input(ids.TABLE_PREV, "n_clicks"),
    Input(ids.TABLE_NEXT, "n_clicks"),
    Input(ids.TABLE_FILTER, "value"),
    State(ids.TABLE_STATE, "data"),
    prevent_initial_call=True,
)
def table_state(_sorts, _prev, _next, _filter, state: dict):
    trig = ctx.triggered_id
    state = dict(state)
    if isinstance(trig, dict) and trig.get("type") == SORT_BUTTON:
        if not ctx.triggered[0]["value"]:  # a re-rendered button (n_clicks 0), not a click
            return no_update
        column = trig["column"]
        state = {
            **state,
            "ascending": not state["ascending"] if state["column"] == column else column == "name",
            "column": column,
            "page": 0,
        }
    elif trig == ids.TABLE_PREV:
        state["page"] = max(0, state["page"] - 1)
    elif trig == ids.TABLE_NEXT:
        state["page"] += 1
    elif trig == ids.TABLE_FILTER:
        state["page"] = 0
    return state


@callback(
    Output(ids.DATA_TABLE, "children"),
    Input(ids.VIEW_TABS, "value"),
    *VIEW_INPUTS,
    Input(ids.TABLE_STATE, "data"),
    State(ids.TABLE_FILTER, "value"),
)
def update_table(tab: str, level: str, indicator: str, method: str, year: int, state: dict, query: str | None):
    if tab != "table":
        return no_update
    lang = current_lang()
    method = services.check_method(method)
    level = services.check_level(level)
    rows = services.map_rows(level, services.check_indicator(indicator), method, year, lang)
    parents = services.parent_names(level)
    notes = {"imprecise": t("imprecise", lang), "suppressed": t("suppressed", lang), "no_data": t("no_data", lang)}
    data = [
        {
            "name": r["name"],
            "href": f"/{PAGE_FOR_LEVEL[level]}/{r['ubigeo']}",
            **parents.get(r["ubigeo"], {}),
            "estimate": r["estimate"],
            "ci_low": r["ci_low"],
            "ci_high": r["ci_high"],
            "n": r["n"],
            "note": notes.get(r.get("flag"), r.get("drivers", "")),
        }
        for r in rows
    ]
    ordered = sort_rows(data, state["column"], state["ascending"], query or "")
    last_page = max(0, (len(ordered) - 1) // PAGE_SIZE)
    limits = t("ci_model" if method == "model" else "ci_direct", lang)
    return [
        table(ordered, state["column"], state["ascending"], min(state["page"], last_page), lang, level),
        html.P(f"{t('col_ci_low', lang)} / {t('col_ci_high', lang)}: {limits.lower()}.", className="note"),
    ]


@callback(
    Output(ids.SIDE_PANEL, "children"),
    Output(ids.MAP_GRAPH, "clickData"),
    Input(ids.MAP_GRAPH, "clickData"),
    *VIEW_INPUTS,
    prevent_initial_call=True,
)
def show_explanation(click: dict | None, level: str, indicator: str, method: str, year: int | None):
    """The clicked region's explanation; it follows the indicator and year, and clears on a new level."""
    lang = current_lang()
    point = (click or {}).get("points", [{}])[0]
    ubigeo = point.get("location") or point.get("id")
    if ctx.triggered_id == ids.LEVEL_SELECT or not ubigeo or services.level_of(ubigeo) != level:
        return html.P(t("panel_hint", lang), className="note"), None
    model_year = year if services.check_method(method) == "model" and year in services.model_years() else None
    return explanation_panel(ubigeo, services.check_indicator(indicator), lang, link=True, year=model_year), no_update


@callback(
    Output(ids.SEARCH, "options"),
    Input(ids.SEARCH, "search_value"),
    State(ids.SEARCH, "value"),
    prevent_initial_call=True,
)
def search_options(query: str | None, value: str | None):
    if not query:
        return no_update
    lang = current_lang()
    # "search" is what the dropdown filters on in the browser: accented and folded forms both match.
    return [
        {
            "label": f"{hit['label']} · {t(hit['level'], lang)}",
            "value": f"{hit['level']}:{hit['ubigeo']}",
            "search": f"{hit['label']} {fold(hit['label'])} {query}",
        }
        for hit in services.search(query)
    ]


@callback(Output(ids.NAV, "href"), Input(ids.SEARCH, "value"), prevent_initial_call=True)
def go_to_region(value: str | None):
    if not value or ":" not in value:
        return no_update
    level, ubigeo = value.split(":", 1)
    return f"/{PAGE_FOR_LEVEL.get(level, 'distrito')}/{ubigeo}"
