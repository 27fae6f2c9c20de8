"""The OpenAPI 3.1 document is generated from the code and agrees with the routes the app really has."""

from __future__ import annotations

import pytest


@pytest.fixture
def document(client) -> dict:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.content_type == "application/json"
    return response.get_json()


def test_document_is_valid_openapi_3_1(document):
    import jsonschema
    from schemathesis.specs.openapi.definitions import OPENAPI_31

    assert document["openapi"] == "3.1.0"
    jsonschema.Draft202012Validator(OPENAPI_31).validate(document)
    # Every $ref resolves to a component.
    import json
    import re

    refs = set(re.findall(r'"#/components/schemas/([^"]+)"', json.dumps(document)))
    assert refs <= set(document["components"]["schemas"])


def test_every_api_route_and_method_is_documented_and_nothing_else(app, document):
    from app.api.openapi import documented_rules, openapi_path

    routes = set()
    for rule, meta in documented_rules(app.server):
        if "<path:" in rule.rule:  # the JSON 404 catch-all
            continue
        assert meta is not None, f"{rule.rule} has no @doc"
        routes |= {(openapi_path(rule), m.lower()) for m in rule.methods - {"HEAD", "OPTIONS"}}
    documented = {(path, method) for path, ops in document["paths"].items() for method in ops}
    assert documented == routes
    assert len(routes) >= 22
    assert any(p.startswith("/admin/api/") for p, _ in routes)


def test_every_operation_answers_errors_in_the_one_json_shape(document):
    for path, operations in document["paths"].items():
        for method, op in operations.items():
            default = op["responses"]["default"]["content"]
            assert default == {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}, (path, method)
    error = document["components"]["schemas"]["Error"]
    assert set(error["required"]) == {"error", "message"}


def test_path_parameters_follow_the_converters(document):
    params = {
        p["name"]: p["schema"]
        for p in document["paths"]["/admin/api/datasets/{dataset_id}/{action}"]["post"]["parameters"]
    }
    assert params["dataset_id"]["type"] == "integer"
    assert params["action"]["enum"] == ["accept", "discard"]
    query = {p["name"]: p for p in document["paths"]["/api/v1/indicators"]["get"]["parameters"]}
    assert query["level"]["schema"]["enum"] == ["department", "province", "district"]
    assert query["year"]["schema"] == {"type": "integer"}
