"""The map page in real headless Chromium: levels, recolouring, click-to-explain, search, table, offline."""

from __future__ import annotations

import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.conftest import severe

pytestmark = pytest.mark.browser
PATHS = "#map-graph .trace.choropleth:nth-of-type(2) path.choroplethlocation"


def wait_for_paths(browser, count: int, timeout: float = 60) -> list:
    def ready(d):
        paths = d.find_elements(By.CSS_SELECTOR, "#map-graph path.choroplethlocation")
        return paths if len(paths) >= count else False

    return WebDriverWait(browser, timeout).until(ready)


def fills(browser) -> list[str]:
    return browser.execute_script(
        "return [...document.querySelectorAll('#map-graph path.choroplethlocation')].map(p => getComputedStyle(p).fill)"
    )


def click_radio(browser, component_id: str, value: str) -> None:
    browser.find_element(By.CSS_SELECTOR, f"#{component_id} input[value='{value}']").click()


def test_map_renders_every_level_offline(live_server, browser, artifacts):
    browser.get(live_server + "/")
    # Two traces of 25 departments: grey base and estimates.
    assert len(wait_for_paths(browser, 50)) == 50
    assert len(set(fills(browser))) > 5
    assert "Perú:" in browser.find_element(By.ID, "national-summary").text
    browser.save_screenshot(str(artifacts / "map-departments.png"))
    click_radio(browser, "level-select", "province")
    assert len(wait_for_paths(browser, 2 * 196)) == 2 * 196
    browser.save_screenshot(str(artifacts / "map-provinces.png"))
    click_radio(browser, "level-select", "district")
    assert len(wait_for_paths(browser, 2 * 1887)) == 2 * 1887
    points = browser.find_elements(By.CSS_SELECTOR, "#map-graph .scattergeo .point")
    # Districts without a polygon, at their capital: a grey point under each, coloured where there is an estimate.
    assert len(points) == 2 * 4
    browser.save_screenshot(str(artifacts / "map-districts.png"))
    assert severe(browser) == []
    resources = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert [r for r in resources if not r.startswith(live_server) and not r.startswith("data:")] == []
    assert any(r.endswith("/geo/distritos.geojson") for r in resources)


def test_indicator_switch_recolours_districts(live_server, browser):
    browser.get(live_server + "/")
    wait_for_paths(browser, 50)
    click_radio(browser, "level-select", "district")
    wait_for_paths(browser, 2 * 1887)
    before = fills(browser)
    click_radio(browser, "indicator-select", "stunting")
    WebDriverWait(browser, 30).until(lambda d: "Desnutrición" in d.find_element(By.ID, "map-title").text)
    WebDriverWait(browser, 30).until(lambda d: fills(d) != before)
    assert len(fills(browser)) == len(before)
    assert severe(browser) == []


def test_model_year_switch_recolours_the_map(live_server, browser, artifacts):
    browser.get(live_server + "/")
    wait_for_paths(browser, 50)
    assert "2024" in browser.find_element(By.ID, "map-title").text
    before = fills(browser)
    browser.find_element(By.ID, "year-select").click()
    option = WebDriverWait(browser, 20).until(
        lambda d: next((o for o in d.find_elements(By.CSS_SELECTOR, "[role=option]") if o.text == "2016"), False)
    )
    option.click()
    WebDriverWait(browser, 30).until(lambda d: "2016" in d.find_element(By.ID, "map-title").text)
    WebDriverWait(browser, 30).until(lambda d: fills(d) != before)
    assert "modelo para 2016" in browser.find_element(By.ID, "national-summary").text
    assert "year=2016" in browser.find_element(By.ID, "download-0").get_attribute("href")
    browser.save_screenshot(str(artifacts / "map-model-2016.png"))
    assert severe(browser) == []


def test_clicking_a_district_opens_its_explanation(live_server, browser, artifacts):
    browser.get(live_server + "/")
    wait_for_paths(browser, 50)
    click_radio(browser, "level-select", "district")
    wait_for_paths(browser, 2 * 1887)
    # The largest district polygon of the estimates trace: easy to hit.
    target = browser.execute_script("""
        const paths = [...document.querySelectorAll('#map-graph .choroplethlocation')];
        const half = paths.slice(paths.length / 2);
        return half.reduce((a, b) => (a.getBBox().width * a.getBBox().height >
                                      b.getBBox().width * b.getBBox().height ? a : b));
    """)
    ActionChains(browser).move_to_element(target).click().perform()
    panel = WebDriverWait(browser, 30).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, "#side-panel .explanation[data-ubigeo]")
    )[0]
    assert len(panel.get_attribute("data-ubigeo")) == 6
    assert "¿Por qué?" in panel.text
    assert "puntos" in panel.text
    link = panel.find_element(By.CSS_SELECTOR, "a.page-link")
    assert link.get_attribute("href").endswith("/distrito/" + panel.get_attribute("data-ubigeo"))
    browser.save_screenshot(str(artifacts / "map-district-explanation.png"))
    assert severe(browser) == []


def _search(browser, text: str) -> list:
    browser.find_element(By.ID, "region-search").click()
    box = WebDriverWait(browser, 10).until(lambda d: d.find_element(By.CSS_SELECTOR, "input.dash-dropdown-search"))
    box.send_keys(Keys.CONTROL, "a", Keys.BACKSPACE)
    box.send_keys(text)
    return WebDriverWait(browser, 20).until(
        lambda d: [o for o in d.find_elements(By.CSS_SELECTOR, "[role=option]") if "·" in o.text] or False
    )


def test_search_is_accent_insensitive_and_opens_the_page(live_server, browser):
    browser.get(live_server + "/")
    wait_for_paths(browser, 50)
    options = _search(browser, "Ancash")
    assert any(o.text.startswith("Áncash") and "Departamento" in o.text for o in options)
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.ESCAPE)
    options = _search(browser, "Amantani")
    target = next(o for o in options if o.text.startswith("Amantani"))
    target.click()
    WebDriverWait(browser, 30).until(lambda d: d.current_url.endswith("/distrito/210103"))
    assert "Amantani" in WebDriverWait(browser, 30).until(lambda d: d.find_element(By.ID, "region-name")).text


def first_row(browser) -> str:
    return browser.execute_script("const c = document.querySelector('#data-table tbody th'); return c && c.innerText")


def test_table_view_is_sortable_by_keyboard(live_server, browser, artifacts):
    browser.get(live_server + "/")
    wait_for_paths(browser, 50)
    browser.find_element(By.XPATH, "//*[contains(@class,'tab') and normalize-space()='Tabla de datos']").click()
    WebDriverWait(browser, 30).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#data-table tbody tr")) == 25)
    assert first_row(browser) == "Puno"  # sorted by estimate, highest first: the highest model anemia among departments

    # Keyboard: focus the name header's button and press Enter to sort alphabetically.
    def press_enter(d):
        d.find_element(By.CSS_SELECTOR, "#data-table thead th:first-child button").send_keys(Keys.ENTER)
        return True

    WebDriverWait(browser, 10, ignored_exceptions=[StaleElementReferenceException]).until(press_enter)
    WebDriverWait(browser, 30).until(lambda d: first_row(d) == "Amazonas")
    sort_state = browser.execute_script(
        "return document.querySelector('#data-table thead th:first-child').getAttribute('aria-sort')"
    )
    assert sort_state == "ascending"
    browser.save_screenshot(str(artifacts / "table-departments.png"))
    assert severe(browser) == []
