"""The topic tree and client ids (see deploy/mosquitto/acl for who may read and write what).

nutrimapa/v1/c/<token>/tips            one phone's tips (QoS 1, retained in its persistent session);
                                       the phone logs in with username <token>, client id c-<token>
nutrimapa/v1/gw/out                    SMS tips for gateways, read as $share/gateways/nutrimapa/v1/gw/out
nutrimapa/v1/gw/<gateway>/receipts     delivery receipts from one gateway (next step)
nutrimapa/v1/gw/<gateway>/inbound      SMS replies a gateway received (next step)
"""

from __future__ import annotations

ROOT = "nutrimapa/v1"
GATEWAY_OUT = f"{ROOT}/gw/out"
GATEWAY_SHARED = f"$share/gateways/{GATEWAY_OUT}"
SERVICE_CLIENT_ID = "nutrimapa-tips-sender"
CONSUMER_CLIENT_ID = "nutrimapa-tips-consumer"
GATEWAY_RECEIPTS = f"{ROOT}/gw/+/receipts"
GATEWAY_INBOUND = f"{ROOT}/gw/+/inbound"


def phone_topic(token: str) -> str:
    return f"{ROOT}/c/{token}/tips"


def phone_client_id(token: str) -> str:
    return f"c-{token}"
