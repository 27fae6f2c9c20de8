"""Figures for a region: SHAP drivers, comparison with its parents and Peru, survey trend."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from app.i18n import t
from app.numbers import PLOTLY_SEPARATORS, pct, signed

RISE, FALL = "#b2182b", "#2166ac"  # red raises risk, blue lowers it (colour-blind-safe pair)


def shap_bars(contributions: Sequence[dict], lang: str = "es", top: int = 8) -> go.Figure:
    """Horizontal bars of a region's SHAP contributions (percentage points), largest on top."""
    items = list(contributions)[:top][::-1]
    fig = go.Figure(
        go.Bar(
            x=[c["value"] for c in items],
            y=[c["label"] for c in items],
            orientation="h",
            marker_color=[RISE if c["value"] > 0 else FALL for c in items],
            text=[signed(c["value"], lang) for c in items],
            textposition="outside",
            cliponaxis=False,
            hovertext=[c["text"] for c in items],
            hoverinfo="text",
        )
    )
    values = [c["value"] for c in items] or [0.0]
    low, high = min(*values, 0.0), max(*values, 0.0)
    pad = 0.3 * ((high - low) or 1.0)
    # Room on both sides for the labels outside the bars, so they never run into the axis labels.
    fig.update_layout(
        height=40 + 32 * len(items),
        margin={"l": 10, "r": 10, "t": 10, "b": 30},
        xaxis={
            "title": {"text": t("points_label", lang)},
            "zeroline": True,
            "zerolinecolor": "#555",
            "range": [low - pad, high + pad],
        },
        yaxis={"automargin": True},
        plot_bgcolor="white",
        separators=PLOTLY_SEPARATORS.get(lang, ".,"),
    )
    return fig


def comparison(items: Sequence[dict], lang: str = "es") -> go.Figure:
    """Estimates with their 95 % margins for the region, its parents and Peru (``label``, ``estimate``, CI).

    The value labels sit right of each interval's upper whisker (a text trace at ``ci_high``), so a
    whisker never strikes through a number.
    """
    labels = [i["label"] for i in items]
    fig = go.Figure(
        go.Bar(
            x=[i["estimate"] for i in items],
            y=labels,
            orientation="h",
            marker_color=["#d95f0e" if n == 0 else "#bdbdbd" for n in range(len(items))],
            error_x={
                "type": "data",
                "symmetric": False,
                "array": [i["ci_high"] - i["estimate"] for i in items],
                "arrayminus": [i["estimate"] - i["ci_low"] for i in items],
                "color": "#333",
            },
            hovertemplate="%{y}: %{x:.1f} %<extra></extra>",
            name="bars",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=[i["ci_high"] for i in items],
            y=labels,
            mode="text",
            text=["  " + pct(i["estimate"], lang) for i in items],
            textposition="middle right",
            cliponaxis=False,
            hoverinfo="skip",
            name="labels",
        )
    )
    top = max((i["ci_high"] for i in items), default=1.0)
    fig.update_layout(
        height=60 + 40 * len(items),
        margin={"l": 10, "r": 20, "t": 10, "b": 30},
        xaxis={"ticksuffix": " %", "range": [0, top * 1.3 + 1]},
        yaxis={"autorange": "reversed", "automargin": True},
        plot_bgcolor="white",
        showlegend=False,
        separators=PLOTLY_SEPARATORS.get(lang, ".,"),
    )
    return fig


def trend(
    model_rows: Sequence[dict], direct_rows: Sequence[dict] = (), lang: str = "es", direct_label: str | None = None
) -> go.Figure:
    """The model estimate by year with its 95 % interval band, and the survey's direct figures as points.

    Direct years that are suppressed or missing are gaps, never zero.
    """
    fig = go.Figure()
    if model_rows:
        years = [r["year"] for r in model_rows]
        fig.add_trace(
            go.Scatter(
                x=years + years[::-1],
                y=[r["ci_high"] for r in model_rows] + [r["ci_low"] for r in model_rows][::-1],
                fill="toself",
                mode="lines",
                fillcolor="rgba(217, 95, 14, 0.18)",
                line={"width": 0},
                hoverinfo="skip",
                name=t("trend_band", lang),
            )
        )
        fig.add_trace(
            go.Scatter(
                x=years,
                y=[r["estimate"] for r in model_rows],
                # One model year (older versions): a point with its margin, since a band needs two years.
                mode="lines" if len(years) > 1 else "markers",
                error_y=None
                if len(years) > 1
                else {
                    "type": "data",
                    "symmetric": False,
                    "array": [r["ci_high"] - r["estimate"] for r in model_rows],
                    "arrayminus": [r["estimate"] - r["ci_low"] for r in model_rows],
                    "color": "#d95f0e",
                },
                line={"color": "#d95f0e", "width": 2.5},
                customdata=[[r["ci_low"], r["ci_high"]] for r in model_rows],
                hovertemplate="%{x}: %{y:.1f} % (%{customdata[0]:.1f}-%{customdata[1]:.1f})<extra></extra>",
                name=t("trend_model", lang),
            )
        )
    shown = [r for r in direct_rows if r.get("estimate") is not None]
    if shown:
        fig.add_trace(
            go.Scatter(
                x=[r["year"] for r in shown],
                y=[r["estimate"] for r in shown],
                mode="markers",
                marker={"color": "#333", "size": 7, "symbol": "circle-open"},
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": [r["ci_high"] - r["estimate"] for r in shown],
                    "arrayminus": [r["estimate"] - r["ci_low"] for r in shown],
                    "color": "#999",
                    "thickness": 1,
                },
                customdata=[r["n"] for r in shown],
                hovertemplate="%{x}: %{y:.1f} % (n = %{customdata})<extra></extra>",
                name=direct_label or t("trend_direct", lang),
            )
        )
    # Survey years without a direct figure are said on the chart, not left as silent gaps.
    for r in direct_rows:
        if r.get("estimate") is None:
            key = "trend_gap_2020" if r["year"] == 2020 else "trend_gap"
            fig.add_annotation(
                x=r["year"],
                yref="paper",
                y=0.02,
                text=t(key, lang),
                showarrow=False,
                textangle=-90,
                xanchor="center",
                yanchor="bottom",
                font={"size": 10, "color": "#52606d"},
                name="gap",
            )
    fig.update_layout(
        height=280,
        margin={"l": 10, "r": 10, "t": 10, "b": 30},
        yaxis={"ticksuffix": " %", "rangemode": "tozero"},
        xaxis={"dtick": 1},
        plot_bgcolor="white",
        legend={"orientation": "h", "y": -0.18},
        separators=PLOTLY_SEPARATORS.get(lang, ".,"),
    )
    return fig
