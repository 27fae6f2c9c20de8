"""Choropleth maps of region estimates; geometry is referenced by URL, never embedded.

A map has three traces, always in this order so callbacks can patch them:
0. every unit in grey (what shows, and hovers, where there is no estimate);
1. the estimates (``z`` missing where there is none), names in ``text``;
2. units without a polygon (four districts) as small grey points at their capital
   ("sin datos" hover);
3. those of them with an estimate, coloured like the polygons.
A unit without an estimate is grey and says so (never a false 0 %). The points are
small and catch the pointer only right on them (``hoverdistance``), so a click next
to them reaches the polygon underneath. Recolouring for another indicator patches
``z``, the hover templates and the coloured points (see :func:`recolour`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import plotly.graph_objects as go

from app.i18n import t
from app.numbers import PLOTLY_SEPARATORS

# ColorBrewer YlOrRd: sequential and readable with the common colour-vision deficiencies.
COLORSCALE = "YlOrRd"
NO_ESTIMATE_COLOUR = "#c8c8c8"
RANGE = {"anemia": (0, 80), "stunting": (0, 40)}
MODEL_FIELDS = ("ci_low", "ci_high", "drivers")
POINT_SIZE = 6
HOVER_DISTANCE_PX = 2  # a point wins the click only within its radius + 2 px; elsewhere the polygon does


def _fmt(v: float | None) -> float | None:
    return None if v is None else round(float(v), 1)


def model_customdata(rows_by_indicator: Mapping[str, Sequence[dict]]) -> list[list]:
    """Per unit: CI and drivers of both indicators, so switching indicator needs no customdata."""
    anemia, stunting = rows_by_indicator["anemia"], rows_by_indicator["stunting"]
    return [
        [
            _fmt(a.get("ci_low")),
            _fmt(a.get("ci_high")),
            a.get("drivers", ""),
            _fmt(s.get("ci_low")),
            _fmt(s.get("ci_high")),
            s.get("drivers", ""),
        ]
        for a, s in zip(anemia, stunting, strict=True)
    ]


def direct_customdata(rows: Sequence[dict], lang: str) -> list[list]:
    out = []
    for r in rows:
        if r.get("estimate") is None:
            out.append([None, None, t("no_data", lang)])
            continue
        note = t("n_children", lang, n=r.get("n") or 0)
        if r.get("flag") == "imprecise":
            note += f" · {t('imprecise', lang)}"
        out.append([_fmt(r.get("ci_low")), _fmt(r.get("ci_high")), note])
    return out


def hovertemplate(indicator: str, method: str, lang: str) -> str:
    label = t(f"{indicator}_short", lang)
    if method == "model":
        o = 0 if indicator == "anemia" else 3
        return (
            f"<b>%{{text}}</b><br>{label}: %{{z:.1f}} %<br>{t('ci_model', lang)}: %{{customdata[{o}]:.1f}}"
            f"-%{{customdata[{o + 1}]:.1f}} %<br>{t('drivers', lang)}: %{{customdata[{o + 2}]}}<extra></extra>"
        )
    return (
        f"<b>%{{text}}</b><br>{label}: %{{z:.1f}} %<br>{t('ci_direct', lang)}: %{{customdata[0]:.1f}}"
        f"-%{{customdata[1]:.1f}} %<br>%{{customdata[2]}}<extra></extra>"
    )


def point_template(template: str) -> str:
    # Scatter points carry the value in marker.color, not z.
    return template.replace("%{z:.1f}", "%{marker.color:.1f}")


def region_map(
    units: Sequence[dict],
    rows_by_indicator: Mapping[str, Sequence[dict]],
    indicator: str,
    method: str,
    geojson_url: str,
    lang: str = "es",
) -> go.Figure:
    """The map of one level.

    Args:
        units: every unit of the level in map order: ``ubigeo``, ``name``, ``has_geom``, ``lat``, ``lon``.
        rows_by_indicator: estimate rows aligned with ``units`` (``estimate`` None where there is none);
            for the model both indicators, for direct estimates the active one.
    """
    rows = rows_by_indicator[indicator]
    z = [_fmt(r.get("estimate")) for r in rows]
    custom = model_customdata(rows_by_indicator) if method == "model" else direct_customdata(rows, lang)
    template = hovertemplate(indicator, method, lang)
    poly = [i for i, u in enumerate(units) if u["has_geom"]]
    pts = [i for i, u in enumerate(units) if not u["has_geom"]]
    lo, hi = RANGE[indicator]
    fig = go.Figure()
    fig.add_trace(
        go.Choropleth(
            geojson=geojson_url,
            featureidkey="id",
            locations=[units[i]["ubigeo"] for i in poly],
            z=[0] * len(poly),
            colorscale=[[0, NO_ESTIMATE_COLOUR], [1, NO_ESTIMATE_COLOUR]],
            showscale=False,
            marker_line_color="white",
            marker_line_width=0.4,
            text=[units[i]["name"] for i in poly],
            hovertemplate=f"<b>%{{text}}</b><br>{t('no_data', lang)}<extra></extra>",
            name="base",
        )
    )
    fig.add_trace(
        go.Choropleth(
            geojson=geojson_url,
            featureidkey="id",
            locations=[units[i]["ubigeo"] for i in poly],
            z=[z[i] for i in poly],
            coloraxis="coloraxis",
            marker_line_color="white",
            marker_line_width=0.4,
            text=[units[i]["name"] for i in poly],
            customdata=[custom[i] for i in poly],
            hovertemplate=template,
            name="estimate",
        )
    )
    fig.add_trace(
        go.Scattergeo(
            lat=[units[i]["lat"] for i in pts],
            lon=[units[i]["lon"] for i in pts],
            ids=[units[i]["ubigeo"] for i in pts],
            text=[units[i]["name"] for i in pts],
            mode="markers",
            marker={"size": POINT_SIZE, "color": NO_ESTIMATE_COLOUR, "line": {"color": "#555", "width": 0.5}},
            hovertemplate=f"<b>%{{text}}</b><br>{t('no_data', lang)}<extra></extra>",
            name="points-base",
        )
    )
    fig.add_trace(go.Scattergeo(**estimate_points(units, z, custom, template)))
    fig.update_layout(
        coloraxis={
            "colorscale": COLORSCALE,
            "cmin": lo,
            "cmax": hi,
            "colorbar": {"title": {"text": t("legend_pct", lang)}, "ticksuffix": " %", "thickness": 14, "len": 0.6},
        },
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
        dragmode="pan",
        hoverdistance=HOVER_DISTANCE_PX,
        separators=PLOTLY_SEPARATORS.get(lang, ".,"),
        showlegend=False,
        uirevision=geojson_url,
        meta={"indicator": indicator, "method": method},
    )
    fig.update_geos(
        scope="south america",
        resolution=50,
        projection_type="mercator",
        fitbounds="locations",
        showcountries=True,
        countrycolor="#9e9e9e",
        showland=True,
        landcolor="#f5f5f5",
        showocean=True,
        oceancolor="#e8f1f8",
        showlakes=True,
        lakecolor="#e8f1f8",
        showcoastlines=False,
        showframe=False,
    )
    return fig


def estimate_points(units: Sequence[dict], z: Sequence, custom: Sequence, template: str) -> dict:
    """Trace 3: the polygon-less units that have an estimate, coloured on the map's colour axis."""
    pts = [i for i, u in enumerate(units) if not u["has_geom"] and z[i] is not None]
    return {
        "type": "scattergeo",
        "lat": [units[i]["lat"] for i in pts],
        "lon": [units[i]["lon"] for i in pts],
        "ids": [units[i]["ubigeo"] for i in pts],
        "text": [units[i]["name"] for i in pts],
        "customdata": [custom[i] for i in pts],
        "mode": "markers",
        "marker": {
            "size": POINT_SIZE,
            "color": [z[i] for i in pts],
            "coloraxis": "coloraxis",
            "line": {"color": "#333", "width": 0.5},
        },
        "hovertemplate": point_template(template),
        "name": "points",
    }


def recolour(units: Sequence[dict], rows: Sequence[dict], indicator: str, lang: str = "es") -> dict:
    """What changes when the indicator changes (model estimates): the values for a ``dash.Patch``.

    ``point_colors`` are those of trace 3 (the polygon-less units with an estimate, in unit order); the
    caller patches them only when both indicators estimate the same point units.
    """
    z = [_fmt(r.get("estimate")) for r in rows]
    template = hovertemplate(indicator, "model", lang)
    return {
        "z": [z[i] for i, u in enumerate(units) if u["has_geom"]],
        "point_colors": [z[i] for i, u in enumerate(units) if not u["has_geom"] and z[i] is not None],
        "hovertemplate": template,
        "point_hovertemplate": point_template(template),
        "cmin": RANGE[indicator][0],
        "cmax": RANGE[indicator][1],
    }


def locator_map(
    units: Sequence[dict], rows: Sequence[dict], ubigeo: str, indicator: str, geojson_url: str, lang: str = "es"
) -> go.Figure:
    """A region among its neighbours, coloured like the main map, the region outlined; same cached geometry.

    Args:
        units: the neighbours (same level, same parent) including the region, with ``has_geom``.
        rows: their model estimate rows, aligned with ``units``.
    """
    poly = [i for i, u in enumerate(units) if u["has_geom"]]
    lo, hi = RANGE[indicator]
    z = [_fmt(rows[i].get("estimate")) for i in poly]
    fig = go.Figure(
        go.Choropleth(
            geojson=geojson_url,
            featureidkey="id",
            locations=[units[i]["ubigeo"] for i in poly],
            z=[v if v is not None else lo for v in z],
            zmin=lo,
            zmax=hi,
            colorscale=COLORSCALE,
            showscale=False,
            marker_line_color="white",
            marker_line_width=0.5,
            text=[units[i]["name"] for i in poly],
            hovertemplate=f"<b>%{{text}}</b><br>{t(f'{indicator}_short', lang)}: %{{z:.1f}} %<extra></extra>",
            name="neighbours",
        )
    )
    mine = [units[i]["ubigeo"] for i in poly if units[i]["ubigeo"] == ubigeo]
    if mine:
        fig.add_trace(
            go.Choropleth(
                geojson=geojson_url,
                featureidkey="id",
                locations=mine,
                z=[0],
                colorscale=[[0, "rgba(0,0,0,0)"], [1, "rgba(0,0,0,0)"]],
                showscale=False,
                marker_line_color="#111",
                marker_line_width=3,
                hoverinfo="skip",
                name="region",
            )
        )
    fig.update_layout(
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
        height=300,
        dragmode=False,
        showlegend=False,
        separators=PLOTLY_SEPARATORS.get(lang, ".,"),
    )
    fig.update_geos(
        scope="south america",  # the local base map (/assets/topojson/), hidden: only the regions show
        resolution=50,
        fitbounds="locations",
        projection_type="mercator",
        visible=False,
        showframe=False,
    )
    return fig
