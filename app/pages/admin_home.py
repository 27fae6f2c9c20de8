"""Admin overview: the model and survey being served, the latest run, the audit log."""

from __future__ import annotations

import dash
from dash import html

from app.admin import accounts, get_db, runs, versions
from app.components.admin import frame, login_required, signed_in, table
from app.i18n import cols, t
from app.services import get_store
from app.web.lang import current_lang

PATH = "/admin"
dash.register_page(__name__, path=PATH, title="Administración - NutriMapa Perú")


def layout(**_kwargs) -> html.Div:
    if not signed_in():
        return login_required(PATH)
    lang = current_lang()
    store = get_store()
    with get_db().session() as s:
        models = versions.list_versions(s, store.settings.models_dir)
        latest = runs.list_runs(s, limit=1)
        audit = accounts.recent_audit(s, 30)
    active = next((m for m in models if m["active"]), None)
    survey = store.survey
    cards = [
        html.Section(
            className="admin-card",
            id="admin-active-model",
            children=[
                html.H3(t("admin_active_model", lang)),
                html.P(
                    f"{active['version']} · {active['created_at'][:10]} · "
                    f"AUC anemia {active['metrics']['anemia']['keras']['auc']:.3f}, "
                    f"stunting {active['metrics']['stunting']['keras']['auc']:.3f}"
                    if active
                    else "—"
                ),
            ],
        ),
        html.Section(
            className="admin-card",
            children=[
                html.H3(t("admin_survey", lang)),
                html.P(f"{survey.version} · {len(survey.table):,} · {survey.years[0]}-{survey.years[-1]}"),
                html.P(", ".join(survey.sources), className="muted"),
            ],
        ),
        html.Section(
            className="admin-card",
            children=[
                html.H3(t("admin_runs", lang)),
                html.P(
                    t(
                        "admin_run_status",
                        lang,
                        status=t(f"run_{latest[0]['status']}", lang),
                        **{k: latest[0][k] for k in ("id", "phase", "epoch", "epochs")},
                    )
                    if latest
                    else t("admin_no_run", lang)
                ),
            ],
        ),
    ]
    rows = [(e["at"], e["user"] or "", e["action"], e["target"] or "", e["ip"] or "") for e in audit]
    return frame(
        PATH,
        t("admin_title", lang),
        [
            html.Div(cards, className="admin-cards"),
            html.H3(t("admin_audit", lang)),
            table(cols("cols_audit", lang), rows, "admin-audit"),
        ],
    )
