"""Compact MQTT payloads (UTF-8, ``|``-separated, at most 200 bytes per tip message).

Service -> phone (``nutrimapa/v1/c/<token>/tips``):   ``T1|<send id, base 36>|<ISO week>|<text>``
Service -> SMS gateways (``nutrimapa/v1/gw/out``):     ``S1|<send id, base 36>|<E.164 number>|<text>``

The tip text is last, so it may itself contain ``|``. The send id lets a phone or a gateway drop a
repeat (QoS 1 delivers at least once) and lets receipts and replies name the tip.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_BYTES = 200


class PayloadError(ValueError):
    pass


def b36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if n == 0:
            return out


def _check(payload: bytes) -> bytes:
    if len(payload) > MAX_BYTES:
        raise PayloadError(f"tip message is {len(payload)} bytes; the limit is {MAX_BYTES}")
    return payload


def app_tip(send_id: int, week: str, text: str) -> bytes:
    return _check(f"T1|{b36(send_id)}|{week}|{text}".encode())


def sms_tip(send_id: int, phone: str, text: str) -> bytes:
    return _check(f"S1|{b36(send_id)}|{phone}|{text}".encode())


@dataclass(frozen=True)
class Tip:
    kind: str  # T1 (phone app) or S1 (SMS gateway)
    send_id: int
    target: str  # week (T1) or phone number (S1)
    text: str


def parse_tip(payload: bytes) -> Tip:
    """The receiving side's reading (phones, gateways, tests)."""
    try:
        kind, sid, target, text = payload.decode().split("|", 3)
    except (UnicodeDecodeError, ValueError) as exc:
        raise PayloadError("not a tip message: expected T1|id|week|text or S1|id|number|text") from exc
    if kind not in ("T1", "S1"):
        raise PayloadError(f"unknown tip message kind {kind!r}")
    return Tip(kind, int(sid, 36), target, text)
