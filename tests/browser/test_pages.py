"""Region pages, the methods page, 404s and the language toggle, in real Chromium."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.conftest import severe, visible_text, wait_text

pytestmark = pytest.mark.browser


def test_puno_district_page_shows_its_numbers(live_server, browser, client, artifacts):
    api = {r["ubigeo"]: r for r in client.get("/api/v1/estimates?level=district&indicator=anemia").get_json()}
    browser.get(live_server + "/distrito/210101")
    wait_text(browser, "Altitud de la capital")
    assert browser.find_element(By.ID, "region-name").text.startswith("Puno")
    numbers = [e.text for e in browser.find_elements(By.CSS_SELECTOR, ".big-number")]
    assert numbers[0] == f"{api['210101']['estimate']:.1f} %".replace(".", ",")  # Spanish decimal comma
    text = visible_text(browser)
    for expected in ("Comparación", "Por qué", "Tendencia", "Qué se puede hacer", "Perú"):
        assert expected in text
    assert "Altitud en el modelo (por bandas de 250 m): 3" in text  # its main driver, in words
    browser.save_screenshot(str(artifacts / "page-district-puno.png"))
    assert severe(browser) == []


def test_region_page_trend_has_a_model_band_and_survey_points(live_server, browser, artifacts):
    browser.get(live_server + "/departamento/21")
    wait_text(browser, "Tendencia")
    graph = WebDriverWait(browser, 30).until(lambda d: d.find_element(By.CSS_SELECTOR, ".trend-graph"))
    WebDriverWait(browser, 30).until(lambda d: graph.find_elements(By.CSS_SELECTOR, ".scatterlayer .trace"))
    traces = browser.execute_script(
        "return document.querySelector('.trend-graph .js-plotly-plot').data"
        ".map(t => ({fill: t.fill || '', mode: t.mode || '', n: t.x.length}))"
    )
    band = [t for t in traces if t["fill"] == "toself"]
    assert band, traces
    assert band[0]["n"] == 2 * 10  # upper and lower edge of 2015-2024
    assert any(t["mode"] == "markers" for t in traces)  # the survey's direct figures
    assert "Margen del modelo (95 %)" in visible_text(browser)
    browser.save_screenshot(str(artifacts / "page-department-puno-trend.png"))
    assert severe(browser) == []


@pytest.mark.parametrize(("path", "name"), [("/departamento/21", "Puno"), ("/provincia/0101", "Chachapoyas")])
def test_department_and_province_pages(live_server, browser, path, name):
    browser.get(live_server + path)
    wait_text(browser, "Comparación")
    assert browser.find_element(By.ID, "region-name").text.startswith(name)
    assert severe(browser) == []


@pytest.mark.parametrize("path", ["/distrito/999999", "/departamento/99", "/provincia/abc"])
def test_unknown_codes_get_a_helpful_404(live_server, browser, path):
    browser.get(live_server + path)
    wait_text(browser, "Página no encontrada")
    assert "Volver al mapa" in visible_text(browser)


def test_methods_page_credits_inei_and_names_the_model(live_server, browser):
    browser.get(live_server + "/metodos")
    wait_text(browser, "Limitaciones")
    text = visible_text(browser)
    assert "INEI" in text
    from app.config import ROOT

    assert f"Modelo {(ROOT / 'models' / 'ACTIVE').read_text().strip()}" in text
    assert "AUC" in text
    assert "Espacio-temporal (publicado)" in text  # the validation table of the department estimates
    assert "menores de 5 años" in text  # INEI's headline stunting age group, said plainly


SPANISH_ONLY = (
    "Nivel",
    "Indicador",
    "Buscar región",
    "Fuente:",
    "Métodos y fuentes",
    "Tabla de datos",
    "Estimación",
    "Departamentos",
    "riesgo estimado",
)


def test_language_toggle_changes_every_string_and_persists(live_server, browser, artifacts):
    browser.get(live_server + "/")
    wait_text(browser, "Indicador")
    browser.find_element(By.ID, "lang-link").click()
    wait_text(browser, "Indicator")
    WebDriverWait(browser, 30).until(lambda d: "model-estimated risk" in d.find_element(By.ID, "map-title").text)
    text = visible_text(browser)
    leftovers = [s for s in SPANISH_ONLY if s in text]
    assert leftovers == []
    for english in ("Level", "Find a region", "Source:", "Methods and sources", "Data table", "Español"):
        assert english in text
    browser.save_screenshot(str(artifacts / "map-english.png"))
    # Persists across pages (a cookie), including shareable region URLs.
    browser.get(live_server + "/distrito/210101")
    wait_text(browser, "Altitude of the capital")
    assert "Population (2025 projection)" in visible_text(browser)
    assert "Altitude in the model (250 m bands): 3" in visible_text(browser)
    browser.find_element(By.ID, "lang-link").click()
    wait_text(browser, "Altitud de la capital")
    assert browser.current_url.endswith("/distrito/210101")
    assert severe(browser) == []
