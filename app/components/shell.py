"""The page shell: header with navigation and the language link, page container, footer."""

from __future__ import annotations

import dash
from dash import dcc, html

from app.components import ids
from app.components.admin import signed_in
from app.i18n import t
from app.web.lang import current_lang


def _lang_href(lang: str) -> str:
    # The server sends the visitor back to the page the link was clicked on (its Referer).
    return f"/idioma/{'en' if lang == 'es' else 'es'}"


def layout() -> html.Div:
    """Evaluated on every page load, in the visitor's language (a cookie)."""
    lang = current_lang()
    return html.Div(
        className="shell",
        lang=lang,
        children=[
            html.Header(
                className="shell-header",
                children=[
                    dcc.Link(html.H1(t("app_title", lang)), href="/", className="brand"),
                    html.P(t("tagline", lang), className="tagline"),
                    html.Nav(
                        className="shell-nav",
                        children=[
                            dcc.Link(t("nav_map", lang), href="/"),
                            dcc.Link(t("nav_methods", lang), href="/metodos"),
                            *([dcc.Link(t("admin_title", lang), href="/admin")] if signed_in() else []),
                            # A real link: the server sets the cookie and sends the visitor back to the same page.
                            html.A(
                                t("lang_switch", lang),
                                id=ids.LANG_LINK,
                                href=_lang_href(lang),
                                title=t("lang_switch_title", lang),
                                className="lang-link",
                                lang="en" if lang == "es" else "es",
                            ),
                        ],
                    ),
                ],
            ),
            html.Main(dash.page_container, className="shell-main"),
            html.Footer(html.P(t("source", lang)), className="shell-footer"),
        ],
    )
