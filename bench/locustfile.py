"""Locust scenarios against gunicorn on loopback (run by ``python -m bench.load_bench``).

``VisitorUser``: the realistic mix — the map page with its geometry (revalidated,
so 304 after the first), indicator and level switches (the map callback, with the
view state the browser sends back), region pages, the CSV, a PDF now and then.
The tips preview joins the mix when the tips service (issue 13) lands.

``ApiUser``: clients hammering ``/api/v1/estimates?level=district`` (the JSON API target).
"""

from __future__ import annotations

import json
import random

from locust import FastHttpUser, between, constant, task

from bench import dash_calls

LEVELS = ("department", "province", "district")
INDICATORS = ("anemia", "stunting")
DEPARTMENTS = [f"{i:02d}" for i in range(1, 26)]
DISTRICTS = ("150101", "080101", "040101", "130101", "210101", "010101", "250101")
GEO = {"department": "departamentos", "province": "provincias", "district": "distritos"}
GZIP = {"Accept-Encoding": "gzip"}


def _prop(tree: object, component_id: str, prop: str):
    """A property of the component with ``component_id`` in a Dash layout (JSON), or None."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            props = node.get("props", {})
            if props.get("id") == component_id:
                return props.get(prop)
            stack.extend(v for v in props.values() if isinstance(v, (list, dict)))
    return None


class VisitorUser(FastHttpUser):
    wait_time = between(1, 3)
    deps: list[dict] | None = None

    def on_start(self) -> None:
        self.etags: dict[str, str] = {}
        self.view_state = None
        self.values = {
            "level-select.value": "department",
            "indicator-select.value": "anemia",
            "method-select.value": "model",
            "year-select.value": None,
        }
        if VisitorUser.deps is None:
            with self.client.get("/_dash-dependencies", name="dash deps", catch_response=True) as resp:
                VisitorUser.deps = json.loads(resp.content)
        self.map_cb = dash_calls.find(VisitorUser.deps, "..map-graph.figure")
        self.page_cb = dash_calls.find(VisitorUser.deps, ".._pages_content.children")
        self.map_page()

    def _geometry(self, level: str) -> None:
        url = f"/geo/{GEO[level]}.geojson"
        headers = dict(GZIP)
        if url in self.etags:
            headers["If-None-Match"] = self.etags[url]
        with self.client.get(url, headers=headers, name="geometry", catch_response=True) as resp:
            if resp.status_code in (200, 304):
                self.etags[url] = resp.headers.get("ETag", self.etags.get(url, ""))
                resp.success()

    def _callback(self, dep: dict, values: dict, name: str) -> dict:
        body = dash_calls.payload(dep, values)
        with self.client.post(
            "/_dash-update-component", json=body, headers=GZIP, name=name, catch_response=True
        ) as resp:
            if resp.status_code == 200:
                return json.loads(resp.content).get("response", {})
            if resp.status_code == 204:  # PreventUpdate
                resp.success()
            return {}

    @task(3)
    def map_page(self) -> None:
        self.client.get("/", headers=GZIP, name="page /")
        self.client.get("/_dash-layout", headers=GZIP, name="dash layout")
        out = self._callback(self.page_cb, {"_pages_location.pathname": "/"}, "callback page content")
        # The browser then holds the page's own values: the view store and the year the layout chose.
        layout = out.get("_pages_content", {}).get("children")
        self.view_state = _prop(layout, "view-store", "data")
        self.values["year-select.value"] = _prop(layout, "year-select", "value")
        self.values["level-select.value"] = "department"
        self.values["indicator-select.value"] = "anemia"
        self._switch()

    def _switch(self) -> None:
        values = {**self.values, "view-store.data": self.view_state}
        out = self._callback(self.map_cb, values, f"callback map {values['level-select.value']}")
        self.view_state = out.get("view-store", {}).get("data", self.view_state)
        self._geometry(values["level-select.value"])

    @task(6)
    def switch_indicator_or_level(self) -> None:
        if random.random() < 0.5:
            self.values["indicator-select.value"] = random.choice(INDICATORS)
        else:
            self.values["level-select.value"] = random.choice(LEVELS)
        self._switch()

    @task(2)
    def region_page(self) -> None:
        kind, code = random.choice(
            (("departamento", random.choice(DEPARTMENTS)), ("distrito", random.choice(DISTRICTS)))
        )
        path = f"/{kind}/{code}"
        self.client.get(path, headers=GZIP, name=f"page /{kind}/<ubigeo>")
        self._callback(self.page_cb, {"_pages_location.pathname": path}, f"callback page /{kind}")

    @task(1)
    def csv(self) -> None:
        level = random.choice(LEVELS)
        self.client.get(f"/api/v1/estimates.csv?level={level}", name="csv")

    @task(1)
    def api_estimates(self) -> None:
        self.client.get(f"/api/v1/estimates?level={random.choice(LEVELS)}", headers=GZIP, name="api estimates")

    @task(1)
    def pdf(self) -> None:
        if random.random() < 0.3:  # a PDF now and then
            self.client.get(f"/api/v1/reports/{random.choice(DEPARTMENTS)}.pdf", name="pdf")


class ApiUser(FastHttpUser):
    wait_time = constant(0)

    @task
    def estimates_district(self) -> None:
        self.client.get("/api/v1/estimates?level=district", headers=GZIP, name="api estimates district")
