"""The dashboard runs under its Content-Security-Policy in real Chromium: no CSP violation anywhere."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.conftest import wait_text
from tests.browser.test_admin import admin_live  # noqa: F401 - fixture
from tests.fixtures_admin import PASSWORD

pytestmark = pytest.mark.browser

# Recorded from the first script on: every violation, whether reported to the console or not.
WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e =>
    window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + (e.sample || '')));
"""


def watch_csp(browser) -> None:
    browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": WATCH})


SEEN: dict[int, list[dict]] = {}  # console entries read so far, per browser (reading the log empties it)


def console(browser) -> list[dict]:
    SEEN.setdefault(id(browser), []).extend(browser.get_log("browser"))
    return SEEN[id(browser)]


def violations(browser) -> list[str]:
    found = browser.execute_script("return window.__csp || []")
    return found + [e["message"] for e in console(browser) if "Content Security Policy" in e["message"]]


def errors(browser) -> list[dict]:
    return [e for e in console(browser) if e["level"] == "SEVERE"]


def test_dashboard_pages_run_under_the_csp(live_server, browser):
    watch_csp(browser)
    browser.get(live_server + "/")
    WebDriverWait(browser, 60).until(
        lambda d: len(d.find_elements(By.CSS_SELECTOR, "#map-graph path.choroplethlocation")) >= 50
    )
    assert violations(browser) == []
    for path, text in (("/departamento/21", "Puno"), ("/metodos", "INEI"), ("/no-such-page", "")):
        browser.get(live_server + path)
        if text:
            wait_text(browser, text)
        else:
            WebDriverWait(browser, 30).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".not-found"))
        assert violations(browser) == [], path
    # The only error is the 404 status of the unknown page itself.
    assert all("/no-such-page" in e["message"] and "404" in e["message"] for e in errors(browser))


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_login_and_admin_pages_run_under_the_csp(admin_live, browser):  # noqa: F811
    _app, base = admin_live
    watch_csp(browser)
    browser.get(base + "/admin/datos")
    browser.find_element(By.ID, "username").send_keys("ana")
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    browser.find_element(By.ID, "login-submit").click()
    WebDriverWait(browser, 30).until(lambda d: d.current_url.endswith("/admin/datos"))
    wait_text(browser, "Subir datos ENDES")
    assert violations(browser) == []
    for path, text in (("/admin/modelos", "Modelos"), ("/admin/entrenamiento", "Reentrenar el modelo")):
        browser.get(base + path)
        wait_text(browser, text)
        assert violations(browser) == [], path
    assert errors(browser) == []  # e.g. no 404 for the /favicon.ico the login page makes browsers ask for
