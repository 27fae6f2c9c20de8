"""The page shell: header, page container, footer with sources."""

from __future__ import annotations

import dash
from dash import dcc, html

from app.components import ids
from app.i18n import t


def layout(lang: str = "es") -> html.Div:
    """Header and footer around ``dash.page_container``."""
    return html.Div(
        className="shell",
        lang=lang,
        children=[
            dcc.Store(id=ids.LANG_STORE, storage_type="local", data=lang),
            html.Header(
                className="shell-header",
                children=[
                    dcc.Link(html.H1(t("app_title", lang)), href="/", className="brand"),
                    html.P(t("tagline", lang), className="tagline"),
                ],
            ),
            html.Main(dash.page_container, className="shell-main"),
            html.Footer(html.P(t("source", lang)), className="shell-footer"),
        ],
    )
