"""Tip delivery benchmark: a week's tips for 100,000 synthetic subscribers published to a local Mosquitto.

``python -m bench.tips_delivery_bench [--subscribers 100000]`` starts its own Mosquitto (the project's ACL,
a password file from mosquitto_passwd) on a free loopback port and a throw-away SQLite database, chooses
the week, publishes the outbox with QoS 1 while an SMS gateway client counts what arrives, and prints
a JSON report. Target: <= 60 s on 2 cores, outbox consistent (every row sent, each received once).
"""

from __future__ import annotations

import argparse
import json
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SERVICE_PW, GATEWAY_PW = "bench-service", "bench-gateway"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _broker(folder: Path) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    subprocess.run(
        [str(ROOT / "deploy/mosquitto/make-users.sh"), str(folder / "passwd"), str(folder / "acl"),
         f"service:{SERVICE_PW}", f"gw-1:{GATEWAY_PW}"],
        check=True, capture_output=True,
    )  # fmt: skip
    (folder / "mosquitto.conf").write_text(
        f"user root\nallow_anonymous false\npassword_file {folder / 'passwd'}\nacl_file {folder / 'acl'}\n"
        f"max_queued_messages 200000\nmax_inflight_messages 1000\nlistener {port} 127.0.0.1\n"
    )
    proc = subprocess.Popen(["mosquitto", "-c", str(folder / "mosquitto.conf")], stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    return proc, port


def main(argv: list[str] | None = None) -> int:
    import paho.mqtt.client as mqtt
    from sqlalchemy import func, insert, select

    from app.config import Settings
    from app.db import Database
    from app.db.models import TipSend, TipSubscriber
    from tips.bank import load_bank
    from tips.delivery import payloads, topics
    from tips.delivery.mqtt import Broker, Publisher
    from tips.delivery.outbox import send_pending
    from tips.model import ModelSource
    from tips.privacy import PhoneVault
    from tips.weekly import choose_week

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subscribers", type=int, default=100_000)
    args = parser.parse_args(argv)
    n = args.subscribers
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        settings = replace(Settings(), instance_dir=folder / "instance", database_url=None)
        db = Database.from_settings(settings)
        db.upgrade()
        vault = PhoneVault.from_settings(settings)
        model = ModelSource(settings.models_dir).current()
        bank = load_bank(categories=model.categories)
        rng = np.random.default_rng(3)
        districts = list(model.districts)
        rows = []
        for i in range(n):  # synthetic subscribers, half by SMS (gateway), half with the app
            phone = f"+519{i:08d}"
            total = 2026 * 12 + 10 - int(rng.integers(0, 60))
            rows.append({
                "public_id": f"{i:032x}", "phone_hash": vault.lookup(phone), "phone_enc": vault.encrypt(phone),
                "ubigeo": districts[int(rng.integers(0, len(districts)))], "birth_year": total // 12,
                "birth_month": total % 12 + 1, "sex": "fm"[i % 2], "language": "es", "status": "active",
                "channel": "sms" if i % 2 else "app",
            })  # fmt: skip
        with db.session() as s:
            s.execute(insert(TipSubscriber), rows)
        start = time.perf_counter()
        with db.session() as s:
            chosen = choose_week(s, model, bank, date(2026, 12, 2))["chosen"]
        choose_s = time.perf_counter() - start

        proc, port = _broker(folder)
        try:
            received: Counter[int] = Counter()
            sizes: list[int] = []
            gateway = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="gw-1", protocol=mqtt.MQTTv5)
            gateway.username_pw_set("gw-1", GATEWAY_PW)
            subscribed = threading.Event()
            gateway.on_subscribe = lambda *_a: subscribed.set()

            def on_message(_c, _u, msg):
                received[payloads.parse_tip(msg.payload).send_id] += 1
                sizes.append(len(msg.payload))

            gateway.on_message = on_message
            gateway.connect("127.0.0.1", port)
            gateway.loop_start()
            gateway.subscribe(topics.GATEWAY_SHARED, qos=1)
            subscribed.wait(5)
            publisher = Publisher(Broker.from_url(f"mqtt://nutrimapa-tips:{SERVICE_PW}@127.0.0.1:{port}"))
            assert publisher.connect()
            start = time.perf_counter()
            out = send_pending(db, vault, bank, publisher)
            publish_s = time.perf_counter() - start
            publisher.close()
            sms_rows = n // 2
            deadline = time.monotonic() + 30
            while sum(received.values()) < sms_rows and time.monotonic() < deadline:
                time.sleep(0.1)
            gateway.disconnect()
            gateway.loop_stop()
        finally:
            proc.terminate()
            proc.wait(timeout=10)
        with db.session() as s:
            statuses = dict(s.execute(select(TipSend.status, func.count()).group_by(TipSend.status)).all())
        db.dispose()
    texts = [t.text for t in bank.tips]
    app_bytes = [len(payloads.app_tip(n, "2026-W49", t)) for t in texts]
    topic_len = len(topics.phone_topic("0" * 32))
    # MQTT 5 PUBLISH QoS 1 to a phone: fixed header 2-3, topic 2 + len, packet id 2, properties (expiry 5 +
    # length 1) + payload; the phone answers a 4-byte PUBACK. A month: 4-5 weekly tips.
    per_msg = [3 + 2 + topic_len + 2 + 6 + b for b in app_bytes]
    report = {
        "subscribers": n,
        "synthetic": True,
        "choose_week_s": round(choose_s, 2),
        "chosen": chosen,
        "publish_s": round(publish_s, 2),
        "published_per_s": round(out["sent"] / publish_s),
        "outbox": {"sent": out["sent"], "retry": out["retry"], "statuses": statuses},
        "gateway_received": sum(received.values()),
        "gateway_distinct": len(received),
        "gateway_repeats": sum(c - 1 for c in received.values()),
        "payload_bytes": {"max_sms": max(sizes, default=0), "max_app": max(app_bytes)},
        "phone_month_bytes_with_mqtt_overhead": {
            "mean_tip": round(float(np.mean(per_msg)) * 4.35),
            "max_tip": max(per_msg) * 5,
        },
    }
    sys.stdout.write(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
