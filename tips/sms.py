"""SMS sizes: how many segments a text takes in GSM-7 (GSM 03.38, via the ``gsm0338`` codec) or UCS-2."""

from __future__ import annotations

import gsm0338  # noqa: F401  (registers the "gsm03.38" codec)

GSM7, UCS2 = "gsm7", "ucs2"
SINGLE = {GSM7: 160, UCS2: 70}  # characters in one segment
MULTI = {GSM7: 153, UCS2: 67}  # per segment once a user data header splits the message


def is_gsm7(text: str) -> bool:
    """True when every character is in the GSM 03.38 default alphabet or its extension table."""
    try:
        text.encode("gsm03.38")
    except UnicodeEncodeError:
        return False
    return True


def units(text: str, encoding: str) -> int:
    """Septets (extension characters count two) or UTF-16 code units; raises if GSM-7 cannot hold the text."""
    if encoding == GSM7:
        return len(text.encode("gsm03.38"))
    if encoding == UCS2:
        return len(text.encode("utf-16-be")) // 2
    raise ValueError(f"unknown SMS encoding {encoding!r}: expected {GSM7} or {UCS2}")


def segments(text: str, encoding: str) -> int:
    """Number of SMS segments ``text`` takes in ``encoding``."""
    n = units(text, encoding)
    return 1 if n <= SINGLE[encoding] else -(-n // MULTI[encoding])


def best_encoding(text: str) -> str:
    return GSM7 if is_gsm7(text) else UCS2
