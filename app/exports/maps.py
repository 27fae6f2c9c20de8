"""Static locator maps for reports, drawn with matplotlib (no browser)."""

from __future__ import annotations

import io

import geopandas as gpd
from matplotlib import colormaps
from matplotlib.colors import Normalize
from matplotlib.figure import Figure

CMAP = colormaps["YlOrRd"]


def locator_png(
    units: gpd.GeoDataFrame,
    values: dict[str, float],
    focus: str | None,
    vmax: float,
    title: str,
    context: gpd.GeoDataFrame | None = None,
    point: tuple[float, float] | None = None,
    dpi: int = 110,
) -> bytes:
    """PNG of ``units`` coloured by ``values`` (percent), ``focus`` outlined; grey where there is no value."""
    fig = Figure(figsize=(5.2, 4.6), dpi=dpi)
    ax = fig.add_subplot()
    norm = Normalize(0, vmax)
    drawn = units[units.geometry.notna()]
    colours = [CMAP(norm(values[u])) if values.get(u) is not None else "#c8c8c8" for u in drawn["ubigeo"]]
    drawn.plot(ax=ax, color=colours, edgecolor="white", linewidth=0.4)
    if context is not None:
        context.boundary.plot(ax=ax, color="#555555", linewidth=0.8)
    if focus is not None:
        sel = drawn[drawn["ubigeo"] == focus]
        if len(sel):
            sel.boundary.plot(ax=ax, color="#111111", linewidth=2.2)
    if point is not None:
        ax.plot(
            [point[1]],
            [point[0]],
            marker="o",
            markersize=9,
            markeredgecolor="#111111",
            markerfacecolor=CMAP(norm(values.get(focus) or 0)),
            markeredgewidth=2,
        )
    sm = __import__("matplotlib.cm", fromlist=["ScalarMappable"]).ScalarMappable(norm=norm, cmap=CMAP)
    bar = fig.colorbar(sm, ax=ax, fraction=0.035, pad=0.02)
    bar.set_label("%")
    ax.set_title(title, fontsize=9)
    ax.set_axis_off()
    ax.set_aspect("equal")
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    fig.clear()
    return buf.getvalue()
