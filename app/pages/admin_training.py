"""Admin: start a retraining run, watch its progress bar (phase and epoch), cancel it, read its log."""

from __future__ import annotations

import dash
from dash import Input, Output, State, callback, dcc, html
from flask import request
from flask_login import current_user

from app.admin import datasets, get_db, runs
from app.components import ids
from app.components.admin import frame, login_required, require_admin, signed_in, table
from app.i18n import STRINGS, cols, t
from app.services import get_store
from app.web.lang import current_lang

PATH = "/admin/entrenamiento"
POLL_MS = 1000
dash.register_page(__name__, path=PATH, title="Reentrenamiento - Administración - NutriMapa Perú")


def _dataset_label(d: dict, lang: str) -> str:
    status = t(f"dataset_{d['status']}", lang)
    return f"#{d['id']} {', '.join(d['files'])} ({status})"


def _number(label: str, id_: str, value: int, field: str) -> html.Label:
    lo, hi = runs.LIMITS[field]
    return html.Label([label, dcc.Input(id=id_, type="number", min=lo, max=hi, step=1, value=value, debounce=True)])


def _runs_table(items: list[dict], lang: str) -> html.Table:
    def auc(r, target):
        m = (r["metrics"] or {}).get(target, {}).get("keras")
        return f"{m['auc']:.3f}" if m else "—"

    return table(
        cols("cols_runs", lang),
        [
            (
                r["id"],
                t(f"run_{r['status']}", lang),
                phase_label(r["phase"], lang),
                r["params"]["members"],
                r["params"]["epochs"],
                r["model_version"] or "—",
                auc(r, "anemia"),
                auc(r, "stunting"),
                r["started_at"] or "—",
                r["error"] or "",
            )
            for r in items
        ],
        ids.ADMIN_RUNS,
    )


def layout(**_kwargs) -> html.Div:
    if not signed_in():
        return login_required(PATH)
    lang = current_lang()
    with get_db().session() as s:
        options = [{"label": t("admin_dataset_active", lang), "value": ""}] + [
            {"label": _dataset_label(d, lang), "value": str(d["id"])}
            for d in datasets.list_datasets(s)
            if d["status"] != "discarded"
        ]
        items = runs.list_runs(s)
    latest = items[0] if items else None
    active = latest is not None and latest["status"] in runs.ACTIVE_STATES
    d = runs.DEFAULTS
    return frame(
        PATH,
        t("admin_train_title", lang),
        [
            html.P(t("admin_train_help", lang)),
            html.Div(
                className="admin-form",
                children=[
                    html.Label(
                        [
                            t("admin_dataset", lang),
                            dcc.Dropdown(id=ids.ADMIN_TRAIN_DATASET, options=options, value="", clearable=False),
                        ]
                    ),
                    _number(t("admin_members", lang), ids.ADMIN_TRAIN_MEMBERS, d["members"], "members"),
                    _number(t("admin_epochs", lang), ids.ADMIN_TRAIN_EPOCHS, d["epochs"], "epochs"),
                    _number(t("admin_tip_epochs", lang), ids.ADMIN_TRAIN_TIP_EPOCHS, d["tip_epochs"], "tip_epochs"),
                    _number(
                        t("admin_validation_years", lang),
                        ids.ADMIN_TRAIN_VALIDATION,
                        d["validation_years"],
                        "validation_years",
                    ),
                    html.Button(t("admin_start", lang), id=ids.ADMIN_TRAIN_START, disabled=active),
                    html.Button(
                        t("admin_cancel", lang), id=ids.ADMIN_TRAIN_CANCEL, disabled=not active, className="secondary"
                    ),
                ],
            ),
            html.P(id=ids.ADMIN_TRAIN_MESSAGE, role="status"),
            dcc.Store(id=ids.ADMIN_RUN_ID, data=latest["id"] if latest else None),
            dcc.Interval(id=ids.ADMIN_RUN_POLL, interval=POLL_MS, disabled=not active),
            html.Progress(
                id=ids.ADMIN_RUN_PROGRESS,
                value=str(latest["progress"] if latest else 0),
                max="1",
                className="admin-progress",
            ),
            html.P(id=ids.ADMIN_RUN_STATUS, children=_status_text(latest, lang), role="status"),
            html.Details([html.Summary(t("admin_log", lang)), html.Pre(id=ids.ADMIN_RUN_LOG)]),
            html.H3(t("admin_runs", lang)),
            html.Div(_runs_table(items, lang), id=f"{ids.ADMIN_RUNS}-wrap"),
        ],
    )


def phase_label(phase: str, lang: str) -> str:
    key = f"phase_{phase}"
    return t(key, lang) if key in STRINGS else phase


def _status_text(run: dict | None, lang: str) -> str:
    if run is None:
        return t("admin_no_run", lang)
    fields = {k: run[k] for k in ("id", "epoch", "epochs")}
    text = t(
        "admin_run_status",
        lang,
        status=t(f"run_{run['status']}", lang),
        phase=phase_label(run["phase"], lang),
        **fields,
    )
    if run["model_version"]:
        text += f" → {run['model_version']}"
    if run["error"]:
        text += f" · {run['error']}"
    return text


@callback(
    Output(ids.ADMIN_TRAIN_MESSAGE, "children"),
    Output(ids.ADMIN_RUN_ID, "data"),
    Output(ids.ADMIN_RUN_POLL, "disabled"),
    Output(ids.ADMIN_TRAIN_START, "disabled"),
    Output(ids.ADMIN_TRAIN_CANCEL, "disabled"),
    Input(ids.ADMIN_TRAIN_START, "n_clicks"),
    State(ids.ADMIN_TRAIN_DATASET, "value"),
    State(ids.ADMIN_TRAIN_MEMBERS, "value"),
    State(ids.ADMIN_TRAIN_EPOCHS, "value"),
    State(ids.ADMIN_TRAIN_TIP_EPOCHS, "value"),
    State(ids.ADMIN_TRAIN_VALIDATION, "value"),
    prevent_initial_call=True,
)
def start(_n, dataset_id, members, epochs, tip_epochs, validation_years):
    require_admin()
    raw = {
        "dataset_id": dataset_id or None,
        "members": members,
        "epochs": epochs,
        "tip_epochs": tip_epochs,
        "validation_years": validation_years,
    }
    try:
        run = runs.start(get_db(), get_store(), current_user, raw, request.remote_addr)
    except runs.RunError as exc:
        return html.Span(str(exc), className="admin-error"), dash.no_update, dash.no_update, False, dash.no_update
    return f"#{run.id} ({run.runner})", run.id, False, True, False


@callback(
    Output(ids.ADMIN_TRAIN_MESSAGE, "children", allow_duplicate=True),
    Input(ids.ADMIN_TRAIN_CANCEL, "n_clicks"),
    State(ids.ADMIN_RUN_ID, "data"),
    prevent_initial_call=True,
)
def cancel(_n, run_id):
    require_admin()
    if run_id is None:
        raise dash.exceptions.PreventUpdate
    try:
        with get_db().session() as s:
            runs.cancel(s, run_id, current_user, request.remote_addr)
    except runs.RunError as exc:
        return html.Span(str(exc), className="admin-error")
    return t("admin_cancel_requested", current_lang(), id=run_id)


@callback(
    Output(ids.ADMIN_RUN_PROGRESS, "value"),
    Output(ids.ADMIN_RUN_STATUS, "children"),
    Output(ids.ADMIN_RUN_LOG, "children"),
    Output(ids.ADMIN_RUN_POLL, "disabled", allow_duplicate=True),
    Output(ids.ADMIN_TRAIN_START, "disabled", allow_duplicate=True),
    Output(ids.ADMIN_TRAIN_CANCEL, "disabled", allow_duplicate=True),
    Output(f"{ids.ADMIN_RUNS}-wrap", "children"),
    Input(ids.ADMIN_RUN_POLL, "n_intervals"),
    State(ids.ADMIN_RUN_ID, "data"),
    prevent_initial_call=True,
)
def poll(_n, run_id):
    require_admin()
    if run_id is None:
        raise dash.exceptions.PreventUpdate
    with get_db().session() as s:
        run = runs.get(s, run_id)
        finished = run["status"] not in runs.ACTIVE_STATES
        table_now = _runs_table(runs.list_runs(s), current_lang()) if finished else dash.no_update
    lang = current_lang()
    return (
        str(run["progress"]),
        _status_text(run, lang),
        run["log"][-4000:],
        finished,
        not finished,
        finished,
        table_now,
    )
