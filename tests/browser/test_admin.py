"""The admin flow in real Chromium: log in, upload a survey file, accept it, retrain with a tiny epoch
setting while watching the progress bar, promote the new version; the public map then serves it."""

from __future__ import annotations

import threading
import time
from dataclasses import replace

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait
from werkzeug.serving import make_server

from tests.browser.conftest import severe, wait_text
from tests.fixtures_admin import PASSWORD, survey_subset

pytestmark = pytest.mark.browser


@pytest.fixture
def admin_live(make_app, admin_settings):
    """The app with Secure cookies on, as deployed (Chromium accepts them from http://127.0.0.1)."""
    app = make_app(replace(admin_settings, secure_cookies=True))
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


def set_number(browser, element_id: str, value: int) -> None:
    box = browser.find_element(By.ID, element_id)
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(str(value), Keys.TAB)  # debounced inputs commit on blur


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_login_upload_retrain_promote(admin_live, browser, tmp_path, artifacts, models_dir):
    app, base = admin_live
    upload = tmp_path / "endes_2019_2024.csv"
    survey_subset(upload, set(range(2019, 2025)))

    # Anonymous: sent to the login page; wrong password refused; right one lands on the overview.
    browser.get(base + "/admin/datos")
    assert "/login?next=/admin/datos" in browser.current_url
    browser.find_element(By.ID, "username").send_keys("ana")
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    browser.find_element(By.ID, "login-submit").click()
    WebDriverWait(browser, 30).until(lambda d: d.current_url.endswith("/admin/datos"))
    wait_text(browser, "Subir datos ENDES")

    # Upload: the validation report comes first, then the admin accepts.
    field = browser.find_element(By.CSS_SELECTOR, "#admin-upload input[type=file]")
    browser.execute_script("arguments[0].style.display = 'block';", field)
    field.send_keys(str(upload))
    wait_text(browser, "Informe de validación")
    report = browser.find_element(By.ID, "admin-report").text
    assert "Años: 2019, 2020, 2021, 2022, 2023, 2024" in report
    assert "Departamentos: 25" in report
    browser.find_element(By.ID, "admin-accept").click()
    wait_text(browser, "Datos aceptados")
    browser.save_screenshot(str(artifacts / "admin-upload.png"))

    # Retrain with a tiny setting; watch the progress bar move.
    browser.find_element(By.LINK_TEXT, "Reentrenamiento").click()
    wait_text(browser, "Reentrenar el modelo")
    set_number(browser, "admin-train-members", 2)
    set_number(browser, "admin-train-epochs", 3)
    set_number(browser, "admin-train-tip-epochs", 2)
    set_number(browser, "admin-train-validation-years", 1)
    browser.find_element(By.ID, "admin-train-start").click()
    seen, phases, deadline = [], set(), time.monotonic() + 300
    while time.monotonic() < deadline:
        seen.append(float(browser.find_element(By.ID, "admin-run-progress").get_attribute("value") or 0))
        status = browser.find_element(By.ID, "admin-run-status").text
        phases.add(status.split("fase: ")[-1].split(" ·")[0] if "fase: " in status else "")
        if "terminado" in status or "falló" in status:
            break
        time.sleep(0.3)
    assert "terminado" in status, status
    assert "→ v2" in status
    assert seen == sorted(seen)
    assert len(set(seen)) >= 3, seen  # the bar moved through several steps
    final = float(browser.find_element(By.ID, "admin-run-progress").get_attribute("value"))
    assert final == 1.0
    assert len(phases - {""}) >= 2, phases
    browser.save_screenshot(str(artifacts / "admin-training.png"))

    # Promote v2: the public API serves it at once.
    client = app.server.test_client()
    before = {r["model_version"] for r in client.get("/api/v1/estimates?level=department").json}
    assert before == {"v1"}
    browser.find_element(By.LINK_TEXT, "Modelos").click()
    wait_text(browser, "Versión activa: v1")
    wait_text(browser, "regiones; diferencia media")  # the comparison (v1 vs v2) is drawn
    browser.find_element(By.ID, "admin-promote").click()
    wait_text(browser, "Versión activa: v2")
    assert (models_dir / "ACTIVE").read_text().strip() == "v2"
    after = {r["model_version"] for r in client.get("/api/v1/estimates?level=department").json}
    assert after == {"v2"}
    browser.save_screenshot(str(artifacts / "admin-models.png"))
    assert severe(browser) == []
