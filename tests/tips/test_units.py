"""Small pieces of the tips service: the anonymous rate limit, phone checks, ISO weeks."""

from __future__ import annotations

from datetime import date

import pytest

from tips.api.state import RateLimit
from tips.choice import iso_week, previous_weeks, week_start
from tips.privacy import PhoneError, masked, pe_mobile


def test_rate_limit_per_address_per_minute():
    limit = RateLimit(3)
    assert [limit.allow("10.0.0.1") for _ in range(4)] == [True, True, True, False]
    assert limit.allow("10.0.0.2")


@pytest.mark.parametrize("raw", ["+51 912 345 678", "912345678", "0051912345678", "+51-912-345-678"])
def test_peruvian_mobiles_are_normalised(raw):
    assert pe_mobile(raw) == "+51912345678"
    assert masked(pe_mobile(raw)) == "+51 9** *** 678"


@pytest.mark.parametrize("raw", ["014567890", "+1 202 555 0100", "91234567", "not a phone", ""])
def test_other_numbers_are_refused(raw):
    with pytest.raises(PhoneError):
        pe_mobile(raw)


def test_iso_weeks_cross_the_new_year():
    assert iso_week(date(2026, 12, 31)) == "2026-W53"
    assert iso_week(date(2027, 1, 4)) == "2027-W01"
    assert previous_weeks("2027-W01", 2) == ["2026-W53", "2026-W52"]
    assert week_start("2026-W49") == date(2026, 11, 30)
