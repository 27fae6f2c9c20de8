"""A helpful 404 inside the app shell."""

from __future__ import annotations

import dash
from dash import dcc, html

from app.i18n import t

dash.register_page(__name__, path="/404", title="No encontrado - NutriMapa Perú")


def layout(lang: str = "es", **_kwargs: object) -> html.Div:
    return html.Div(
        className="not-found",
        children=[
            html.H2(t("not_found", lang)),
            dcc.Link(t("back_home", lang), href="/"),
        ],
    )
