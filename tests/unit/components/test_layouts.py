"""Every page layout renders in both languages without a browser (fast guard for the browser tests)."""

from __future__ import annotations

import re
import string

import pytest

from app.i18n import STRINGS


def _texts(component) -> list[str]:
    out = []
    children = getattr(component, "children", None)
    if isinstance(children, str):
        out.append(children)
    elif isinstance(children, (list, tuple)):
        for c in children:
            out += [c] if isinstance(c, str) else _texts(c)
    elif children is not None:
        out += _texts(children)
    return out


def test_every_string_has_both_languages_with_the_same_placeholders():
    fields = string.Formatter()
    for key, entry in STRINGS.items():
        assert set(entry) == {"es", "en"}, key
        names = [{f for _, f, _, _ in fields.parse(entry[lang]) if f} for lang in ("es", "en")]
        assert names[0] == names[1], key


@pytest.mark.parametrize("lang", ["es", "en"])
@pytest.mark.parametrize(
    ("level", "ubigeo", "expected"),
    [
        ("district", "210101", "Puno"),
        ("province", "0101", "Chachapoyas"),
        ("department", "21", "Puno"),
        ("district", "210103", "Amantani"),
        ("district", "999999", "999999"),
    ],
)
def test_region_pages_render(app, lang, level, ubigeo, expected):
    from app.components.region import region_page

    with app.server.test_request_context(headers={"Cookie": f"nutrimapa_lang={lang}"}):
        page = region_page(level, ubigeo, lang)
    text = " ".join(_texts(page))
    assert expected in text


@pytest.mark.parametrize("lang", ["es", "en"])
def test_map_and_methods_layouts_render(app, lang):
    import importlib

    with app.server.test_request_context(headers={"Cookie": f"nutrimapa_lang={lang}"}):
        home = importlib.import_module("app.pages.home").layout()
        methods = importlib.import_module("app.pages.methods").layout()
        shell = importlib.import_module("app.components.shell").layout()
    words = " ".join(_texts(home) + _texts(methods) + _texts(shell))
    assert ("Indicador" in words) == (lang == "es")
    assert ("Indicator" in words) == (lang == "en")
    assert re.search(r"v\d+", words)


@pytest.mark.parametrize("lang", ["es", "en"])
def test_methods_page_says_plainly_whether_the_model_beats_the_pooled_average(app, lang):
    """SYNTHETIC validation figures: a difference inside two standard errors is read as no clear difference."""
    from app.pages import methods

    meta = {
        "validation": {
            "paired_vs_pooled": [
                {
                    "protocol": "split_sample",
                    "indicator": "anemia",
                    "estimator": "spacetime",
                    "mse_difference": 1.1,
                    "se": 2.3,
                },
                {
                    "protocol": "forecast",
                    "indicator": "stunting",
                    "estimator": "spacetime",
                    "mse_difference": -3.0,
                    "se": 1.0,
                },
                {
                    "protocol": "forecast",
                    "indicator": "anemia",
                    "estimator": "spacetime",
                    "mse_difference": 5.0,
                    "se": 2.0,
                },
                {
                    "protocol": "forecast",
                    "indicator": "anemia",
                    "estimator": "v1_method",
                    "mse_difference": -9.0,
                    "se": 1.0,
                },
            ]
        }
    }
    with app.server.test_request_context(headers={"Cookie": f"nutrimapa_lang={lang}"}):
        parts = methods.versus_pooled(meta, lang)
    text = methods.TEXT[lang]
    rows = [" ".join(_texts(r)) for r in parts[-1].children[1].children]
    assert len(rows) == 3  # the published model only
    assert text["verdict_tie"] in rows[0]
    assert any(text["verdict_better"] in r for r in rows)
    assert any(text["verdict_worse"] in r for r in rows)
    assert methods.versus_pooled({}, lang) == []
