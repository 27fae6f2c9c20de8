"""The tip bank: every text one SMS segment in its declared encoding (real GSM 03.38 codec), sources, languages."""

from __future__ import annotations

import gsm0338
import pytest

from tips import sms
from tips.bank import BankError, load_bank
from tips.replies import REPLIES

CATEGORIES = (
    "exclusive_breastfeeding",
    "complementary_feeding",
    "iron_rich_foods",
    "iron_supplements",
    "safe_water_deworming",
    "growth_checkups",
)
BANK = load_bank(categories=CATEGORIES)
TEXTS = [pytest.param(t, id=f"{t.id}-{t.language}") for t in BANK.tips]


@pytest.mark.parametrize("tip", TEXTS)
def test_every_tip_is_one_segment_in_its_declared_encoding(tip):
    codec = gsm0338.Codec()
    if tip.encoding == "gsm7":
        septets, _ = codec.encode(tip.text)  # raises on any character outside GSM 03.38
        assert len(septets) <= 160
        assert codec.decode(septets)[0] == tip.text
    else:
        assert tip.encoding == "ucs2"
        assert len(tip.text.encode("utf-16-be")) // 2 <= 70
        with pytest.raises(UnicodeEncodeError):  # UCS-2 only when GSM-7 cannot carry it
            codec.encode(tip.text)
    assert sms.segments(tip.text, tip.encoding) == 1


def test_spanish_accents_outside_gsm7_are_a_decision_per_text():
    for letter in "áíóú":
        assert not sms.is_gsm7(letter)
    for letter in "éñü¿¡":
        assert sms.is_gsm7(letter)
    assert sms.segments("a" * 161, "gsm7") == 2
    assert sms.segments("€" * 80, "gsm7") == 1
    assert sms.segments("€" * 81, "gsm7") == 2  # extension characters take two septets
    assert sms.segments("á" * 71, "ucs2") == 2


def test_every_reply_is_one_gsm7_segment():
    for texts in REPLIES.values():
        assert set(texts) == {"es", "en"}
        for text in texts.values():
            assert sms.is_gsm7(text)
            assert sms.segments(text, "gsm7") == 1


def test_sources_are_the_norms_and_guides():
    cited = {s for t in BANK.tips for s in t.sources}
    assert cited == set(BANK.sources)
    text = " ".join(BANK.sources.values())
    for norm in ("NTS N.° 134-MINSA/2017", "NTS N.° 137-MINSA/2017", "Guías alimentarias", "WHO"):
        assert norm in text


def test_languages_offered_only_with_texts_quechua_aymara_ready():
    assert BANK.offered == ("es", "en")
    assert {"qu", "ay"} <= set(BANK.languages)
    assert all(BANK.languages[c]["status"] == "planned" for c in ("qu", "ay"))


def test_every_age_has_a_tip_in_each_category_the_model_can_pick():
    for lang in BANK.offered:
        table = BANK.coverage(CATEGORIES, lang)
        assert table[:, CATEGORIES.index("growth_checkups")].all()  # always a fallback
        assert table[:, CATEGORIES.index("safe_water_deworming")].all()
        assert table[6:60, CATEGORIES.index("iron_rich_foods")].all()
        assert table[4:36, CATEGORIES.index("iron_supplements")].all()
        assert table[6:24, CATEGORIES.index("complementary_feeding")].all()
        assert table[0:6, CATEGORIES.index("exclusive_breastfeeding")].all()


def test_the_bank_refuses_a_text_over_one_segment(tmp_path):
    from tips.bank import BANK_FILE

    bad = BANK_FILE.read_text(encoding="utf-8").replace(
        "Desde los 6 meses: 2 cucharadas al día de sangrecita, hígado o bazo.",
        "Desde los 6 meses: 2 cucharadas al día de sangrecita, hígado o bazo, y también pescado.",
    )
    (tmp_path / "bank.yaml").write_text(bad, encoding="utf-8")
    with pytest.raises(BankError, match=r"irf-short.*one segment holds 70"):
        load_bank(tmp_path / "bank.yaml")
