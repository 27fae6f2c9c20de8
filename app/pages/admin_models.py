"""Admin: model versions side by side, compare two (metrics and a map of differences), promote, roll back,
download tip models."""

from __future__ import annotations

import dash
from dash import Input, Output, State, callback, dcc, html
from flask import request
from flask_login import current_user

from app.admin import get_db, versions
from app.components import ids
from app.components.admin import frame, login_required, metric, require_admin, signed_in, table
from app.figures.admin import difference_map
from app.i18n import cols, t
from app.services import LEVELS, forget_active_model, get_store, regions
from app.web.geo import geojson_url
from app.web.lang import current_lang

PATH = "/admin/modelos"
GRAPH_CONFIG = {"topojsonURL": "/assets/topojson/", "displayModeBar": False}
dash.register_page(__name__, path=PATH, title="Modelos - Administración - NutriMapa Perú")


def _versions() -> list[dict]:
    with get_db().session() as s:
        return versions.list_versions(s, get_store().settings.models_dir)


def _tips_cell(v: dict, lang: str):
    if not v["tips"]:
        return t("admin_no_tips", lang)
    base = f"/admin/api/models/{v['version']}/tips"
    check = v["tips"]["verification"]
    return html.Span(
        [
            html.A(f".tflite ({v['tips']['bytes'] / 1024:.1f} KB)", href=f"{base}.tflite", download=""),
            " · ",
            html.A("JSON", href=f"{base}.json", download=""),
            html.Br(),
            html.Small(
                t(
                    "tips_check",
                    lang,
                    diff=check["max_abs_diff_tflite_vs_keras"],
                    same=check["same_top_tflite_vs_keras"] * 100,
                )
            ),
        ]
    )


def _data_cell(data: dict) -> str:
    return f"{data['rows']:,} · {data['years'][0]}-{data['years'][-1]} · {data['sha256'][:10]}"


def versions_table(items: list[dict], lang: str) -> html.Table:
    rows = []
    for v in items:
        m = v["metrics"]
        rows.append(
            (
                html.Strong(v["version"]) if v["active"] else v["version"],
                "✔" if v["active"] else "",
                v["created_at"][:16].replace("T", " "),
                _data_cell(v["data"]),
                f"{v['config'].get('members')} × {v['config'].get('epochs')}",
                *(
                    f"{metric(m[tg]['keras'], 'auc')} / {metric(m[tg]['keras'], 'brier')} "
                    f"(LR {metric(m[tg].get('logistic_regression'), 'auc')}, "
                    f"GB {metric(m[tg].get('gradient_boosting'), 'auc')})"
                    for tg in ("anemia", "stunting")
                ),
                _tips_cell(v, lang),
            )
        )
    return table(
        [*cols("cols_versions", lang), t("admin_tips", lang)],
        rows,
        ids.ADMIN_VERSIONS,
    )


def layout(**_kwargs) -> html.Div:
    if not signed_in():
        return login_required(PATH)
    lang = current_lang()
    items = _versions()
    names = [v["version"] for v in items]
    active = next((v["version"] for v in items if v["active"]), None)
    opts = [{"label": n, "value": n} for n in names]
    return frame(
        PATH,
        t("admin_models_title", lang),
        [
            html.P(t("admin_active_now", lang, version=active), id="admin-active-version"),
            html.Div(versions_table(items, lang), id=f"{ids.ADMIN_VERSIONS}-wrap"),
            html.Div(
                className="admin-actions",
                children=[
                    dcc.Dropdown(
                        id=ids.ADMIN_PROMOTE_SELECT,
                        options=opts,
                        value=names[0] if names else None,
                        clearable=False,
                        style={"minWidth": "8rem"},
                    ),
                    html.Button(t("admin_promote", lang), id=ids.ADMIN_PROMOTE),
                    html.Button(t("admin_rollback", lang), id=ids.ADMIN_ROLLBACK, className="secondary"),
                ],
            ),
            html.P(id=ids.ADMIN_REGISTRY_MESSAGE, role="status"),
            html.H3(t("admin_compare", lang)),
            html.Div(
                className="admin-form",
                children=[
                    html.Label(
                        ["A", dcc.Dropdown(id=ids.ADMIN_COMPARE_A, options=opts, value=active, clearable=False)]
                    ),
                    html.Label(
                        [
                            "B",
                            dcc.Dropdown(
                                id=ids.ADMIN_COMPARE_B, options=opts, value=names[0] if names else None, clearable=False
                            ),
                        ]
                    ),
                    html.Label(
                        [
                            t("level", lang),
                            dcc.Dropdown(
                                id=ids.ADMIN_COMPARE_LEVEL,
                                options=[{"label": t(lv, lang), "value": lv} for lv in LEVELS],
                                value="department",
                                clearable=False,
                            ),
                        ]
                    ),
                    html.Label(
                        [
                            t("indicator", lang),
                            dcc.Dropdown(
                                id=ids.ADMIN_COMPARE_INDICATOR,
                                options=[{"label": t(i, lang), "value": i} for i in ("anemia", "stunting")],
                                value="anemia",
                                clearable=False,
                            ),
                        ]
                    ),
                ],
            ),
            html.Div(id=ids.ADMIN_COMPARE_RESULT),
            dcc.Graph(id=ids.ADMIN_COMPARE_MAP, config=GRAPH_CONFIG, mathjax=False),
        ],
    )


@callback(
    Output(ids.ADMIN_REGISTRY_MESSAGE, "children"),
    Output(f"{ids.ADMIN_VERSIONS}-wrap", "children"),
    Output("admin-active-version", "children"),
    Input(ids.ADMIN_PROMOTE, "n_clicks"),
    Input(ids.ADMIN_ROLLBACK, "n_clicks"),
    State(ids.ADMIN_PROMOTE_SELECT, "value"),
    prevent_initial_call=True,
)
def switch(_promote, _rollback, version):
    require_admin()
    lang = current_lang()
    models_dir = get_store().settings.models_dir
    try:
        with get_db().session() as s:
            if dash.ctx.triggered_id == ids.ADMIN_PROMOTE:
                act = versions.promote(s, models_dir, version, current_user, request.remote_addr)
            else:
                act = versions.rollback(s, models_dir, current_user, request.remote_addr)
    except versions.VersionError as exc:
        return html.Span(str(exc), className="admin-error"), dash.no_update, dash.no_update
    forget_active_model()  # committed: this worker serves it now, the others within a second
    message = f"{act.previous} → {act.version}"
    return message, versions_table(_versions(), lang), t("admin_active_now", lang, version=act.version)


def _metrics_table(result: dict, lang: str) -> html.Table:
    rows = []
    for target in ("anemia", "stunting"):
        for model in ("keras", "logistic_regression", "gradient_boosting"):
            a = result["metrics"]["a"][target].get(model)
            b = result["metrics"]["b"][target].get(model)
            rows.append((target, model, metric(a, "auc"), metric(b, "auc"), metric(a, "brier"), metric(b, "brier")))
    return table(
        [
            *cols("cols_compare", lang),
            f"AUC {result['a']}",
            f"AUC {result['b']}",
            f"Brier {result['a']}",
            f"Brier {result['b']}",
        ],
        rows,
        "admin-compare-metrics",
    )


@callback(
    Output(ids.ADMIN_COMPARE_RESULT, "children"),
    Output(ids.ADMIN_COMPARE_MAP, "figure"),
    Input(ids.ADMIN_COMPARE_A, "value"),
    Input(ids.ADMIN_COMPARE_B, "value"),
    Input(ids.ADMIN_COMPARE_LEVEL, "value"),
    Input(ids.ADMIN_COMPARE_INDICATOR, "value"),
)
def compare(a, b, level, indicator):
    require_admin()
    if not a or not b:
        raise dash.exceptions.PreventUpdate
    lang = current_lang()
    result = versions.compare(get_store().settings.models_dir, a, b, level, indicator)
    s = result["summary"]
    summary = t(
        "admin_compare_summary",
        lang,
        regions=s["regions"],
        mean=s["mean_abs_diff"],
        max=s["max_abs_diff"],
        moved=s["moved_over_1_point"],
    )
    diffs = {r["ubigeo"]: r["diff"] for r in result["regions"]}
    fig = difference_map(regions(level), diffs, geojson_url(level), lang)
    return html.Div([html.P(summary, id="admin-compare-summary"), _metrics_table(result, lang)]), fig
