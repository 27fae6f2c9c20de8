"""National map: departments coloured by a survey-weighted indicator."""

from __future__ import annotations

import dash
from dash import Input, Output, callback, dcc, html

from app import services
from app.components import ids
from app.figures.maps import choropleth
from app.i18n import t
from app.indicators.estimates import national_estimate
from app.web.geo import geojson_url

dash.register_page(__name__, path="/", title="NutriMapa Perú", name="Mapa")

LEVEL = "department"
GRAPH_CONFIG = {
    "topojsonURL": "/assets/topojson/",  # the base map of South America, served locally (no CDN)
    "displaylogo": False,
    "scrollZoom": False,
    "modeBarButtonsToRemove": ["select2d", "lasso2d"],
}


def _summary(indicator: str, year: int, lang: str) -> str:
    store = services.get_store()
    nat = national_estimate(store.survey.table, indicator, year)
    return t("national", lang, **nat)


def layout(lang: str = "es", **_kwargs: object) -> html.Div:
    store = services.get_store()
    years = store.survey.years
    year = store.survey.latest_year
    indicator = "anemia"
    rows = services.indicator_records(LEVEL, indicator, year)
    return html.Div(
        className="map-page",
        children=[
            html.Div(
                className="controls",
                children=[
                    html.Label(
                        [
                            t("indicator", lang),
                            dcc.RadioItems(
                                id=ids.INDICATOR_SELECT,
                                options=[{"label": t(k, lang), "value": k} for k in ("anemia", "stunting")],
                                value=indicator,
                                inline=True,
                            ),
                        ]
                    ),
                    html.Label(
                        [
                            t("year", lang),
                            dcc.Dropdown(
                                id=ids.YEAR_SELECT,
                                options=[{"label": str(y), "value": y} for y in reversed(years)],
                                value=year,
                                clearable=False,
                                searchable=False,
                            ),
                        ]
                    ),
                ],
            ),
            html.H2(t("map_title", lang, indicator=t(f"{indicator}_short", lang), year=year), id=ids.MAP_TITLE),
            html.P(_summary(indicator, year, lang), id=ids.NATIONAL_SUMMARY, className="national"),
            dcc.Graph(
                id=ids.MAP_GRAPH,
                figure=choropleth(rows, geojson_url(LEVEL), indicator, year, lang),
                config=GRAPH_CONFIG,
                mathjax=False,
            ),
            html.P(t("greyed", lang), className="note"),
        ],
    )


@callback(
    Output(ids.MAP_GRAPH, "figure"),
    Output(ids.MAP_TITLE, "children"),
    Output(ids.NATIONAL_SUMMARY, "children"),
    Input(ids.INDICATOR_SELECT, "value"),
    Input(ids.YEAR_SELECT, "value"),
    prevent_initial_call=True,
)
def update_map(indicator: str, year: int):
    lang = "es"
    indicator = services.check_indicator(indicator)
    year = services.check_year(year)
    rows = services.indicator_records(LEVEL, indicator, year)
    return (
        choropleth(rows, geojson_url(LEVEL), indicator, year, lang),
        t("map_title", lang, indicator=t(f"{indicator}_short", lang), year=year),
        _summary(indicator, year, lang),
    )
