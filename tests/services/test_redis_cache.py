"""With REDIS_URL set, estimates are cached in the real Redis and shared by every worker."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.conftest import _reset_dash_globals
from tests.services.conftest import require_port

pytestmark = pytest.mark.services

REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
def redis_client():
    require_port(6379, "Redis")
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    yield client
    client.flushdb()


def test_estimates_are_cached_in_redis(settings, redis_client):
    from app import create_app

    _reset_dash_globals()
    app = create_app(replace(settings, redis_url=REDIS_URL))
    client = app.server.test_client()
    body = client.get("/api/v1/indicators?year=2023").get_json()
    keys = set(redis_client.keys("nutrimapa:*"))
    assert any(b"_indicator_records" in k for k in keys), keys
    # The same question again is answered from Redis: same body, no new entries.
    assert client.get("/api/v1/indicators?year=2023").get_json() == body
    assert set(redis_client.keys("nutrimapa:*")) == keys
    # Another year is another entry.
    client.get("/api/v1/indicators?year=2022")
    assert len(redis_client.keys("nutrimapa:*")) > len(keys)
