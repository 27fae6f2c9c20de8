"""Publishing tips to the broker with paho-mqtt 2 (MQTT 5, QoS 1): a publish counts only once PUBACKed."""

from __future__ import annotations

import logging
import ssl
import threading
import time
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from app.metrics.tips import MQTT_CONNECTED
from tips.delivery import topics

log = logging.getLogger(__name__)
WEEK_S = 7 * 24 * 3600  # a tip goes stale after a week: the broker drops it (message expiry)


@dataclass(frozen=True)
class Broker:
    host: str
    port: int
    username: str | None
    password: str | None
    tls: bool
    ca_file: str | None = None  # TLS: the CA bundle that signed the broker's certificate (None: the system's)

    @classmethod
    def from_url(cls, url: str, ca_file: str | None = None) -> Broker:
        """``mqtt://user:password@host:1883`` or ``mqtts://...:8883`` (TLS, the server's certificate and name
        checked against the system CAs or ``ca_file``)."""
        parts = urlsplit(url)
        if parts.scheme not in ("mqtt", "mqtts"):
            raise ValueError(f"MQTT_URL must start with mqtt:// or mqtts://, got {parts.scheme!r}")
        tls = parts.scheme == "mqtts"
        return cls(
            parts.hostname or "127.0.0.1",
            parts.port or (8883 if tls else 1883),
            unquote(parts.username) if parts.username else None,
            unquote(parts.password) if parts.password else None,
            tls,
            ca_file if tls else None,
        )

    def use_tls(self, client: mqtt.Client) -> None:
        """Require TLS with a verified certificate and host name (nothing in clear: the password is sent)."""
        if self.tls:
            client.tls_set(ca_certs=self.ca_file, cert_reqs=ssl.CERT_REQUIRED, tls_version=ssl.PROTOCOL_TLS_CLIENT)


class Publisher:
    """One connection to the broker; :meth:`publish` returns a message id, :meth:`acked` the PUBACKed ones."""

    def __init__(self, broker: Broker, client_id: str = topics.SERVICE_CLIENT_ID, inflight: int = 200) -> None:
        self.broker = broker
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
        if broker.username:
            self.client.username_pw_set(broker.username, broker.password)
        broker.use_tls(self.client)
        self.client.max_inflight_messages_set(inflight)
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_publish = self._on_publish
        self._answers: dict[int, bool] = {}  # mid -> PUBACK success
        self._lock = threading.Lock()
        self._connected = threading.Event()
        self._connack = threading.Event()
        self.refused: str | None = None

    def _on_connect(self, _client, _userdata, _flags, reason_code, _properties) -> None:
        if reason_code.is_failure:
            self.refused = str(reason_code)
            log.warning("broker refused the connection: %s", reason_code)
        else:
            self._connected.set()
            MQTT_CONNECTED.labels(client="publisher").set(1)
        self._connack.set()

    def _on_disconnect(self, _client, _userdata, _flags, reason_code, _properties) -> None:
        self._connected.clear()
        MQTT_CONNECTED.labels(client="publisher").set(0)
        log.info("disconnected from the broker: %s", reason_code)

    def _on_publish(self, _client, _userdata, mid, reason_code, _properties) -> None:
        if reason_code.is_failure:
            log.warning("broker refused a publish: %s", reason_code)
        with self._lock:
            self._answers[mid] = not reason_code.is_failure

    def connect(self, timeout: float = 10.0) -> bool:
        """Connect (clean session: the outbox, not the client, remembers what is pending)."""
        try:
            self.client.connect(self.broker.host, self.broker.port, keepalive=30, clean_start=True)
        except OSError as exc:
            # str(exc): the exception's frames hold the socket of a failed TLS handshake, which paho leaves open
            log.warning("cannot reach the broker %s:%d: %s", self.broker.host, self.broker.port, str(exc))
            return False
        self.client.loop_start()
        self._connack.wait(timeout)
        if not self._connected.is_set():
            self.close()
            return False
        return True

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    def publish(self, topic: str, payload: bytes, expiry_s: int = WEEK_S) -> int | None:
        """Queue one QoS 1 message; None when it could not be handed to the connection."""
        props = Properties(PacketTypes.PUBLISH)
        props.MessageExpiryInterval = expiry_s
        info = self.client.publish(topic, payload, qos=1, properties=props)
        return info.mid if info.rc == mqtt.MQTT_ERR_SUCCESS else None

    def wait_acked(self, mids: set[int], timeout: float) -> set[int]:
        """The subset of ``mids`` the broker acknowledged (PUBACK success) within ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                answered = mids & self._answers.keys()
            if answered == mids or time.monotonic() > deadline or not self.connected:
                with self._lock:
                    ok = {m for m in answered if self._answers.pop(m)}
                return ok
            time.sleep(0.005)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()
        MQTT_CONNECTED.labels(client="publisher").set(0)
