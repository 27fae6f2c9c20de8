"""Estimates, regions and indicators JSON: serialised once, strong ETag, 304 on revalidation; with Redis,
one worker's computed answer is served by another."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.conftest import _reset_dash_globals
from tests.services.conftest import require_port

REDIS_URL = "redis://127.0.0.1:6379/12"
ROUTES = (
    "/api/v1/estimates?level=district",
    "/api/v1/regions?level=province",
    "/api/v1/indicators?level=department&indicator=stunting",
)


def _fail(*_a, **_k):
    raise AssertionError("computed again: the cached answer should have been served")


@pytest.mark.parametrize("url", ROUTES)
def test_etag_and_304_without_recomputing(client, monkeypatch, url):
    from app import services

    first = client.get(url)
    assert first.status_code == 200
    etag = first.headers["ETag"]
    assert etag.startswith('"'), etag  # strong, not W/
    for name in ("estimate_records", "regions", "indicator_records"):
        monkeypatch.setattr(services, name, _fail)
    again = client.get(url)
    assert again.data == first.data
    assert again.headers["ETag"] == etag
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    # gzip keeps revalidation working (the body's tag gains -gz, and that tag revalidates too).
    gz = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert gz.headers["Content-Encoding"] == "gzip"
    assert gz.headers["ETag"] == etag[:-1] + '-gz"'
    assert client.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": gz.headers["ETag"]}).status_code == 304
    # Unlisted query parameters share the answer; errors are never cached.
    assert client.get(url + "&utm_source=x").headers["ETag"] == etag


def test_bad_parameters_are_not_cached(client):
    assert client.get("/api/v1/estimates?level=planet").status_code == 400
    assert client.get("/api/v1/estimates?level=planet").status_code == 400


@pytest.mark.services
def test_one_workers_answer_served_by_another_through_redis(settings, monkeypatch):
    require_port(6379, "Redis")
    import redis

    from app import create_app, services

    r = redis.Redis.from_url(REDIS_URL)
    r.flushdb()
    shared = replace(settings, redis_url=REDIS_URL)
    try:
        _reset_dash_globals()
        worker_a = create_app(shared).server.test_client()
        _reset_dash_globals()
        worker_b = create_app(shared).server.test_client()
        computed = worker_a.get(ROUTES[0])
        assert computed.status_code == 200
        assert any(k.startswith(b"nutrimapa:resp:") for k in r.keys("*")), r.keys("*")
        monkeypatch.setattr(services, "estimate_records", _fail)
        served = worker_b.get(ROUTES[0])
        assert served.status_code == 200
        assert served.data == computed.data
        assert served.headers["ETag"] == computed.headers["ETag"]
        assert worker_b.get(ROUTES[0], headers={"If-None-Match": computed.headers["ETag"]}).status_code == 304
        assert 'nutrimapa_cache_requests_total{cache="responses",result="hit"}' in worker_b.get("/metrics").text
    finally:
        r.flushdb()
        r.close()
        _reset_dash_globals()
