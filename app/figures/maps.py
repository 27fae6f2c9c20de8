"""Choropleth maps of region estimates; geometry is referenced by URL, never embedded."""

from __future__ import annotations

import math
from collections.abc import Sequence

import plotly.graph_objects as go

from app.i18n import t

# ColorBrewer YlOrRd: sequential, readable with the common colour-vision deficiencies.
COLORSCALE = "YlOrRd"
NO_ESTIMATE_COLOUR = "#bdbdbd"
DEFAULT_RANGE = {"anemia": (0, 80), "stunting": (0, 40)}


def _flag_text(row: dict, lang: str) -> str:
    flag = row.get("flag")
    return f"<br><i>{t(flag, lang)}</i>" if flag else ""


def choropleth(rows: Sequence[dict], geojson_url: str, indicator: str, year: int, lang: str = "es") -> go.Figure:
    """Peru coloured by ``estimate`` (percent); units without one are grey and say why.

    Args:
        rows: records with ``ubigeo``, ``name``, ``estimate``, ``ci_low``, ``ci_high``, ``n``, ``flag``.
        geojson_url: URL of a FeatureCollection whose feature ``id`` is the UBIGEO.
    """
    with_est = [r for r in rows if r.get("estimate") is not None]
    without = [r for r in rows if r.get("estimate") is None]
    lo, hi = DEFAULT_RANGE.get(indicator, (0, 100))
    if with_est:
        hi = max(hi, math.ceil(max(r["estimate"] for r in with_est) / 10) * 10)
    label = t(f"{indicator}_short", lang)
    ci = t("ci", lang)
    children = t("children", lang)
    fig = go.Figure()
    fig.add_trace(
        go.Choropleth(
            geojson=geojson_url,
            featureidkey="id",
            locations=[r["ubigeo"] for r in with_est],
            z=[r["estimate"] for r in with_est],
            zmin=lo,
            zmax=hi,
            colorscale=COLORSCALE,
            marker_line_color="white",
            marker_line_width=0.5,
            customdata=[[r["name"], r["ci_low"], r["ci_high"], r["n"], _flag_text(r, lang)] for r in with_est],
            hovertemplate=(
                "<b>%{customdata[0]}</b><br>"
                + label
                + ": %{z:.1f} %<br>"
                + ci
                + ": %{customdata[1]:.1f} - %{customdata[2]:.1f} %<br>n = %{customdata[3]} "
                + children
                + "%{customdata[4]}<extra></extra>"
            ),
            colorbar={"title": {"text": "%"}, "ticksuffix": " %", "thickness": 14, "len": 0.6},
            name=label,
        )
    )
    if without:
        fig.add_trace(
            go.Choropleth(
                geojson=geojson_url,
                featureidkey="id",
                locations=[r["ubigeo"] for r in without],
                z=[0] * len(without),
                colorscale=[[0, NO_ESTIMATE_COLOUR], [1, NO_ESTIMATE_COLOUR]],
                showscale=False,
                marker_line_color="white",
                marker_line_width=0.5,
                customdata=[[r["name"], r["n"], t(r.get("flag") or "no_data", lang)] for r in without],
                hovertemplate="<b>%{customdata[0]}</b><br>%{customdata[2]} (n = %{customdata[1]})<extra></extra>",
                name=t("no_data", lang),
            )
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
    fig.update_layout(
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
        height=640,
        dragmode=False,
        uirevision=f"{geojson_url}",
        meta={"indicator": indicator, "year": year},
    )
    return fig
