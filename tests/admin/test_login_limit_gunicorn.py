"""The failed-login limit holds for the whole server, whatever the number of gunicorn workers (no Redis).

On the in-memory flask-limiter each worker counted on its own: with 2 workers the 429
came only around the 12th attempt. Counting in the admin database, the 6th attempt
inside the window is refused even with the right password.
"""

from __future__ import annotations

import http.cookiejar
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.fixtures_admin import PASSWORD
from tests.gunicorn_server import gunicorn

pytestmark = pytest.mark.slow


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """A cookie-keeping client that does not follow redirects (a 302 is the login's success)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect
        )

    def request(self, path: str, data: dict | None = None) -> tuple[int, dict, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, data=body, timeout=30) as resp:
                return resp.status, dict(resp.headers), resp.read().decode()
        except urllib.error.HTTPError as err:
            return err.code, dict(err.headers), err.read().decode()

    def token(self) -> str:
        _, _, page = self.request("/login")
        return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)

    def log_in(self, password: str, token: str | None = None) -> int:
        data = {"username": "ana", "password": password, "csrf_token": token or self.token()}
        status, headers, _ = self.request("/login", data)
        self.last_headers = headers
        return status


def failed_logins_at_once(base: str, n: int) -> list[int]:
    """``n`` wrong passwords sent together, so the sync workers share them (each worker takes one at a time)."""
    browsers = [Browser(base) for _ in range(n)]
    tokens = [b.token() for b in browsers]
    barrier = threading.Barrier(n)

    def attempt(i: int) -> int:
        barrier.wait()
        return browsers[i].log_in("wrong-password-123", tokens[i])

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(attempt, range(n)))


@pytest.mark.parametrize("workers", [2, 4])
def test_sixth_login_attempt_is_refused_on_every_worker(workers, db, admin_user, admin_settings, tmp_path):
    env = {
        "NUTRIMAPA_INSTANCE_DIR": str(admin_settings.instance_dir),
        "NUTRIMAPA_MODELS_DIR": str(admin_settings.models_dir),
        "NUTRIMAPA_SECRET_KEY": "gunicorn-test",
        "NUTRIMAPA_SECURE_COOKIES": "0",
    }
    if admin_settings.database_url:
        env["DATABASE_URL"] = admin_settings.database_url
    with gunicorn(env, workers, tmp_path / "gunicorn.log") as base:
        assert failed_logins_at_once(base, 5) == [401] * 5
        browser = Browser(base)
        assert browser.log_in(PASSWORD) == 429  # the 6th, with the right password
        assert int(browser.last_headers["Retry-After"]) > 0
        for _ in range(workers):  # whichever worker answers
            assert Browser(base).log_in(PASSWORD) == 429
        status, _, _ = browser.request("/admin/api/me")
        assert status == 401

    from sqlalchemy import select

    from app.db.models import AuditEntry

    with db.session() as s:
        actions = list(s.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions.count("login_failed") == 5
    assert actions.count("login_locked") == 1 + workers
    assert "login" not in actions
