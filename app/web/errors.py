"""One error format: everything under ``/api`` and ``/admin/api`` answers JSON, for every status.

The shape is ``{"error": "<code>", "message": "<what to do>", ...}``: ``error`` a
short machine-readable code (``not_found``, ``method_not_allowed``, ``bad_request``,
...), ``message`` a sentence for people; some errors add fields (``parameter`` and
``allowed`` for a bad query parameter, ``problems`` for a rejected upload, ``login``
for a missing session). The OpenAPI document names it ``Error``.

Outside the APIs:

- unknown dashboard pages (and region pages of codes that do not exist) keep the
  app shell (Dash renders its 404 page in it) but carry the status 404;
- a Dash callback given a value no control offers (``level="../../etc"``) is a 400,
  logged at warning level without a traceback;
- a malformed Dash request or an unknown ``/_dash-component-suites/`` file is a 400
  or 404, never a 500.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import BadRequest, HTTPException, InternalServerError, NotFound

from app.components import ids
from app.services import BadRequestError

log = logging.getLogger(__name__)

API_PREFIXES = ("/api", "/admin/api")
DASH_CALLBACK = "/_dash-update-component"


def is_api_path(path: str) -> bool:
    """True for ``/api``, ``/admin/api`` and everything below them."""
    return any(path == p or path.startswith(p + "/") for p in API_PREFIXES)


def error_response(status: int, error: str, message: str, **extra: object) -> tuple[Response, int]:
    """The one JSON error body (see the module docstring)."""
    body = {"error": error, "message": message}
    body.update({k: v for k, v in extra.items() if v is not None})
    return jsonify(body), status


def _code(exc: HTTPException) -> str:
    return (exc.name or "error").lower().replace(" ", "_").replace("'", "")


def _http_error(exc: HTTPException):
    if exc.code is None or exc.code < 400:  # redirects (e.g. a missing trailing slash) pass through
        return exc
    if is_api_path(request.path) or request.path == DASH_CALLBACK:
        response, status = error_response(exc.code, _code(exc), exc.description or exc.name)
        for name, value in exc.get_headers():
            if name != "Content-Type":  # keep Allow, Retry-After, WWW-Authenticate
                response.headers[name] = value
        return response, status
    return exc


def _server_error(exc: InternalServerError):
    """Flask has already logged the original exception with its traceback."""
    if is_api_path(request.path) or request.path == DASH_CALLBACK:
        return error_response(500, "internal_error", "unexpected error; it has been logged")
    return exc


def _bad_callback_value(exc: BadRequestError):
    """A Dash callback (or any non-API view) given a value a user could not have chosen."""
    log.warning("%s %s: %s (parameter %s)", request.method, request.path, exc.message, exc.parameter)
    return error_response(400, "bad_request", exc.message, parameter=exc.parameter, allowed=exc.allowed)


def _guard_dash_routes():
    """Stop requests Dash's own views would turn into 500s or wrong 200s, before they run."""
    path = request.path
    rule = request.url_rule
    if rule is not None and rule.endpoint in ("/<path:path>", "/") and is_api_path(path):
        # Dash's catch-all would answer /api/v1, /api/v1/ or /admin/api/nope with the HTML page and 200.
        raise NotFound(f"no API route {path}")
    if path == DASH_CALLBACK and request.method == "POST":
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or not isinstance(body.get("output"), str):
            log.warning("malformed Dash callback request from %s", request.remote_addr)
            raise BadRequest("expected a Dash callback request (JSON with output, inputs)")
        for key in ("inputs", "state"):
            items = body.get(key, [])
            if not isinstance(items, list):
                raise BadRequest(f"expected a list in {key}")
            for item in _flatten(items):
                _check_value_type(item)


# What the browser can send for these properties; anything else did not come from a component.
PROPERTY_TYPES: dict[str, tuple[type, ...]] = {
    "pathname": (str, type(None)),  # None before a Location component has read the address
    "href": (str, type(None)),
    "search": (str, type(None)),
    "hash": (str, type(None)),
    "n_clicks": (int, type(None)),
    "n_intervals": (int, type(None)),
    "contents": (str, list, type(None)),
    "filename": (str, list, type(None)),
}


# The same for particular inputs of the public map (component id, property).
COMPONENT_TYPES: dict[tuple[str, str], tuple[type, ...]] = {
    (ids.MAP_GRAPH, "clickData"): (dict, type(None)),
    (ids.SEARCH, "value"): (str, type(None)),
    (ids.SEARCH, "search_value"): (str, type(None)),
    (ids.TABLE_STATE, "data"): (dict,),
    (ids.VIEW_STORE, "data"): (dict,),
    (ids.TABLE_FILTER, "value"): (str, type(None)),
}


def _flatten(items: list) -> list:
    out = []
    for item in items:
        out.extend(_flatten(item) if isinstance(item, list) else [item])
    return out


def _check_value_type(item: object) -> None:
    if not isinstance(item, dict) or not isinstance(item.get("property"), str):
        raise BadRequest("expected each callback input as {id, property, value}")
    component = item.get("id") if isinstance(item.get("id"), str) else None
    allowed = COMPONENT_TYPES.get((component, item["property"])) or PROPERTY_TYPES.get(item["property"])
    value = item.get("value")
    if allowed and "value" in item and not isinstance(value, allowed):
        log.warning("Dash callback input %s of type %s refused", item["property"], type(value).__name__)
        raise BadRequest(f"{item['property']}: expected {' or '.join(t.__name__ for t in allowed)}")
    if item["property"] == "pathname" and (
        (isinstance(value, str) and not value.startswith("/"))
        or (value is None and item.get("id") == "_pages_location")  # Dash's page router needs a path
    ):
        log.warning("Dash callback pathname that is not a path refused")
        raise BadRequest("pathname: expected a path starting with /")


def _component_suite_error(exc: Exception):
    """Dash raises DependencyException for a package or file it does not serve: that is a 404."""
    log.warning("not served: %s (%s)", request.path, type(exc).__name__)
    return NotFound("no such component file").get_response()


def _dash_404_status(response: Response) -> Response:
    """Unknown dashboard pages: Dash serves its shell (and then its 404 page) with 200; make that a 404."""
    from dash._pages import _path_to_page

    rule = request.url_rule
    if (
        response.status_code == 200
        and request.method in ("GET", "HEAD")
        and rule is not None
        and rule.endpoint in ("/<path:path>", "/")
    ):
        page, path_vars = _path_to_page(request.path.strip("/"))
        if not page or page.get("module", "").endswith("not_found_404") or not _known_region(page, path_vars):
            response.status_code = 404  # the shell still renders the friendly 404 page
    return response


def _known_region(page: dict, path_vars: dict | None) -> bool:
    """Region pages (/departamento/<ubigeo>, ...) exist only for real codes of their level."""
    from app import services

    level = page.get("module", "").rsplit(".", 1)[-1]
    if level not in ("department", "province", "district") or not path_vars or "ubigeo" not in path_vars:
        return True
    ubigeo = str(path_vars["ubigeo"])
    return services.level_of(ubigeo) == level and ubigeo in services.get_store().regions.names(level)


def _favicon() -> Response:
    """Browsers ask for /favicon.ico on pages that name no icon (the login form, JSON answers).

    Dash's catch-all used to answer that with its HTML page and 200; now that unknown
    paths are 404s, serve Dash's own icon so browsers log no error.
    """
    import pkgutil

    response = Response(pkgutil.get_data("dash", "favicon.ico"), mimetype="image/x-icon")
    response.cache_control.max_age = 86400
    return response


def init_app(server: Flask) -> None:
    """Register the handlers (before Dash adds its routes; they apply to every route all the same)."""
    from dash.exceptions import DependencyException

    server.register_error_handler(HTTPException, _http_error)
    server.register_error_handler(InternalServerError, _server_error)
    server.register_error_handler(BadRequestError, _bad_callback_value)
    server.register_error_handler(DependencyException, _component_suite_error)
    server.before_request(_guard_dash_routes)
    server.after_request(_dash_404_status)
    server.add_url_rule("/favicon.ico", "favicon", _favicon)
