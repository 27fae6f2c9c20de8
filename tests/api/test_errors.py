"""No 500s and one JSON error shape: every defect of issue 11's "500s" and "Error format" lists.

Each of these answered a 500 with a traceback, the Dash HTML page with 200, or the
login page, on the code before this change.
"""

from __future__ import annotations

import logging

import pytest

HUGE = "99999999999999999999999"


def assert_error(response, status: int, error: str | None = None) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.content_type == "application/json"
    body = response.get_json()
    assert isinstance(body["error"], str)
    assert isinstance(body["message"], str)
    assert body["message"]
    if error:
        assert body["error"] == error
    return body


def _callback_body(client, output: str, **values) -> dict:
    deps = client.get("/_dash-dependencies").get_json()
    cb = next(d for d in deps if d["output"] == output)
    inputs = [{"id": i["id"], "property": i["property"], "value": values.get(i["id"])} for i in cb["inputs"]]
    return {
        "output": cb["output"],
        "outputs": dict(zip(("id", "property"), output.split(".", 1), strict=True)),
        "inputs": inputs,
        "state": [{"id": s["id"], "property": s["property"], "value": None} for s in cb["state"]],
        "changedPropIds": ["level-select.value"],
    }


def test_dash_callback_with_a_path_for_level_is_a_400_logged_without_traceback(client, caplog):
    body = _callback_body(client, "downloads.children", **{"level-select": "../../etc", "indicator-select": "anemia"})
    with caplog.at_level(logging.WARNING):
        response = client.post("/_dash-update-component", json=body)
    error = assert_error(response, 400, "bad_request")
    assert error["parameter"] == "level"
    records = [r for r in caplog.records if "../../etc" in r.getMessage()]
    assert records
    assert all(r.levelno == logging.WARNING and r.exc_info is None for r in records)


@pytest.mark.parametrize("body", [{"bogus": 1}, [], "text", {"output": "x", "inputs": "no"}])
def test_malformed_dash_callback_requests_are_400(client, body):
    assert_error(client.post("/_dash-update-component", json=body), 400)


@pytest.mark.parametrize("pathname", ["../../etc", "", -1, None, ["/"], {"a": 1}])
def test_dash_page_router_refuses_values_a_browser_cannot_send(client, pathname):
    """Dash's own page router raised (UnsupportedRelativePath, TypeError) on these: 500s before."""
    deps = client.get("/_dash-dependencies").get_json()
    router = next(d for d in deps if "_pages_content.children" in d["output"])
    inputs = [{"id": i["id"], "property": i["property"], "value": pathname} for i in router["inputs"]]
    body = {
        "output": router["output"],
        "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
        "inputs": inputs,
        "state": [{"id": s["id"], "property": s["property"], "value": None} for s in router["state"]],
        "changedPropIds": ["_pages_location.pathname"],
    }
    assert_error(client.post("/_dash-update-component", json=body), 400)


@pytest.mark.parametrize(
    "path",
    [
        "/_dash-component-suites/dash/../../etc/passwd",
        "/_dash-component-suites/nope/x.js",
        "/_dash-component-suites/os/x.js",
        "/_dash-component-suites/dash/nope.js",
        "/_dash-component-suites/dash/dcc/async-graph.v1.js",
    ],
)
def test_invalid_component_suite_paths_are_404(client, path):
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("path", ["/api", "/api/", "/api/v1", "/api/v1/", "/api/nope", "/api/v2/health"])
def test_unknown_api_routes_answer_json_404(client, path):
    assert_error(client.get(path), 404, "not_found")


def test_wrong_method_on_the_api_is_a_json_405_not_the_login_page(client):
    body = assert_error(client.post("/api/v1/health"), 405, "method_not_allowed")
    assert "GET" in client.post("/api/v1/health").headers["Allow"]
    assert body["message"]
    assert_error(client.delete("/api/v1/regions"), 405)


def test_unknown_dashboard_pages_carry_status_404(client):
    for path in ("/no-such-page", "/departamento", "/metodos/extra/deep"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "<html" in response.get_data(as_text=True)  # the app shell still renders its 404 page
    for path in ("/distrito/999999", "/departamento/99", "/provincia/abc", "/departamento/1501"):
        assert client.get(path).status_code == 404, path
    for path in ("/", "/metodos", "/departamento/15", "/provincia/1501", "/distrito/150101"):
        assert client.get(path).status_code == 200, path
    icon = client.get("/favicon.ico")  # asked for by browsers on the login page: an icon, not a 404
    assert (icon.status_code, icon.content_type) == (200, "image/x-icon")


@pytest.mark.parametrize("year", ["٢٠٢٤", "２０２４", "2024 ", " 2024", "+2024", "2_024", "2024.0"])
def test_years_in_other_digit_forms_are_rejected(client, year):
    body = assert_error(client.get("/api/v1/indicators", query_string={"year": year}), 400, "bad_request")
    assert body["parameter"] == "year"
    assert_error(client.get("/api/v1/estimates", query_string={"year": year, "method": "direct"}), 400, "bad_request")


def test_anonymous_admin_api_is_401_in_the_common_shape(anon_client):
    body = assert_error(anon_client.get("/admin/api/nope"), 401, "unauthorized")
    assert body["login"] == "/login"
    assert_error(anon_client.get(f"/admin/api/runs/{HUGE}"), 401)


def test_logged_in_unknown_admin_route_is_json_404(admin_client):
    assert_error(admin_client.get("/admin/api/nope"), 404, "not_found")
    assert_error(admin_client.get("/admin/api"), 404, "not_found")
    assert_error(admin_client.get("/admin/api/"), 404, "not_found")


def test_ids_beyond_the_database_range_are_404_and_limits_are_checked(admin_client):
    for run_id in (HUGE, str(2**63), str(2**31)):
        _ids_are_404(admin_client, run_id)
    for limit in ("-1", "0", "501", "abc", "１０", "10 "):
        body = assert_error(admin_client.get("/admin/api/audit", query_string={"limit": limit}), 400, "bad_request")
        assert body["parameter"] == "limit"
    assert len(admin_client.get("/admin/api/audit?limit=1").get_json()) == 1


def _ids_are_404(admin_client, run_id: str) -> None:
    assert_error(admin_client.get(f"/admin/api/runs/{run_id}"), 404, "not_found")
    assert_error(admin_client.post(f"/admin/api/runs/{run_id}/cancel"), 404, "not_found")
    assert_error(admin_client.post(f"/admin/api/datasets/{run_id}/accept"), 404, "not_found")
    assert_error(admin_client.post(f"/admin/api/datasets/{run_id}/discard"), 404, "not_found")


def test_an_unexpected_admin_api_error_is_a_json_500(admin_client, admin_app, monkeypatch, caplog):
    from app.admin import runs

    def broken(_session):
        raise RuntimeError("test: a bug in listing runs")

    monkeypatch.setattr(runs, "list_runs", broken)
    admin_app.server.config["PROPAGATE_EXCEPTIONS"] = False  # as in production
    with caplog.at_level(logging.ERROR):
        body = assert_error(admin_client.get("/admin/api/runs"), 500, "internal_error")
    assert "RuntimeError" not in body["message"]  # nothing internal leaks to the client
    assert any(r.exc_info for r in caplog.records)  # but the log has the traceback


def test_no_public_callback_answers_500_to_values_a_browser_cannot_send(client, caplog):
    """Every public callback, every input set to each odd value: a 4xx or a normal answer, never a 500."""
    deps = client.get("/_dash-dependencies").get_json()
    odd = ["../../etc", -1, None, {"a": 1}, [1, 2], 10**30, "", "٢٠٢٤"]
    tried = 0
    for dep in deps:
        if dep.get("clientside_function") or not dep["inputs"]:
            continue
        outputs = [_output(o) for o in dep["output"].strip(".").split("...")]
        for value in odd:
            body = {
                "output": dep["output"],
                "outputs": outputs if dep["output"].startswith("..") else outputs[0],
                "inputs": [_item(i, value) for i in dep["inputs"]],
                "state": [_item(s, value) for s in dep["state"]],
                "changedPropIds": [],
            }
            response = client.post("/_dash-update-component", json=body)
            tried += 1
            assert response.status_code < 500, (dep["output"], value, response.get_data(as_text=True)[:300])
    assert tried > 50
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def _output(spec: str) -> dict:
    import json

    component, prop = spec.rsplit(".", 1)
    return {"id": json.loads(component) if component.startswith("{") else component, "property": prop.split("@")[0]}


def _item(dep: dict | list, value) -> dict | list:
    if isinstance(dep, list):
        return [_item(d, value) for d in dep]
    return {"id": dep["id"], "property": dep["property"], "value": value}
