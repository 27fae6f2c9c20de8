"""Admin: upload ENDES files, read the validation report, then accept or discard."""

from __future__ import annotations

import base64

import dash
from dash import Input, Output, State, callback, dcc, html
from flask import request
from flask_login import current_user

from app.admin import datasets, get_db
from app.components import ids
from app.components.admin import frame, login_required, require_admin, signed_in, table
from app.data.errors import SurveyValidationError
from app.i18n import cols, t
from app.services import get_store
from app.web.lang import current_lang

PATH = "/admin/datos"
dash.register_page(__name__, path=PATH, title="Datos - Administración - NutriMapa Perú")


def _datasets_table(lang: str) -> html.Table:
    with get_db().session() as s:
        rows = datasets.list_datasets(s)
    return table(
        cols("cols_datasets", lang),
        [
            (
                d["id"],
                ", ".join(d["files"]),
                f"{d['rows']:,}",
                ", ".join(map(str, d["years"])),
                t(f"dataset_{d['status']}", lang),
                d["created_at"],
            )
            for d in rows
        ],
        ids.ADMIN_DATASETS,
    )


def layout(**_kwargs) -> html.Div:
    if not signed_in():
        return login_required(PATH)
    lang = current_lang()
    mb = get_store().settings.max_upload_mb
    return frame(
        PATH,
        t("admin_upload_title", lang),
        [
            html.P(t("admin_upload_help", lang, mb=mb)),
            dcc.Upload(
                id=ids.ADMIN_UPLOAD,
                multiple=True,
                max_size=mb * 2**20,
                className="admin-upload",
                children=html.Div(t("admin_upload_drop", lang)),
            ),
            dcc.Loading(html.Div(id=ids.ADMIN_UPLOAD_RESULT, role="status")),
            dcc.Store(id=ids.ADMIN_PENDING),
            html.Div(
                className="admin-actions",
                children=[
                    html.Button(t("admin_accept", lang), id=ids.ADMIN_ACCEPT, disabled=True),
                    html.Button(t("admin_discard", lang), id=ids.ADMIN_DISCARD, disabled=True, className="secondary"),
                ],
            ),
            dcc.Loading(html.Div(id=ids.ADMIN_DECISION, role="status")),
            html.H3(t("admin_datasets", lang)),
            html.Div(_datasets_table(lang), id=f"{ids.ADMIN_DATASETS}-wrap"),
        ],
    )


def report_view(report: dict, lang: str) -> html.Div:
    """The validation report an admin reads before accepting."""
    per_year = ", ".join(f"{y}: {n:,}" for y, n in report["rows_per_year"].items())
    has_codes = "yes" if report["has_district_codes"] else "no"
    missing = ", ".join(f"{c}: {n:,}" for c, n in sorted(report["missing"].items())) or "—"
    return html.Div(
        className="admin-report",
        id="admin-report",
        children=[
            html.H3(t("admin_report", lang)),
            html.Ul(
                [
                    html.Li(f"{t('report_files', lang)}: {', '.join(report['sources'])}"),
                    html.Li(f"{t('report_rows', lang)}: {report['rows']:,} ({per_year})"),
                    html.Li(f"{t('report_years', lang)}: {', '.join(map(str, report['years']))}"),
                    html.Li(f"{t('report_departments', lang)}: {len(report['departments'])}"),
                    html.Li(f"{t('report_district_codes', lang)}: {t(has_codes, lang)}"),
                    html.Li(f"{t('report_missing', lang)}: {missing}"),
                ]
            ),
            *(
                [html.H4(t("report_notes", lang)), html.Ul([html.Li(n) for n in report["notes"]])]
                if report["notes"]
                else []
            ),
        ],
    )


def problems_view(exc: SurveyValidationError, lang: str) -> html.Div:
    return html.Div(
        className="admin-rejected",
        id="admin-rejected",
        role="alert",
        children=[html.P(t("admin_rejected", lang)), html.Ul([html.Li(p.describe()) for p in exc.problems])],
    )


@callback(
    Output(ids.ADMIN_UPLOAD_RESULT, "children"),
    Output(ids.ADMIN_PENDING, "data"),
    Output(ids.ADMIN_ACCEPT, "disabled"),
    Output(ids.ADMIN_DISCARD, "disabled"),
    Input(ids.ADMIN_UPLOAD, "contents"),
    State(ids.ADMIN_UPLOAD, "filename"),
    prevent_initial_call=True,
)
def stage_upload(contents, filenames):
    require_admin()
    lang = current_lang()
    store = get_store()
    with datasets.incoming(store.settings) as folder:
        uploads = [
            datasets.receive_bytes(name, base64.b64decode(content.split(",", 1)[1]), folder)
            for name, content in zip(filenames or [], contents or [], strict=True)
        ]
        try:
            ds = datasets.upload(get_db(), store, uploads, current_user, request.remote_addr)
        except SurveyValidationError as exc:
            return problems_view(exc, lang), None, True, True
    pending = ds.status == "pending"
    return report_view(ds.report, lang), ds.id, not pending, not pending


@callback(
    Output(ids.ADMIN_DECISION, "children"),
    Output(f"{ids.ADMIN_DATASETS}-wrap", "children"),
    Output(ids.ADMIN_ACCEPT, "disabled", allow_duplicate=True),
    Output(ids.ADMIN_DISCARD, "disabled", allow_duplicate=True),
    Input(ids.ADMIN_ACCEPT, "n_clicks"),
    Input(ids.ADMIN_DISCARD, "n_clicks"),
    State(ids.ADMIN_PENDING, "data"),
    prevent_initial_call=True,
)
def decide(_accept, _discard, dataset_id):
    require_admin()
    lang = current_lang()
    if dataset_id is None:
        raise dash.exceptions.PreventUpdate
    accept = dash.ctx.triggered_id == ids.ADMIN_ACCEPT
    store, who = get_store(), (current_user, request.remote_addr)
    try:
        with get_db().session() as s:
            if accept:
                datasets.accept(s, store, dataset_id, *who)
            else:
                datasets.discard(s, dataset_id, *who)
    except (datasets.DatasetError, SurveyValidationError) as exc:
        return html.P(str(exc), className="admin-error", role="alert"), dash.no_update, True, True
    message = t("admin_accepted", lang, version=store.survey.version) if accept else t("admin_discarded", lang)
    return html.P(message, id="admin-decision-message"), _datasets_table(lang), True, True
