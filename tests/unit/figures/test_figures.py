"""Pure figure functions: the right traces, values, colours and words, no Dash needed."""

from __future__ import annotations

import json

import plotly.graph_objects as go

from app.figures.maps import RANGE, recolour, region_map
from app.figures.regions import comparison, shap_bars, trend

UNITS = [
    {"ubigeo": "210101", "name": "Puno", "has_geom": True, "lat": -15.8, "lon": -70.0},
    {"ubigeo": "210103", "name": "Amantani", "has_geom": False, "lat": -15.66, "lon": -69.72},
    {"ubigeo": "150101", "name": "Lima", "has_geom": True, "lat": -12.0, "lon": -77.0},
]


def _rows(values):
    return [
        {
            "ubigeo": u["ubigeo"],
            "name": u["name"],
            "estimate": v,
            "ci_low": v and v - 5,
            "ci_high": v and v + 5,
            "drivers": "Altitud +6.0",
            "n": None,
            "flag": None,
        }
        for u, v in zip(UNITS, values, strict=True)
    ]


def test_region_map_references_geometry_by_url_and_colours_by_estimate():
    rows = {"anemia": _rows([70.0, 65.0, 35.0]), "stunting": _rows([15.0, 14.0, 5.0])}
    fig = region_map(UNITS, rows, "anemia", "model", "/geo/distritos.geojson", "es")
    base, est, grey_pts, pts = fig.data
    assert base.hovertemplate.endswith("<extra></extra>")
    assert est.geojson == "/geo/distritos.geojson"  # a URL: no geometry inside the figure
    assert list(est.locations) == ["210101", "150101"]
    assert list(est.z) == [70.0, 35.0]
    assert list(pts.ids) == ["210103"]  # the district without a polygon is a point
    assert list(grey_pts.ids) == ["210103"]  # grey underneath it, "sin datos" where there is no estimate
    assert list(pts.marker.color) == [65.0]
    assert fig.layout.coloraxis.cmax == RANGE["anemia"][1]
    assert "Factores principales" in est.hovertemplate
    assert len(json.dumps(fig.to_plotly_json(), default=str)) < 20_000


def test_missing_estimates_stay_missing_never_zero():
    rows = {"anemia": _rows([None, None, 40.0]), "stunting": _rows([None, None, 8.0])}
    fig = region_map(UNITS, rows, "anemia", "model", "/geo/x.geojson")
    assert list(fig.data[1].z) == [None, 40.0]
    assert list(fig.data[0].locations) == ["210101", "150101"]  # grey underneath, with its own hover
    assert list(fig.data[3].ids) == []  # a point without an estimate is only the grey point: never 0 %
    assert "sin datos" in fig.data[2].hovertemplate


def test_direct_point_district_is_grey_with_no_data_hover():
    rows = _rows([50.0, None, 30.0])
    rows[1].update(n=0, flag="no_data")
    fig = region_map(UNITS, {"anemia": rows}, "anemia", "direct", "/geo/x.geojson", "es")
    assert fig.data[2].marker.color == "#c8c8c8"
    assert list(fig.data[3].ids) == []
    assert "0 niños" not in json.dumps(fig.to_plotly_json(), default=str)


def test_recolour_changes_only_colours_and_template():
    rows = _rows([15.0, 14.0, 5.0])
    patch = recolour(UNITS, rows, "stunting", "en")
    assert patch["z"] == [15.0, 5.0]
    assert patch["point_colors"] == [14.0]
    assert "Stunting" in patch["hovertemplate"]
    assert patch["cmax"] == RANGE["stunting"][1]


def test_direct_map_explains_small_samples():
    rows = _rows([50.0, None, 30.0])
    rows[0].update(n=40, flag="imprecise")
    fig = region_map(UNITS, {"anemia": rows}, "anemia", "direct", "/geo/x.geojson", "es")
    assert "imprecisa" in fig.data[1].customdata[0][2]


def test_shap_bars_colour_by_direction_and_keep_room_for_labels():
    contributions = [
        {"feature": "altitude_m", "label": "Altitud", "value": 6.0, "text": "Altitud de 3 800 m"},
        {"feature": "wealth", "label": "Pobreza", "value": -2.0, "text": "..."},
    ]
    fig = shap_bars(contributions, "es")
    assert isinstance(fig, go.Figure)
    assert list(fig.data[0].y) == ["Pobreza", "Altitud"]  # largest on top
    assert fig.data[0].marker.color[1] != fig.data[0].marker.color[0]
    lo, hi = fig.layout.xaxis.range
    assert lo < -2
    assert hi > 6


def test_comparison_and_trend():
    items = [
        {"label": "Puno", "estimate": 68.0, "ci_low": 63.0, "ci_high": 73.0},
        {"label": "Perú", "estimate": 45.0, "ci_low": 39.0, "ci_high": 51.0},
    ]
    fig = comparison(items, "es")
    assert list(fig.data[0].x) == [68.0, 45.0]
    assert list(fig.data[0].error_x.array) == [5.0, 6.0]
    rows = [
        {"year": 2023, "estimate": None, "ci_low": None, "ci_high": None, "n": 10},
        {"year": 2024, "estimate": 70.0, "ci_low": 60.0, "ci_high": 80.0, "n": 42},
    ]
    labels = fig.data[1]  # the value labels start right of the upper whiskers: never struck through
    assert list(labels.x) == [73.0, 51.0]
    assert labels.textposition == "middle right"
    assert "68,0 %" in labels.text[0]  # Spanish decimal comma
    fig = trend([], rows)
    assert list(fig.data[0].x) == [2024]  # a suppressed year is a gap, not zero
    assert "25" in fig.layout.annotations[0].text  # ... and the gap is said on the chart
    rows[0]["year"] = 2020
    assert "pandemia" in trend([], rows).layout.annotations[0].text
    model = [
        {"year": 2023, "estimate": 66.0, "ci_low": 60.0, "ci_high": 72.0},
        {"year": 2024, "estimate": 67.0, "ci_low": 61.0, "ci_high": 73.0},
    ]
    band, line, points = trend(model, rows).data
    assert band.fill == "toself"
    assert list(band.y) == [72.0, 73.0, 61.0, 60.0]  # upper edge, then the lower edge back
    assert list(line.y) == [66.0, 67.0]
    assert points.mode == "markers"
