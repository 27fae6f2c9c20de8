"""Numbers as each language writes them (Babel): what every page, hover and PDF shows."""

from __future__ import annotations

from app.numbers import interval, num, pct, signed


def test_spanish_uses_a_decimal_comma_english_a_point():
    assert pct(45.0, "es") == "45,0 %"
    assert pct(45.0, "en") == "45.0 %"
    assert num(3750, 0, "es") == "3.750"
    assert num(3750, 0, "en") == "3,750"
    assert interval(38.25, 52.1, "es") == "38,2-52,1 %" or interval(38.25, 52.1, "es") == "38,3-52,1 %"


def test_a_rounded_zero_has_no_minus_sign():
    assert signed(-0.04, "es") == "0,0"
    assert num(-0.04, 1, "es") == "0,0"
    assert signed(-2.14, "es") == "−2,1"
    assert signed(6.5, "en") == "+6.5"


def test_missing_is_said_not_zero():
    assert pct(None, "es", missing="sin datos") == "sin datos"
