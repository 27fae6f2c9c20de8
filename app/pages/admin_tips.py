"""Admin tips page: subscribers by district and channel, tips chosen by week and category, leavers.

Counts only (from ``tips.stats``): no phone numbers, birth months or subscriber ids are read here.
"""

from __future__ import annotations

import dash
from dash import Input, State, callback, html
from dash import Output as Out
from flask import request
from flask_login import current_user

from app.admin import get_db, versions
from app.components import ids
from app.components.admin import frame, login_required, require_admin, signed_in, table
from app.i18n import cols, t
from app.services import forget_active_model, get_store
from app.web.lang import current_lang
from tips import ab, stats

PATH = "/admin/consejos"
dash.register_page(__name__, path=PATH, title="Consejos - NutriMapa Perú")

CATEGORY_LABELS = {
    "exclusive_breastfeeding": {"es": "Lactancia materna exclusiva", "en": "Exclusive breastfeeding"},
    "complementary_feeding": {"es": "Alimentación complementaria", "en": "Complementary feeding"},
    "iron_rich_foods": {"es": "Alimentos ricos en hierro", "en": "Iron-rich foods"},
    "iron_supplements": {"es": "Suplemento de hierro", "en": "Iron supplements"},
    "safe_water_deworming": {"es": "Agua segura y desparasitación", "en": "Safe water and deworming"},
    "growth_checkups": {"es": "Control de crecimiento (CRED)", "en": "Growth check-ups (CRED)"},
}


def _category(key: str, lang: str) -> str:
    return CATEGORY_LABELS.get(key, {}).get(lang, key)


def layout(**_kwargs) -> html.Div:
    if not signed_in():
        return login_required(PATH)
    lang = current_lang()
    names = get_store().regions.names("district")
    with get_db().session() as s:
        total = stats.totals(s)
        queue = stats.outbox(s)
        districts = stats.by_district_channel(s)
        weeks = stats.by_week_category(s)
        per_district = stats.by_district(s)
        leavers = stats.leavers_by_week(s)
        experiment = ab.active(s)
        test = ab.results(s, experiment) if experiment is not None else None
    channel = {"sms": "SMS", "app": "app"}
    return frame(
        PATH,
        t("admin_tips_title", lang),
        [
            html.P(t("admin_tips_totals", lang, **total), id="admin-tips-totals"),
            html.P(t("admin_tips_outbox", lang, **queue), id="admin-tips-outbox"),
            html.P(t("admin_tips_privacy", lang), className="muted"),
            html.H3(t("admin_tips_districts", lang)),
            table(
                cols("cols_tip_districts", lang),
                [
                    (
                        f"{names.get(d['ubigeo'], '—')} ({d['ubigeo']})",
                        channel.get(d["channel"], d["channel"]),
                        stats.small(d["active"]),
                        stats.small(d["left"]),
                    )
                    for d in districts
                ],
                "admin-tips-districts",
            ),
            html.H3(t("admin_tips_weeks", lang)),
            table(
                cols("cols_tip_weeks", lang),
                [
                    (
                        w["week"],
                        _category(w["category"], lang),
                        w["tips"],
                        w["sent"],
                        w["delivery"],
                        f"{w['useful']} / {w['not_useful']}",
                        w["useful_rate"],
                        w["leaves"],
                        w["leave_rate"],
                    )
                    for w in weeks
                ],
                "admin-tips-weeks",
            ),
            html.P(t("admin_tips_rates_help", lang), className="muted"),
            html.H3(t("admin_tips_by_district", lang)),
            table(
                cols("cols_tip_by_district", lang),
                [
                    (
                        f"{names.get(d['ubigeo'], '—')} ({d['ubigeo']})",
                        stats.small(d["tips"]),
                        d["sent"],
                        d["delivered"],
                        d["useful_rate"],
                        d["leave_rate"],
                    )
                    for d in per_district
                ],
                "admin-tips-by-district",
            ),
            html.H3(t("admin_tips_ab", lang)),
            ab_section(test, lang),
            html.H3(t("admin_tips_leavers", lang)),
            table(
                cols("cols_tip_leavers", lang),
                [(w["week"], w["leave"], w["erase"], w["rejoin"]) for w in leavers],
                "admin-tips-leavers",
            ),
        ],
    )


def ab_section(test: dict | None, lang: str) -> html.Div:
    """Per arm: version, tips, sends, delivered, useful and leave rates; the z-test and a plain verdict."""
    if test is None:
        return html.Div(html.P(t("admin_tips_ab_none", lang), className="muted"), id="admin-tips-ab")
    rows = []
    for arm in ("a", "b"):
        a = test["arms"][arm]
        rows.append((arm.upper(), test["versions"][arm], a["tips"], a["sent"], a["delivered"],
                     stats.rate(a["useful"], a["replies"]), stats.rate(a["leaves"], a["tips"])))  # fmt: skip
    children = [table(cols("cols_tip_ab", lang), rows, "admin-tips-ab-arms")]
    verdict = test["verdict"]
    if verdict != "too_few":
        low, high = test["diff_b_minus_a"]
        children.append(
            html.P(t("admin_tips_ab_stats", lang, z=test["z"], p=test["p"], low=low * 100, high=high * 100))
        )
    winner = {"a_better": "a", "b_better": "b"}.get(verdict)
    children.append(html.P(t(f"admin_tips_ab_{verdict}", lang, winner=test["versions"].get(winner or "a"))))
    if winner is not None:
        children.append(
            html.Button(
                t("admin_tips_ab_promote", lang, version=test["versions"][winner]),
                id=ids.ADMIN_TIPS_PROMOTE,
                value=test["versions"][winner],
            )
        )
    children.append(html.Div(id=ids.ADMIN_TIPS_MESSAGE))
    return html.Div(children, id="admin-tips-ab")


@callback(
    Out(ids.ADMIN_TIPS_MESSAGE, "children"),
    Input(ids.ADMIN_TIPS_PROMOTE, "n_clicks"),
    State(ids.ADMIN_TIPS_PROMOTE, "value"),
    prevent_initial_call=True,
)
def promote_winner(_clicks, version):
    """One click: the winning version becomes the active model (audited) and the test stops."""
    require_admin()
    lang = current_lang()
    try:
        with get_db().session() as s:
            act = versions.promote(s, get_store().settings.models_dir, version, current_user, request.remote_addr)
            ab.stop(s)
    except versions.VersionError as exc:
        return html.Span(str(exc), className="admin-error")
    forget_active_model()  # committed: this worker serves it now, the others within a second
    return t("admin_tips_ab_promoted", lang, previous=act.previous, version=act.version)
