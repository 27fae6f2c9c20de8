"""Login, sessions, CSRF, rate limits and the guard on every admin route (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from tests.fixtures_admin import PASSWORD, log_in, login_form_token


def _admin_rules(server):
    for rule in server.url_map.iter_rules():
        if rule.rule == "/admin" or rule.rule.startswith("/admin/"):
            yield rule


def _concrete(rule) -> str:
    """A URL for a rule, with placeholder values for its arguments."""
    values = {"dataset_id": "1", "run_id": "1", "version": "v1", "action": "accept", "kind": "json"}
    url = rule.rule
    for name in rule.arguments:
        url = re.sub(rf"<(?:[^:<>]+:)?{name}(?:\([^)]*\))?>", values.get(name, "x"), url)
    return url


def test_every_admin_route_refuses_anonymous_visitors(anon_client, admin_app):
    from dash import page_registry

    api_rules = list(_admin_rules(admin_app.server))
    assert len(api_rules) >= 12
    for rule in api_rules:
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            url = _concrete(rule)
            response = anon_client.open(url, method=method)
            assert response.status_code == 401, (method, url)
            assert response.json["error"] == "unauthorized"
    pages = [p["path"] for p in page_registry.values() if p["path"].startswith("/admin")]
    assert len(pages) >= 3, pages
    for path in pages:
        response = anon_client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith(f"/login?next={path}")


def test_admin_pages_render_nothing_for_anonymous_dash_navigation(anon_client, admin_app):
    """Client-side navigation asks Dash for a page layout: admin layouts hold no data without a login."""
    from dash import page_registry

    for page in page_registry.values():
        if page["path"].startswith("/admin"):
            with admin_app.server.test_request_context(page["path"]):
                text = str(page["layout"]())
            assert "login-required" in text, page["path"]


def test_login_logout_and_cookie_flags(make_app, admin_settings):
    client = make_app(replace(admin_settings, secure_cookies=True)).server.test_client()
    response = log_in(client, next_url="/admin/modelos")
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/modelos"
    cookies = {c.split("=", 1)[0]: c for c in response.headers.getlist("Set-Cookie")}
    session = cookies["nutrimapa_session"]
    assert "HttpOnly" in session
    assert "SameSite=Lax" in session
    assert "Secure" in session
    assert "Secure" in cookies["_csrf_token"]
    assert "SameSite=Strict" in cookies["_csrf_token"]


def test_wrong_password_is_refused_and_audited(anon_client, admin_client):
    response = log_in(anon_client, password="not-the-password")
    assert response.status_code == 401
    assert "incorrectos" in response.get_data(as_text=True)
    assert anon_client.get("/admin/api/me").status_code == 401
    log = admin_client.get("/admin/api/audit").json
    assert {"login_failed", "login"} <= {e["action"] for e in log}
    failed = next(e for e in log if e["action"] == "login_failed")
    assert failed["user"] == "ana"
    assert failed["ip"]


def test_unknown_user_is_refused(anon_client):
    assert log_in(anon_client, username="nadie").status_code == 401


def test_login_form_needs_its_csrf_token(anon_client):
    response = anon_client.post("/login", data={"username": "ana", "password": PASSWORD})
    assert response.status_code == 400
    assert anon_client.get("/admin/api/me").status_code == 401


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "javascript:alert(1)"])
def test_login_never_redirects_off_site(anon_client, target):
    response = log_in(anon_client, next_url=target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin"


def test_repeated_failed_logins_are_rate_limited(anon_client):
    for _ in range(5):
        assert log_in(anon_client, password="wrong-password-123").status_code == 401
    blocked = log_in(anon_client)  # even the right password waits now
    assert blocked.status_code == 429
    assert "Demasiados intentos" in blocked.get_data(as_text=True)
    assert anon_client.get("/admin/api/me").status_code == 401


def test_unsafe_admin_requests_need_the_csrf_token(admin_client):
    bare = admin_client.client.post("/admin/api/models/rollback")
    assert bare.status_code == 400
    assert bare.json["error"] == "csrf"
    assert admin_client.post("/admin/api/models/rollback").status_code == 409  # past CSRF: nothing to roll back


def test_logout_ends_the_session(admin_client):
    assert admin_client.get("/admin/api/me").json == {"username": "ana"}
    response = admin_client.post("/logout")
    assert response.status_code == 302
    assert admin_client.get("/admin/api/me").status_code == 401


def test_login_page_is_spanish_first(anon_client):
    html = anon_client.get("/login").get_data(as_text=True)
    assert 'lang="es"' in html
    assert "Ingresar" in html
    assert login_form_token(anon_client)


def _compare_callback(a: str = "v1", b: str = "v1") -> dict:
    """The body Dash's renderer posts for the models page's comparison callback."""
    values = {"admin-compare-a": a, "admin-compare-b": b, "admin-compare-level": "department"}
    values["admin-compare-indicator"] = "anemia"
    return {
        "output": "..admin-compare-result.children...admin-compare-map.figure..",
        "outputs": [
            {"id": "admin-compare-result", "property": "children"},
            {"id": "admin-compare-map", "property": "figure"},
        ],
        "inputs": [{"id": k, "property": "value", "value": v} for k, v in values.items()],
        "changedPropIds": ["admin-compare-a.value"],
        "state": [],
    }


def test_dash_callbacks_of_a_logged_in_admin_need_the_csrf_header(admin_client, anon_client):
    """A forged cross-site callback (no X-CSRFToken) is refused; with the token it runs; anonymous gets nothing."""
    forged = admin_client.client.post("/_dash-update-component", json=_compare_callback())
    assert forged.status_code == 400
    assert forged.json["error"] == "csrf"
    real = admin_client.post("/_dash-update-component", json=_compare_callback())
    assert real.status_code == 200
    assert "25 regiones" in real.get_data(as_text=True)
    anonymous = anon_client.post("/_dash-update-component", json=_compare_callback())
    assert anonymous.status_code == 204  # PreventUpdate: no data for anonymous callers
