"""The tip bank: reviewed texts per category, age range and language, loaded from ``data/tip_bank.yaml``."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import yaml

from tips import sms

BANK_FILE = Path(__file__).parent / "data" / "tip_bank.yaml"
MAX_AGE_MONTHS = 59


@dataclass(frozen=True)
class Tip:
    id: str
    category: str
    age_min: int
    age_max: int
    language: str
    encoding: str
    text: str
    sources: tuple[str, ...]


@dataclass(frozen=True, eq=False)  # hashed by identity (preview cache key)
class TipBank:
    version: str
    tips: tuple[Tip, ...]
    languages: dict[str, dict]  # code -> {name, status}
    sources: dict[str, str]

    @property
    def offered(self) -> tuple[str, ...]:
        """Languages with ``shipped`` status and a text for every tip (others wait for reviewed texts)."""
        ids = {t.id for t in self.tips}
        return tuple(
            code
            for code, info in self.languages.items()
            if info.get("status") == "shipped" and {t.id for t in self.tips if t.language == code} == ids
        )

    def matching(self, category: str, age_months: int, language: str) -> list[Tip]:
        """Tips of ``category`` for a child of ``age_months`` in ``language``, in bank order."""
        return [
            t
            for t in self.tips
            if t.category == category and t.language == language and t.age_min <= age_months <= t.age_max
        ]

    @functools.cache  # noqa: B019  (one bank per process, a handful of languages)
    def coverage(self, categories: tuple[str, ...], language: str):
        """Boolean table [age 0-59, category]: is there a tip? (numpy, for batched choices)."""
        import numpy as np

        table = np.zeros((MAX_AGE_MONTHS + 1, len(categories)), dtype=bool)
        for t in self.tips:
            if t.language == language and t.category in categories:
                table[t.age_min : t.age_max + 1, categories.index(t.category)] = True
        return table


class BankError(ValueError):
    """The tip bank file breaks a rule (unknown source, text over one SMS segment, bad age range...)."""


def load_bank(path: Path = BANK_FILE, categories: tuple[str, ...] | None = None) -> TipBank:
    """Read and check the bank: every text one SMS segment in its declared encoding, sources known."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    sources = raw["sources"]
    languages = raw["languages"]
    tips: list[Tip] = []
    seen: set[str] = set()
    for entry in raw["tips"]:
        tid = entry["id"]
        if tid in seen:
            raise BankError(f"{path.name}: tip {tid!r} appears twice")
        seen.add(tid)
        lo, hi = entry["ages"]
        if not 0 <= lo <= hi <= MAX_AGE_MONTHS:
            raise BankError(f"{path.name}: tip {tid!r} has age range {lo}-{hi}; expected within 0-{MAX_AGE_MONTHS}")
        if categories is not None and entry["category"] not in categories:
            raise BankError(f"{path.name}: tip {tid!r} has unknown category {entry['category']!r}")
        refs = tuple(entry["source"])
        if not refs or any(r not in sources for r in refs):
            raise BankError(f"{path.name}: tip {tid!r} cites unknown sources {refs}")
        for lang, body in entry["texts"].items():
            if lang not in languages:
                raise BankError(f"{path.name}: tip {tid!r} has a text in undeclared language {lang!r}")
            text, encoding = body["text"], body["encoding"]
            if encoding == sms.GSM7 and not sms.is_gsm7(text):
                raise BankError(f"{path.name}: tip {tid!r} ({lang}) is declared gsm7 but has non-GSM-7 characters")
            if sms.segments(text, encoding) != 1:
                raise BankError(
                    f"{path.name}: tip {tid!r} ({lang}) takes {sms.units(text, encoding)} {encoding} characters; "
                    f"one segment holds {sms.SINGLE[encoding]}"
                )
            tips.append(Tip(tid, entry["category"], lo, hi, lang, encoding, text, refs))
    return TipBank(str(raw["version"]), tuple(tips), languages, sources)
