"""A real Prometheus (Debian package) on a loopback port scrapes a running gunicorn app (2 workers), the
Celery worker, the tips service (gunicorn with 2 uvicorn workers) and the tips consumer (`tips.cli consume`);
after some traffic (enrolments, previews, a weekly send through an own Mosquitto, a gateway's receipt and
reply), every expression of every Grafana panel and every alert rule returns data, and the dashboard's
scrape is fast.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import yaml

from app.config import ROOT
from bench import dash_calls
from tests.fixtures_admin import wait_for
from tests.services.conftest import require_port
from tests.tips.broker import GATEWAY_PW, SERVICE_PW, Mosquitto

pytestmark = [pytest.mark.services, pytest.mark.slow]
DEPLOY = ROOT / "deploy"
REDIS_URL = "redis://127.0.0.1:6379/11"
RATE_INTERVAL = "1m"  # what Grafana's $__rate_interval becomes at a 1 s scrape interval, rounded up
COMPARISON = re.compile(r"^(?P<measure>.+?)\s*(?:>|<|>=|<=|==|!=)\s*[-+0-9.e]+\s*$", re.S)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, timeout: float = 5.0) -> bytes:
    with urllib.request.urlopen(url, timeout=timeout) as resp:  # loopback only
        return resp.read()


def _up(url: str) -> bool:
    try:
        _get(url, 2)
        return True
    except OSError:
        return False


def _spawn(cmd: list, log: Path, env: dict) -> subprocess.Popen:
    with log.open("wb") as out:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def _stop(procs: list[subprocess.Popen]) -> None:
    for p in procs:
        if p.poll() is None:
            p.terminate()
    for p in procs:
        try:
            p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def panel_expressions() -> list[tuple[str, str]]:
    out = []
    for path in sorted((DEPLOY / "grafana" / "dashboards").glob("*.json")):
        board = json.loads(path.read_text())
        for panel in board["panels"]:
            for t in panel["targets"]:
                out.append((f"{path.stem}: {panel['title']}", t["expr"].replace("$__rate_interval", RATE_INTERVAL)))
    return out


def rule_measures() -> list[tuple[str, str]]:
    """Each alert's measure: its expression without the final threshold comparison."""
    rules = yaml.safe_load((DEPLOY / "prometheus" / "alerts.yml").read_text())
    out = []
    for group in rules["groups"]:
        for rule in group["rules"]:
            m = COMPARISON.match(rule["expr"].strip())
            assert m, f"{rule['alert']}: expected '<measure> <op> <threshold>', got {rule['expr']!r}"
            out.append((f"alert {rule['alert']}", m["measure"]))
    return out


@pytest.fixture
def stack(tmp_path):
    """gunicorn (2 workers) + Celery worker + tips service + tips consumer + Mosquitto + Prometheus, on loopback."""
    require_port(6379, "Redis")
    if shutil.which("prometheus") is None:
        pytest.fail("prometheus not found: `make ops-deps` installs Debian's prometheus package")
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    (tmp_path / "mosquitto").mkdir()
    broker = Mosquitto(tmp_path / "mosquitto", [f"service:{SERVICE_PW}", f"gw-1:{GATEWAY_PW}"])
    broker.start()
    web, worker_port, tips_port, consumer_port, prom = (_free_port() for _ in range(5))
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "REDIS_URL": REDIS_URL,
        "NUTRIMAPA_INSTANCE_DIR": str(tmp_path / "instance"),
        "NUTRIMAPA_WORKER_METRICS_PORT": str(worker_port),
        "NUTRIMAPA_SECURE_COOKIES": "0",
        "MQTT_URL": broker.url(),
        "NUTRIMAPA_TIPS_CONSUMER_METRICS_PORT": str(consumer_port),
    }
    for name in ("PROMETHEUS_MULTIPROC_DIR", "NUTRIMAPA_TIPS_METRICS_DIR", "DATABASE_URL"):
        env.pop(name, None)
    py = sys.executable
    subprocess.run([py, "-m", "app.cli", "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    config = {
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
        "rule_files": [str(DEPLOY / "prometheus" / "alerts.yml")],
        "scrape_configs": [
            {"job_name": "nutrimapa-web", "static_configs": [{"targets": [f"127.0.0.1:{web}"]}]},
            {"job_name": "nutrimapa-worker", "static_configs": [{"targets": [f"127.0.0.1:{worker_port}"]}]},
            {
                "job_name": "nutrimapa-tips",
                "static_configs": [{"targets": [f"127.0.0.1:{tips_port}", f"127.0.0.1:{consumer_port}"]}],
            },
        ],
    }
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(config))
    bin_dir = Path(py).parent
    procs = [
        _spawn(
            [str(bin_dir / "gunicorn"), "--bind", f"127.0.0.1:{web}", "--workers", "2", "app.wsgi:server"],
            tmp_path / "gunicorn.log",
            env,
        ),
        _spawn(
            [
                py,
                "-m",
                "celery",
                "-A",
                "app.worker",
                "worker",
                "--concurrency",
                "1",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel",
                "WARNING",
            ],
            tmp_path / "celery.log",
            env,
        ),
        _spawn(
            [
                str(bin_dir / "gunicorn"),
                "--bind",
                f"127.0.0.1:{tips_port}",
                "--workers",
                "2",
                "--config",
                "tips/gunicorn_conf.py",
                "tips.main:app",
            ],
            tmp_path / "tips.log",
            env,
        ),
        _spawn([py, "-m", "tips.cli", "consume"], tmp_path / "consumer.log", env),
        _spawn(
            [
                "prometheus",
                f"--config.file={tmp_path / 'prometheus.yml'}",
                f"--storage.tsdb.path={tmp_path / 'tsdb'}",
                f"--web.listen-address=127.0.0.1:{prom}",
                "--log.level=warn",
            ],
            tmp_path / "prometheus.log",
            env,
        ),
    ]
    try:
        wait_for(lambda: _up(f"http://127.0.0.1:{web}/api/v1/health"), timeout=120)
        wait_for(lambda: _up(f"http://127.0.0.1:{tips_port}/v1/health"), timeout=60)
        wait_for(lambda: _up(f"http://127.0.0.1:{prom}/-/ready"), timeout=60)
        yield {
            "web": f"http://127.0.0.1:{web}",
            "tips": f"http://127.0.0.1:{tips_port}",
            "prom": f"http://127.0.0.1:{prom}",
            "log": tmp_path,
            "env": env,
            "broker": broker,
        }
    finally:
        _stop(procs)
        broker.stop()
        redis.Redis.from_url(REDIS_URL).flushdb()


def query(prom: str, expr: str) -> list:
    body = json.loads(_get(f"{prom}/api/v1/query?" + urllib.parse.urlencode({"query": expr})))
    assert body["status"] == "success", body
    return body["data"]["result"]


def _tips_traffic(stack) -> None:
    """Enrol two caregivers, preview, send the week through the broker; a gateway confirms and replies."""
    import httpx

    from tips.delivery import payloads
    from tips.delivery.mqtt import Broker, Publisher

    env, tips = stack["env"], stack["tips"]

    def cli(*args: str) -> str:
        out = subprocess.run(
            [sys.executable, "-m", "tips.cli", *args],
            check=False,
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert out.returncode == 0, out.stderr
        return out.stdout

    headers = {"Authorization": "Bearer " + cli("create-key", "prometheus-test").strip()}
    for phone, channel in (("+51 944 000 001", "sms"), ("+51 944 000 002", "app")):
        body = {"phone": phone, "ubigeo": "080101", "child_birth": "2026-01", "sex": "f", "language": "es",
                "channel": channel, "consent": True}  # fmt: skip
        assert httpx.post(tips + "/v1/subscribers", json=body, headers=headers).status_code == 201
    for age in (3, 9, 20):
        assert httpx.get(
            tips + "/v1/tips/preview", params={"ubigeo": "080101", "age_months": age, "sex": "m"}
        ).is_success
    assert httpx.get(tips + "/v1/no-such-route").status_code == 404
    sent = json.loads(cli("send-week"))
    assert sent["outbox"]["sent"] == 2, sent
    from sqlalchemy import select

    from app.config import Settings
    from app.db import Database
    from app.db.models import TipSend

    db = Database.from_settings(Settings.from_env(env))
    with db.session() as s:
        ids = s.scalars(select(TipSend.id).order_by(TipSend.id)).all()
    db.dispose()
    gateway = Publisher(Broker.from_url(stack["broker"].url(user="gw-1", password=GATEWAY_PW)), client_id="gw-1-pub")
    assert gateway.connect()
    messages = [
        ("nutrimapa/v1/gw/gw-1/receipts", f"R1|{payloads.b36(ids[0])}|delivered".encode()),
        ("nutrimapa/v1/gw/gw-1/receipts", f"R1|{payloads.b36(ids[1])}|delivered".encode()),
        ("nutrimapa/v1/gw/gw-1/inbound", b"I1|+51944000001|1"),
        ("nutrimapa/v1/gw/gw-1/inbound", b"not the format"),
    ]
    mids = {gateway.publish(topic, body) for topic, body in messages}
    assert len(gateway.wait_acked(mids, 5)) == len(messages)
    gateway.close()


def test_every_panel_and_alert_expression_returns_data(stack):
    web, prom = stack["web"], stack["prom"]
    wait_for(lambda: len(query(prom, 'up{job=~"nutrimapa-.*"} == 1')) == 4, timeout=60)
    _tips_traffic(stack)
    search = dash_calls.find(json.loads(_get(web + "/_dash-dependencies")), "region-search.options")
    for _ in range(3):  # some traffic, spread over a few scrapes
        for path in (
            "/",
            "/distrito/150101",
            "/api/v1/estimates?level=district",
            "/api/v1/regions?level=department",
            "/api/v1/indicators?level=department",
            "/api/v1/health",
        ):
            _get(web + path, 60)
        body = dash_calls.payload(search, {"region-search.search_value": "lima"})
        req = urllib.request.Request(
            web + "/_dash-update-component",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )
        assert urllib.request.urlopen(req, timeout=30).status == 200  # a real callback: the region search
        time.sleep(1.5)
    time.sleep(3)
    missing = []
    for where, expr in panel_expressions() + rule_measures():
        if not query(prom, expr):
            missing.append(f"{where}: {expr}")
    assert not missing, "expressions without data:\n" + "\n".join(missing)

    # Scrape cost, as Prometheus measured it, with every series present. Over the whole run the worst includes
    # warm-up, when both sync workers can be busy with first requests (Dash set-up) and a scrape waits.
    last = float(query(prom, 'scrape_duration_seconds{job="nutrimapa-web"}')[0]["value"][1])
    settled = float(query(prom, 'max_over_time(scrape_duration_seconds{job="nutrimapa-web"}[3s])')[0]["value"][1])
    worst = float(query(prom, 'max_over_time(scrape_duration_seconds{job="nutrimapa-web"}[1m])')[0]["value"][1])
    print(f"/metrics scrape: last {last * 1000:.1f} ms, worst of the last 3 s {settled * 1000:.1f} ms, ", end="")
    print(f"worst of the whole run (with warm-up) {worst * 1000:.1f} ms")
    assert settled <= 0.25  # the 50 ms target is measured by `make bench`; CI shares 2 cores
    # Both gunicorn workers are summed in one scrape.
    assert float(query(prom, 'sum(nutrimapa_web_workers{job="nutrimapa-web"})')[0]["value"][1]) == 2

    # The tips outcomes, as the consumer and the publisher (other processes) left them in the database.
    def one(expr: str) -> float:
        return float(query(prom, expr)[0]["value"][1])

    assert one('max(nutrimapa_mqtt_connected{job="nutrimapa-tips",client="consumer"})') == 1
    assert one('sum(nutrimapa_tips_sent_total{job="nutrimapa-tips"})') == 2
    assert one('sum(nutrimapa_tips_delivered_total{job="nutrimapa-tips"})') == 2
    assert one('sum(nutrimapa_tips_feedback_total{job="nutrimapa-tips",answer="useful"})') == 1
    assert one('sum(nutrimapa_tips_gateway_messages_total{outcome="dropped:bad_format"})') == 1
    assert one('sum(nutrimapa_tips_subscribers{job="nutrimapa-tips"})') == 2
    assert one('sum(nutrimapa_http_requests_total{job="nutrimapa-tips",route="/v1/tips/preview"})') == 3
    tips_scrape = one('max(max_over_time(scrape_duration_seconds{job="nutrimapa-tips"}[3s]))')
    print(f"tips /metrics scrape (service and consumer), worst of the last 3 s: {tips_scrape * 1000:.1f} ms")
    assert tips_scrape <= 0.25
