"""Tip delivery through a real Mosquitto (own process, the project's ACL, password file from mosquitto_passwd).

Receivers are real MQTT clients: phones with persistent sessions, an SMS gateway on the shared subscription.
"""

from __future__ import annotations

import subprocess
import threading
import time
from datetime import date

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from sqlalchemy import func, select, update

from app.config import ROOT
from app.db.models import TipSend, TipSubscriber
from tests.tips.broker import GATEWAY_PW, SERVICE_PW, Mosquitto
from tests.tips.conftest import cli
from tips import subscribers
from tips.bank import load_bank
from tips.delivery import payloads, topics
from tips.delivery.mqtt import Broker, Publisher
from tips.delivery.outbox import send_pending
from tips.model import TipModel
from tips.privacy import PhoneVault
from tips.weekly import choose_week

pytestmark = pytest.mark.services


@pytest.fixture(scope="module")
def model() -> TipModel:
    return TipModel.load(ROOT / "models" / "v1")


@pytest.fixture(scope="module")
def bank(model):
    return load_bank(categories=model.categories)


@pytest.fixture(scope="module")
def people(tips_db, tips_settings, model, bank) -> dict[str, list[str]]:
    """Synthetic caregivers: three with the phone app, two by SMS (public ids, i.e. phone tokens)."""
    vault = PhoneVault.from_settings(tips_settings)
    made: dict[str, list[str]] = {"app": [], "sms": []}
    with tips_db.session() as s:
        for k in range(5):
            channel = "app" if k < 3 else "sms"
            form = subscribers.Enrolment(f"+51 98{k} 000 111", "100101", 2025, 6, "f", "es", channel)
            made[channel].append(subscribers.enrol(s, vault, model, bank.offered, form, date(2026, 12, 1)).public_id)
    return made


@pytest.fixture(scope="module")
def broker(people, tmp_path_factory):
    users = [f"service:{SERVICE_PW}", f"gw-1:{GATEWAY_PW}"] + [f"{t}:pw-{t[:8]}" for t in people["app"]]
    server = Mosquitto(tmp_path_factory.mktemp("mosquitto"), users)
    server.start()
    yield server
    server.stop()


class Client:
    """A phone or gateway: MQTT 5, persistent session (clean_start=False, one hour expiry)."""

    def __init__(self, port: int, username: str, password: str, client_id: str) -> None:
        self.port = port
        self.messages: list[tuple[str, bytes]] = []
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
        self.client.username_pw_set(username, password)
        self.connack = None
        self.suback = None
        self._connected, self._subscribed = threading.Event(), threading.Event()
        self.client.on_connect = self._on_connect
        self.client.on_subscribe = self._on_subscribe
        self.client.on_message = lambda _c, _u, msg: self.messages.append((msg.topic, msg.payload))

    def _on_connect(self, _c, _u, _f, reason_code, _p):
        self.connack = reason_code
        self._connected.set()

    def _on_subscribe(self, _c, _u, _mid, reason_codes, _p):
        self.suback = reason_codes
        self._subscribed.set()

    def connect(self):
        props = Properties(PacketTypes.CONNECT)
        props.SessionExpiryInterval = 3600
        self.client.connect("127.0.0.1", self.port, clean_start=False, properties=props)
        self.client.loop_start()
        assert self._connected.wait(5)
        return self.connack

    def subscribe(self, topic: str):
        self._subscribed.clear()
        self.client.subscribe(topic, qos=1)
        assert self._subscribed.wait(5)
        return self.suback[0]

    def wait_for(self, n: int, timeout: float = 5.0) -> list[tuple[str, bytes]]:
        deadline = time.monotonic() + timeout
        while len(self.messages) < n and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.2)  # and nothing more arrives
        return self.messages

    def close(self):
        self.client.disconnect()
        self.client.loop_stop()


def phone(broker, token: str) -> Client:
    return Client(broker.port, token, f"pw-{token[:8]}", topics.phone_client_id(token))


def publish(broker, tips_db, tips_settings, bank) -> dict:
    publisher = Publisher(Broker.from_url(broker.url()))
    assert publisher.connect()
    try:
        return send_pending(tips_db, PhoneVault.from_settings(tips_settings), bank, publisher)
    finally:
        publisher.close()


def test_every_tip_message_fits_200_bytes(bank):
    for tip in bank.tips:
        assert len(payloads.app_tip(36**6, "2026-W53", tip.text)) <= 200
        assert len(payloads.sms_tip(36**6, "+51987654321", tip.text)) <= 200
        parsed = payloads.parse_tip(payloads.sms_tip(12345, "+51987654321", tip.text))
        assert (parsed.send_id, parsed.target, parsed.text) == (12345, "+51987654321", tip.text)


def test_a_week_reaches_every_phone_and_gateway_once_even_sent_twice(
    broker, people, tips_db, tips_settings, model, bank
):
    online = phone(broker, people["app"][0])
    assert not online.connect().is_failure
    assert not online.subscribe(topics.phone_topic(people["app"][0])).is_failure
    offline = phone(broker, people["app"][1])
    offline.connect()
    offline.subscribe(topics.phone_topic(people["app"][1]))
    offline.close()  # persistent session: the broker queues its tips
    gateway = Client(broker.port, "gw-1", GATEWAY_PW, "gw-1")
    gateway.connect()
    assert not gateway.subscribe(topics.GATEWAY_SHARED).is_failure

    with tips_db.session() as s:
        assert choose_week(s, model, bank, date(2026, 12, 2))["chosen"] == 5
    assert publish(broker, tips_db, tips_settings, bank) == {"sent": 5, "retry": 0}
    assert publish(broker, tips_db, tips_settings, bank) == {"sent": 0, "retry": 0}  # run twice: nothing doubled
    assert cli(tips_settings, "choose-week", "--date", "2026-12-03").stdout.count('"chosen": 0') == 1

    got = online.wait_for(1)
    assert len(got) == 1
    tip = payloads.parse_tip(got[0][1])
    assert (tip.kind, tip.target) == ("T1", "2026-W49")
    sms = [payloads.parse_tip(p) for _, p in gateway.wait_for(2)]
    assert sorted(t.target for t in sms) == ["+51983000111", "+51984000111"]
    offline = phone(broker, people["app"][1])
    offline.connect()
    assert len(offline.wait_for(1)) == 1
    with tips_db.session() as s:
        assert s.scalar(select(func.count()).where(TipSend.status == "sent")) == 5
    for c in (online, offline, gateway):
        c.close()


def test_an_offline_phone_gets_both_weeks_once_each_in_order(broker, people, tips_db, tips_settings, model, bank):
    token = people["app"][2]
    first = phone(broker, token)
    first.connect()
    first.subscribe(topics.phone_topic(token))
    first.close()
    for day in (date(2026, 12, 9), date(2026, 12, 16)):
        with tips_db.session() as s:
            choose_week(s, model, bank, day)
        assert publish(broker, tips_db, tips_settings, bank)["sent"] == 5
    back = phone(broker, token)
    back.connect()
    weeks = [payloads.parse_tip(p).target for _, p in back.wait_for(2)]
    assert weeks == ["2026-W50", "2026-W51"]
    back.close()


def test_the_acl_keeps_phones_to_their_own_topic_and_refuses_wrong_passwords(broker, people):
    mine, other = people["app"][0], people["app"][1]
    snoop = Client(broker.port, mine, f"pw-{mine[:8]}", "acl-probe")
    snoop.connect()
    # Mosquitto 2 may grant the SUBACK, but the read ACL is enforced on every message: nothing arrives.
    for topic in (topics.phone_topic(other), topics.GATEWAY_SHARED, "nutrimapa/v1/#"):
        snoop.subscribe(topic)
    publisher = Publisher(Broker.from_url(broker.url()))
    assert publisher.connect()
    mids = {
        publisher.publish(topics.phone_topic(other), b"T1|zz|2026-W01|for the other phone"),
        publisher.publish(topics.GATEWAY_OUT, b"S1|zz|+51900000000|for gateways"),
        publisher.publish(topics.phone_topic(mine), b"T1|zy|2026-W01|for me"),
    }
    assert publisher.wait_acked(mids, 5) == mids
    publisher.close()
    assert [p for _, p in snoop.wait_for(3, timeout=2)] == [b"T1|zy|2026-W01|for me"]
    snoop.close()
    # a phone cannot publish tips or fake gateway traffic either
    forger = Publisher(Broker.from_url(broker.url(user=mine, password=f"pw-{mine[:8]}")), client_id="forger")
    assert forger.connect()
    mid = forger.publish(topics.GATEWAY_OUT, b"S1|zz|+51900000000|spam")
    assert forger.wait_acked({mid}, 2) == set()  # MQTT 5: PUBACK "not authorized"
    forger.close()
    wrong = Client(broker.port, mine, "not-the-password", "acl-probe-2")
    assert wrong.connect().is_failure
    wrong.client.loop_stop()
    publisher = Publisher(Broker.from_url(broker.url(password="wrong")))
    assert not publisher.connect(timeout=3)
    assert "Bad user name or password" in publisher.refused or "Not authorized" in publisher.refused


def test_without_a_broker_sends_stay_pending_and_go_out_later(broker, people, tips_db, tips_settings, model, bank):
    with tips_db.session() as s:
        choose_week(s, model, bank, date(2026, 12, 23))
    out = cli(tips_settings, "send-week", "--date", "2026-12-23")  # no MQTT_URL in these settings
    assert "no MQTT_URL" in out.stdout
    broker.stop()
    try:
        publisher = Publisher(Broker.from_url(broker.url()))
        assert not publisher.connect(timeout=2)
        with tips_db.session() as s:
            assert s.scalar(select(func.count()).where(TipSend.week == "2026-W52", TipSend.status == "pending")) == 5
    finally:
        broker.start()
    gateway = Client(broker.port, "gw-1", GATEWAY_PW, "gw-1")
    gateway.connect()
    gateway.subscribe(topics.GATEWAY_SHARED)  # gateways subscribe on every connect (a restart may drop sessions)
    assert publish(broker, tips_db, tips_settings, bank)["sent"] == 5
    with tips_db.session() as s:
        week = set(s.scalars(select(TipSend.id).where(TipSend.week == "2026-W52", TipSend.channel == "sms")))
    received = [payloads.parse_tip(p) for _, p in gateway.wait_for(2)]
    assert sorted(t.target for t in received if t.send_id in week) == ["+51983000111", "+51984000111"]
    ids = [t.send_id for t in received]
    assert len(ids) == len(set(ids))
    gateway.close()


def test_a_caregiver_who_leaves_gets_nothing_more(broker, people, tips_db, tips_settings, model, bank):
    vault = PhoneVault.from_settings(tips_settings)
    with tips_db.session() as s:
        choose_week(s, model, bank, date(2026, 12, 30))
    with tips_db.session() as s:
        assert subscribers.inbound(s, vault, "+51984000111", "BAJA")["action"] == "leave"
    assert publish(broker, tips_db, tips_settings, bank)["sent"] == 4
    with tips_db.session() as s:
        statuses = dict(
            s.execute(
                select(TipSend.status, func.count()).where(TipSend.week == "2026-W53").group_by(TipSend.status)
            ).all()
        )
    assert statuses == {"sent": 4, "cancelled": 1}


def test_gateway_replies_by_mqtt_stop_sends_record_feedback_and_bad_messages_are_dropped(
    broker, people, tips_db, tips_settings, model, bank
):
    from prometheus_client import REGISTRY

    from tips.delivery.consumer import Consumer

    def metric(name: str, **labels) -> float:
        return REGISTRY.get_sample_value(name, labels) or 0.0

    before = {o: metric("nutrimapa_tips_gateway_messages_total", outcome=o) for o in ("ok:leave", "dropped:too_large")}
    consumer = Consumer(tips_db, PhoneVault.from_settings(tips_settings), Broker.from_url(broker.url()))
    consumer.start()
    assert consumer.ready.wait(5)
    assert metric("nutrimapa_mqtt_connected", client="consumer") == 1
    with tips_db.session() as s:
        last = s.scalar(
            select(TipSend)
            .join(TipSubscriber, TipSubscriber.id == TipSend.subscriber_id)
            .where(TipSubscriber.public_id == people["sms"][0])
            .order_by(TipSend.week.desc())
        )
    gateway = Publisher(Broker.from_url(broker.url(user="gw-1", password=GATEWAY_PW)), client_id="gw-1-pub")
    assert gateway.connect()
    inbound, receipts = "nutrimapa/v1/gw/gw-1/inbound", "nutrimapa/v1/gw/gw-1/receipts"
    messages = [
        (inbound, b"not the format"),
        (inbound, b"x" * 100_000),
        (inbound, b"I1|+51999111222|BAJA"),  # nobody enrolled with that number
        (inbound, b"I1|12|BAJA"),
        (receipts, b"R1|zzzzzz|delivered"),
        (inbound, b"I1|+51983000111|2"),
        (receipts, f"R1|{payloads.b36(last.id)}|delivered".encode()),
        (inbound, b"I1|+51983000111|BAJA"),
    ]
    mids = {gateway.publish(topic, body) for topic, body in messages}
    assert len(gateway.wait_acked(mids, 5)) == len(messages)
    gateway.close()
    deadline = time.monotonic() + 10
    while sum(consumer.counts.values()) < len(messages) and time.monotonic() < deadline:
        time.sleep(0.05)
    consumer.stop()
    assert metric("nutrimapa_mqtt_connected", client="consumer") == 0
    for outcome, count in before.items():  # the consumer's own /metrics counts what it kept and dropped
        assert metric("nutrimapa_tips_gateway_messages_total", outcome=outcome) == count + 1
    assert consumer.counts == {
        "dropped:bad_format": 1,
        "dropped:too_large": 1,
        "dropped:unknown_subscriber": 1,
        "dropped:bad_number": 1,
        "dropped:unknown_send": 1,
        "ok:not_useful": 1,
        "ok:delivered": 1,
        "ok:leave": 1,
    }
    with tips_db.session() as s:
        row = s.get(TipSend, last.id)
        assert (row.feedback, row.receipt) == (2, "delivered")
        sub = s.scalar(select(TipSubscriber).where(TipSubscriber.public_id == people["sms"][0]))
        assert sub.status == "left"
    with tips_db.session() as s:  # the next week: nothing for the number that left
        choose_week(s, model, bank, date(2027, 1, 6))
    publish(broker, tips_db, tips_settings, bank)
    with tips_db.session() as s:
        assert s.scalar(select(func.count()).where(TipSend.subscriber_id == sub.id, TipSend.week == "2027-W01")) == 0


def test_killed_halfway_and_run_again_every_subscriber_gets_exactly_one_tip(broker, tips_db, tips_settings):
    """3,000 synthetic SMS subscribers; the sender is SIGKILLed mid-run, then run again. Counted at a gateway."""
    import os
    import signal
    import sys
    from dataclasses import replace

    from sqlalchemy import insert

    from tests.tips.conftest import service_env

    vault = PhoneVault.from_settings(tips_settings)
    n = 3000
    rows = [
        {"public_id": f"{i:032x}", "phone_hash": vault.lookup(f"+5197{i:07d}"),
         "phone_enc": vault.encrypt(f"+5197{i:07d}"), "ubigeo": "100101", "birth_year": 2025,
         "birth_month": 1 + i % 12, "sex": "fm"[i % 2], "language": "es", "channel": "sms", "status": "active"}
        for i in range(n)
    ]  # fmt: skip
    with tips_db.session() as s:
        s.execute(insert(TipSubscriber), rows)
    gateway = Client(broker.port, "gw-1", GATEWAY_PW, "gw-1")
    gateway.connect()
    gateway.subscribe(topics.GATEWAY_SHARED)
    env = service_env(replace(tips_settings, mqtt_url=broker.url()))
    env["MQTT_URL"] = broker.url()
    cmd = [sys.executable, "-m", "tips.cli", "send-week", "--date", "2027-01-13", "--batch", "50"]

    def sent() -> int:
        with tips_db.session() as s:
            return s.scalar(select(func.count()).where(TipSend.week == "2027-W02", TipSend.status == "sent"))

    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while sent() < n // 3 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    halfway = sent()
    with tips_db.session() as s:
        total = s.scalar(select(func.count()).where(TipSend.week == "2027-W02"))
    assert 0 < halfway < total, f"the kill came at {halfway}/{total} sent (exit {proc.returncode})"
    again = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True)
    assert '"retry": 0' in again.stdout, again.stdout + again.stderr[-2000:]
    assert sent() == total
    with tips_db.session() as s:
        week = dict(
            s.execute(
                select(TipSend.id, TipSend.subscriber_id).where(TipSend.week == "2027-W02", TipSend.channel == "sms")
            ).all()
        )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        got = [payloads.parse_tip(p).send_id for _, p in gateway.messages]
        if set(week) <= set(got):
            break
        time.sleep(0.1)
    gateway.close()
    got = [sid for sid in got if sid in week]
    assert set(got) == set(week)  # nobody skipped
    per_subscriber = {}
    for sid in set(got):
        per_subscriber.setdefault(week[sid], set()).add(sid)
    assert all(len(ids) == 1 for ids in per_subscriber.values())  # nobody got two different tips
    repeats = len(got) - len(set(got))
    assert repeats <= 50  # at most the batch in flight at the kill, same send id: the receiver drops it


def test_the_broker_stops_mid_run_and_comes_back_nothing_is_lost(broker, tips_db, tips_settings, bank):
    """2,000 synthetic SMS subscribers; the broker is stopped while the outbox is being published."""
    from sqlalchemy import insert

    vault = PhoneVault.from_settings(tips_settings)
    n = 2000
    rows = [
        {"public_id": f"{i + 10**6:032x}", "phone_hash": vault.lookup(f"+5196{i:07d}"),
         "phone_enc": vault.encrypt(f"+5196{i:07d}"), "ubigeo": "100101", "birth_year": 2025,
         "birth_month": 1 + i % 12, "sex": "fm"[i % 2], "language": "es", "channel": "sms", "status": "active"}
        for i in range(n)
    ]  # fmt: skip
    with tips_db.session() as s:
        s.execute(update(TipSubscriber).values(status="left"))  # only the 2,000 below this week
        s.execute(insert(TipSubscriber), rows)
    model = TipModel.load(ROOT / "models" / "v1")
    with tips_db.session() as s:
        assert choose_week(s, model, bank, date(2027, 1, 20))["chosen"] == n
    gateway = Client(broker.port, "gw-1", GATEWAY_PW, "gw-1")
    gateway.connect()
    gateway.subscribe(topics.GATEWAY_SHARED)
    publisher = Publisher(Broker.from_url(broker.url()))
    assert publisher.connect()
    result = {}
    worker = threading.Thread(
        target=lambda: result.update(send_pending(tips_db, vault, bank, publisher, batch=50, ack_timeout_s=2))
    )
    worker.start()

    def sent() -> int:
        with tips_db.session() as s:
            return s.scalar(select(func.count()).where(TipSend.week == "2027-W03", TipSend.status == "sent"))

    deadline = time.monotonic() + 30
    while sent() < n // 4 and time.monotonic() < deadline:
        time.sleep(0.01)
    broker.stop()
    worker.join(30)
    publisher.close()
    stopped_at = sent()
    assert stopped_at < n, "the broker stopped too late to test anything"
    broker.start()
    gateway.close()
    before = list(gateway.messages)
    gateway = Client(broker.port, "gw-1", GATEWAY_PW, "gw-1")
    gateway.connect()
    gateway.subscribe(topics.GATEWAY_SHARED)
    with tips_db.session() as s:  # the retry time has come
        s.execute(update(TipSend).values(next_attempt_at=None))
    assert publish(broker, tips_db, tips_settings, bank)["sent"] == n - stopped_at
    with tips_db.session() as s:
        week = set(s.scalars(select(TipSend.id).where(TipSend.week == "2027-W03")))
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        got = {payloads.parse_tip(p).send_id for _, p in before + gateway.messages} & week
        if got == week:
            break
        time.sleep(0.1)
    gateway.close()
    assert sent() == n
    missing = sorted(week - got)
    assert not missing, (
        f"{len(missing)} of {n} never reached the gateway (stopped at {stopped_at}): {missing[:3]}..{missing[-3:]}"
    )
