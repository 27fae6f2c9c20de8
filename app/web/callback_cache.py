"""Dash callbacks that cost nothing twice: the map and the public pages, answered from the response cache.

The district map takes about 200 ms of CPU to build and a region page about
120 ms, yet both depend only on what the browser sends, the visitor's language
and the served model and survey versions. For a whitelist of such pure callbacks
the whole ``/_dash-update-component`` answer (Dash's serialised JSON, gzipped
once) is kept in the shared response cache (``app.web.responses``: Redis with
``REDIS_URL``, else the embedded cache; each worker keeps recent ones in memory
too), keyed by the checked values only (output, normalised path, changed ids and the
inputs' values, never the raw body), the language, the build (source, geodata and
the Dash, Plotly, Flask and pandas versions) and the served versions, read once per
request. A promotion or an accepted survey is a new key, never a purge.

Only requests that a real page could send are kept: the registered output, the
registered inputs and state in order, and values from the known choices (levels,
indicators, methods, years; region pages only for real regions, public pages
only, no query string, no trailing slash; each changed id once, in registered
order). Anything else, including every admin page and callback,
is answered by Dash as before and never kept, so no visitor's session or
rights can leak into another's answer and random requests cannot fill the cache.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from flask import Flask, Response, g, request

from app.components import ids
from app.web import responses

CACHE_NAME = "callbacks"
ROUTE_SUFFIX = "/_dash-update-component"
_BODY_KEYS = {"output", "outputs", "inputs", "state", "changedPropIds", "parsedChangedPropsIds"}
_PUBLIC_PAGES = (
    ("/", None),
    ("/metodos", None),
    ("/departamento/", "department"),
    ("/provincia/", "province"),
    ("/distrito/", "district"),
)


def _view_values_ok(level, indicator, method, year, years: set[int]) -> bool:
    from app.indicators.estimates import INDICATORS
    from app.services import LEVELS, METHODS

    return (
        level in (None, *LEVELS)
        and indicator in (None, *INDICATORS)
        and method in (None, *METHODS)
        and (year is None or (isinstance(year, int) and year in years))
    )


def _map_ok(values: dict) -> bool:
    """The map view: known level, indicator, method and year, and a view state the map itself wrote."""
    from app import services

    years = set(services.model_years()) | set(services.get_store().survey.years)
    view_inputs = [values.get(f"{i}.value") for i in (ids.LEVEL_SELECT, ids.INDICATOR_SELECT, ids.METHOD_SELECT)]
    if not _view_values_ok(*view_inputs, values.get(f"{ids.YEAR_SELECT}.value"), years):
        return False
    view = values.get(f"{ids.VIEW_STORE}.data")
    if view is None:
        return True
    return (
        isinstance(view, dict)
        and set(view) == {"level", "method", "year"}
        and _view_values_ok(view["level"], None, view["method"], view["year"], years)
    )


def _page_ok(values: dict) -> bool:
    """Public pages only (never /admin), no query string, and region pages only for real regions."""
    from app import services

    path = values.get("_pages_location.pathname")
    if values.get("_pages_location.search") not in (None, "") or not isinstance(path, str):
        return False
    for prefix, level in _PUBLIC_PAGES:
        if level is None and path == prefix:
            return True
        if level is not None and path.startswith(prefix):
            code = path[len(prefix) :]  # no trailing slash: each spelling of a page would be a key of its own
            return bool(re.fullmatch(r"\d{2,6}", code)) and code in services.get_store().regions.names(level)
    return False


# Registered output (as Dash names it) -> check of the values; the outputs must be registered callbacks.
_MAP_OUTPUT = (
    f"..{ids.MAP_GRAPH}.figure...{ids.MAP_TITLE}.children...{ids.NATIONAL_SUMMARY}.children...{ids.VIEW_STORE}.data.."
)
PURE_CALLBACKS: dict[str, Callable[[dict], bool]] = {
    _MAP_OUTPUT: _map_ok,
    ".._pages_content.children..._pages_store.data..": _page_ok,
}


def _expected_outputs(output: str) -> list[tuple[str, str]]:
    parts = output.strip(".").split("...")
    return [tuple(p.rsplit(".", 1)) for p in parts]


def _values(items, registered: list[dict]) -> dict | None:
    """``{"id.property": value}`` when ``items`` are exactly the registered ids and properties, in order."""
    if items is None:
        items = []
    if not isinstance(items, list) or len(items) != len(registered):
        return None
    out = {}
    for item, reg in zip(items, registered, strict=True):
        if not isinstance(item, dict) or set(item) - {"id", "property", "value"}:
            return None
        if item.get("id") != reg["id"] or item.get("property") != reg["property"]:
            return None
        out[f"{reg['id']}.{reg['property']}"] = item.get("value")
    return out


def _changed_ids(changed: object, inputs: dict) -> list[str] | None:
    """The changed ids when each is a registered input, named once, in registered order (Dash's
    ``ctx.triggered`` keeps the order sent), else None: odd spellings of one request are not kept."""
    if not isinstance(changed, list) or any(not isinstance(c, str) or c not in inputs for c in changed):
        return None
    canonical = [i for i in inputs if i in changed]
    return changed if changed == canonical else None


def _registered_values(body: dict, output: str, spec: dict) -> dict | None:
    """The checked parts of a body that has exactly the registered shape (``changed``, ``inputs``, ``state``:
    what the answer depends on), else None."""
    outputs = body.get("outputs")
    if not isinstance(outputs, list) or any(not isinstance(o, dict) or set(o) - {"id", "property"} for o in outputs):
        return None
    if [(o.get("id"), o.get("property")) for o in outputs] != _expected_outputs(output):
        return None
    inputs, state = _values(body.get("inputs"), spec["inputs"]), _values(body.get("state"), spec["state"])
    if inputs is None or state is None:
        return None
    changed = {}
    for field in ("changedPropIds", "parsedChangedPropsIds"):
        changed[field] = _changed_ids(body.get(field, []), inputs)
        if changed[field] is None:
            return None
    return {"changed": changed, "inputs": inputs, "state": state}


def cache_text(body: object, callback_map: dict) -> str | None:
    """The canonical text of a request worth keeping, or None (answered by Dash, not kept).

    The text is made from the checked values alone, so a body can only name a key its checks allow.
    """
    if not isinstance(body, dict) or set(body) - _BODY_KEYS:
        return None
    output = body.get("output")
    check = PURE_CALLBACKS.get(output) if isinstance(output, str) else None
    if check is None or output not in callback_map:
        return None
    checked = _registered_values(body, output, callback_map[output])
    if checked is None or not check({**checked["inputs"], **checked["state"]}):
        return None
    return json.dumps({"output": output, **checked}, sort_keys=True, separators=(",", ":"))


def init_app(server: Flask, callback_map: Callable[[], dict]) -> None:
    """Register the hooks (after every other hook: they then run first on the way out and last on the way in)."""

    server.extensions["nutrimapa_callback_map"] = callback_map

    def _serve() -> Response | None:
        if request.method != "POST" or not request.path.endswith(ROUTE_SUFFIX):
            return None
        text = cache_text(request.get_json(silent=True, cache=True), callback_map())
        if text is None:
            return None
        from app.web.lang import current_lang

        key = responses.shared_key(CACHE_NAME, f"{current_lang()}\n{text}")
        entry = responses.lookup(key, CACHE_NAME)
        if entry is None:
            g._callback_cache_key = key
            return None
        return _answer(entry)

    def _keep(response: Response) -> Response:
        key = g.pop("_callback_cache_key", None)
        if key is None or response.status_code != 200 or response.mimetype != "application/json":
            return response
        if response.headers.get("Content-Encoding") or response.headers.get("Set-Cookie"):
            return response  # never keep anything that carries per-visitor state
        entry = responses.make_entry(response.get_data(), keep_plain=False)
        responses.keep(key, entry)
        return _answer(entry, response)

    server.before_request(_serve)
    server.after_request(_keep)


def _answer(entry: responses.Entry, response: Response | None = None) -> Response:
    response = response or Response(mimetype="application/json")
    if "gzip" in request.headers.get("Accept-Encoding", ""):
        response.set_data(entry.gz)
        response.headers["Content-Encoding"] = "gzip"
    else:
        response.set_data(entry.plain())
    response.vary.add("Accept-Encoding")
    return response
