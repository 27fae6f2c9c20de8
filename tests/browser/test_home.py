"""The national map in real headless Chromium: loads, draws every department, no errors, no internet."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

pytestmark = pytest.mark.browser


def _wait_for_map(browser, count: int, timeout: float = 30) -> list:
    return WebDriverWait(browser, timeout).until(
        lambda d: (
            (paths := d.find_elements(By.CSS_SELECTOR, "#map-graph path.choroplethlocation"))
            and len(paths) >= count
            and paths
        )
    )


def test_map_page_draws_departments_without_errors(live_server, browser, artifacts):
    browser.get(live_server + "/")
    paths = _wait_for_map(browser, 25)
    assert len(paths) == 25
    # Coloured by the estimate: more than a handful of distinct fills.
    fills = {p.value_of_css_property("fill") for p in paths}
    assert len(fills) > 5
    assert "Anemia" in browser.find_element(By.ID, "map-title").text
    assert "Perú:" in browser.find_element(By.ID, "national-summary").text
    browser.save_screenshot(str(artifacts / "home.png"))

    severe = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert severe == []
    resources = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    outside = [r for r in resources if not r.startswith(live_server) and not r.startswith("data:")]
    assert outside == []  # everything local: works with no internet
    assert any(r.endswith("/geo/departamentos.geojson") for r in resources)


def test_switching_indicator_recolours_the_map(live_server, browser, artifacts):
    browser.get(live_server + "/")
    before = {p.value_of_css_property("fill") for p in _wait_for_map(browser, 25)}
    browser.find_element(By.CSS_SELECTOR, "#indicator-select input[value='stunting']").click()
    WebDriverWait(browser, 20).until(lambda d: "Desnutrición" in d.find_element(By.ID, "map-title").text)
    after = {p.value_of_css_property("fill") for p in _wait_for_map(browser, 25)}
    assert after != before
    browser.save_screenshot(str(artifacts / "home-stunting.png"))
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []
