"""A region's view: estimates, comparison, drivers in words, trend and what can be done."""

from __future__ import annotations

from dash import dcc, html

from app import services
from app.figures.maps import locator_map
from app.figures.regions import comparison, shap_bars, trend
from app.guidance import action
from app.i18n import t
from app.numbers import interval, num, pct
from app.web.geo import geojson_url

PAGE_FOR_LEVEL = {"department": "departamento", "province": "provincia", "district": "distrito"}


def _fmt_int(value: float | None, lang: str) -> str:
    return num(value, 0, lang, missing=t("unknown", lang))


def page_title(level: str, ubigeo: str | None = None) -> str:
    """The browser tab's title: the region's name first ("Puno · Distrito · NutriMapa Perú")."""
    from app.web.lang import current_lang

    lang = current_lang()
    names = services.get_store().regions.names(level)
    name = names.get(ubigeo or "")
    return f"{name} · {t(level, lang)} · {t('app_title', lang)}" if name else t("app_title", lang)


def explanation_panel(ubigeo: str, indicator: str, lang: str, link: bool = False, year: int | None = None) -> html.Div:
    """SHAP bars and sentences for one region and model year (the map's side panel and the region pages)."""
    body = services.explanation(ubigeo, indicator, lang, year)
    if body is None:
        return html.Div(html.P(t("region_not_found", lang, level=t("district", lang), code=ubigeo)))
    name = body["name"]
    children = [html.H3(t("explain_title", lang, indicator=t(f"{indicator}_short", lang), name=name))]
    if body["prediction"] is None:
        children.append(html.P(t("no_data", lang)))
        return html.Div(children, className="explanation")
    # The year trend is the same for every region: shown as part of the starting point, not as a driver.
    trend_value = sum(c["value"] for c in body["contributions"] if c["feature"] == "year")
    regional = [c for c in body["contributions"] if c["feature"] != "year"]
    start = body["base_value"] + trend_value
    children += [
        html.P(
            t("explain_base", lang, base=pct(start, lang), year=body["year"], prediction=pct(body["prediction"], lang)),
            className="note",
        ),
        dcc.Graph(
            figure=shap_bars(regional, lang),
            config={"displayModeBar": False},
            mathjax=False,
            className="shap-graph",
        ),
        html.Ul([html.Li(c["text"]) for c in regional[:5]], className="drivers"),
    ]
    if link:
        href = f"/{PAGE_FOR_LEVEL[body['level']]}/{ubigeo}"
        children.append(dcc.Link(t("open_page", lang, name=name), href=href, className="page-link"))
    return html.Div(children, className="explanation", **{"data-ubigeo": ubigeo})


def _estimate_card(indicator: str, summary: dict, lang: str) -> html.Div:
    e = summary["estimates"].get(indicator)
    if not e:
        return html.Div([html.H3(t(indicator, lang)), html.P(t("no_data", lang))], className="card")
    return html.Div(
        className="card",
        children=[
            html.H3(t(indicator, lang)),
            html.P(pct(e["estimate"], lang), className="big-number"),
            html.P(t("ci_short", lang, ci=interval(e["ci_low"], e["ci_high"], lang))),
            html.P(t("estimate_model", lang, year=summary["year"]), className="note"),
        ],
    )


def _comparison_items(summary: dict, indicator: str, lang: str) -> list[dict]:
    items = []
    chain = [(summary["ubigeo"], summary["level"])]
    if summary["level"] == "district":
        chain.append((summary["prov_code"], "province"))
    if summary["level"] != "department":
        chain.append((summary["dep_code"], "department"))
    for code, level in chain:
        s = services.region_summary(code)
        e = s["estimates"].get(indicator) if s else None
        if e:
            items.append({"label": f"{s['name']} ({t(level, lang).lower()})", **e})
    items.append({"label": t("peru_model", lang), **services.national_model(indicator)})
    return items


def _locator(summary: dict, lang: str):
    """The region among its neighbours: all departments, the department's provinces or the province's districts."""
    level, ubigeo = summary["level"], summary["ubigeo"]
    table = services.get_store().regions.table(level)
    if level == "province":
        table = table[table["dep_code"] == summary["dep_code"]]
    elif level == "district":
        table = table[table["prov_code"] == summary["prov_code"]]
    units = table[["ubigeo", "name", "has_geom"]].to_dict(orient="records")
    by_code = {r["ubigeo"]: r for r in services.estimate_records(level, "anemia", None, "model")}
    rows = [by_code.get(u["ubigeo"], {}) for u in units]
    return locator_map(units, rows, ubigeo, "anemia", geojson_url(level), lang)


def _subregion_lists(summary: dict, lang: str) -> list:
    """A department lists its provinces and districts, a province its districts: ranked, with links."""
    levels = {"department": ("province", "district"), "province": ("district",)}.get(summary["level"], ())
    out = []
    for sub in levels:
        rows = services.subregion_rows(summary["ubigeo"], sub, "anemia")
        items = [
            html.Li(
                [
                    dcc.Link(r["name"], href=f"/{PAGE_FOR_LEVEL[sub]}/{r['ubigeo']}"),
                    f": {pct(r['estimate'], lang, missing=t('no_data', lang))}",
                ]
            )
            for r in rows
        ]
        title = f"{t(f'subregions_{sub}s', lang)} · {t('anemia_short', lang)} ({len(rows)})"
        out.append(
            html.Details(
                [html.Summary(title), html.Ol(items, className="subregions")],
                open=sub == levels[0],
                className="subregion-list",
                id=f"subregions-{sub}",
            )
        )
    return out


def region_page(level: str, ubigeo: str | None, lang: str) -> html.Div:
    """The full page of a department, province or district; a helpful 404 for unknown codes."""
    summary = services.region_summary(ubigeo or "")
    if summary is None or summary["level"] != level:
        return html.Div(
            className="not-found",
            children=[
                html.H2(t("not_found", lang)),
                html.P(t("region_not_found", lang, level=t(level, lang).lower(), code=ubigeo or "")),
                dcc.Link(t("back_home", lang), href="/"),
            ],
        )
    parents = []
    if level == "district":
        parents = [dcc.Link(summary["prov_name"], href=f"/provincia/{summary['prov_code']}"), ", "]
    if level != "department":
        parents.append(dcc.Link(summary["dep_name"], href=f"/departamento/{summary['dep_code']}"))
    facts = [
        html.Li(f"{t('population', lang)}: {_fmt_int(summary['population_2025'], lang)}"),
        html.Li(f"{t('altitude', lang)}: {_fmt_int(summary['altitude_m'], lang)} m"),
        html.Li(f"{t('poverty', lang)}: {pct(summary['poverty_pct'], lang, missing=t('unknown', lang))}"),
    ]
    sections = [
        html.H2([summary["name"], html.Small(f" · {t(level, lang)}", className="level-label")], id="region-name"),
        html.P([t("in", lang).capitalize(), " ", *parents]) if parents else None,
        html.Div(
            className="region-top",
            children=[
                html.Div(
                    [
                        html.Ul(facts, className="facts"),
                        html.P(t("altitude_model_note", lang), className="note"),
                        html.P(
                            html.A(
                                t("download_report", lang),
                                href=f"/api/v1/reports/{ubigeo}.pdf?lang={lang}",
                                id="download-report",
                                className="download",
                            )
                        ),
                        html.Div([_estimate_card(i, summary, lang) for i in ("anemia", "stunting")], className="cards"),
                    ]
                ),
                html.Figure(
                    [
                        dcc.Graph(
                            id="locator-map",
                            figure=_locator(summary, lang),
                            config={"displayModeBar": False, "topojsonURL": "/assets/topojson/"},
                            mathjax=False,
                        ),
                        html.Figcaption(t("locator", lang), className="note"),
                    ],
                    className="locator",
                ),
            ],
        ),
    ]
    for indicator in ("anemia", "stunting"):
        body = services.explanation(ubigeo, indicator, lang)
        contributions = (body or {}).get("contributions", [])
        advice = []
        for c in contributions:
            text = action(c["feature"], indicator, lang) if c["value"] > 0 else None
            if text and text not in advice:
                advice.append(text)
        direct = services.direct_trend(summary["dep_code"], indicator)
        trend_fig = trend(
            services.model_trend(ubigeo, indicator),
            direct,
            lang,
            None if level == "department" else t("trend_direct_dep", lang, name=summary["dep_name"]),
        )
        note_key = "trend_note_department" if level == "department" else "trend_note_sub"
        sections.append(
            html.Section(
                className="indicator-section",
                children=[
                    html.H3(t(indicator, lang)),
                    html.H4(t("comparison", lang)),
                    dcc.Graph(
                        figure=comparison(_comparison_items(summary, indicator, lang), lang),
                        config={"displayModeBar": False},
                        mathjax=False,
                    ),
                    html.H4(t("why", lang)),
                    explanation_panel(ubigeo, indicator, lang),
                    html.H4(t("trend", lang)),
                    html.P(t(note_key, lang, name=summary["dep_name"]), className="note"),
                    html.P(t("trend_gap_note", lang), className="note")
                    if any(r.get("estimate") is None for r in direct)
                    else None,
                    dcc.Graph(
                        figure=trend_fig, config={"displayModeBar": False}, mathjax=False, className="trend-graph"
                    ),
                    html.H4(t("actions", lang)),
                    html.Ul([html.Li(a) for a in advice[:3]], className="actions")
                    if advice
                    else html.P(t("no_actions", lang), className="actions"),
                ],
            )
        )
    sections += _subregion_lists(summary, lang)
    sections.append(
        html.P(
            className="note",
            children=[dcc.Link(t("nav_methods", lang), href="/metodos"), f" · {summary['model_version']}"],
        )
    )
    return html.Div([s for s in sections if s is not None], className="region-page")
