"""The real tips service process (gunicorn + uvicorn worker) over SQLite and PostgreSQL."""

from __future__ import annotations

import gzip
import time
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import func, select, text

from app.db.models import TipEvent, TipSend, TipSubscriber
from tests.tips.conftest import cli

pytestmark = pytest.mark.services

PHONE = "+51 912 345 678"
DIGITS = "912345678"


def enrolment(**changes) -> dict:
    body = {
        "phone": PHONE,
        "ubigeo": "080101",  # Cusco
        "child_birth": "2026-03",
        "sex": "f",
        "language": "es",
        "channel": "sms",
        "consent": True,
    }
    body.update(changes)
    return body


def subscriber_count(db) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(TipSubscriber))


def test_enrol_preview_leave_and_rejoin_by_sms(service, api_key, tips_db):
    with service.client(api_key) as c:
        r = c.post("/v1/subscribers", json=enrolment())
        assert r.status_code == 201, r.text
        sub = r.json()
        assert sub["phone"] == "+51 9** *** 678"
        assert sub["child_birth"] == "2026-03"
        assert c.get(f"/v1/subscribers/{sub['id']}").json()["status"] == "active"

        preview = c.get("/v1/tips/preview", params={"ubigeo": "080101", "age_months": 8, "sex": "f", "lang": "es"})
        assert preview.status_code == 200
        assert preview.json()["tip"]["category"] == preview.json()["ranking"][0]["category"]

        # the week's tip is chosen by the batch (CLI), then the caregiver answers by SMS
        out = cli(service.settings, "choose-week", "--date", "2026-12-02")
        assert out.returncode == 0, out.stderr
        assert '"chosen": 1' in out.stdout
        r = c.post("/v1/sms/inbound", json={"from": "912345678", "text": "2"})
        assert r.json()["action"] == "not_useful"
        with tips_db.session() as s:
            send = s.scalar(select(TipSend).where(TipSend.week == "2026-W49"))
            assert send.feedback == 2
            assert r.json()["tip"] == send.tip_id

        r = c.post("/v1/sms/inbound", json={"from": "+51912345678", "text": " baja "})
        assert r.status_code == 200
        assert r.json()["action"] == "leave"
        assert "ALTA" in r.json()["reply"]
        assert c.get(f"/v1/subscribers/{sub['id']}").json()["status"] == "left"
        r = c.post("/v1/sms/inbound", json={"from": "+51912345678", "text": "Alta"})
        assert r.json()["action"] == "rejoin"
        assert c.get(f"/v1/subscribers/{sub['id']}").json()["status"] == "active"
        assert c.post("/v1/sms/inbound", json={"from": "+51912345678", "text": "¿ayuda?"}).json()["action"] == "help"

        # leaving for good: personal fields erased, the counts stay
        assert c.delete(f"/v1/subscribers/{sub['id']}").status_code == 204
        assert c.get(f"/v1/subscribers/{sub['id']}").status_code == 404
        assert c.post("/v1/sms/inbound", json={"from": PHONE, "text": "ALTA"}).json()["action"] == "unknown"
    with tips_db.session() as s:
        row = s.scalar(select(TipSubscriber).where(TipSubscriber.public_id == sub["id"]))
        assert (row.phone_enc, row.phone_hash, row.birth_year, row.birth_month, row.sex) == (None,) * 5
        assert (row.status, row.ubigeo, row.channel) == ("erased", "080101", "sms")
        kinds = sorted(s.scalars(select(TipEvent.kind)))
        assert kinds == ["enrol", "erase", "leave", "not_useful", "rejoin"]


def test_phone_is_never_stored_or_logged_in_clear(service, api_key, tips_db):
    phone, digits = "+51 987 654 321", "987654321"
    with service.client(api_key) as c:
        assert c.post("/v1/subscribers", json=enrolment(phone=phone)).status_code == 201
        c.post("/v1/sms/inbound", json={"from": phone, "text": "1"})
    with tips_db.engine.connect() as conn:
        rows = conn.execute(text("SELECT * FROM tip_subscribers")).all()
    raw = " ".join(str(v) for row in rows for v in row)
    assert digits not in raw
    assert "654 321" not in raw
    from tips.privacy import PhoneVault

    vault = PhoneVault.from_settings(service.settings)
    assert "+51987654321" in [vault.decrypt(r.phone_enc) for r in rows if r.phone_enc]
    time.sleep(0.3)  # access log flush
    assert digits not in service.log.read_text()
    assert "654 321" not in service.log.read_text()


def test_api_keys_missing_wrong_and_revoked(service):
    url = "/v1/subscribers"
    with service.client() as anon:
        r = anon.post(url, json=enrolment())
        assert r.status_code == 401
        assert r.headers["www-authenticate"].startswith("Bearer")
        assert anon.post("/v1/sms/inbound", json={"from": PHONE, "text": "BAJA"}).status_code == 401
        assert anon.get("/v1/tips/preview?ubigeo=080101&age_months=3&sex=m").status_code == 200  # anonymous preview
    with service.client("nmk_not-a-key") as wrong:
        assert wrong.post(url, json=enrolment()).status_code == 401
        assert wrong.get("/v1/tips/preview?ubigeo=080101&age_months=3&sex=m").status_code == 401
    name = f"revoked-{datetime.now(UTC).timestamp():.0f}"
    key = cli(service.settings, "create-key", name).stdout.strip()
    with service.client(key) as c:
        assert c.get("/v1/subscribers/" + "0" * 32).status_code == 404  # accepted, nobody there
        assert cli(service.settings, "revoke-key", name).returncode == 0
        r = c.get("/v1/subscribers/" + "0" * 32)
        assert r.status_code == 401
        assert "revoked" in r.json()["detail"]
    listing = cli(service.settings, "list-keys").stdout
    assert name in listing
    assert key not in listing


def test_preview_text_plain_gzip_and_etag(service):
    params = {"ubigeo": "210101", "age_months": 14, "sex": "m", "lang": "es"}
    with service.client() as c:
        plain = c.get("/v1/tips/preview", params=params, headers={"Accept": "text/plain"})
        assert plain.status_code == 200
        assert plain.headers["content-type"].startswith("text/plain")
        assert len(plain.content) <= 300
        assert plain.text
        assert "\n" not in plain.text
        r = c.get("/v1/tips/preview", params=params, headers={"Accept-Encoding": "gzip"})
        assert r.headers["content-encoding"] == "gzip"
        assert r.json()["profile"] == params
        assert [x["score"] for x in r.json()["ranking"]] == sorted(
            (x["score"] for x in r.json()["ranking"]), reverse=True
        )
        assert r.json()["tip"]["text"] == plain.text
        etag = r.headers["etag"]
        assert etag != plain.headers["etag"]
        again = c.get("/v1/tips/preview", params=params, headers={"If-None-Match": etag})
        assert again.status_code == 304
        assert again.content == b""
    raw = httpx.get(service.url + "/v1/tips/preview", params=params, headers={"Accept-Encoding": "gzip"})
    assert len(gzip.compress(raw.content)) < len(raw.content)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"ubigeo": "999999"}, "ubigeo"),
        ({"ubigeo": "15010"}, "ubigeo"),
        ({"age_months": 60}, "age_months"),
        ({"age_months": -1}, "age_months"),
        ({"sex": "x"}, "sex"),
        ({"lang": "qu"}, "lang"),
    ],
)
def test_preview_refuses_what_the_model_cannot_handle(service, params, field):
    query = {"ubigeo": "080101", "age_months": 10, "sex": "f", "lang": "es", **params}
    with service.client() as c:
        r = c.get("/v1/tips/preview", params=query)
    assert r.status_code == 422
    (error,) = r.json()["detail"]
    assert error["loc"] == ["query", field]
    assert error["msg"]


@pytest.mark.parametrize(
    ("changes", "field", "says"),
    [
        ({"ubigeo": "999999"}, "ubigeo", "unknown district"),
        ({"child_birth": "2099-01"}, "child_birth", "future"),
        ({"child_birth": "2019-01"}, "child_birth", "under 5"),
        ({"child_birth": "2026-13"}, "child_birth", "YYYY-MM"),
        ({"phone": "01 456 7890"}, "phone", "mobile"),
        ({"phone": "+1 202 555 0100"}, "phone", "Peruvian"),
        ({"phone": "hello"}, "phone", "phone number"),
        ({"language": "qu"}, "language", "es, en"),
        ({"channel": "fax"}, "channel", "sms"),
        ({"consent": False}, "consent", "true"),
    ],
)
def test_bad_enrolment_names_the_field_and_stores_nothing(service, api_key, tips_db, changes, field, says):
    before = subscriber_count(tips_db)
    with service.client(api_key) as c:
        r = c.post("/v1/subscribers", json=enrolment(**{"phone": "+51 955 000 111", **changes}))
    assert r.status_code == 422, r.text
    (error,) = r.json()["detail"]
    assert error["loc"][-1] == field
    assert says.lower() in error["msg"].lower()
    assert subscriber_count(tips_db) == before


def test_duplicate_and_oversized_enrolments_are_refused(service, api_key, tips_db):
    with service.client(api_key) as c:
        assert c.post("/v1/subscribers", json=enrolment(phone="+51 966 111 222")).status_code == 201
        before = subscriber_count(tips_db)
        r = c.post("/v1/subscribers", json=enrolment(phone="966111222", ubigeo="150101"))
        assert r.status_code == 422
        assert r.json()["detail"][0]["loc"] == ["body", "phone"]
        assert "already enrolled" in r.json()["detail"][0]["msg"]
        big = c.post("/v1/subscribers", json=enrolment(phone="+51 977 000 000", note="x" * 10_000))
        assert big.status_code == 422  # bad input like any other: the field, what was expected, what came
        assert big.json()["detail"][0]["loc"] == ["body"]
        size = len(big.request.content)
        assert f"at most 4096 bytes; got {size}" in big.json()["detail"][0]["msg"]

        def chunks():
            yield b'{"phone": "+51 977 000 001", "note": "'
            for _ in range(10):
                yield b"y" * 1000
            yield b'"}'

        streamed = c.post("/v1/subscribers", content=chunks(), headers={"Content-Type": "application/json"})
        assert streamed.status_code == 422
        assert streamed.json()["detail"][0]["loc"] == ["body"]
        sent = sum(len(c) for c in chunks())
        assert f"at most 4096 bytes; got {sent}" in streamed.json()["detail"][0]["msg"]
    assert subscriber_count(tips_db) == before


def test_model_reloads_when_the_active_version_changes(service):
    models = service.settings.models_dir
    (models / "v2").symlink_to((models / "v1").resolve(), target_is_directory=True)
    params = {"ubigeo": "080101", "age_months": 20, "sex": "m"}
    try:
        with service.client() as c:
            assert c.get("/v1/tips/preview", params=params).json()["model_version"] == "v1"
            (models / "ACTIVE").write_text("v2\n")
            deadline = time.monotonic() + 10
            while c.get("/v1/tips/preview", params=params).json()["model_version"] != "v2":
                assert time.monotonic() < deadline, "the service kept serving v1"
                time.sleep(0.3)
            assert c.get("/v1/health").json()["model_version"] == "v2"
    finally:
        (models / "ACTIVE").write_text("v1\n")


def test_openapi_is_served_and_nothing_loads_from_a_cdn(service):
    with service.client() as c:
        spec = c.get("/openapi.json").json()
        assert {"/v1/tips/preview", "/v1/subscribers", "/v1/subscribers/{subscriber_id}", "/v1/sms/inbound"} <= set(
            spec["paths"]
        )
        assert c.get("/docs").status_code == 404
        assert c.get("/redoc").status_code == 404


def test_anonymous_previews_are_rate_limited_but_partners_are_not(service, api_key, tmp_path):
    from dataclasses import replace

    from tests.tips.conftest import start_service, stop_service

    strict = start_service(replace(service.settings, tips_preview_limit=3), tmp_path / "strict.log")
    try:
        params = {"ubigeo": "080101", "age_months": 7, "sex": "m"}
        with strict.client() as anon:
            codes = [anon.get("/v1/tips/preview", params=params).status_code for _ in range(5)]
            assert codes == [200, 200, 200, 429, 429]  # first answer by the route, then the cached fast path
            assert anon.get("/v1/tips/preview", params=params).headers["retry-after"] == "60"
        with strict.client(api_key) as partner:
            assert {partner.get("/v1/tips/preview", params=params).status_code for _ in range(5)} == {200}
    finally:
        stop_service(strict)
