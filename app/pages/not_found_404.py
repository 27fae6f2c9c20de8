"""A helpful 404 inside the app shell."""

from __future__ import annotations

import dash
from dash import dcc, html

from app.i18n import t
from app.web.lang import current_lang

dash.register_page(__name__, path="/404", title="No encontrado - NutriMapa Perú")


def layout(**_kwargs: object) -> html.Div:
    lang = current_lang()
    return html.Div(
        className="not-found",
        children=[
            html.H2(t("not_found", lang)),
            dcc.Link(t("back_home", lang), href="/"),
        ],
    )
