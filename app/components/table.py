"""An accessible, sortable, paged table of a map view (the alternative to the map)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from dash import html

from app.data.labels import fold
from app.i18n import t

COLUMNS = ("name", "estimate", "ci_low", "ci_high", "n", "note")
NUMERIC = {"estimate", "ci_low", "ci_high", "n"}
PAGE_SIZE = 50
SORT_BUTTON = "sort-button"  # pattern-matching id type: {"type": SORT_BUTTON, "column": <column>}


def sort_rows(rows: Sequence[dict], column: str, ascending: bool, query: str = "") -> list[dict]:
    """Filter by name (accent-insensitive) and sort; missing values always last."""
    q = fold(query or "")
    kept = [r for r in rows if not q or q in fold(r["name"])]
    present = [r for r in kept if r.get(column) is not None]
    missing = [r for r in kept if r.get(column) is None]
    key = (lambda r: fold(r[column])) if column not in NUMERIC else (lambda r: r[column])
    return sorted(present, key=key, reverse=not ascending) + missing


def table(rows: Sequence[dict], column: str, ascending: bool, page: int, lang: str) -> html.Div:
    """One page of rows with header buttons that sort (aria-sort tells screen readers the state)."""
    pages = max(1, math.ceil(len(rows) / PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    head = []
    for c in COLUMNS:
        state = ("ascending" if ascending else "descending") if c == column else "none"
        arrow = {"ascending": " ▲", "descending": " ▼", "none": ""}[state]
        head.append(
            html.Th(
                html.Button(
                    t(f"col_{c}", lang) + arrow,
                    id={"type": SORT_BUTTON, "column": c},
                    className="sort-button",
                    n_clicks=0,
                ),
                scope="col",
                **{"aria-sort": state},
            )
        )
    body = []
    for r in rows[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]:
        cells = []
        for c in COLUMNS:
            v = r.get(c)
            text = "-" if v is None else (f"{v:.1f}" if isinstance(v, float) else str(v))
            cells.append(
                html.Th(text, scope="row") if c == "name" else html.Td(text, className="num" if c in NUMERIC else None)
            )
        body.append(html.Tr(cells))
    return html.Div(
        className="table-view",
        children=[
            html.Table(className="data-table", children=[html.Thead(html.Tr(head)), html.Tbody(body)]),
            html.P(f"{page + 1} / {pages} · {len(rows)}", className="note", id="table-page-label"),
        ],
    )
