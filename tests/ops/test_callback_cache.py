"""The map and the public pages' Dash callbacks, and PDF reports, answered from the response cache:
the same bytes as Dash's own answer, per language and served versions; admin pages and odd requests never kept."""

from __future__ import annotations

import gzip
import json

import pytest

from bench import dash_calls
from tests.admin.test_versions import second_version  # noqa: F401 (fixture)
from tests.fixtures_admin import signed_in

MAP = "..map-graph.figure"
PAGE = ".._pages_content.children"


@pytest.fixture
def deps(client):
    return client.get("/_dash-dependencies").json


@pytest.fixture
def view(app) -> dict:
    """What the browser sends after switching the map to districts (the page's year and view store)."""
    from app import services

    with app.server.app_context():
        year = services.model_year()
    return {
        "level-select.value": "district",
        "indicator-select.value": "stunting",
        "method-select.value": "model",
        "year-select.value": year,
        "view-store.data": {"level": "department", "method": "model", "year": year},
    }


def _post(client, dep, values, lang=None, gz=False):
    headers = {"Accept-Encoding": "gzip"} if gz else {}
    if lang:
        client.set_cookie("nutrimapa_lang", lang)
    resp = client.post("/_dash-update-component", json=dash_calls.payload(dep, values), headers=headers)
    body = gzip.decompress(resp.data) if resp.headers.get("Content-Encoding") == "gzip" else resp.data
    return resp, body


def _fail(*_a, **_k):
    raise AssertionError("computed again: the kept answer should have been served")


def _kept(client, body) -> bool:
    """Whether the callback cache would keep this request's answer."""
    from app.web import callback_cache

    server = client.application
    with server.app_context():
        return callback_cache.cache_text(body, server.extensions["nutrimapa_callback_map"]()) is not None


def _callback_keys(client) -> set[str]:
    """The callback answers this app keeps (its worker memory holds every one it stored)."""
    return {k for k in client.application.extensions.get("nutrimapa_responses", {}) if k.startswith("resp:callbacks:")}


def _callback_hits(client) -> float:
    for line in client.get("/metrics").text.splitlines():
        if line.startswith('nutrimapa_cache_requests_total{cache="callbacks",result="hit"}'):
            return float(line.split()[-1])
    return 0.0


def test_map_answer_kept_and_served_without_recomputing(client, deps, view, monkeypatch):
    from app.pages import home

    dep = dash_calls.find(deps, MAP)
    first, plain = _post(client, dep, view)
    assert first.status_code == 200
    assert json.loads(plain)["response"]["map-graph"]["figure"]["data"]
    monkeypatch.setattr(home, "figure", _fail)
    monkeypatch.setattr(home.services, "map_rows", _fail)
    again, body = _post(client, dep, view)
    assert again.status_code == 200
    assert body == plain
    zipped, body = _post(client, dep, view, gz=True)
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert body == plain
    assert _callback_hits(client) >= 2
    # Another view is another key: computed (and here refused by the patched figure).
    with pytest.raises(AssertionError, match="computed again"):
        _post(client, dep, {**view, "indicator-select.value": "anemia"})


def test_language_is_part_of_the_key(client, deps):
    dep = dash_calls.find(deps, PAGE)
    _, es = _post(client, dep, {"_pages_location.pathname": "/departamento/15"}, lang="es")
    _, en = _post(client, dep, {"_pages_location.pathname": "/departamento/15"}, lang="en")
    assert es != en
    assert "Anemia" in en.decode()
    assert "Lima" in en.decode()
    _, es_again = _post(client, dep, {"_pages_location.pathname": "/departamento/15"}, lang="es")
    assert es_again == es


def test_a_promotion_or_a_new_survey_changes_the_key(app, monkeypatch):
    from app import services
    from app.web import responses

    with app.server.test_request_context("/"):
        before = responses.shared_key("callbacks", "same body")
        monkeypatch.setattr(services, "active_model_version", lambda: "v9")
        promoted = responses.shared_key("callbacks", "same body")
        store = services.get_store()
        monkeypatch.setattr(store, "survey", type(store.survey)(store.survey.table, "othersurvey", ()))
        resurveyed = responses.shared_key("callbacks", "same body")
    assert len({before, promoted, resurveyed}) == 3
    assert ":v9:" in promoted
    assert ":othersurvey" in resurveyed


@pytest.mark.parametrize(
    ("path", "search"),
    [
        ("/admin", None),  # admin pages depend on the session: never kept
        ("/admin/modelos", None),
        ("/distrito/999999", None),  # not a region: not kept (random paths cannot fill the cache)
        ("/no-such-page", None),
        ("/departamento/15", "?x=1"),
    ],
)
def test_pages_that_are_never_kept(client, deps, path, search):
    dep = dash_calls.find(deps, PAGE)
    body = dash_calls.payload(dep, {"_pages_location.pathname": path, "_pages_location.search": search})
    assert not _kept(client, body)


@pytest.mark.parametrize(
    "change",
    [
        {"level-select.value": "planet"},
        {"year-select.value": 1999},
        {"view-store.data": {"level": "district", "method": "model", "year": 2024, "x": "bot"}},
        {"view-store.data": {"level": "district", "method": "model", "year": "2024; drop"}},
    ],
)
def test_odd_map_requests_are_never_kept(client, deps, view, change):
    dep = dash_calls.find(deps, MAP)
    assert _kept(client, dash_calls.payload(dep, view))
    assert not _kept(client, dash_calls.payload(dep, {**view, **change}))
    tampered = dash_calls.payload(dep, view)
    tampered["outputs"] = tampered["outputs"][:1]
    assert not _kept(client, tampered)
    assert not _kept(client, {**dash_calls.payload(dep, view), "extra": 1})


def test_admin_callbacks_are_never_kept(make_app, admin_settings, second_version):  # noqa: F811
    """A signed-in admin's page and compare answers (200, admin content) leave nothing in the cache, and an
    anonymous visitor sending the very same bodies gets the login page, not the admin's answer."""
    dash_app = make_app(admin_settings)
    admin, anon = signed_in(dash_app), dash_app.server.test_client()
    deps = anon.get("/_dash-dependencies").json
    page = dash_calls.payload(
        dash_calls.find(deps, PAGE), {"_pages_location.pathname": "/admin/modelos", "_pages_location.search": ""}
    )
    compare = dash_calls.payload(
        dash_calls.find(deps, "..admin-compare-result.children"),
        {
            "admin-compare-a.value": "v1",
            "admin-compare-b.value": "v2",
            "admin-compare-level.value": "department",
            "admin-compare-indicator.value": "anemia",
        },
    )
    hits = _callback_hits(anon)  # (the counter is the process's: earlier tests' hits are in it)
    for _ in range(2):  # the second time would be a hit if the first had been kept
        shown = admin.post("/_dash-update-component", json=page)
        assert shown.status_code == 200
        assert "admin-compare-a" in shown.get_data(as_text=True)
        compared = admin.post("/_dash-update-component", json=compare)
        assert compared.status_code == 200
        assert "admin-compare-summary" in compared.get_data(as_text=True)
    assert _callback_keys(anon) == set()
    assert _callback_hits(anon) == hits
    refused = anon.post("/_dash-update-component", json=page).get_data(as_text=True)
    assert "admin-compare-a" not in refused
    assert "admin-compare-summary" not in anon.post("/_dash-update-component", json=compare).get_data(as_text=True)


def test_pdf_report_made_once(client, monkeypatch):
    from app.exports import reports

    first = client.get("/api/v1/reports/15.pdf")
    assert first.status_code == 200
    assert first.data.startswith(b"%PDF")
    monkeypatch.setattr(reports, "region_report", _fail)
    again = client.get("/api/v1/reports/15.pdf")
    assert again.data == first.data
    assert again.headers["Content-Disposition"] == first.headers["Content-Disposition"]
    monkeypatch.undo()
    for _ in range(2):  # an unknown code is answered, never kept
        assert client.get("/api/v1/reports/999999.pdf").status_code == 404


@pytest.mark.parametrize("path", ["/", "/metodos", "/departamento/15", "/provincia/1501", "/distrito/150101"])
def test_public_pages_are_kept(client, deps, path):
    dep = dash_calls.find(deps, PAGE)
    assert _kept(client, dash_calls.payload(dep, {"_pages_location.pathname": path, "_pages_location.search": ""}))


def test_a_new_build_changes_the_key(tmp_path):
    """A deploy with other source or geodata never serves what the previous build kept in Redis."""
    from app.web.responses import code_key

    (tmp_path / "distritos.geojson").write_text("{}")
    before = code_key(tmp_path)
    (tmp_path / "distritos.geojson").write_text('{"type": "FeatureCollection"}')
    code_key.cache_clear()
    assert code_key(tmp_path) != before


def test_a_new_library_version_or_a_same_size_geodata_edit_changes_the_key(tmp_path, monkeypatch):
    from importlib import metadata

    from app.web import responses

    (tmp_path / "distritos.geojson").write_text('{"a": 1}')
    responses.code_key.cache_clear()
    before = responses.code_key(tmp_path)
    (tmp_path / "distritos.geojson").write_text('{"a": 2}')  # same size, other content
    responses.code_key.cache_clear()
    edited = responses.code_key(tmp_path)
    assert edited != before
    real = metadata.version
    monkeypatch.setattr(metadata, "version", lambda name: "99.0" if name == "plotly" else real(name))
    responses.code_key.cache_clear()
    upgraded = responses.code_key(tmp_path)
    responses.code_key.cache_clear()
    assert upgraded != edited


def test_odd_spellings_of_one_request_add_no_entries(client, deps, view):
    """Trailing slashes, repeated or reordered changed ids: answered by Dash, never a new cache entry."""
    page = dash_calls.find(deps, PAGE)
    base = dash_calls.payload(page, {"_pages_location.pathname": "/departamento/15", "_pages_location.search": ""})
    first = client.post("/_dash-update-component", json=base)
    assert first.status_code == 200
    keys = _callback_keys(client)
    assert len(keys) == 1
    both = ["_pages_location.pathname", "_pages_location.search"]
    variants = [
        *(
            dash_calls.payload(page, {"_pages_location.pathname": p, "_pages_location.search": ""})
            for p in ("/departamento/15/", "/departamento/15////", "/departamento/15" + "/" * 50)
        ),
        {**base, "changedPropIds": ["_pages_location.pathname"] * 3},
        {**base, "changedPropIds": both[::-1]},
        {**base, "parsedChangedPropsIds": ["_pages_location.pathname"] * 2},
        {**base, "changedPropIds": both + both},
    ]
    for body in variants:
        resp = client.post("/_dash-update-component", json=body)
        assert resp.status_code == 200  # still answered: by Dash
        assert "Lima" in resp.get_data(as_text=True)
        assert not _kept(client, body)
    assert _callback_keys(client) == keys
    # The raw body is not the key: the same checked values spelled otherwise (no state, empty parsed ids) are one entry.
    spelled = {k: v for k, v in base.items() if k != "state"} | {"parsedChangedPropsIds": []}
    assert spelled != base
    assert client.post("/_dash-update-component", json=spelled).status_code == 200
    assert _callback_keys(client) == keys
    # Both ids changed, in registered order: one more entry, however often it is sent.
    for _ in range(3):
        assert client.post("/_dash-update-component", json={**base, "changedPropIds": both}).status_code == 200
    assert len(_callback_keys(client)) == 2
    mapped = dash_calls.payload(dash_calls.find(deps, MAP), view)
    assert not _kept(client, {**mapped, "changedPropIds": mapped["changedPropIds"] * 2})


def test_one_request_serves_one_model_version(client, deps, view, monkeypatch):
    """A promotion landing mid-request: the key and the answer both name the version read first."""
    pointer = client.application.extensions["nutrimapa_active"]
    served = pointer.get()
    reads = []

    def promoted_after_first_read():
        reads.append(1)
        return served if len(reads) == 1 else "v9"  # v9: what a second read would see (and fail to load)

    monkeypatch.setattr(pointer, "get", promoted_after_first_read)
    resp, body = _post(client, dash_calls.find(deps, MAP), view)
    assert resp.status_code == 200
    assert json.loads(body)["response"]["map-graph"]["figure"]["data"]
    assert len(reads) == 1
    (key,) = _callback_keys(client)
    assert f":{served}:" in key
    reads.clear()  # the next request reads the new version, once
    with client.application.test_request_context("/"):
        from app import services

        assert services.active_model_version() == served
        assert services.active_model_version() == services.active_model_version() == served
        services.forget_active_model()  # this worker switched: it serves the new version at once
        assert services.active_model_version() == "v9"
