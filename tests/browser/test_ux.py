"""Issue 12 in real Chromium: what officials and community leaders saw, at 1400x1000 and 390x844."""

from __future__ import annotations

import re

import pytest
from selenium.webdriver.common.actions.action_builder import ActionBuilder
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.conftest import severe, wait_text
from tests.browser.test_home import click_radio, wait_for_paths

pytestmark = pytest.mark.browser
GREY = "rgb(200, 200, 200)"
SPANISH_ONLY = ("sin datos", "Margen del modelo", "Qué se puede", "Buscar", "niños", "Regresión", "Tendencia")


def _point_fills(browser) -> list[str]:
    return browser.execute_script(
        "return [...document.querySelectorAll('#map-graph .scattergeo .point')].map(p => getComputedStyle(p).fill)"
    )


def click_region(browser, ubigeo: str) -> None:
    """Click, on screen, the point of a region's polygon nearest its box centre (estimates trace)."""
    browser.execute_script("document.getElementById('map-graph').scrollIntoView({block: 'end'})")
    x, y = browser.execute_script(
        """
        const paths = [...document.querySelectorAll('#map-graph .trace.choropleth')][1]
            .querySelectorAll('path.choroplethlocation');
        const region = [...paths].find(p => p.__data__ && p.__data__.loc === arguments[0]);
        const b = region.getBBox(), cx = b.x + b.width / 2, cy = b.y + b.height / 2;
        let best = null;
        for (let i = 0; i <= 20; i++) for (let j = 0; j <= 20; j++) {
            const pt = new DOMPoint(b.x + b.width * i / 20, b.y + b.height * j / 20);
            const d = (pt.x - cx) ** 2 + (pt.y - cy) ** 2;
            if (region.isPointInFill(pt) && (!best || d < best[2])) best = [pt.x, pt.y, d];
        }
        const s = new DOMPoint(best[0], best[1]).matrixTransform(region.getScreenCTM());
        return [s.x, s.y];
        """,
        ubigeo,
    )
    actions = ActionBuilder(browser)
    actions.pointer_action.move_to_location(round(x), round(y))
    actions.pointer_action.click()
    actions.perform()


def test_point_districts_in_direct_mode_are_grey(live_server, browser, artifacts):
    browser.get(live_server + "/")
    wait_for_paths(browser, 50)
    click_radio(browser, "method-select", "direct")
    click_radio(browser, "level-select", "district")
    wait_for_paths(browser, 2 * 1887)
    WebDriverWait(browser, 30).until(lambda d: len(_point_fills(d)) == 4)
    # The survey has no district estimates: the four point districts are grey, never a 0 % colour.
    assert set(_point_fills(browser)) == {GREY}
    browser.save_screenshot(str(artifacts / "map-direct-districts.png"))
    assert severe(browser) == []


def test_panel_follows_the_indicator_and_clears_on_a_new_level(live_server, browser):
    browser.get(live_server + "/")
    wait_for_paths(browser, 50)
    click_region(browser, "21")
    WebDriverWait(browser, 30).until(lambda d: "Anemia en Puno" in d.find_element(By.ID, "side-panel").text)
    click_radio(browser, "indicator-select", "stunting")
    WebDriverWait(browser, 30).until(lambda d: "Desnutrición crónica en" in d.find_element(By.ID, "side-panel").text)
    assert "Anemia en" not in browser.find_element(By.ID, "side-panel").text
    click_radio(browser, "level-select", "province")
    WebDriverWait(browser, 30).until(lambda d: "Haga clic" in d.find_element(By.ID, "side-panel").text)
    assert severe(browser) == []


def test_click_at_punos_capital_at_national_zoom_opens_puno(live_server, browser):
    browser.get(live_server + "/")
    wait_for_paths(browser, 50)
    click_radio(browser, "level-select", "district")
    wait_for_paths(browser, 2 * 1887)
    # A click at Puno district's polygon (near its centre), at the initial, national zoom.
    click_region(browser, "210101")
    panel = WebDriverWait(browser, 30).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, "#side-panel .explanation[data-ubigeo]")
    )[0]
    assert panel.get_attribute("data-ubigeo") == "210101"  # Puno, not Amantaní (210103)


def test_comparison_labels_are_not_struck_through(live_server, browser, artifacts):
    for width, height, suffix in ((1400, 1000, "desktop"), (390, 844, "phone")):
        browser.set_window_size(width, height)
        browser.get(live_server + "/distrito/210101")
        wait_text(browser, "Comparación")
        boxes = WebDriverWait(browser, 30).until(
            lambda d: d.execute_script("""
                const g = document.querySelector('.indicator-section .js-plotly-plot');
                if (!g) return false;
                const labels = [...g.querySelectorAll('.textpoint text')].map(e => e.getBoundingClientRect());
                const whiskers = [...g.querySelectorAll('.errorbar path')].map(e => e.getBoundingClientRect());
                return labels.length && whiskers.length ? [labels, whiskers] : false;
            """)
        )
        labels, whiskers = boxes
        for lab in labels:
            for wh in whiskers:
                overlap = (
                    lab["left"] < wh["right"] - 0.5
                    and wh["left"] < lab["right"] - 0.5
                    and lab["top"] < wh["bottom"] - 0.5
                    and wh["top"] < lab["bottom"] - 0.5
                )
                assert not overlap, (lab, wh)
        browser.save_screenshot(str(artifacts / f"district-puno-{suffix}.png"))


def test_spanish_pages_use_decimal_commas(live_server, browser):
    browser.get(live_server + "/")
    wait_for_paths(browser, 50)
    summary = browser.find_element(By.ID, "national-summary").text
    assert re.search(r"\d,\d %", summary), summary
    assert not re.search(r"\d\.\d %", summary), summary
    assert "margen del modelo" in summary
    browser.get(live_server + "/distrito/210101")
    wait_text(browser, "Altitud de la capital")
    text = browser.find_element(By.TAG_NAME, "body").text
    assert re.search(r"\d,\d %", text)
    assert "-0,0" not in text
    assert "Puno" in browser.title


def test_english_page_says_lang_en_and_has_no_spanish(live_server, browser, artifacts):
    browser.get(live_server + "/idioma/en")
    browser.get(live_server + "/distrito/210101")
    wait_text(browser, "Altitude of the capital")
    assert browser.execute_script("return document.documentElement.lang") == "en"
    text = browser.find_element(By.TAG_NAME, "body").text
    assert [s for s in SPANISH_ONLY if s in text] == []
    assert re.search(r"\d\.\d %", text)
    assert "Puno" in browser.title
    browser.get(live_server + "/")
    wait_for_paths(browser, 50)
    browser.find_element(By.ID, "region-search").click()
    box = WebDriverWait(browser, 10).until(lambda d: d.find_element(By.CSS_SELECTOR, "input.dash-dropdown-search"))
    assert box.get_attribute("placeholder") == "Search"
    assert browser.execute_script("return document.documentElement.lang") == "en"
    browser.get(live_server + "/metodos")
    wait_text(browser, "Methods, sources and limitations")
    assert "Regresión" not in browser.find_element(By.TAG_NAME, "body").text


def test_spanish_search_box_is_spanish(live_server, browser):
    browser.get(live_server + "/")
    wait_for_paths(browser, 50)
    browser.find_element(By.ID, "region-search").click()
    box = WebDriverWait(browser, 10).until(lambda d: d.find_element(By.CSS_SELECTOR, "input.dash-dropdown-search"))
    assert box.get_attribute("placeholder") == "Buscar"


@pytest.mark.parametrize(("width", "height", "suffix"), [(1400, 1000, "desktop"), (390, 844, "phone")])
def test_screenshots_map_department_district(live_server, browser, artifacts, width, height, suffix):
    browser.set_window_size(width, height)
    browser.get(live_server + "/")
    wait_for_paths(browser, 50)
    graph = browser.find_element(By.ID, "map-graph").rect
    assert graph["width"] >= 0.95 * browser.execute_script("return document.documentElement.clientWidth") - 400
    assert graph["y"] < height  # the map starts above the fold
    if suffix == "desktop":  # ... and ends above it: all of southern Peru shows without scrolling
        assert graph["y"] + graph["height"] <= browser.execute_script("return window.innerHeight")
    browser.save_screenshot(str(artifacts / f"map-{suffix}.png"))
    browser.get(live_server + "/departamento/21")
    wait_text(browser, "Provincias")
    WebDriverWait(browser, 30).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#locator-map path.choroplethlocation"))
    links = browser.find_elements(By.CSS_SELECTOR, "#subregions-province a")
    assert len(links) == 13  # Puno's provinces, ranked, each a link
    browser.save_screenshot(str(artifacts / f"department-puno-{suffix}.png"))
    browser.get(live_server + "/distrito/210101")
    wait_text(browser, "Comparación")
    WebDriverWait(browser, 30).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#locator-map path.choroplethlocation"))
    browser.save_screenshot(str(artifacts / f"district-puno-page-{suffix}.png"))
    trend = WebDriverWait(browser, 30).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, ".trend-graph .js-plotly-plot .scatterlayer")
    )[0]
    browser.execute_script("arguments[0].scrollIntoView()", trend)
    graph = browser.find_element(By.CSS_SELECTOR, ".trend-graph")
    assert "pandemia" in graph.text  # Puno's 2020 gap is said on the chart
    graph.screenshot(str(artifacts / f"district-puno-trend-{suffix}.png"))
    assert severe(browser) == []


@pytest.mark.parametrize("path", ["/departamento/21", "/departamento/08"])
def test_stunting_advice_is_about_stunting(live_server, browser, path):
    browser.get(live_server + path)
    wait_text(browser, "Qué se puede hacer")
    anemia, stunting = (s.text for s in browser.find_elements(By.CSS_SELECTOR, ".indicator-section .actions"))
    assert "anemia" not in stunting.lower()  # Puno and Cusco: no iron advice under stunting
    assert anemia


def test_no_advice_is_said_as_such_never_as_no_data(live_server, browser):
    browser.get(live_server + "/provincia/1501")
    wait_text(browser, "Qué se puede hacer")
    for actions in browser.find_elements(By.CSS_SELECTOR, ".indicator-section .actions"):
        assert "sin datos" not in actions.text
        assert actions.text


def test_district_table_rows_name_their_parents_and_link_to_their_page(live_server, browser, artifacts):
    browser.set_window_size(390, 844)
    browser.get(live_server + "/")
    wait_for_paths(browser, 50)
    click_radio(browser, "level-select", "district")
    wait_for_paths(browser, 2 * 1887)
    browser.find_element(By.XPATH, "//*[contains(@class,'tab') and normalize-space()='Tabla de datos']").click()
    WebDriverWait(browser, 30).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#data-table tbody tr")) == 50)
    heads = [th.text for th in browser.find_elements(By.CSS_SELECTOR, "#data-table thead th")]
    assert heads[:3] == ["Región", "Provincia", "Departamento"]
    assert not any(h.startswith("Niños") for h in heads)  # the model has no sample size: the column is hidden
    first = browser.find_element(By.CSS_SELECTOR, "#data-table tbody tr")
    link = first.find_element(By.CSS_SELECTOR, "th a")
    assert "/distrito/" in link.get_attribute("href")
    assert len(first.find_elements(By.TAG_NAME, "td")[0].text) > 1  # its province
    for button in browser.find_elements(By.CSS_SELECTOR, ".page-button"):
        assert button.size["width"] >= 44
        assert button.size["height"] >= 44  # big enough to tap
    browser.save_screenshot(str(artifacts / "table-districts-phone.png"))
    link.click()
    wait_text(browser, "Altitud de la capital")
    assert "/distrito/" in browser.current_url
