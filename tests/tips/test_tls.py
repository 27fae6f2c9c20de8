"""MQTT over TLS, as ``deploy/mosquitto/mosquitto.conf`` documents it for phones and gateways on the Internet.

The test makes its own CA and broker certificate (``cryptography``), starts its own Mosquitto with a TLS
listener next to the plain one, and sends a week's tip with an ``mqtts://`` MQTT_URL to a phone that
listens over TLS. A plain-TCP client gets nothing from the TLS port, and a publisher that does not trust the
broker's CA refuses to connect.
"""

from __future__ import annotations

import datetime as dt
import gc
import ipaddress
import ssl
import threading
from datetime import date
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy import select

from app.config import ROOT
from app.db.models import TipSend
from tests.tips.broker import SERVICE_PW, Mosquitto
from tests.tips.conftest import free_port
from tips import subscribers
from tips.bank import load_bank
from tips.delivery import payloads, topics
from tips.delivery.mqtt import Broker, Publisher
from tips.delivery.outbox import send_pending
from tips.model import TipModel
from tips.privacy import PhoneVault
from tips.weekly import choose_week

pytestmark = pytest.mark.services


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _pem(folder: Path, name: str, cert: x509.Certificate, key) -> None:
    (folder / f"{name}.crt").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / f"{name}.key").write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )


def make_ca_and_server(folder: Path, ca_name: str = "NutriMapa test CA") -> None:
    """``ca.crt`` and ``server.crt``/``server.key`` for 127.0.0.1 and localhost, valid for a day."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name(ca_name))
        .issuer_name(_name(ca_name))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )  # key_cert_sign, crl_sign
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    server = (
        x509.CertificateBuilder()
        .subject_name(_name("127.0.0.1"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]),
            critical=False,
        )
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    _pem(folder, "ca", ca, ca_key)
    _pem(folder, "server", server, key)


@pytest.fixture(scope="module")
def model() -> TipModel:
    return TipModel.load(ROOT / "models" / "v1")


@pytest.fixture(scope="module")
def phone_token(tips_db, tips_settings, model) -> str:
    vault = PhoneVault.from_settings(tips_settings)
    bank = load_bank(categories=model.categories)
    with tips_db.session() as s:
        form = subscribers.Enrolment("+51 987 654 321", "080101", 2025, 9, "m", "es", "app")
        return subscribers.enrol(s, vault, model, bank.offered, form, date(2026, 12, 1)).public_id


@pytest.fixture(scope="module")
def tls_broker(phone_token, tmp_path_factory):
    folder = tmp_path_factory.mktemp("mosquitto-tls")
    make_ca_and_server(folder)
    tls_port = free_port()
    listener = (
        f"listener {tls_port} 127.0.0.1\ncafile {folder / 'ca.crt'}\ncertfile {folder / 'server.crt'}\n"
        f"keyfile {folder / 'server.key'}\ntls_version tlsv1.2\n"
    )
    server = Mosquitto(folder, [f"service:{SERVICE_PW}", f"{phone_token}:pw-{phone_token[:8]}"], extra=listener)
    server.tls_port = tls_port
    server.start()
    yield server
    server.stop()


class TlsPhone:
    """A phone app listening on its own topic over TLS (it trusts only the test CA)."""

    def __init__(self, broker, token: str) -> None:
        self.messages: list[bytes] = []
        self.subscribed, self.connected = threading.Event(), threading.Event()
        self.client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2, client_id=topics.phone_client_id(token), protocol=mqtt.MQTTv5
        )
        self.client.username_pw_set(token, f"pw-{token[:8]}")
        self.client.tls_set(ca_certs=str(broker.folder / "ca.crt"), cert_reqs=ssl.CERT_REQUIRED)
        self.client.on_connect = lambda c, _u, _f, rc, _p: (
            self.connected.set(),
            c.subscribe(topics.phone_topic(token), qos=1),
        )
        self.client.on_subscribe = lambda *_a: self.subscribed.set()
        self.client.on_message = lambda _c, _u, msg: self.messages.append(msg.payload)
        self.client.connect("127.0.0.1", broker.tls_port)
        self.client.loop_start()

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def test_a_tip_goes_out_over_tls_with_an_mqtts_url(tls_broker, phone_token, tips_db, tips_settings, model):
    phone = TlsPhone(tls_broker, phone_token)
    try:
        assert phone.subscribed.wait(10), (tls_broker.folder / "mosquitto.log").read_text()[-2000:]
        bank = load_bank(categories=model.categories)
        with tips_db.session() as s:
            assert choose_week(s, model, bank, date(2026, 12, 7))["chosen"] >= 1
        url = f"mqtts://nutrimapa-tips:{SERVICE_PW}@127.0.0.1:{tls_broker.tls_port}"
        broker = Broker.from_url(url, str(tls_broker.folder / "ca.crt"))
        assert broker.tls
        publisher = Publisher(broker)
        assert publisher.connect()
        try:
            sent = send_pending(tips_db, PhoneVault.from_settings(tips_settings), bank, publisher)
        finally:
            publisher.close()
        assert sent["sent"] >= 1
        with tips_db.session() as s:
            row = s.scalar(select(TipSend).where(TipSend.week == "2026-W50").order_by(TipSend.id.desc()))
            assert row.status == "sent"
        deadline = threading.Event()
        for _ in range(100):
            if phone.messages:
                break
            deadline.wait(0.05)
        (message,) = phone.messages
        assert message.startswith(f"T1|{payloads.b36(row.id)}|2026-W50|".encode())
    finally:
        phone.close()


# paho-mqtt 2 drops the socket of a failed TLS handshake without closing it (Client._ssl_wrap_socket):
# its ResourceWarning is collected here, inside this test, and ignored.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_the_tls_port_refuses_plain_mqtt_and_untrusted_certificates(tls_broker, tmp_path):
    # Plain TCP (no TLS) to the TLS port: the broker never answers with a CONNACK.
    plain = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="plain-client", protocol=mqtt.MQTTv5)
    plain.username_pw_set("nutrimapa-tips", SERVICE_PW)
    answered = threading.Event()
    plain.on_connect = lambda *_a: answered.set()
    try:
        plain.connect("127.0.0.1", tls_broker.tls_port)
        plain.loop_start()
        assert not answered.wait(3)
    except OSError:
        pass  # the broker closed the connection: refused just the same
    finally:
        plain.loop_stop()
    # A publisher that trusts another CA does not send its password to this broker.
    make_ca_and_server(tmp_path, ca_name="Some other CA")
    url = f"mqtts://nutrimapa-tips:{SERVICE_PW}@127.0.0.1:{tls_broker.tls_port}"
    untrusted = Publisher(Broker.from_url(url, str(tmp_path / "ca.crt")))
    assert not untrusted.connect(timeout=5)
    assert untrusted.refused is None  # refused by us (certificate), not by the broker after a login
    del untrusted
    gc.collect()
    # And the plain listener is still plain (the TLS one is an addition, not a replacement).
    plain_ok = Publisher(Broker.from_url(tls_broker.url()))
    assert plain_ok.connect(timeout=5)
    plain_ok.close()
