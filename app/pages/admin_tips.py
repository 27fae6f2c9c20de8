"""Admin tips page: subscribers by district and channel, tips chosen by week and category, leavers.

Counts only (from ``tips.stats``): no phone numbers, birth months or subscriber ids are read here.
"""

from __future__ import annotations

import dash
from dash import html

from app.admin import get_db
from app.components.admin import frame, login_required, signed_in, table
from app.i18n import cols, t
from app.services import get_store
from app.web.lang import current_lang
from tips import stats

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
                    )
                    for d in per_district
                ],
                "admin-tips-by-district",
            ),
            html.H3(t("admin_tips_leavers", lang)),
            table(
                cols("cols_tip_leavers", lang),
                [(w["week"], w["leave"], w["erase"], w["rejoin"]) for w in leavers],
                "admin-tips-leavers",
            ),
        ],
    )
