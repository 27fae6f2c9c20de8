"""Figures of the admin pages: how two model versions' region estimates differ."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from app.i18n import t


def difference_map(units: Sequence[dict], diffs: dict[str, float], geojson_url: str, lang: str = "es") -> go.Figure:
    """Choropleth of B - A in percentage points (diverging, centred on 0); units without a difference blank.

    Args:
        units: the level's units as ``services.regions`` gives them (``ubigeo``, ``name``, ``has_geometry``).
    """
    poly = [u for u in units if u["has_geometry"]]
    z = [diffs.get(u["ubigeo"]) for u in poly]
    bound = max((abs(v) for v in z if v is not None), default=1.0) or 1.0
    fig = go.Figure(
        go.Choropleth(
            geojson=geojson_url,
            featureidkey="id",
            locations=[u["ubigeo"] for u in poly],
            z=z,
            text=[u["name"] for u in poly],
            colorscale="RdBu_r",
            zmid=0,
            zmin=-bound,
            zmax=bound,
            marker_line_color="white",
            marker_line_width=0.3,
            colorbar={"title": {"text": t("admin_diff_legend", lang)}, "thickness": 12, "len": 0.6},
            hovertemplate="<b>%{text}</b><br>B − A: %{z:+.2f}<extra></extra>",
        )
    )
    # The South America base map is served from assets/topojson (no CDN, no world map).
    fig.update_geos(
        scope="south america", resolution=50, fitbounds="locations", visible=False, projection_type="mercator"
    )
    fig.update_layout(margin={"l": 0, "r": 0, "t": 0, "b": 0}, height=480, dragmode="pan")
    return fig
