"""What gateways send back over MQTT: inbound SMS (the same meaning as the HTTP webhook) and receipts.

    nutrimapa/v1/gw/<gateway>/inbound    I1|<E.164 number>|<text>         BAJA, ALTA, 1, 2, AYUDA
    nutrimapa/v1/gw/<gateway>/receipts   R1|<send id, base 36>|delivered   (or failed)

A message that is not in this format, names no known subscriber or send, or is over 1 KB is logged and
dropped, with a counter per reason: it never stops the consumer and never blocks the queue (it is
acknowledged like any other).
"""

from __future__ import annotations

import logging
import threading
from collections import Counter

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from sqlalchemy import update

from app.db import Database
from app.db.models import TipSend, utcnow
from app.metrics import tips as tm
from tips import subscribers
from tips.delivery import topics
from tips.delivery.mqtt import Broker
from tips.errors import FieldError
from tips.privacy import PhoneVault

log = logging.getLogger(__name__)
MAX_BYTES = 1024
RECEIPTS = ("delivered", "failed")


class Dropped(Exception):  # noqa: N818  (a reason, not an error of ours)
    pass


def _inbound(db: Database, vault: PhoneVault, text: str) -> str:
    kind, _, rest = text.partition("|")
    sender, sep, body = rest.partition("|")
    if kind != "I1" or not sep:
        raise Dropped("bad_format")
    try:
        with db.session() as s:
            out = subscribers.inbound(s, vault, sender, body[:640])
    except FieldError as exc:
        raise Dropped("bad_number") from exc
    if out["action"] == "unknown":
        raise Dropped("unknown_subscriber")
    return out["action"]


def _receipt(db: Database, text: str) -> str:
    fields = text.split("|")
    if len(fields) != 3 or fields[0] != "R1" or fields[2] not in RECEIPTS:
        raise Dropped("bad_format")
    try:
        send_id = int(fields[1], 36)
    except ValueError as exc:
        raise Dropped("bad_format") from exc
    if not 0 < send_id < 2**31:  # the id column is a 32-bit integer
        raise Dropped("unknown_send")
    with db.session() as s:
        found = s.execute(
            update(TipSend)
            .where(TipSend.id == send_id, TipSend.status == "sent")
            .values(receipt=fields[2], receipt_at=utcnow())
        ).rowcount
    if not found:
        raise Dropped("unknown_send")
    return fields[2]


def handle(db: Database, vault: PhoneVault, topic: str, payload: bytes) -> str:
    """Act on one gateway message; returns the outcome (``ok:<action>`` or ``dropped:<reason>``)."""
    parts = topic.split("/")
    try:
        if len(payload) > MAX_BYTES:
            raise Dropped("too_large")
        if len(parts) != 5 or parts[:3] != ["nutrimapa", "v1", "gw"] or parts[4] not in ("inbound", "receipts"):
            raise Dropped("bad_topic")
        try:
            text = payload.decode()
        except UnicodeDecodeError as exc:
            raise Dropped("not_utf8") from exc
        action = _inbound(db, vault, text) if parts[4] == "inbound" else _receipt(db, text)
    except Dropped as reason:
        return f"dropped:{reason}"
    return f"ok:{action}"


class Consumer:
    """Subscribes to every gateway's inbound and receipts topics (persistent session, QoS 1)."""

    def __init__(self, db: Database, vault: PhoneVault, broker: Broker) -> None:
        self.db, self.vault = db, vault
        self.counts: Counter[str] = Counter()
        self.ready = threading.Event()
        self.client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2, client_id=topics.CONSUMER_CLIENT_ID, protocol=mqtt.MQTTv5
        )
        if broker.username:
            self.client.username_pw_set(broker.username, broker.password)
        broker.use_tls(self.client)
        self.broker = broker
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_subscribe = lambda *_a: self.ready.set()
        self.client.on_message = self._on_message

    def _on_connect(self, client, _userdata, _flags, reason_code, _properties) -> None:
        if reason_code.is_failure:
            log.warning("broker refused the consumer: %s", reason_code)
            return
        tm.MQTT_CONNECTED.labels(client="consumer").set(1)
        client.subscribe([(topics.GATEWAY_INBOUND, 1), (topics.GATEWAY_RECEIPTS, 1)])

    def _on_disconnect(self, _client, _userdata, _flags, reason_code, _properties) -> None:
        tm.MQTT_CONNECTED.labels(client="consumer").set(0)
        log.warning("consumer disconnected from the broker: %s (paho reconnects)", reason_code)

    def _on_message(self, _client, _userdata, msg) -> None:
        try:
            outcome = handle(self.db, self.vault, msg.topic, msg.payload)
        except Exception:  # a database hiccup must not kill the consumer
            log.exception("gateway message on %s failed", msg.topic)
            outcome = "dropped:error"
        self.counts[outcome] += 1
        tm.GATEWAY_MESSAGES.labels(outcome=tm.gateway_outcome(outcome)).inc()
        if outcome.startswith("dropped"):
            log.warning("gateway message on %s dropped (%s)", msg.topic, outcome.split(":", 1)[1])

    def start(self) -> None:
        props = Properties(PacketTypes.CONNECT)
        props.SessionExpiryInterval = 7 * 24 * 3600  # replies sent while the consumer was down wait for it
        self.client.connect(self.broker.host, self.broker.port, keepalive=30, clean_start=False, properties=props)
        self.client.loop_start()

    def stop(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()
        tm.MQTT_CONNECTED.labels(client="consumer").set(0)
