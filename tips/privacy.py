"""Phone numbers: Peruvian mobiles only (``phonenumbers``), encrypted at rest (Fernet), looked up by keyed hash.

The keys come from the settings (``NUTRIMAPA_TIPS_PHONE_KEY``, ``NUTRIMAPA_TIPS_HASH_KEY``); without them
a random pair is created once in ``instance/tips_keys.json`` (mode 0600) and shared by all workers.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from pathlib import Path

import phonenumbers
from cryptography.fernet import Fernet

from app.config import Settings


class PhoneError(ValueError):
    pass


def pe_mobile(raw: str) -> str:
    """E.164 form of a valid Peruvian mobile number (``+519XXXXXXXX``), or :class:`PhoneError`."""
    try:
        number = phonenumbers.parse(raw, "PE")
    except phonenumbers.NumberParseException as exc:
        raise PhoneError("not a phone number: expected a Peruvian mobile such as +51 912 345 678") from exc
    if number.country_code != 51 or not phonenumbers.is_valid_number(number):
        raise PhoneError("not a valid Peruvian number: expected a mobile such as +51 912 345 678")
    if phonenumbers.number_type(number) != phonenumbers.PhoneNumberType.MOBILE:
        raise PhoneError("not a Peruvian mobile number: expected 9 digits starting with 9, e.g. +51 912 345 678")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def masked(e164: str) -> str:
    """Enough to recognise a number, not to call it: +51 9** *** 678."""
    return f"{e164[:3]} {e164[3]}** *** {e164[-3:]}"


@dataclass(frozen=True)
class PhoneVault:
    fernet: Fernet
    hash_key: bytes

    @classmethod
    def from_settings(cls, settings: Settings) -> PhoneVault:
        phone_key, hash_key = settings.tips_phone_key, settings.tips_hash_key
        if not phone_key or not hash_key:
            stored = _instance_keys(settings.instance_dir)
            phone_key, hash_key = phone_key or stored["phone_key"], hash_key or stored["hash_key"]
        return cls(Fernet(phone_key.encode()), base64.urlsafe_b64decode(hash_key.encode() + b"=="))

    def encrypt(self, e164: str) -> str:
        return self.fernet.encrypt(e164.encode()).decode()

    def decrypt(self, token: str) -> str:
        return self.fernet.decrypt(token.encode()).decode()

    def lookup(self, e164: str) -> str:
        """HMAC-SHA256 of the number: finds a subscriber without storing or scanning clear numbers."""
        return hmac.new(self.hash_key, e164.encode(), hashlib.sha256).hexdigest()


def new_keys() -> dict[str, str]:
    return {
        "phone_key": Fernet.generate_key().decode(),
        "hash_key": base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("="),
    }


def _instance_keys(instance_dir: Path) -> dict[str, str]:
    path = instance_dir / "tips_keys.json"
    if not path.exists():
        instance_dir.mkdir(parents=True, exist_ok=True)
        try:  # O_EXCL: two workers starting together agree on one pair
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(new_keys(), fh)
    for _ in range(50):  # the other worker may still be writing
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            import time

            time.sleep(0.02)
    raise RuntimeError(f"unreadable tips key file {path}")
