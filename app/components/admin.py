"""Pieces shared by the admin pages: the login check, the admin navigation, small tables."""

from __future__ import annotations

from collections.abc import Sequence

from dash import dcc, html
from dash.exceptions import PreventUpdate
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from app.i18n import t
from app.web.lang import current_lang

PAGES = (
    ("/admin", "admin_nav_home"),
    ("/admin/datos", "admin_nav_data"),
    ("/admin/entrenamiento", "admin_nav_training"),
    ("/admin/modelos", "admin_nav_models"),
    ("/admin/consejos", "admin_nav_tips"),
)


def signed_in() -> bool:
    return bool(current_user and current_user.is_authenticated)


def require_admin() -> None:
    """First line of every admin callback: anonymous requests change and reveal nothing."""
    if not signed_in():
        raise PreventUpdate


def login_required(path: str) -> html.Div:
    lang = current_lang()
    return html.Div(
        className="login-required",
        children=[
            html.P(t("admin_login_required", lang)),
            html.A(t("admin_login", lang), href=f"/login?next={path}", className="button"),
        ],
    )


def frame(path: str, title: str, children: list) -> html.Div:
    """The admin navigation (with a sign-out form carrying its CSRF token) around a page."""
    lang = current_lang()
    nav = html.Nav(
        className="admin-nav",
        children=[
            *[dcc.Link(t(key, lang), href=href, className="active" if href == path else "") for href, key in PAGES],
            html.Form(
                action="/logout",
                method="POST",
                className="logout-form",
                children=[
                    dcc.Input(type="hidden", name="csrf_token", value=generate_csrf()),
                    html.Span(current_user.username, className="admin-user"),
                    html.Button(t("admin_logout", lang), type="submit", id="admin-logout"),
                ],
            ),
        ],
    )
    return html.Div(className="admin-page", children=[nav, html.H2(title), *children])


def table(columns: Sequence[str], rows: Sequence[Sequence], table_id: str | None = None) -> html.Table:
    """A plain accessible table (headers as th)."""
    props = {"id": table_id} if table_id else {}
    return html.Table(
        className="admin-table",
        children=[
            html.Thead(html.Tr([html.Th(c, scope="col") for c in columns])),
            html.Tbody([html.Tr([html.Td(v) for v in row]) for row in rows]),
        ],
        **props,
    )


def metric(value: dict | None, key: str) -> str:
    return "—" if not value or key not in value else f"{value[key]:.4f}"
