"""The OpenAPI 3.1 document of ``/api/v1`` and ``/admin/api``, generated from the code.

- **Paths and path parameters** come from Flask's URL map: every rule under the two
  prefixes whose view is decorated with :func:`doc` (a route without ``@doc`` is a
  test failure, see tests/api/test_openapi.py).
- **Query parameters and bodies** come from the pydantic models named in ``@doc``
  (``app/api/schemas.py``), their JSON Schema from ``model_json_schema()``
  (JSON Schema 2020-12, which OpenAPI 3.1 uses as is).
- **apispec** assembles and checks the document (components, references).

Every operation documents its success answers and, as ``default``, the one error
shape (``Error``) in ``application/json``: whatever the status, an error is JSON.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from apispec import APISpec
from flask import Flask
from pydantic import BaseModel
from werkzeug.routing import AnyConverter, IntegerConverter, Rule

from app.__about__ import __version__
from app.api import schemas

PREFIXES = ("/api/v1/", "/admin/api/")
JSON = "application/json"
_ARG = re.compile(r"<(?:[a-zA-Z_]+(?:\([^)]*\))?:)?([a-zA-Z_][a-zA-Z0-9_]*)>")

Response = type[BaseModel] | tuple[type[BaseModel]] | str | None


def doc(
    summary: str,
    *,
    query: type[BaseModel] | None = None,
    body: type[BaseModel] | None = None,
    files: bool = False,
    responses: dict[int, Response] | None = None,
    media: str | tuple[str, ...] = JSON,
    tags: tuple[str, ...] = (),
) -> Callable:
    """Document a view for the OpenAPI document (it changes nothing about how the view runs).

    Args:
        summary: one line on what the operation does.
        query: the model of its query parameters.
        body: the model of its JSON body.
        files: a multipart body with one or more ``files``.
        responses: status -> model, ``(model,)`` for a list of them, or a description string.
        media: the content type(s) of the success answers (``text/csv``, ``application/pdf``, ...).
        tags: grouping in viewers.
    """

    def decorate(view: Callable) -> Callable:
        view.__openapi__ = {
            "summary": summary,
            "query": query,
            "body": body,
            "files": files,
            "responses": responses or {200: "OK"},
            "media": media,
            "tags": tags,
            "doc": (view.__doc__ or "").strip(),
        }
        return view

    return decorate


def _schema_ref(spec: APISpec, model: type[BaseModel]) -> dict:
    name = model.__name__
    if name not in spec.components.schemas:
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        for sub_name, sub in schema.pop("$defs", {}).items():
            if sub_name not in spec.components.schemas:
                spec.components.schema(sub_name, sub)
        spec.components.schema(name, schema)
    return {"$ref": f"#/components/schemas/{name}"}


def _content(spec: APISpec, response: Response, media: str | tuple[str, ...]) -> dict:
    if isinstance(response, str) or response is None:
        if media == JSON:
            return {"description": response or "OK", "content": {JSON: {"schema": {}}}}
        types = (media,) if isinstance(media, str) else media
        content = {m: {"schema": {"type": "object"} if m.endswith("json") else {"type": "string"}} for m in types}
        return {"description": response or "OK", "content": content}
    if isinstance(response, tuple):
        schema = {"type": "array", "items": _schema_ref(spec, response[0])}
        name = response[0].__name__
    else:
        schema, name = _schema_ref(spec, response), response.__name__
    return {"description": name, "content": {JSON: {"schema": schema}}}


def _path_parameters(rule: Rule) -> list[dict]:
    params = []
    for name in _ARG.findall(rule.rule):
        converter = rule._converters[name]  # werkzeug keeps the converter of each variable here
        if isinstance(converter, IntegerConverter):
            schema: dict[str, Any] = {"type": "integer", "minimum": 0}
        elif isinstance(converter, AnyConverter):
            schema = {"type": "string", "enum": sorted(converter.items)}
        else:
            schema = {"type": "string", "pattern": "^[^/]+$", "minLength": 1}
        params.append({"name": name, "in": "path", "required": True, "schema": schema})
    return params


def _query_parameters(model: type[BaseModel] | None) -> list[dict]:
    if model is None:
        return []
    schema = model.model_json_schema()
    required = set(schema.get("required", ()))
    params = []
    for name, declared in schema.get("properties", {}).items():
        prop = dict(declared)
        prop.pop("title", None)
        if "anyOf" in prop:  # "int | None" means "optional": a query string has no null
            options = [o for o in prop.pop("anyOf") if o.get("type") != "null"]
            prop.update(options[0] if len(options) == 1 else {"anyOf": options})
            if prop.get("default", 0) is None:
                del prop["default"]
        description = prop.pop("description", None)
        param = {"name": name, "in": "query", "required": name in required, "schema": prop}
        if description:
            param["description"] = description
        params.append(param)
    return params


def _operation(spec: APISpec, rule: Rule, meta: dict, method: str) -> dict:
    responses = {str(status): _content(spec, r, meta["media"]) for status, r in meta["responses"].items()}
    responses["default"] = {
        "description": "An error; the same JSON shape for every status",
        "content": {JSON: {"schema": _schema_ref(spec, schemas.Error)}},
    }
    op: dict[str, Any] = {
        "summary": meta["summary"],
        "operationId": f"{method}_{rule.endpoint.replace('.', '_')}",
        "parameters": _path_parameters(rule) + _query_parameters(meta["query"]),
        "responses": responses,
    }
    if meta["doc"]:
        op["description"] = meta["doc"]
    if meta["tags"]:
        op["tags"] = list(meta["tags"])
    if meta["body"] is not None:
        op["requestBody"] = {"required": False, "content": {JSON: {"schema": _schema_ref(spec, meta["body"])}}}
    if meta["files"]:
        op["requestBody"] = {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {"files": {"type": "array", "items": {"type": "string", "format": "binary"}}},
                        "required": ["files"],
                    }
                }
            },
        }
    if rule.rule.startswith("/admin/api/"):
        op["security"] = [{"session": [], "csrf": []}] if method != "get" else [{"session": []}]
    return op


def documented_rules(server: Flask) -> list[tuple[Rule, dict | None]]:
    """Every API rule (both prefixes) with its ``@doc`` metadata, or None when it has none."""
    out = []
    for rule in server.url_map.iter_rules():
        if rule.rule.startswith(PREFIXES):
            view = server.view_functions[rule.endpoint]
            out.append((rule, getattr(view, "__openapi__", None)))
    return out


def openapi_path(rule: Rule) -> str:
    return _ARG.sub(r"{\1}", rule.rule)


def build(server: Flask) -> dict:
    """The OpenAPI 3.1 document for the documented API routes of ``server``."""
    spec = APISpec(
        title="NutriMapa Perú API",
        version=__version__,
        openapi_version="3.1.0",
        info={
            "description": "Child anemia and stunting in Peru by department, province and district "
            "(ENDES survey, model-based small-area estimates). Errors: one JSON shape, `Error`."
        },
        servers=[{"url": "/"}],
    )
    spec.components.security_scheme(
        "session", {"type": "apiKey", "in": "cookie", "name": "nutrimapa_session", "description": "log in at /login"}
    )
    spec.components.security_scheme(
        "csrf",
        {"type": "apiKey", "in": "header", "name": "X-CSRFToken", "description": "the _csrf_token cookie's value"},
    )
    paths: dict[str, dict] = {}
    for rule, meta in sorted(documented_rules(server), key=lambda rm: rm[0].rule):
        if meta is None:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            paths.setdefault(openapi_path(rule), {})[method.lower()] = _operation(spec, rule, meta, method.lower())
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()
