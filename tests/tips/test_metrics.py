"""``/metrics`` of the tips service: outcomes counted in the database (whichever process did the work),
requests by route template from the gunicorn worker, and the dashboard's access rule.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace

import httpx
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select, update

from app.db.models import TipSend
from tests.tips.conftest import cli
from tests.tips.test_service import enrolment


def samples(text: str) -> dict[tuple[str, tuple], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for fam in text_string_to_metric_families(text)
        for s in fam.samples
    }


def value(found: dict, name: str, **labels) -> float:
    return found[(name, tuple(sorted(labels.items())))]


def test_outcomes_and_requests_reach_metrics(service, api_key, tips_db):
    with service.client(api_key) as c:
        sms = c.post("/v1/subscribers", json=enrolment(phone="+51 955 100 001"))
        app_ = c.post("/v1/subscribers", json=enrolment(phone="+51 955 100 002", channel="app"))
        gone = c.post("/v1/subscribers", json=enrolment(phone="+51 955 100 003", channel="app"))
        assert {sms.status_code, app_.status_code, gone.status_code} == {201}
        assert c.delete(f"/v1/subscribers/{gone.json()['id']}").status_code == 204
        preview = {"ubigeo": "080101", "age_months": 8, "sex": "f"}
        assert c.get("/v1/tips/preview", params=preview).status_code == 200
    out = cli(service.settings, "choose-week", "--date", "2026-12-07")  # another process: the CLI
    assert out.returncode == 0, out.stderr
    with tips_db.session() as s:  # what the publisher (PUBACK) and the consumer (receipt) write
        ids = s.scalars(select(TipSend.id).order_by(TipSend.id)).all()
        assert len(ids) == 2
        s.execute(update(TipSend).values(status="sent"))
        s.execute(update(TipSend).where(TipSend.id == ids[0]).values(receipt="delivered"))
        s.execute(update(TipSend).where(TipSend.id == ids[1]).values(receipt="failed"))
    with service.client(api_key) as c:
        for text in ("1", "BAJA"):
            r = c.post("/v1/sms/inbound", json={"from": "+51955100001", "text": text})
            assert r.status_code == 200, r.text
        for path in ("/wp-login.php", "/v1/subscribers/../../etc/passwd", "/v1/nothing-here-42"):
            assert c.get(path).status_code == 404

    r = httpx.get(service.url + "/metrics")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain")
    found = samples(r.text)
    assert value(found, "nutrimapa_tips_chosen_total", arm="none") == 2
    assert value(found, "nutrimapa_tips_chosen_total", arm="a") == 0  # every series exists before its first event
    sent = sum(value(found, "nutrimapa_tips_sent_total", channel=ch, arm="none") for ch in ("sms", "app"))
    assert sent == 2
    assert sum(value(found, "nutrimapa_tips_delivered_total", channel=ch, arm="none") for ch in ("sms", "app")) == 1
    assert sum(value(found, "nutrimapa_tips_failed_total", channel=ch, reason="gateway") for ch in ("sms", "app")) == 1
    assert value(found, "nutrimapa_tips_feedback_total", arm="none", answer="useful") == 1
    assert value(found, "nutrimapa_tips_leaves_total", channel="sms", how="reply") == 1
    assert value(found, "nutrimapa_tips_leaves_total", channel="app", how="erased") == 1
    assert value(found, "nutrimapa_tips_subscribers", channel="app") == 1
    assert value(found, "nutrimapa_tips_subscribers", channel="sms") == 0  # left by BAJA
    # Requests by route template, summed over the workers' files; random paths are all "unmatched".
    enrolled = value(found, "nutrimapa_http_requests_total", route="/v1/subscribers", method="POST", status="2xx")
    assert enrolled == 3
    assert value(found, "nutrimapa_http_requests_total", route="/v1/tips/preview", method="GET", status="2xx") >= 1
    assert value(found, "nutrimapa_http_requests_total", route="unmatched", method="GET", status="4xx") == 3
    assert "wp-login" not in r.text
    assert "nothing-here" not in r.text
    routes = {dict(labels).get("route") for (name, labels) in found if name == "nutrimapa_http_requests_total"}
    assert routes <= {"/v1/subscribers", "/v1/subscribers/{subscriber_id}", "/v1/tips/preview", "/v1/health",
                      "/v1/sms/inbound", "/metrics", "unmatched"}  # fmt: skip
    assert "flask" not in r.text.lower()


def test_metrics_need_an_allowed_network_or_the_token(tips_settings, tips_db):
    from tips import create_app

    settings = replace(tips_settings, metrics_allow=("10.0.0.0/8",), metrics_token="s3cret-token")
    app = create_app(settings)

    async def get(path: str, address: str, token: str | None = None) -> httpx.Response:
        transport = httpx.ASGITransport(app=app, client=(address, 40000))
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        async with httpx.AsyncClient(transport=transport, base_url="http://tips") as c:
            return await c.get(path, headers=headers)

    assert asyncio.run(get("/metrics", "203.0.113.5")).status_code == 403
    assert asyncio.run(get("/metrics", "203.0.113.5", "wrong")).status_code == 403
    ok = asyncio.run(get("/metrics", "203.0.113.5", "s3cret-token"))
    assert ok.status_code == 200
    assert "nutrimapa_tips_subscribers" in ok.text
    assert asyncio.run(get("/metrics", "10.1.2.3")).status_code == 200  # an allowed network, no token
    assert asyncio.run(get("/metrics", "127.0.0.1")).status_code == 403  # loopback is no longer in the list
    assert "/metrics" not in asyncio.run(get("/openapi.json", "10.1.2.3")).json()["paths"]
    app.state.tips.db.dispose()
