"""Numbers as each language writes them (Babel/CLDR): "45,0 %" and "3.750 m" in Spanish, "45.0 %" in English."""

from __future__ import annotations

from babel.numbers import format_decimal

LOCALES = {"es": "es", "en": "en"}
# Plotly's d3 separators (decimal, thousands) per language, from the same CLDR data.
PLOTLY_SEPARATORS = {"es": ",.", "en": ".,"}


def num(value: float | None, decimals: int = 1, lang: str = "es", missing: str = "-") -> str:
    """``value`` with ``decimals`` decimals; a rounded zero never shows a minus sign ("-0.0")."""
    if value is None:
        return missing
    value = round(float(value), decimals)
    if value == 0:
        value = 0.0
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=LOCALES.get(lang, "es"))


def pct(value: float | None, lang: str = "es", decimals: int = 1, missing: str = "-") -> str:
    """'45,0 %' (Spanish) or '45.0 %' (English)."""
    return missing if value is None else f"{num(value, decimals, lang)} %"


def signed(value: float, lang: str = "es", decimals: int = 1) -> str:
    """'+6,5' or '−2,1' (a true minus sign); '0,0' without a sign."""
    text = num(abs(value), decimals, lang)
    if round(abs(value), decimals) == 0:
        return text
    return ("+" if value > 0 else "−") + text


def interval(low: float | None, high: float | None, lang: str = "es", decimals: int = 1) -> str:
    """'38,2-52,1 %'."""
    return f"{num(low, decimals, lang)}-{num(high, decimals, lang)} %"
